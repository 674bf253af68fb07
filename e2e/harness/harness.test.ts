import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pinnedVersions, repoRoot } from './binaries.ts';
import { startCluster } from './cluster.ts';
import { HarnessError } from './errors.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { assertPortFree } from './ports.ts';
import { isAlive as alive, startProcess } from './process.ts';

const execFileP = promisify(execFile);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'harness-test-'));

/**
 * A directory of stand-in binaries (each a shell script with the given body) plus links to the
 * coreutils the build script needs, so that PATH=<dir> hides the machine's real Go wherever it is.
 */
function fakeBins(scripts: Record<string, string>): string {
  const dir = tmp();
  for (const tool of ['dirname', 'sha256sum', 'cut', 'sed', 'date', 'cat', 'mkdir', 'tail', 'rm', 'mv', 'ln', 'head', 'basename', 'sleep']) {
    const real = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
    if (real) fs.symlinkSync(real, path.join(dir, tool));
  }
  for (const [name, body] of Object.entries(scripts)) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return dir;
}

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

describe('pinned versions', () => {
  it('tools/*/go.mod require exactly the versions in tools/versions.env', () => {
    const v = pinnedVersions();
    const pins: [string, string, string | undefined][] = [
      ['k8s', 'k8s.io/kubernetes', v.K8S_VERSION],
      ['etcd', 'go.etcd.io/etcd/server/v3', v.ETCD_VERSION],
      ['kwok', 'sigs.k8s.io/kwok', v.KWOK_VERSION],
      ['helm', 'helm.sh/helm/v3', v.HELM_VERSION],
    ];
    for (const [dir, mod, want] of pins) {
      const gomod = fs.readFileSync(path.join(repoRoot, 'tools', dir, 'go.mod'), 'utf8');
      const have = new RegExp(`^\\s*${mod.replaceAll('.', '\\.')} (v\\S+)`, 'm').exec(gomod)?.[1];
      expect({ dir, have }).toEqual({ dir, have: want });
    }
    expect(v.K8S_VERSION).toMatch(/^v1\.3[56]\.\d+$/);
    expect(v.ETCD_VERSION).toMatch(/^v3\.6\.\d+$/);
    expect(v.KWOK_VERSION).toMatch(/^v0\.8\.\d+$/);
    expect(v.HELM_VERSION).toMatch(/^v3\.\d+\.\d+$/);
  });
});

describe('environment faults end in one sentence', () => {
  const script = path.join(repoRoot, 'scripts/test-bins.sh');
  const run = async (env: NodeJS.ProcessEnv) =>
    execFileP('/bin/bash', [script, 'build'], { env: { HOME: os.homedir(), ...env } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it('says so when Go is missing', async () => {
    const r = await run({ PATH: fakeBins({}) });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^test-bins: Go is not installed; install Go 1\.26 or newer/);
  });

  it('says so when Go is too old', async () => {
    const bins = fakeBins({ go: 'echo go1.22.5' });
    const r = await run({ PATH: bins });
    expect(r.stderr.trim()).toMatch(/^test-bins: Go 1\.22\.5 is too old; the test binaries need Go 1\.26 or newer/);
  });

  it('names the log when a build fails', async () => {
    const bins = fakeBins({ go: 'case "$1" in env) echo go1.26.8;; *) echo "compile: boom" >&2; exit 1;; esac' });
    const cache = tmp();
    const r = await run({ PATH: bins, AKASH_OPERATOR_CACHE: cache });
    expect(r.stderr).toContain('compile: boom');
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `test-bins: building etcd ${pinnedVersions().ETCD_VERSION} failed; the full log is ${cache}/logs/etcd-${pinnedVersions().ETCD_VERSION}.log (check the Go module proxy is reachable and there is free disk).`,
    );
  });

  it('names a port in use', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      await expect(assertPortFree(port, 'kube-apiserver')).rejects.toThrow(
        new HarnessError(`Port 127.0.0.1:${port} for kube-apiserver is already in use: stop the process holding it (ss -ltnp 'sport = :${port}') or choose another port.`),
      );
    } finally {
      srv.close();
    }
  });

  it('turns a component that lost a port race into that sentence', async () => {
    const dir = tmp();
    const log = path.join(dir, 'etcd.log');
    const p = await startProcess('etcd', '/bin/sh', ['-c', 'echo "listen tcp 127.0.0.1:2379: bind: address already in use"; exit 1'], { logPath: log });
    await new Promise((r) => p.child.once('exit', r));
    expect(p.failure()?.message).toBe(`etcd could not listen on 127.0.0.1:2379 because the port is in use: stop what holds it (ss -ltnp) and run again; log: ${log}.`);
  });

  it('stops what it started when a component does not become ready in time', async () => {
    const pidFile = path.join(tmp(), 'pid');
    process.env.K8S_TEST_BIN = fakeBins({ etcd: `echo $$ > ${pidFile}; exec sleep 60`, 'kube-apiserver': 'exec sleep 60' });
    const err = await startCluster({ nodes: 0, readyTimeoutMs: 1500 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toMatch(/^etcd did not become ready within 2 s: read .*etcd\.log, or raise E2E_READY_TIMEOUT_MS on a slow machine\.$/);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(false);
  });

  it('names a missing binary and the command that builds it', async () => {
    process.env.K8S_TEST_BIN = fakeBins({});
    await expect(startCluster({ nodes: 0 })).rejects.toThrow(/^The test binary etcd is missing at .*: run 'make test-bins' to build it \(needs Go 1\.26\)\.$/);
  });
});

describe('kubeconfig', () => {
  it('carries the server, the CA and the client certificate in one context', () => {
    const doc = parse(kubeconfigYaml('t', { server: 'https://127.0.0.1:6443', caPem: 'CA', user: 'admin', clientCertPem: 'C', clientKeyPem: 'K' }));
    expect(doc['current-context']).toBe('t');
    expect(doc.clusters[0].cluster).toEqual({ server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') });
    expect(doc.users[0]).toEqual({ name: 'admin', user: { 'client-certificate-data': 'Qw==', 'client-key-data': 'Sw==' } });
  });
});
