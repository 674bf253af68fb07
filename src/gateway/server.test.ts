/**
 * The gateway over real HTTPS on 127.0.0.1, with the in-memory store: routes, authentication,
 * authorization, limits, and that no bad request hurts the server or leaks a credential.
 */
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeWireManifest } from '../akash/canonical.ts';
import { Rng, mutateBytes } from '../akash/testing.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { createLogger } from '../runtime/index.ts';
import { StaticAccountKeys } from './auth/account-keys.ts';
import { resolveProviderPolicy } from '../workloads/policy.ts';
import { MemoryGatewayStore } from './memory-store.ts';
import { startGateway, type Gateway, type GatewayOptions } from './server.ts';
import type { ServiceObject } from './store.ts';
import { call, claimsFor, leaseObject, nowSeconds, selfSignedCert, signJwt, tamper, tenantKey, wireManifest, type CertFiles } from './testing.ts';

const alice = tenantKey();
const bob = tenantKey();
const PROVIDER = tenantKey().address;
const PASSWORD = 'Sup3r-Secret-Registry-Pa55';
const BODY = wireManifest([{ name: 'web', password: PASSWORD }]);
const HASH = canonicalizeWireManifest(BODY).hash;
const JSON_CT = { 'content-type': 'application/json; charset=UTF-8' };
const LEASE = { owner: alice.address, dseq: '100', provider: PROVIDER };

let cert: CertFiles;
let store: MemoryGatewayStore;
let registry: Registry;
let gw: Gateway;
const logs: string[] = [];
const keys = new StaticAccountKeys({ [alice.address]: alice.publicKey, [bob.address]: bob.publicKey });

async function start(over: Partial<GatewayOptions> = {}): Promise<Gateway> {
  const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (logs.push(chunk.toString()), cb()) });
  return startGateway({
    host: '127.0.0.1',
    port: 0,
    certFile: cert.certFile,
    keyFile: cert.keyFile,
    providerAddress: PROVIDER,
    operatorNamespace: 'akash-operator',
    store,
    accountKeys: keys,
    registry,
    log: createLogger({ level: 'debug' }, sink),
    version: '9.9.9',
    ratePerSecond: 1000,
    burst: 1000,
    policy: resolveProviderPolicy({ clusterPublicHostname: 'provider.example.com' }),
    ...over,
  });
}

const token = (key = alice, over: Record<string, unknown> = {}, alg: 'ES256K' | 'ES256KADR36' = 'ES256K') => signJwt(key, claimsFor(key.address, over), alg);
const put = (body: string | Buffer, t: string = token(), headers: Record<string, string> = JSON_CT) =>
  call(gw.url, '/deployment/100/manifest', { method: 'PUT', body, headers, ...(t ? { token: t } : {}) });
const errorOf = (a: { json: unknown }) => a.json as { error: string; code: string };

beforeAll(async () => {
  cert = await selfSignedCert();
  store = new MemoryGatewayStore();
  store.leases.push(leaseObject(LEASE, HASH));
  registry = new Registry();
  gw = await start();
});
afterAll(async () => {
  await gw.close();
});

