/**
 * The tenant gateway against the real API server (no operator process: the gateway alone turns a
 * tenant's PUT into a Manifest CR and Secrets). A Lease CR carries the real hash of the manifest
 * body, as the chain sync will write it; account keys come from a ConfigMap, as configured.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeWireManifest } from '../../src/akash/canonical.ts';
import { leaseNamespace } from '../../src/akash/namespace.ts';
import { ConfigMapRef, HostnameClaimRef, LeaseRef, ManifestRef, NamespaceRef, SecretRef, ServiceCrRef, TenantRoleBindingRef } from '../../src/controllers/refs.ts';
import { startGatewayFromConfig, type RunningGateway } from '../../src/gateway/index.ts';
import { GatewayConfig } from '../../src/gateway/config.ts';
import { call, claimsFor, nowSeconds, selfSignedCert, signJwt, tamper, tenantKey } from '../../src/gateway/testing.ts';
import { KubeClient, createLogger, kubeConfigTransport, type KubeObject } from '../../src/runtime/index.ts';
import { repoRoot } from '../harness/binaries.ts';
import { clusterAccess, runTool, useNamespace } from '../support/cluster.ts';
import { leaseAndManifest } from '../operator/fixtures.ts';

const alice = tenantKey();
const bob = tenantKey();
/** A grantee of alice's lease (tenant RBAC). */
const carol = tenantKey();
const PROVIDER = tenantKey().address;
const PASSWORD = 'e2e-Registry-P4ssw0rd-do-not-leak';
const DSEQ = String(900_000 + Math.floor(Math.random() * 99_999));
const JSON_CT = { 'content-type': 'application/json' };

const ns = useNamespace('gateway');
const logs: string[] = [];
let client: KubeClient;
let gw: RunningGateway;
let leaseName: string;

// The fixture's group in wire form, with registry credentials on `web`.
const { lease, manifest } = leaseAndManifest(DSEQ, [{ name: 'web', hosts: ['web.gateway-e2e.example.com'] }, { name: 'worker', count: 4 }]);
const groups = structuredClone(manifest.spec.groups) as unknown as { services: Record<string, unknown>[] }[];
groups[0]!.services[0]!.credentials = { host: 'registry.example.com', email: 'ops@example.com', username: 'robot', password: PASSWORD };
// The CR form may omit what the wire form must carry (Go's Validate): no GPU, and the HTTP endpoint of `web`.
for (const [i, s] of groups[0]!.services.entries()) {
  Object.assign(s.resources as object, { gpu: { units: { val: '0' } }, endpoints: i === 0 ? [{ sequence_number: 0 }] : [] });
}
const BODY = JSON.stringify(groups);
const HASH = canonicalizeWireManifest(BODY).hash;

const token = (key = alice, over: Record<string, unknown> = {}) => signJwt(key, claimsFor(key.address, over));
const put = (body: string | Buffer, t = token(), headers: Record<string, string> = JSON_CT) => call(gw.url, `/deployment/${DSEQ}/manifest`, { method: 'PUT', body, headers, token: t });
const errorOf = (a: { json: unknown }) => a.json as { error: string; code: string };

