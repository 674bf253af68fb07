/**
 * Where the API server is and how to prove who we are, from a kubeconfig file or the pod's service
 * account. Our own reader instead of client-node's KubeConfig: that one pulls in the whole generated
 * API client (~85 MB RSS at import, half the operator's idle footprint) for a job of ~200 lines.
 *
 * Supported, as a provider's operator needs: server + CA (file or data) or insecure-skip-tls-verify,
 * tls-server-name; client certificate + key (file or data); bearer token or token file (re-read
 * every minute, as client-go does, because projected service-account tokens rotate); basic auth;
 * exec credential plugins (client.authentication.k8s.io v1 / v1beta1, cached until they expire).
 * Legacy `auth-provider` entries (gcp, azure, oidc) are refused by name: their plugins were removed
 * from kubectl, and every cloud now ships an exec plugin.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

export interface ExecConfig {
  command: string;
  args: string[];
  env: Record<string, string>;
  apiVersion: string;
}

/** One way in to one API server, with everything read from files already in memory. */
export interface ClusterAccess {
  /** `https://host:port` (no trailing slash); `http://` only in tests. */
  server: string;
  ca?: Buffer | undefined;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  token?: string | undefined;
  /** Read again once a minute: the kubelet rotates projected tokens in place. */
  tokenFile?: string | undefined;
  basic?: { username: string; password: string } | undefined;
  exec?: ExecConfig | undefined;
}

export class KubeconfigError extends Error {
  override name = 'KubeconfigError';
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The pod's own service account (what client-go's rest.InClusterConfig reads). */
export function inClusterAccess(env: NodeJS.ProcessEnv = process.env, dir = SA_DIR): ClusterAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new KubeconfigError('not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set');
  const tokenFile = path.join(dir, 'token');
  if (!fs.existsSync(tokenFile)) throw new KubeconfigError(`in-cluster: ${tokenFile} does not exist (is automountServiceAccountToken off?)`);
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: fs.readFileSync(path.join(dir, 'ca.crt')),
    insecureSkipTlsVerify: false,
    tokenFile,
  };
}

type Named<T> = { name?: unknown } & { [k: string]: T | unknown };

function pick(list: unknown, name: string, what: string, file: string): Record<string, unknown> {
  if (!Array.isArray(list)) throw new KubeconfigError(`${file}: ${what}s must be a list`);
  const entry = (list as Named<unknown>[]).find((e) => e && e.name === name);
  if (!entry) throw new KubeconfigError(`${file}: ${what} "${name}" (named by the current context) is not in ${what}s`);
  const body = entry[what];
  if (body === null || typeof body !== 'object') throw new KubeconfigError(`${file}: ${what}s[name=${name}].${what} must be a mapping`);
  return body as Record<string, unknown>;
}

function str(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeconfigError(`${where}.${key} must be a string`);
  return v;
}