describe('public routes', () => {
  it('GET /version, /address, /status answer without authentication', async () => {
    const v = await call(gw.url, '/version');
    expect(v.status).toBe(200);
    expect(v.headers['content-type']).toMatch(/^application\/json/);
    expect(v.json).toMatchObject({ akash: { version: '9.9.9', name: 'akash-operator' }, kube: { gitVersion: 'v1.34.0-memory' } });
    expect((await call(gw.url, '/address')).json).toEqual({ address: PROVIDER });
    expect((await call(gw.url, '/status')).json).toMatchObject({ address: PROVIDER, cluster: { leases: 1 }, manifest: { deployments: 1 }, bidengine: { orders: 0 } });
  });

  it('speaks TLS 1.3 only', async () => {
    await expect(call(gw.url, '/version', { maxVersion: 'TLSv1.2' })).rejects.toThrow();
  });

  it('404 and 405 are JSON with a stable code', async () => {
    const nf = await call(gw.url, '/nowhere');
    expect(nf.status).toBe(404);
    expect(errorOf(nf)).toEqual({ error: 'no route GET /nowhere', code: 'not_found' });
    const wm = await call(gw.url, '/deployment/100/manifest', { method: 'POST', body: '{}', headers: JSON_CT });
    expect(wm.status).toBe(405);
    expect(wm.headers.allow).toBe('PUT');
    expect(errorOf(wm).code).toBe('method_not_allowed');
  });

  it('answers malformed HTTP with a JSON 400 and keeps serving', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: gw.port, rejectUnauthorized: false }, () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let out = '';
      s.on('data', (c: Buffer) => (out += c.toString()));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1.1 400 /);
    expect(raw).toContain('"code":"bad_http"');
    const huge = await call(gw.url, '/lease/100/1/1/status', { token: 'x'.repeat(64 * 1024) });
    expect(huge.status).toBe(431);
    expect(errorOf(huge).code).toBe('headers_too_large');
    expect((await call(gw.url, '/version')).status).toBe(200);
  });
});