beforeAll(async () => {
  await runTool('kubectl', ['apply', '--server-side', '-f', path.join(repoRoot, 'crds')]);
  await runTool('kubectl', ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')]);
  const kc = clusterAccess();
  client = new KubeClient(kubeConfigTransport(kc), { fieldManager: 'e2e-admin' });

  // The Lease as the chain sync would write it: owned by alice, with the manifest's real hash.
  const id = { ...lease.spec.id, owner: alice.address, provider: PROVIDER };
  leaseName = leaseNamespace(id);
  await client.apply(LeaseRef, { ...lease, metadata: { name: leaseName }, spec: { ...lease.spec, id, deploymentHash: HASH } });
  await client.apply(ConfigMapRef, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'akash-account-keys', namespace: ns.name },
    data: { [alice.address]: alice.publicKey.toString('base64'), [bob.address]: bob.publicKey.toString('base64'), [carol.address]: carol.publicKey.toString('base64') },
  });

  const cert = await selfSignedCert();
  const cfg: GatewayConfig = {
    addr: '127.0.0.1:0',
    certFile: cert.certFile,
    keyFile: cert.keyFile,
    providerAddress: PROVIDER,
    bodyLimitBytes: 1 << 20,
    ratePerSecond: 100,
    burst: 100,
    requestTimeoutSeconds: 30,
    accountKeysConfigMap: 'akash-account-keys',
    clockSkewSeconds: 30,
  };
  expect(GatewayConfig.properties.addr.default).toBe('');
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) });
  gw = await startGatewayFromConfig(cfg, {
    client: new KubeClient(kubeConfigTransport(kc), { fieldManager: 'akash-operator' }),
    transport: kubeConfigTransport(kc),
    operatorNamespace: ns.name,
    registry: new Registry(),
    log: createLogger({ level: 'debug' }, sink),
    version: '0.0.0-e2e',
  });
});

afterAll(async () => {
  await gw?.close();
  // Cluster-scoped: an operator test that runs later must not find them.
  await client?.delete(ManifestRef, { name: `${alice.address}-${DSEQ}` }).catch(() => undefined);
  if (leaseName) await client?.delete(LeaseRef, { name: leaseName }).catch(() => undefined);
});