/** `<key>-data` (base64) or `<key>` (a path, relative to the kubeconfig's directory). */
function material(obj: Record<string, unknown>, key: string, where: string, dir: string): Buffer | undefined {
  const data = str(obj, `${key}-data`, where);
  if (data !== undefined) return Buffer.from(data, 'base64');
  const file = str(obj, key, where);
  if (file === undefined) return undefined;
  const full = path.resolve(dir, file);
  try {
    return fs.readFileSync(full);
  } catch (err) {
    throw new KubeconfigError(`${where}.${key}: cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function execConfig(raw: unknown, where: string): ExecConfig {
  if (raw === null || typeof raw !== 'object') throw new KubeconfigError(`${where}.exec must be a mapping`);
  const e = raw as Record<string, unknown>;
  const command = str(e, 'command', `${where}.exec`);
  if (!command) throw new KubeconfigError(`${where}.exec.command is required`);
  const args = e.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new KubeconfigError(`${where}.exec.args must be a list of strings`);
  const env: Record<string, string> = {};
  for (const item of (e.env ?? []) as unknown[]) {
    const { name, value } = (item ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || typeof value !== 'string') throw new KubeconfigError(`${where}.exec.env entries need string name and value`);
    env[name] = value;
  }
  return { command, args: args as string[], env, apiVersion: str(e, 'apiVersion', `${where}.exec`) ?? 'client.authentication.k8s.io/v1' };
}

/** Parses a kubeconfig's text; `file` names it in errors and anchors relative paths. */
export function parseKubeconfig(text: string, file: string): ClusterAccess {
  try {
    return parseDocument(text, file);
  } catch (err) {
    // Every message names the file once, whichever helper threw it.
    if (err instanceof KubeconfigError && !err.message.startsWith(`${file}: `)) throw new KubeconfigError(`${file}: ${err.message}`);
    throw err;
  }
}

function parseDocument(text: string, file: string): ClusterAccess {
  let doc: unknown;
  try {
    // Untrusted YAML: anchors and aliases are bounded (a kubeconfig has no use for them).
    doc = parse(text, { maxAliasCount: 16, prettyErrors: false });
  } catch (err) {
    throw new KubeconfigError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object') throw new KubeconfigError(`${file}: not a kubeconfig (expected a mapping)`);
  const cfg = doc as Record<string, unknown>;
  const current = str(cfg, 'current-context', file);
  if (!current) throw new KubeconfigError(`${file}: current-context is not set`);
  const context = pick(cfg.contexts, current, 'context', file);
  const clusterName = str(context, 'cluster', `contexts[name=${current}].context`);
  if (!clusterName) throw new KubeconfigError(`${file}: context "${current}" names no cluster`);
  const cluster = pick(cfg.clusters, clusterName, 'cluster', file);
  const cw = `clusters[name=${clusterName}].cluster`;
  const server = str(cluster, 'server', cw);
  if (!server) throw new KubeconfigError(`${file}: ${cw}.server is required`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(`${file}: ${cw}.server is not a URL: ${server}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KubeconfigError(`${file}: ${cw}.server must be https:// (got ${url.protocol})`);
  if (cluster.proxy_url !== undefined || cluster['proxy-url'] !== undefined) throw new KubeconfigError(`${file}: ${cw}.proxy-url is not supported`);
  const dir = path.dirname(path.resolve(file));
  const access: ClusterAccess = {
    server: server.replace(/\/+$/, ''),
    ca: material(cluster, 'certificate-authority', cw, dir),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cluster, 'tls-server-name', cw),
  };

  const userName = str(context, 'user', `contexts[name=${current}].context`);
  if (!userName) return access;
  const user = pick(cfg.users, userName, 'user', file);
  const uw = `users[name=${userName}].user`;
  if (user['auth-provider'] !== undefined) {
    const name = (user['auth-provider'] as { name?: unknown } | null)?.name;
    throw new KubeconfigError(`${file}: ${uw}.auth-provider (${String(name)}) is not supported: use the provider's exec credential plugin`);
  }
  access.cert = material(user, 'client-certificate', uw, dir);
  access.key = material(user, 'client-key', uw, dir);
  if ((access.cert === undefined) !== (access.key === undefined)) throw new KubeconfigError(`${file}: ${uw} needs both client-certificate and client-key, or neither`);
  access.token = str(user, 'token', uw);
  const tokenFile = str(user, 'tokenFile', uw);
  if (tokenFile) access.tokenFile = path.resolve(dir, tokenFile);
  const username = str(user, 'username', uw);
  if (username !== undefined) access.basic = { username, password: str(user, 'password', uw) ?? '' };
  if (user.exec !== undefined && user.exec !== null) access.exec = execConfig(user.exec, uw);
  return access;
}

export function loadKubeconfigFile(file: string): ClusterAccess {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseKubeconfig(text, file);
}

/** What a credential source adds to a request. */
export interface Credentials {
  authorization?: string | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

const TOKEN_FILE_TTL_MS = 60_000;
/** An exec credential without expiry is kept this long, then asked again. */
const EXEC_DEFAULT_TTL_MS = 10 * 60_000;
const EXEC_TIMEOUT_MS = 30_000;

export type ExecRunner = (cfg: ExecConfig) => Promise<string>;

const runExec: ExecRunner = async (cfg) => {
  const input = JSON.stringify({ apiVersion: cfg.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const { stdout } = await promisify(execFile)(cfg.command, cfg.args, {
    env: { ...process.env, ...cfg.env, KUBERNETES_EXEC_INFO: input },
    timeout: EXEC_TIMEOUT_MS,
    maxBuffer: 1 << 20,
  });
  return stdout;
};

/**
 * The credentials of `access` as of now: a token file is re-read at most once a minute, an exec
 * plugin runs again shortly before its credential expires; concurrent callers share one run.
 */
export function credentialSource(access: ClusterAccess, opts: { now?: () => number; exec?: ExecRunner } = {}): () => Promise<Credentials> {
  const now = opts.now ?? Date.now;
  const exec = opts.exec ?? runExec;
  let fileToken: { value: string; readAt: number } | undefined;
  let execCred: { value: Credentials; until: number } | undefined;
  let pending: Promise<Credentials> | undefined;

  const fromExec = async (cfg: ExecConfig): Promise<Credentials> => {
    let out: unknown;
    try {
      out = JSON.parse(await exec(cfg));
    } catch (err) {
      throw new KubeconfigError(`exec credential plugin ${cfg.command}: ${(err as Error).message.split('\n')[0]}`);
    }
    const status = (out as { status?: Record<string, unknown> } | null)?.status ?? {};
    const token = typeof status.token === 'string' ? status.token : undefined;
    const cert = typeof status.clientCertificateData === 'string' ? Buffer.from(status.clientCertificateData) : undefined;
    const key = typeof status.clientKeyData === 'string' ? Buffer.from(status.clientKeyData) : undefined;
    if (!token && !(cert && key)) throw new KubeconfigError(`exec credential plugin ${cfg.command}: its ExecCredential has neither status.token nor a client certificate and key`);
    const expires = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : NaN;
    // Ask again a little before expiry, so no request goes out with a credential about to lapse.
    const until = Number.isFinite(expires) ? expires - 10_000 : now() + EXEC_DEFAULT_TTL_MS;
    const value = { authorization: token ? `Bearer ${token}` : undefined, cert, key };
    execCred = { value, until };
    return value;
  };

  return async () => {
    if (access.exec) {
      if (execCred && now() < execCred.until) return execCred.value;
      pending ??= fromExec(access.exec).finally(() => (pending = undefined));
      return pending;
    }
    let authorization: string | undefined;
    if (access.tokenFile) {
      if (!fileToken || now() - fileToken.readAt >= TOKEN_FILE_TTL_MS) {
        try {
          fileToken = { value: fs.readFileSync(access.tokenFile, 'utf8').trim(), readAt: now() };
        } catch (err) {
          // A failed re-read keeps the token we have; with none yet, the request cannot authenticate.
          if (!fileToken) throw new KubeconfigError(`token file ${access.tokenFile}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
      }
      authorization = `Bearer ${fileToken.value}`;
    } else if (access.token) authorization = `Bearer ${access.token}`;
    else if (access.basic) authorization = `Basic ${Buffer.from(`${access.basic.username}:${access.basic.password}`).toString('base64')}`;
    return { authorization, cert: access.cert, key: access.key };
  };
}
