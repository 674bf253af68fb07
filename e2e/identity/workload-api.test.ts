/**
 * Interop: the operator's Workload API agent (src/identity/agent) against go-spiffe, through
 * tools/spiffe-check. Needs no cluster, only the binary from `bash scripts/test-bins.sh build`.
 * Two agents stand for two pods (a server and a client workload) of one trust domain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkloadApiAgent, type WorkloadApiAgent } from '../../src/identity/agent/agent.ts';
import { issueTestSvid, newTestCa, svidFiles, writeKubeletDir, type TestCa, type TestSvid } from '../../src/identity/agent/test-pki.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { runSpiffeCheck, spiffeCheckPath, startSpiffeCheck } from '../../tools/spiffe-check/run.ts';

const SERVER_ID = 'spiffe://prov.test/dseq/7/gseq/1/svc/api';
const CLIENT_ID = 'spiffe://prov.test/dseq/7/gseq/1/svc/web';

describe('the Workload API agent with go-spiffe (spiffe-check)', () => {
  let bin: string;
  let root: string;
  let ca: TestCa;
  let serverSvid: TestSvid;
  const agents: Record<'server' | 'client' | 'empty', WorkloadApiAgent | undefined> = { server: undefined, client: undefined, empty: undefined };
  const socket = (name: keyof typeof agents) => agents[name]!.address;

  beforeAll(async () => {
    bin = spiffeCheckPath();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'wlapi-e2e-'));
    ca = await newTestCa('prov.test');
    serverSvid = await issueTestSvid(ca, SERVER_ID);
    writeKubeletDir(path.join(root, 'server'), svidFiles(serverSvid, ca));
    writeKubeletDir(path.join(root, 'client'), svidFiles(await issueTestSvid(ca, CLIENT_ID), ca));
    for (const name of ['server', 'client', 'empty'] as const) {
      agents[name] = await startWorkloadApiAgent({ dir: path.join(root, name), socketPath: path.join(root, `${name}.sock`), pollMs: 5_000, log: silentLogger() });
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(agents).map((a) => a?.close()));
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('fetch: go-spiffe parses the SVID and verifies it against the bundle', async () => {
    const r = await runSpiffeCheck(bin, ['fetch', '-socket', socket('server')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([{ spiffe_id: SERVER_ID, serial: serialHex(serverSvid.serial), not_after: expect.any(String), chain_len: 1, bundle_cas: 1, verified: true }]);
  });

  it('fetch: no identity yet is a PermissionDenied, reported as a failure', async () => {
    const r = await runSpiffeCheck(bin, ['fetch', '-socket', socket('empty')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('code = PermissionDenied desc = no identity yet');
  });

  it('watch: sees the first SVID, then the rotated one after the kubelet swaps ..data', async () => {
    const watch = startSpiffeCheck(bin, ['watch', '-socket', socket('server'), '-count', '2', '-timeout', '30s']);
    try {
      expect(await watch.nextLine()).toMatchObject({ spiffe_id: SERVER_ID, serial: serialHex(serverSvid.serial), verified: true });
      const rotated = await issueTestSvid(ca, SERVER_ID);
      writeKubeletDir(path.join(root, 'server'), svidFiles(rotated, ca));
      expect(await watch.nextLine()).toMatchObject({ spiffe_id: SERVER_ID, serial: serialHex(rotated.serial), verified: true });
      expect((await watch.exited).code).toBe(0);
      serverSvid = rotated;
    } finally {
      watch.kill();
    }
  });

  it('mTLS: succeeds with the right IDs, fails when the client expects another server or the server does not allow the client', async () => {
    const server = startSpiffeCheck(bin, ['mtls-server', '-socket', socket('server'), '-addr', '127.0.0.1:0', '-allow', CLIENT_ID, '-count', '3', '-timeout', '60s']);
    try {
      const ready = await server.nextLine();
      expect(ready).toMatchObject({ spiffe_id: SERVER_ID, allow: CLIENT_ID });
      const addr = ready['listening'] as string;

      const ok = await runSpiffeCheck(bin, ['mtls-client', '-socket', socket('client'), '-addr', addr, '-expect', SERVER_ID, '-message', 'ping']);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      // The server echoes the client's SPIFFE ID as it authenticated it.
      expect(ok.lines).toEqual([{ server_id: SERVER_ID, spiffe_id: CLIENT_ID, reply: CLIENT_ID }]);
      expect(await server.nextLine()).toEqual({ peer_id: CLIENT_ID, received: 'ping' });

      const wrongServer = await runSpiffeCheck(bin, ['mtls-client', '-socket', socket('client'), '-addr', addr, '-expect', 'spiffe://prov.test/dseq/7/gseq/1/svc/other']);
      expect(wrongServer.code).not.toBe(0);
      expect(wrongServer.stderr).toContain(`unexpected ID "${SERVER_ID}"`);
      expect(await server.nextLine()).toHaveProperty('peer_error');

      // The server's own SVID as a client: a valid identity of the trust domain, but not the allowed one.
      const notAllowed = await runSpiffeCheck(bin, ['mtls-client', '-socket', socket('server'), '-addr', addr, '-expect', SERVER_ID]);
      expect(notAllowed.code).not.toBe(0);
      expect(await server.nextLine()).toEqual({ peer_error: expect.stringContaining(`unexpected ID "${SERVER_ID}"`) });
      expect((await server.exited).code).toBe(0);
    } finally {
      server.kill();
    }
  });
});

/** go-spiffe prints the serial as a big integer in upper-case hex, without leading zeros. */
function serialHex(serial: string): string {
  return serial.replace(/^0+(?=.)/, '');
}