describe('the gateway on the real API server', () => {
  it('turns a PUT into a Manifest CR and a credentials Secret; the password is only in the Secret', async () => {
    const r = await put(BODY);
    expect(r.status, r.text).toBe(200);

    const cr = await client.get<KubeObject & { spec: { hash: string; groups: { services: { name: string; credentialsSecretRef?: { name: string; namespace: string } }[] }[] } }>(
      ManifestRef,
      { name: `${alice.address}-${DSEQ}` },
    );
    expect(cr?.spec.hash).toBe(HASH);
    expect(JSON.stringify(cr)).not.toContain(PASSWORD);
    const ref = cr!.spec.groups[0]!.services.find((s) => s.name === 'web')!.credentialsSecretRef!;
    expect(ref.namespace).toBe(ns.name);

    const secret = await client.get<KubeObject & { data: Record<string, string> }>(SecretRef, ref);
    expect(Buffer.from(secret!.data.password!, 'base64').toString()).toBe(PASSWORD);
    expect(secret!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Manifest', uid: cr!.metadata.uid });

    const got = await call(gw.url, `/lease/${DSEQ}/1/1/manifest`, { token: token() });
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(PASSWORD);
    expect(got.text).toContain('"password":"REDACTED"');
    expect(got.text).toContain('"username":"robot"');

    const status = await call(gw.url, `/lease/${DSEQ}/1/1/status`, { token: token() });
    expect(status.status, status.text).toBe(200);
    // No operator runs here, but one started by another file may be deploying this lease meanwhile.
    expect(status.json).toMatchObject({ services: expect.any(Object), forwarded_ports: {}, ips: {} });

    expect(logs.join('')).toContain('manifest accepted');
    expect(logs.join('')).not.toContain(PASSWORD);
  });

  it('accepts the same manifest again without changing anything', async () => {
    const name = `${alice.address}-${DSEQ}`;
    // What the gateway owns: the Manifest's spec (its status is a controller's) and the Secrets.
    const ours = async () => {
      const m = await client.get(ManifestRef, { name });
      const secrets = await client.list(SecretRef, { namespace: ns.name, labelSelector: 'app.kubernetes.io/managed-by=akash-operator' });
      return {
        generation: m?.metadata.generation,
        gatewayFields: (m?.metadata.managedFields as { manager: string; time: string }[] | undefined)?.filter((f) => f.manager === 'akash-operator-gateway'),
        secrets: secrets.items.map((s) => `${s.metadata.name}@${s.metadata.resourceVersion}`).sort(),
      };
    };
    const before = await ours();
    expect(before.secrets).toHaveLength(2);
    expect((await put(BODY)).status).toBe(200);
    expect(await ours()).toEqual(before);
  });

  it('refuses a manifest that does not hash to the deployment hash, naming both', async () => {
    const other = JSON.stringify(groups.map((g) => ({ ...g, services: g.services.map((s) => ({ ...s, count: 3 })) })));
    const r = await put(other);
    expect(r.status).toBe(422);
    expect(errorOf(r).code).toBe('manifest_hash_mismatch');
    expect(errorOf(r).error).toContain(HASH);
    expect(errorOf(r).error).toContain(canonicalizeWireManifest(other).hash);
  });

  it('refuses (409) a manifest whose hostname another deployment holds, and accepts it once released', async () => {
    const host = 'web.gateway-e2e.example.com';
    const holder = { owner: bob.address, dseq: '12345', gseq: 1, oseq: 1, provider: PROVIDER };
    await client.create(HostnameClaimRef, { apiVersion: 'provider.akash.network/v1alpha1', kind: 'HostnameClaim', metadata: { name: host }, spec: { namespace: leaseNamespace(holder), lease: holder } });
    try {
      const r = await put(BODY);
      expect(r.status).toBe(409);
      expect(errorOf(r)).toEqual({ code: 'hostname_in_use', error: `hostname ${host} is in use by another deployment on this provider` });
    } finally {
      await client.delete(HostnameClaimRef, { name: host });
    }
    expect((await put(BODY)).status).toBe(200);
  });

  it("refuses another tenant (403) and bad tokens (401)", async () => {
    expect(errorOf(await put(BODY, token(bob)))).toMatchObject({ code: 'not_owner' });
    expect((await call(gw.url, `/lease/${DSEQ}/1/1/manifest`, { token: token(bob) })).status).toBe(403);
    const tampered = await put(BODY, tamper(token(bob), claimsFor(alice.address)));
    expect(tampered.status).toBe(401);
    expect(errorOf(tampered).code).toBe('token_signature');
    const expired = await put(BODY, token(alice, { iat: nowSeconds() - 7200, nbf: nowSeconds() - 7200, exp: nowSeconds() - 3600 }));
    expect(expired.status).toBe(401);
    expect(errorOf(expired).code).toBe('token_expired');
  });

  it('answers bad input with a clear 4xx and keeps serving', async () => {
    const malformed = await put('[{"name":"akash","services":[');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe('malformed_json');
    const huge = await put(Buffer.alloc(10 << 20, 0x5b));
    expect(huge.status).toBe(413);
    expect(errorOf(huge).error).toMatch(/exceeds the limit of 1048576 bytes/);
    const unknown = await call(gw.url, '/deployment/1/manifests', { token: token() });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
    const text = await put(BODY, token(), { 'content-type': 'text/yaml' });
    expect(text.status).toBe(415);
    const version = await call(gw.url, '/version');
    expect(version.status).toBe(200);
    expect(version.json).toMatchObject({ akash: { version: '0.0.0-e2e' }, kube: { gitVersion: expect.stringMatching(/^v1\./) } });
    expect(gw.ready()).toBe(true);
  });
});

describe('tenant RBAC at the gateway (TenantRole / TenantRoleBinding)', () => {
  const API = 'provider.akash.network/v1alpha1';
  const scale = (replicas: number, t: string, service = 'worker') =>
    call(gw.url, `/lease/${DSEQ}/1/1/service/${service}/scale`, { method: 'POST', body: JSON.stringify({ replicas }), headers: JSON_CT, token: t });
  const grant = (kind: string, name: string, spec: unknown, t = token(alice)) =>
    call(gw.url, `/lease/${DSEQ}/1/1/rbac/${kind}/${name}`, { method: 'PUT', body: JSON.stringify(spec), headers: JSON_CT, token: t });
  const count = async () => (await client.get<KubeObject & { spec: { count: number } }>(ServiceCrRef, { name: 'worker', namespace: leaseName }))?.spec.count;

  beforeAll(async () => {
    // The lease namespace and its Service CR, as the lease controller would have made them.
    await client.apply(NamespaceRef, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: leaseName } });
    const svc = (manifest.spec.groups[0]!.services as { name: string }[]).find((s) => s.name === 'worker') as Record<string, unknown>;
    await client.apply(ServiceCrRef, {
      apiVersion: API,
      kind: 'Service',
      metadata: { name: 'worker', namespace: leaseName },
      spec: { kind: 'container', image: svc.image, resources: svc.resources, count: 1, expose: svc.expose },
    });
    // The owner grants carol, through the gateway (no Kubernetes access needed).
    const role = await grant('roles', 'autoscaler', { rules: [{ actions: ['scale'], services: ['worker'], replicas: { min: 1, max: 3 } }, { actions: ['status'] }] });
    expect(role.status, role.text).toBe(200);
    const binding = await grant('bindings', 'carol', { roleRef: { name: 'autoscaler' }, subjects: [{ kind: 'AkashAccount', address: carol.address }], expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(binding.status, binding.text).toBe(200);
  });

  afterAll(async () => {
    await client?.delete(NamespaceRef, { name: leaseName }).catch(() => undefined);
  });

  it('lets a grantee with scale {1,3} scale to 1..3 and refuses 4 and a manifest update', async () => {
    for (const n of [3, 1, 2]) {
      const r = await scale(n, token(carol));
      expect(r.status, r.text).toBe(200);
      expect(await count()).toBe(n);
    }
    const four = await scale(4, token(carol));
    expect(four.status).toBe(403);
    expect(errorOf(four).error).toContain('allows scale to 1..3, not 4');
    expect(await count()).toBe(2);
    const update = await put(BODY, token(carol));
    expect(update.status).toBe(403);
    expect(errorOf(update).error).toContain('update: no TenantRoleBinding grants it');
    // Status is granted, the manifest is not.
    expect((await call(gw.url, `/lease/${DSEQ}/1/1/service/worker/status`, { token: token(carol) })).status).toBe(200);
    expect((await call(gw.url, `/lease/${DSEQ}/1/1/manifest`, { token: token(carol) })).status).toBe(403);
    // Nobody, not even the owner, scales above what was leased (4 replicas of worker in the manifest).
    const owner = await scale(2, token(alice));
    expect(owner.status).toBe(200);
    expect((await scale(5, token(alice))).status).toBe(403);
    expect(logs.join('')).toContain('tenant authorization');
  });

  it('lets only the owner manage grants, and refuses an invalid one naming the field', async () => {
    const byCarol = await grant('bindings', 'carol', { roleRef: { name: 'autoscaler' }, subjects: [{ kind: 'AkashAccount', address: carol.address }] }, token(carol));
    expect(byCarol.status).toBe(403);
    const invalid = await grant('roles', 'bad', { rules: [{ actions: ['scale'], replicas: { min: 1, max: 'many' } }] });
    expect(invalid.status).toBe(422);
    expect(errorOf(invalid).error).toContain('spec.rules[0].replicas.max');
    const listed = await call(gw.url, `/lease/${DSEQ}/1/1/rbac`, { token: token(alice) });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).toContain('autoscaler');
    // What the owner stored is an ordinary TenantRoleBinding in the lease namespace.
    expect((await client.get(TenantRoleBindingRef, { name: 'carol', namespace: leaseName }))?.metadata.name).toBe('carol');
  });

  it('refuses everything once the binding has expired, and after it was revoked', async () => {
    const expired = await grant('bindings', 'carol', { roleRef: { name: 'autoscaler' }, subjects: [{ kind: 'AkashAccount', address: carol.address }], expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(expired.status).toBe(200);
    const r = await scale(2, token(carol));
    expect(r.status).toBe(403);
    expect(errorOf(r).error).toMatch(/binding carol expired at/);
    const revoked = await call(gw.url, `/lease/${DSEQ}/1/1/rbac/bindings/carol`, { method: 'DELETE', token: token(alice) });
    expect(revoked.status).toBe(200);
    expect(errorOf(await scale(2, token(carol))).error).toContain('no TenantRoleBinding grants it');
  });
});
