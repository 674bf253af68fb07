import { execFile, spawn } from 'node:child_process';
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

/**
 * Stand-ins for etcd and kube-apiserver: Node servers that answer the harness's readiness probes
 * on the ports and with the certificates from their arguments, and log every start (JSON lines).
 */
function fakeControlPlane(opts: { etcdFailsOnRestart?: boolean } = {}): { starts: () => { name: string; pid: number; args: string[] }[] } {
  const dir = tmp();
  const startsFile = path.join(dir, 'starts.jsonl');
  const server = path.join(dir, 'fake.mjs');
  fs.writeFileSync(
    server,
    `import fs from 'node:fs'; import http from 'node:http'; import https from 'node:https';
const [name, starts, failOnRestart, ...args] = process.argv.slice(2);
const arg = (k) => args.find((a) => a.startsWith('--' + k + '='))?.slice(k.length + 3);
const before = fs.existsSync(starts) ? fs.readFileSync(starts, 'utf8') : '';
fs.appendFileSync(starts, JSON.stringify({ name, pid: process.pid, args }) + '\\n');
if (failOnRestart === 'yes' && before.includes('"name":"' + name + '"')) { console.error('boom'); process.exit(1); }
if (name === 'etcd') http.createServer((_, res) => res.end('{"health":"true"}')).listen(Number(new URL(arg('listen-client-urls')).port), '127.0.0.1');
else https.createServer({ cert: fs.readFileSync(arg('tls-cert-file')), key: fs.readFileSync(arg('tls-private-key-file')) }, (_, res) => res.end('ok')).listen(Number(arg('secure-port')), '127.0.0.1');
`,
  );
  process.env.K8S_TEST_BIN = fakeBins({
    etcd: `exec ${process.execPath} ${server} etcd ${startsFile} ${opts.etcdFailsOnRestart ? 'yes' : 'no'} "$@"`,
    'kube-apiserver': `exec ${process.execPath} ${server} kube-apiserver ${startsFile} no "$@"`,
  });
  return { starts: () => fs.readFileSync(startsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; pid: number; args: string[] }) };
}

describe('restarting a component of a running cluster', () => {
  const pidsOf = (workdir: string) => fs.readFileSync(path.join(workdir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number);

  it('starts etcd (SIGKILL) and kube-apiserver (SIGTERM) again with the same arguments, and the reaper follows', async () => {
    const fake = fakeControlPlane();
    const cluster = await startCluster({ nodes: 0, readyTimeoutMs: 10_000 });
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const etcd = cluster.processes.find((p) => p.name === 'etcd')!;
      const report = await cluster.restart('etcd', { signal: 'SIGKILL', downMs: 300 });
      const etcd2 = cluster.processes.find((p) => p.name === 'etcd')!;
      expect(etcd.exit?.signal).toBe('SIGKILL');
      expect(etcd2.pid).not.toBe(etcd.pid);
      expect(alive(etcd2.pid)).toBe(true);
      expect(report.outageMs).toBeGreaterThanOrEqual(300);
      expect(report.stopMs).toBeLessThan(report.outageMs);

      const api = cluster.processes.find((p) => p.name === 'kube-apiserver')!;
      expect(report.forced).toBe(false);
      expect((await cluster.restart('kube-apiserver')).forced).toBe(false);
      const api2 = cluster.processes.find((p) => p.name === 'kube-apiserver')!;
      expect(api.exit?.signal).toBe('SIGTERM');
      expect(alive(api2.pid)).toBe(true);

      const starts = fake.starts();
      expect(starts.map((s) => s.name)).toEqual(['etcd', 'kube-apiserver', 'etcd', 'kube-apiserver']);
      expect(starts[2]!.args).toEqual(starts[0]!.args); // same ports, same data dir
      expect(starts[3]!.args).toEqual(starts[1]!.args);
      expect(cluster.processes.map((p) => p.pid).sort()).toEqual([etcd2.pid, api2.pid].sort());

      cluster.adopt(sleeper.pid!);
      expect(pidsOf(cluster.workdir).sort()).toEqual([etcd2.pid, api2.pid, sleeper.pid!].sort());
      await expect(cluster.restart('kube-scheduler')).rejects.toThrow(new HarnessError('kube-scheduler is not part of this cluster (started with nodes: 0), so it cannot be restarted.'));

      await cluster.stop();
      expect([etcd2.pid, api2.pid, sleeper.pid!].filter(alive)).toEqual([]);
      await expect(cluster.restart('etcd')).rejects.toThrow(/the cluster was stopped/);
    } finally {
      sleeper.kill('SIGKILL');
      await cluster.stop();
    }
  });

  it('names the log when the component does not come back', async () => {
    fakeControlPlane({ etcdFailsOnRestart: true });
    const cluster = await startCluster({ nodes: 0, readyTimeoutMs: 10_000 });
    try {
      const err = await cluster.restart('etcd').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as Error).message).toMatch(/^etcd exited with code 1 while starting \(last log lines: .*boom\); full log: .*etcd\.log\.$/);
    } finally {
      await cluster.stop();
    }
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
