import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/log.ts';
import { startWorkloadApiAgent, type WorkloadApiAgent } from './agent.ts';
import type { X509BundlesResponse, X509SVIDResponse } from './proto.ts';
import { headers, openStream, testClient } from './test-client.ts';
import { issueTestSvid, newTestCa, svidFiles, writeKubeletDir, type TestCa } from './test-pki.ts';

const ID = 'spiffe://td.test/dseq/1/gseq/1/svc/web';

let ca: TestCa;
beforeAll(async () => {
  ca = await newTestCa('td.test');
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { files?: boolean; pollMs?: number } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spiffe-agent-'));
  const dir = path.join(root, 'svid');
  const socketPath = path.join(root, 'run/agent.sock');
  const first = await issueTestSvid(ca, ID);
  if (opts.files !== false) writeKubeletDir(dir, svidFiles(first, ca));
  const agent = await startWorkloadApiAgent({ dir, socketPath, pollMs: opts.pollMs ?? 60_000, log: silentLogger() });
  const client = testClient(agent.address);
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  cleanups.push(() => agent.close());
  cleanups.push(() => client.close());
  return { root, dir, socketPath, first, agent, client };
}

const leafSerial = (m: X509SVIDResponse) => new X509Certificate(m.svids[0]!.x509_svid).serialNumber.toUpperCase();

describe('the Workload API agent', () => {
  it('refuses a call without the workload.spiffe.io header with InvalidArgument', async () => {
    const { client } = await setup();
    const err = await openStream(client, 'FetchX509SVID', false).error();
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toContain("'workload.spiffe.io: true'");
    expect((await openStream(client, 'FetchX509Bundles', false).error()).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('sends the SVID at once: spiffe_id, DER chain, PKCS#8 key that matches, DER bundle', async () => {
    const { client, first } = await setup();
    const m = await openStream<X509SVIDResponse>(client, 'FetchX509SVID').next(2_000);
    expect(m.svids).toHaveLength(1);
    const s = m.svids[0]!;
    expect(s.spiffe_id).toBe(ID);
    const leaf = new X509Certificate(s.x509_svid);
    expect(leaf.serialNumber.toUpperCase()).toBe(first.serial);
    const { createPrivateKey } = await import('node:crypto');
    expect(leaf.checkPrivateKey(createPrivateKey({ key: s.x509_svid_key, format: 'der', type: 'pkcs8' }))).toBe(true);
    expect(leaf.verify(new X509Certificate(s.bundle).publicKey)).toBe(true);
  });

  it('streams the new SVID when the kubelet swaps ..data, and nothing when the files are unchanged', async () => {
    // pollMs is a minute: the update must arrive through fs.watch.
    const { client, dir } = await setup();
    const stream = openStream<X509SVIDResponse>(client, 'FetchX509SVID');
    await stream.next();
    const rotated = await issueTestSvid(ca, ID);
    writeKubeletDir(dir, svidFiles(rotated, ca));
    expect(leafSerial(await stream.next(3_000))).toBe(rotated.serial);
    // The same content written again (a kubelet resync) must not produce a message.
    writeKubeletDir(dir, svidFiles(rotated, ca));
    expect(await stream.quiet(400)).toBe(true);
  });

  it('keeps serving the previous SVID through a garbled update, then takes the next good one', async () => {
    const { client, dir, first } = await setup();
    const stream = openStream<X509SVIDResponse>(client, 'FetchX509SVID');
    await stream.next();
    const other = await issueTestSvid(ca, ID);
    // A key that does not match, then a truncated certificate.
    writeKubeletDir(dir, { ...svidFiles(first, ca), 'svid_key.pem': other.keyPem });
    expect(await stream.quiet(400)).toBe(true);
    writeKubeletDir(dir, { ...svidFiles(other, ca), 'svid.pem': other.certPem.slice(0, 300) });
    expect(await stream.quiet(400)).toBe(true);
    // A new caller still gets the last good SVID.
    expect(leafSerial(await openStream<X509SVIDResponse>(client, 'FetchX509SVID').next())).toBe(first.serial);
    writeKubeletDir(dir, svidFiles(other, ca));
    expect(leafSerial(await stream.next(3_000))).toBe(other.serial);
  });

  it('answers PermissionDenied while no SVID is projected, then serves it once it appears (by polling)', async () => {
    const { client, dir } = await setup({ files: false, pollMs: 100 });
    const err = await openStream(client, 'FetchX509SVID').error();
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.details).toMatch(/^no identity yet: cannot read the SVID files in .*svid/);
    const late = await issueTestSvid(ca, ID);
    writeKubeletDir(dir, svidFiles(late, ca));
    // go-spiffe retries PermissionDenied with backoff; so does this loop.
    let got: X509SVIDResponse | undefined;
    for (let i = 0; i < 30 && !got; i++) {
      got = await openStream<X509SVIDResponse>(client, 'FetchX509SVID').next().catch(() => undefined);
      if (!got) await new Promise((r) => setTimeout(r, 100));
    }
    expect(got && leafSerial(got)).toBe(late.serial);
  });

  it('streams X.509 bundles keyed by the trust domain ID, and again only when the bundle changes', async () => {
    const { client, dir } = await setup();
    const stream = openStream<X509BundlesResponse>(client, 'FetchX509Bundles');
    const m = await stream.next();
    expect(Object.keys(m.bundles)).toEqual(['spiffe://td.test']);
    expect(new X509Certificate(m.bundles['spiffe://td.test']!).fingerprint256).toBe(new X509Certificate(ca.pem).fingerprint256);
    writeKubeletDir(dir, svidFiles(await issueTestSvid(ca, ID), ca)); // same bundle
    expect(await stream.quiet(400)).toBe(true);
    const next = await newTestCa('td.test');
    writeKubeletDir(dir, { ...svidFiles(await issueTestSvid(ca, ID), ca), 'bundle.pem': ca.pem + next.pem });
    const m2 = await stream.next(3_000);
    expect(m2.bundles['spiffe://td.test']!.length).toBeGreaterThan(m.bundles['spiffe://td.test']!.length);
  });

  it('answers the JWT and WIT profiles with Unimplemented', async () => {
    const { client } = await setup();
    const unary = (method: string) =>
      new Promise<grpc.ServiceError>((resolve) => (client[method]!({}, headers(), (e: grpc.ServiceError) => resolve(e)) as unknown));
    for (const e of [await unary('FetchJWTSVID'), await unary('ValidateJWTSVID')]) {
      expect(e.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(e.details).toContain('JWT-SVID profile is not implemented');
    }
    for (const m of ['FetchJWTBundles', 'FetchWITSVID', 'FetchWITBundles']) expect((await openStream(client, m).error()).code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it('makes the socket connectable by other uids and replaces a stale socket on start', async () => {
    const { socketPath, agent, dir } = await setup();
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o666);
    await agent.close();
    // A socket file left behind by a killed agent.
    const stale = net.createServer().listen(socketPath);
    await new Promise((r) => stale.once('listening', r));
    const fresh = await startWorkloadApiAgent({ dir, socketPath, pollMs: 60_000, log: silentLogger() });
    cleanups.push(() => fresh.close());
    cleanups.push(() => new Promise<void>((r) => stale.close(() => r())));
    const c = testClient(fresh.address);
    cleanups.push(() => c.close());
    expect((await openStream<X509SVIDResponse>(c, 'FetchX509SVID').next()).svids[0]!.spiffe_id).toBe(ID);
  });

  it('refuses to replace a socket path that is not a socket', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spiffe-agent-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    fs.writeFileSync(path.join(root, 'agent.sock'), 'not a socket');
    await expect(startWorkloadApiAgent({ dir: root, socketPath: path.join(root, 'agent.sock'), log: silentLogger() })).rejects.toThrow(
      `${root}/agent.sock exists and is not a socket`,
    );
  });

  it('ends open streams with Unavailable on close (go-spiffe retries that, not Cancelled) and removes the socket', async () => {
    const { client, agent, socketPath } = await setup();
    const stream = openStream<X509SVIDResponse>(client, 'FetchX509SVID');
    await stream.next();
    await agent.close();
    const err = await stream.error();
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toContain('shutting down');
    expect(fs.existsSync(socketPath)).toBe(false);
  });
});

export type { WorkloadApiAgent };
