/**
 * A real private image registry for e2e tests: Debian's `docker-registry` (CNCF Distribution 2.8,
 * installed by scripts/ci-packages.sh) on 127.0.0.1 with TLS from a throwaway CA and htpasswd
 * (bcrypt) auth, storing blobs in a temp dir. Plus the few registry HTTP API calls a test needs to
 * push a tiny image and read it back.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { HarnessError } from '../harness/errors.ts';
import { createPki } from '../harness/pki.ts';
import { freePort } from '../harness/ports.ts';
import { logTail, startProcess, type ManagedProcess } from '../harness/process.ts';
import { pollUntil } from '../harness/wait.ts';

export interface Registry {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`: the registry host as an image reference and a dockerconfigjson key name it. */
  host: string;
  /** The CA that signed the registry's serving certificate (it covers 127.0.0.1 and localhost). */
  caPem: string;
  logPath: string;
  /** The registry's log so far. */
  log(): string;
  /** SIGTERM (SIGKILL after 10 s), then removes its temp dir unless E2E_KEEP is set. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RegistryOptions {
  username: string;
  password: string;
  /**
   * The registry ends itself after this long even if nobody stops it (a worker killed before
   * afterAll), so it never outlives the test run. Default 15 minutes.
   */
  maxLifetimeSeconds?: number;
}

/** An executable (the explicit path, else on PATH), or a one-line HarnessError saying how to install it. */
function onPath(name: string, pkg: string, explicit?: string): string {
  const candidates = explicit ? [explicit] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, name));
  for (const p of candidates) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  throw new HarnessError(`${name} is not installed${explicit ? ` at ${explicit}` : ''} (Debian package ${pkg}): run scripts/ci-packages.sh, as .ci/run does.`);
}

const execFileP = promisify(execFile);

export async function startRegistry(opts: RegistryOptions): Promise<Registry> {
  const bin = onPath('docker-registry', 'docker-registry', process.env.DOCKER_REGISTRY_BIN);
  const htpasswd = onPath('htpasswd', 'apache2-utils');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
  let proc: ManagedProcess | undefined;
  const cleanup = async () => {
    await proc?.stop();
    if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pki = await createPki(path.join(dir, 'pki'));
    // Distribution's htpasswd auth accepts bcrypt entries only, hence -B. The password is an
    // argument of a short-lived local process: visible in this machine's process list for a moment,
    // which a throwaway test credential can afford.
    const { stdout: entry } = await execFileP(htpasswd, ['-Bbn', opts.username, opts.password]);
    fs.writeFileSync(path.join(dir, 'htpasswd'), entry.trim() + '\n', { mode: 0o600 });
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = path.join(dir, 'config.yml');
    fs.writeFileSync(
      config,
      JSON.stringify({
        version: 0.1,
        log: { level: 'info', accesslog: { disabled: false }, fields: { service: 'registry' } },
        storage: { filesystem: { rootdirectory: path.join(dir, 'data') }, delete: { enabled: true } },
        // A fixed upload-state secret: without one the registry makes a random one and warns.
        http: { addr: host, secret: crypto.randomBytes(16).toString('hex'), tls: { certificate: pki.servingCert, key: pki.servingKey } },
        auth: { htpasswd: { realm: 'akash-e2e', path: path.join(dir, 'htpasswd') } },
      }),
    );
    // `timeout` caps its lifetime and forwards our SIGTERM to the registry; setpriv (util-linux)
    // makes the kernel send SIGTERM once the test worker is gone, killed or not.
    const lifetime = String(opts.maxLifetimeSeconds ?? 900);
    const guard = ['timeout', '--kill-after=10', lifetime, bin, 'serve', config];
    const setpriv = (() => {
      try {
        return onPath('setpriv', 'util-linux');
      } catch {
        return undefined;
      }
    })();
    const [cmd, ...args] = setpriv ? [setpriv, '--pdeathsig', 'TERM', '--', ...guard] : guard;
    // The registry reads REGISTRY_* variables as config overrides: none of the caller's may leak in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
    const logPath = path.join(dir, 'registry.log');
    proc = await startProcess('docker-registry', cmd!, args, { logPath, env });
    const url = `https://${host}`;
    // Up means: TLS with our CA works and the auth layer answers (401 without credentials).
    const up = await pollUntil(async () => ((await registryRequest('GET', `${url}/v2/`, { ca: pki.caPem })).status === 401 ? true : undefined), 30_000, {
      intervalMs: 100,
      abort: () => proc?.failure(),
    });
    if (!up) throw new HarnessError(`docker-registry did not answer 401 on ${url}/v2/ within 30 s; log: ${logPath} (${logTail(logPath, 300).trim().split('\n').pop() ?? ''})`);
    return {
      url,
      host,
      caPem: pki.caPem,
      logPath,
      log: () => fs.readFileSync(logPath, 'utf8'),
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export interface RegistryResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTPS request to the registry; resolves on any HTTP status. */
export function registryRequest(
  method: string,
  url: string,
  opts: { ca: string; auth?: string; headers?: Record<string, string>; body?: Buffer; timeoutMs?: number },
): Promise<RegistryResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth) headers.authorization = `Basic ${opts.auth}`;
    if (opts.body) headers['content-length'] = String(opts.body.length);
    const req = https.request(url, { method, ca: opts.ca, headers, timeout: opts.timeoutMs ?? 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const sha256 = (b: Buffer): string => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

/** A Docker image manifest (schema 2) with one config and one layer blob. */
export const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * Pushes a tiny image `<repo>:<tag>` as `docker push` would: each blob by a monolithic upload
 * (POST for an upload URL, one PUT with the whole blob and its digest), then the manifest. Fails
 * with the step and HTTP status when the registry refuses. Returns the manifest and its digest.
 */
export async function pushTinyImage(registry: { url: string; caPem: string }, auth: string, repo: string, tag: string): Promise<{ manifest: Buffer; digest: string; responses: RegistryResponse[] }> {
  const responses: RegistryResponse[] = [];
  const call = async (what: string, expected: number, method: string, url: string, extra: { headers?: Record<string, string>; body?: Buffer } = {}) => {
    const res = await registryRequest(method, url, { ca: registry.caPem, auth, ...extra });
    responses.push(res);
    if (res.status !== expected) throw new Error(`${what}: ${method} ${url} answered ${res.status}, expected ${expected}: ${res.body.toString('utf8').slice(0, 300)}`);
    return res;
  };
  const upload = async (blob: Buffer) => {
    const digest = sha256(blob);
    const started = await call('start a blob upload', 202, 'POST', `${registry.url}/v2/${repo}/blobs/uploads/`);
    const location = new URL(String(started.headers.location), registry.url);
    location.searchParams.set('digest', digest);
    await call('upload a blob', 201, 'PUT', location.toString(), { headers: { 'content-type': 'application/octet-stream' }, body: blob });
    return { digest, size: blob.length };
  };
  // The layer is an empty tar (two zero blocks), gzip'd: a valid, if empty, root filesystem.
  const emptyTar = Buffer.alloc(1024);
  const layer = await upload(gzipSync(emptyTar));
  const config = await upload(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(emptyTar)] } })),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_V2,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    }),
  );
  await call('put the manifest', 201, 'PUT', `${registry.url}/v2/${repo}/manifests/${tag}`, { headers: { 'content-type': MANIFEST_V2 }, body: manifest });
  return { manifest, digest: sha256(manifest), responses };
}