describe('PUT /deployment/{dseq}/manifest', () => {
  it('stores the manifest; the password only in a Secret, never in the CR, a response or the log', async () => {
    const r = await put(BODY);
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    const m = store.manifests.get(`${alice.address}-100`);
    expect(m?.spec.hash).toBe(HASH);
    expect(JSON.stringify(m)).not.toContain(PASSWORD);
    const secrets = [...store.secrets.values()];
    const holding = secrets.filter((s) => Object.values(s.data ?? {}).some((v) => Buffer.from(v, 'base64').toString().includes(PASSWORD)));
    expect(holding.map((s) => s.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual(['manifest-canonical', 'registry-credentials']);

    const got = await call(gw.url, '/lease/100/1/1/manifest', { token: token() });
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(PASSWORD);
    expect((got.json as { services: { credentials: unknown }[] }[])[0]!.services[0]!.credentials).toEqual({
      host: 'registry.example.com',
      email: 'dev@example.com',
      username: 'deployer',
      password: 'REDACTED',
    });
    expect(logs.join('')).toContain('manifest accepted');
    expect(logs.join('')).not.toContain(PASSWORD);
  });

  it('accepts the same manifest again (idempotent) and with an ES256KADR36 token', async () => {
    const before = store.writes.length;
    expect((await put(BODY, token(alice, {}, 'ES256KADR36'))).status).toBe(200);
    expect(store.writes.length).toBe(before + 1);
    expect(store.writes.at(-1)).toEqual(store.writes.at(-2));
  });

  it('refuses a manifest of another version with both hashes', async () => {
    const other = wireManifest([{ name: 'web', password: PASSWORD, image: 'registry.example.com/private/app:2.0' }]);
    const r = await put(other);
    expect(r.status).toBe(422);
    expect(errorOf(r).code).toBe('manifest_hash_mismatch');
    expect(errorOf(r).error).toContain(HASH);
    expect(errorOf(r).error).toContain(canonicalizeWireManifest(other).hash);
  });

  it('refuses with 409 a manifest whose hostname another deployment holds, writing nothing', async () => {
    const body = wireManifest([{ name: 'web', hosts: ['taken.example.com', 'free.example.com'] }]);
    const hash = canonicalizeWireManifest(body).hash;
    store.leases.push(leaseObject({ owner: alice.address, dseq: '101', provider: PROVIDER }, hash));
    store.hostnameClaims.set('taken.example.com', { namespace: 'other-lease-ns', owner: bob.address, dseq: '7' });
    const before = store.writes.length;
    const r = await call(gw.url, '/deployment/101/manifest', { method: 'PUT', body, headers: JSON_CT, token: token() });
    expect(r.status).toBe(409);
    expect(errorOf(r)).toEqual({ code: 'hostname_in_use', error: 'hostname taken.example.com is in use by another deployment on this provider' });
    expect(errorOf(r).error).not.toContain(bob.address);
    expect(store.writes.length).toBe(before);
    // Once released (or held by this very deployment), the same manifest is accepted.
    store.hostnameClaims.set('taken.example.com', { namespace: leaseNamespace({ owner: alice.address, dseq: '101', gseq: 1, oseq: 1, provider: PROVIDER }), owner: alice.address, dseq: '101' });
    expect((await call(gw.url, '/deployment/101/manifest', { method: 'PUT', body, headers: JSON_CT, token: token() })).status).toBe(200);
    store.hostnameClaims.clear();
  });

  it("answers another tenant's valid token with 403, and a deployment nobody has with 404", async () => {
    const r = await put(BODY, token(bob));
    expect(r.status).toBe(403);
    expect(errorOf(r)).toMatchObject({ code: 'not_owner' });
    const g = await call(gw.url, '/lease/100/1/1/status', { token: token(bob) });
    expect(g.status).toBe(403);
    const none = await call(gw.url, '/deployment/999/manifest', { method: 'PUT', body: BODY, headers: JSON_CT, token: token() });
    expect(none.status).toBe(404);
    expect(errorOf(none).code).toBe('lease_not_found');
  });

  it('401 for tampered, expired, missing, unknown-issuer and wrong-alg tokens', async () => {
    const cases: [string, string][] = [
      [tamper(token(alice, { leases: { access: 'scoped', scope: ['status'] } }), claimsFor(alice.address)), 'token_signature'],
      [token(alice, { exp: nowSeconds() - 3600, iat: nowSeconds() - 7200, nbf: nowSeconds() - 7200 }), 'token_expired'],
      ['', 'unauthenticated'],
      [token(tenantKey()), 'unknown_issuer'],
      [signJwt(alice, claimsFor(alice.address), 'ES256K', { alg: 'HS256' }), 'token_alg'],
    ];
    for (const [t, code] of cases) {
      const r = await put(BODY, t);
      expect(r.status, code).toBe(401);
      expect(errorOf(r).code).toBe(code);
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    const basic = await call(gw.url, '/lease/100/1/1/status', { headers: { authorization: 'Basic dXNlcjpwdw==' } });
    expect(errorOf(basic).code).toBe('auth_header');
  });

  it('403 when the token lacks the scope or names only other providers', async () => {
    const scoped = await put(BODY, token(alice, { leases: { access: 'scoped', scope: ['status'] } }));
    expect(scoped.status).toBe(403);
    expect(errorOf(scoped)).toEqual({ code: 'scope_denied', error: 'the token does not grant scope send-manifest on deployment 100' });
    const elsewhere = await put(BODY, token(alice, { leases: { access: 'granular', permissions: [{ provider: bob.address, access: 'full' }] } }));
    expect(errorOf(elsewhere).code).toBe('provider_denied');
  });

  it('400 for malformed JSON, 415 for another content type, 413 for a 10 MB body (declared or chunked)', async () => {
    const bad = await put('[{"name":');
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('malformed_json');
    const text = await put(BODY, token(), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(errorOf(text).error).toMatch(/content-type must be application\/json/);
    const big = await put(Buffer.alloc(10 << 20, 0x20));
    expect(big.status).toBe(413);
    expect(errorOf(big).code).toBe('body_too_large');
    const chunked = await call(gw.url, '/deployment/100/manifest', { method: 'PUT', headers: JSON_CT, token: token(), chunkedBytes: 10 << 20 });
    expect(chunked.status).toBe(413);
    expect((await call(gw.url, '/version')).status).toBe(200);
  });
});

describe('fuzzed input', () => {
  it('answers mutated manifests and tokens with a 4xx (or 200), never a 5xx, and keeps serving', async () => {
    const rng = new Rng(0x5eed);
    const good = token();
    for (let i = 0; i < 150; i++) {
      const body = Buffer.from(mutateBytes(rng, Buffer.from(BODY)));
      const r = await put(body);
      expect(r.status, `seed 0x5eed, case ${i}: ${r.text}`).toBeLessThan(500);
      if (r.status !== 200) expect(errorOf(r).code, `case ${i}`).toMatch(/^[a-z_]+$/);
      const t = Buffer.from(mutateBytes(rng, Buffer.from(good))).toString('latin1').replace(/[^\x21-\x7e]/g, '');
      const a = await call(gw.url, '/lease/100/1/1/status', { token: t || 'x' });
      expect([200, 401], `token case ${i}: ${a.text}`).toContain(a.status);
    }
    expect(store.manifests.get(`${alice.address}-100`)?.spec.hash).toBe(HASH);
    expect((await call(gw.url, '/version')).status).toBe(200);
  });
});

describe('lease routes', () => {
  it("GET …/status and …/service/{name}/status in Go's shapes", async () => {
    const ns = leaseNamespace({ ...LEASE, gseq: 1, oseq: 1 });
    const svc: ServiceObject = {
      metadata: { name: 'web', namespace: ns, generation: 1 },
      spec: { count: 1 } as ServiceObject['spec'],
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, uris: ['web.example.com'], observedGeneration: 1 },
    };
    const ssh: ServiceObject = {
      metadata: { name: 'ssh', namespace: ns, generation: 1 },
      spec: { count: 1 } as ServiceObject['spec'],
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, forwardedPorts: [{ port: 22, externalPort: 31022, proto: 'TCP' }], observedGeneration: 1 },
    };
    store.services.set(ns, [svc, ssh]);
    const s = await call(gw.url, '/lease/100/1/1/status', { token: token() });
    expect(s.status).toBe(200);
    expect(s.json).toEqual({
      services: {
        ssh: { name: 'ssh', available: 1, total: 1, uris: null, observed_generation: 1, replicas: 1, updated_replicas: 1, ready_replicas: 1, available_replicas: 1 },
        web: { name: 'web', available: 1, total: 1, uris: ['web.example.com'], observed_generation: 1, replicas: 1, updated_replicas: 1, ready_replicas: 1, available_replicas: 1 },
      },
      // The provider's public hostname (policy.clusterPublicHostname) and the node port tenants connect to.
      forwarded_ports: { ssh: [{ host: 'provider.example.com', port: 22, externalPort: 31022, proto: 'TCP', name: 'ssh' }] },
      ips: {},
    });
    expect((await call(gw.url, '/lease/100/1/1/service/web/status', { token: token() })).json).toMatchObject({ name: 'web', available: 1 });
    const missing = await call(gw.url, '/lease/100/1/1/service/db/status', { token: token() });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('service_not_found');
    expect((await call(gw.url, '/lease/100/2/1/status', { token: token() })).status).toBe(404);
    expect(errorOf(await call(gw.url, '/lease/abc/1/1/status', { token: token() })).code).toBe('invalid_path');
  });

  it('answers the websocket routes 501 after authentication', async () => {
    expect((await call(gw.url, '/lease/100/1/1/logs')).status).toBe(401);
    const r = await call(gw.url, '/lease/100/1/1/logs', { token: token() });
    expect(r.status).toBe(501);
    expect(errorOf(r).code).toBe('not_implemented');
  });
});

describe('mTLS', () => {
  it('a client certificate with a token is ambiguous; alone it needs the chain layer', async () => {
    const client = await selfSignedCert('akash1client');
    const both = await call(gw.url, '/lease/100/1/1/status', { token: token(), clientCert: { cert: client.certPem, key: client.keyPem } });
    expect(both.status).toBe(401);
    expect(errorOf(both).code).toBe('auth_ambiguous');
    const certOnly = await call(gw.url, '/lease/100/1/1/status', { clientCert: { cert: client.certPem, key: client.keyPem } });
    expect(certOnly.status).toBe(401);
    expect(errorOf(certOnly)).toMatchObject({ code: 'mtls_unavailable', error: expect.stringMatching(/on-chain certificate registry/) });
    // the certificate does not stand in the way of public routes
    expect((await call(gw.url, '/version', { clientCert: { cert: client.certPem, key: client.keyPem } })).status).toBe(200);
  });
});

describe('limits and failures', () => {
  it('429 with Retry-After once a tenant has used its burst, other tenants unaffected', async () => {
    const limited = await start({ ratePerSecond: 0.5, burst: 2 });
    try {
      const t = token();
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await call(limited.url, '/lease/100/1/1/status', { token: t })).status);
      expect(codes).toEqual([200, 200, 429]);
      const r = await call(limited.url, '/lease/100/1/1/status', { token: t });
      expect(r.headers['retry-after']).toBe('2');
      expect(errorOf(r).code).toBe('rate_limited');
      expect((await call(limited.url, '/lease/100/1/1/status', { token: token(bob) })).status).toBe(403);
    } finally {
      await limited.close();
    }
  });

  it('an address that used its allowance on bad tokens is refused before verification; a token that verified before still passes', async () => {
    const own = new Registry();
    const limited = await start({ ratePerSecond: 0.01, burst: 3, registry: own });
    try {
      const good = token();
      expect((await call(limited.url, '/lease/100/1/1/status', { token: good })).status).toBe(200);
      const bad = () => tamper(token(alice, { leases: { access: 'scoped', scope: ['status'] } }), claimsFor(alice.address));
      const codes = [];
      for (let i = 0; i < 6; i++) codes.push((await call(limited.url, '/lease/100/1/1/status', { token: bad() })).status);
      expect(codes).toEqual([401, 401, 401, 429, 429, 429]);
      const text = await own.metrics();
      // Three verifications failed; the three refused after them cost none.
      expect(text).toMatch(/akash_operator_gateway_auth_total\{result="token_signature"\} 3\n/);
      expect(text).toMatch(/akash_operator_gateway_auth_total\{result="rate_limited"\} 3\n/);
      expect((await call(limited.url, '/lease/100/1/1/status', { token: good })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('503 when a request takes longer than the timeout, or the store fails; internals stay in the log', async () => {
    const slow = await start({ requestTimeoutMs: 200 });
    try {
      store.delayMs = 1000;
      const r = await call(slow.url, '/lease/100/1/1/status', { token: token() });
      expect(r.status).toBe(503);
      expect(errorOf(r).code).toBe('timeout');
      store.delayMs = 0;
      store.failure = new Error('connect ECONNREFUSED 10.0.0.1:6443 (internal detail)');
      const f = await call(slow.url, '/lease/100/1/1/status', { token: token() });
      expect(f.status).toBe(503);
      expect(errorOf(f).code).toBe('store_unavailable');
      expect(f.text).not.toContain('10.0.0.1');
      expect(logs.join('')).toContain('10.0.0.1');
    } finally {
      store.failure = undefined;
      store.delayMs = 0;
      await slow.close();
    }
    expect((await call(gw.url, '/version')).status).toBe(200);
  });

  it('counts requests by route and code, and auth decisions by result', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/akash_operator_gateway_requests_total\{route="submit-manifest",method="PUT",code="200"\} [1-9]/);
    expect(text).toMatch(/akash_operator_gateway_requests_total\{route="unmatched",method="GET",code="404"\} [1-9]/);
    expect(text).toMatch(/akash_operator_gateway_auth_total\{result="ok"\} [1-9]/);
    expect(text).toMatch(/akash_operator_gateway_auth_total\{result="token_signature"\} [1-9]/);
    expect(text).toMatch(/akash_operator_gateway_auth_total\{result="not_owner"\} [1-9]/);
    expect(text).toMatch(/akash_operator_gateway_auth_total\{result="scope_denied"\} [1-9]/);
    expect(text).toMatch(/akash_operator_gateway_manifests_total\{result="manifest_hash_mismatch"\} [1-9]/);
    expect(text).toMatch(/akash_operator_gateway_manifests_total\{result="accepted"\} [1-9]/);
  });
});
