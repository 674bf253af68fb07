import { afterEach, describe, expect, it } from 'vitest';
import { canonicalizeWireManifest } from '../akash/canonical.ts';
import { HostnameClaimRef, LeaseRef, ManifestRef, SecretRef, ServiceCrRef } from '../controllers/refs.ts';
import { FakeApi } from '../runtime/fake-api.ts';
import { KubeClient } from '../runtime/index.ts';
import { KubeGatewayStore } from './kube-store.ts';
import { planManifest } from './manifest.ts';
import { leaseObject, tenantKey, wireManifest } from './testing.ts';

const OWNER = tenantKey().address;
const PROVIDER = tenantKey().address;
const NS = 'akash-operator';

let store: KubeGatewayStore | undefined;
afterEach(async () => {
  await store?.stop();
  store = undefined;
});

function setup() {
  const api = new FakeApi();
  store = new KubeGatewayStore({ client: new KubeClient(api.transport, { fieldManager: 'akash-operator' }) });
  return { api, store };
}

function plan(body: string, dseq = '9') {
  const lease = leaseObject({ owner: OWNER, dseq, provider: PROVIDER }, canonicalizeWireManifest(body).hash);
  return planManifest({ body: Buffer.from(body), owner: OWNER, dseq, provider: PROVIDER, leases: [lease], operatorNamespace: NS });
}

describe('KubeGatewayStore.saveManifest', () => {
  it('writes the Secrets, then the Manifest, and makes the Manifest own the Secrets', async () => {
    const { api, store } = setup();
    const p = plan(wireManifest([{ name: 'web', password: 'pw-1' }]));
    await store.saveManifest(p);
    const manifest = api.get(ManifestRef, `${OWNER}-9`)!;
    expect(manifest.spec).toEqual(p.manifest.spec);
    const secrets = api.list(SecretRef, NS);
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(p.secrets.map((s) => s.metadata.name).sort());
    for (const s of secrets) {
      expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'provider.akash.network/v1alpha1', kind: 'Manifest', name: `${OWNER}-9`, uid: manifest.metadata.uid }]);
    }
    // The first Secret write precedes the Manifest: a Service CR never names a Secret not yet written.
    const writes = api.writes().map((r) => `${r.method} ${r.path}`);
    expect(writes.findIndex((w) => w.includes('/secrets/'))).toBeLessThan(writes.findIndex((w) => w.includes('/manifests/')));
    expect(writes.filter((w) => w.includes('/manifests/'))).toHaveLength(1);
  });

  it('changes nothing when the same manifest comes again', async () => {
    const { api, store } = setup();
    const p = plan(wireManifest([{ name: 'web', password: 'pw-1' }]));
    await store.saveManifest(p);
    const before = { manifest: api.get(ManifestRef, `${OWNER}-9`), secrets: api.list(SecretRef, NS) };
    await store.saveManifest(plan(wireManifest([{ name: 'web', password: 'pw-1' }])));
    const strip = (o: unknown) => JSON.parse(JSON.stringify(o, (k, v: unknown) => (k === 'resourceVersion' ? undefined : v))) as unknown;
    expect(strip(api.get(ManifestRef, `${OWNER}-9`))).toEqual(strip(before.manifest));
    expect(api.get(ManifestRef, `${OWNER}-9`)!.metadata.generation).toBe(1);
    expect(strip(api.list(SecretRef, NS))).toEqual(strip(before.secrets));
  });

  it('deletes the credentials Secret a new version no longer needs, and no other Secret', async () => {
    const { api, store } = setup();
    api.put(SecretRef, { metadata: { name: 'unrelated', namespace: NS }, data: {} });
    await store.saveManifest(plan(wireManifest([{ name: 'web', password: 'pw-1' }])));
    expect(api.names(SecretRef, NS)).toHaveLength(3);
    const next = plan(wireManifest([{ name: 'web' }]));
    await store.saveManifest(next);
    expect(api.names(SecretRef, NS).sort()).toEqual([...next.secrets.map((s) => s.metadata.name!), 'unrelated'].sort());
  });

  it('reads back the registry host, user and email, never more', async () => {
    const { store } = setup();
    const p = plan(wireManifest([{ name: 'web', password: 'pw-1' }]));
    await store.saveManifest(p);
    const ref = p.manifest.spec.groups[0]!.services[0]!.credentialsSecretRef!;
    expect(await store.registryCredentials(ref)).toEqual({ host: 'registry.example.com', username: 'deployer', email: 'dev@example.com' });
    expect(await store.registryCredentials({ namespace: NS, name: 'absent' })).toBeUndefined();
  });
});

describe('KubeGatewayStore leases', () => {
  it('finds leases from the cache, and a lease the cache has not seen yet from the API', async () => {
    const { api, store } = setup();
    api.put(LeaseRef, leaseObject({ owner: OWNER, dseq: '1', provider: PROVIDER }, 'a'.repeat(64)));
    expect(await store.leasesOfDeployment('1')).toHaveLength(1); // before sync: listed
    store.start();
    await store.waitForSync();
    expect(store.ready()).toBe(true);
    const reads = api.transport.requests.length;
    expect(await store.leasesOfDeployment('1')).toHaveLength(1);
    expect(api.transport.requests.length).toBe(reads); // from the cache
    api.put(LeaseRef, leaseObject({ owner: OWNER, dseq: '2', provider: PROVIDER }, 'a'.repeat(64), 'closed'));
    expect((await store.leasesOfDeployment('2')).map((l) => l.spec.state)).toEqual(['closed']);
    expect(await store.leasesOfDeployment('3')).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.counts(PROVIDER)).toEqual({ leases: 1, deployments: 1 });
  });
});

/** A Service CR as the lease controller writes it, with the status the service controller sets. */
function serviceCr(namespace: string, name: string, available: number) {
  return {
    metadata: { name, namespace },
    spec: { kind: 'container', image: 'nginx:1.27', env: ['A=1'], resources: { id: 1 }, count: 2, expose: [] },
    status: { replicas: 2, readyReplicas: available, availableReplicas: available, uris: [`${name}.example.com`], observedGeneration: 1 },
  };
}

describe('KubeGatewayStore Service CRs and Manifests', () => {
  it('serves them from the caches once synced, a status change as soon as its watch event arrives', async () => {
    const { api, store } = setup();
    api.put(ServiceCrRef, serviceCr('ns1', 'web', 1));
    api.put(ServiceCrRef, serviceCr('ns1', 'db', 2));
    api.put(ServiceCrRef, serviceCr('ns2', 'web', 0));
    api.put(ManifestRef, { metadata: { name: 'm1' }, spec: { owner: OWNER, dseq: '1', hash: 'a'.repeat(64), groups: [] } });
    store.start();
    await store.waitForSync();
    const reads = api.transport.requests.length;

    expect((await store.servicesIn('ns1')).map((s) => [s.metadata.name, s.status?.availableReplicas]).sort()).toEqual([['db', 2], ['web', 1]]);
    expect((await store.service('ns2', 'web'))?.status?.uris).toEqual(['web.example.com']);
    expect((await store.manifest('m1'))?.spec.dseq).toBe('1');
    api.update(ServiceCrRef, 'web', 'ns1', (o) => void ((o.status as { availableReplicas: number }).availableReplicas = 2));
    expect((await store.service('ns1', 'web'))?.status?.availableReplicas).toBe(2);
    expect(api.transport.requests.length).toBe(reads); // all of the above from the caches
    await new KubeClient(api.transport, { fieldManager: 'test' }).delete(ServiceCrRef, { name: 'db', namespace: 'ns1' });
    const afterDelete = api.transport.requests.length;
    expect((await store.servicesIn('ns1')).map((s) => s.metadata.name)).toEqual(['web']);
    expect(api.transport.requests.length).toBe(afterDelete);
    // What the views read is kept, the rest of the spec is not.
    expect((await store.service('ns1', 'web'))?.spec).toEqual({ count: 2 });
  });

  it('reads from the API what its caches have not seen yet', async () => {
    const { api, store } = setup();
    api.put(ServiceCrRef, serviceCr('ns1', 'web', 1));
    expect(await store.servicesIn('ns1')).toHaveLength(1); // before sync: listed
    store.start();
    await store.waitForSync();
    // The watches end and wait out their backoff: writes now reach only the API server.
    for (const w of api.transport.watches) w.end();
    api.put(ServiceCrRef, serviceCr('ns1', 'worker', 1));
    api.put(ServiceCrRef, serviceCr('ns3', 'web', 1));
    api.put(ManifestRef, { metadata: { name: 'm2' }, spec: { owner: OWNER, dseq: '2', hash: 'a'.repeat(64), groups: [] } });
    const reads = api.transport.requests.length;
    expect(await store.servicesIn('ns1')).toHaveLength(1); // the cache has this namespace: within the watch latency
    expect(api.transport.requests.length).toBe(reads);
    expect((await store.service('ns1', 'worker'))?.spec).toEqual({ count: 2 });
    expect((await store.servicesIn('ns3')).map((s) => s.spec)).toEqual([{ count: 2 }]);
    expect((await store.manifest('m2'))?.spec.dseq).toBe('2');
    expect(await store.manifest('absent')).toBeUndefined();
    expect(api.transport.requests.length).toBe(reads + 4); // one read each
  });

  it('is ready only when the Lease, Manifest and Service CR caches all hold a full list', async () => {
    const { api, store } = setup();
    api.transport.on((req) => (req.method === 'GET' && req.path.endsWith('/manifests') ? { status: 500, body: '{"kind":"Status","code":500}' } : undefined));
    store.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(api.transport.requests.some((r) => r.path.endsWith('/leases'))).toBe(true);
    expect(api.transport.requests.some((r) => r.path.endsWith('/services'))).toBe(true);
    expect(store.ready()).toBe(false);
  });
});

describe('KubeGatewayStore retries', () => {
  it('retries a passing 429 of the API server, and gives up on lasting ones', async () => {
    const { api, store } = setup();
    let refusals = 2;
    api.transport.on((req) => {
      if (req.method !== 'GET' || !req.path.endsWith('/services') || refusals-- <= 0) return undefined;
      return { status: 429, body: JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'storage is (re)initializing' }) };
    });
    expect(await store.servicesIn('ns1')).toEqual([]);
    expect(api.transport.requests.filter((r) => r.path.endsWith('/services'))).toHaveLength(3);
    refusals = 100;
    await expect(store.servicesIn('ns1')).rejects.toMatchObject({ code: 429 });
  });
});

describe('KubeGatewayStore.hostnameHolders', () => {
  it('reads each claim from the API server (no cache lag) and leaves unclaimed hosts out', async () => {
    const { api, store } = setup();
    api.put(HostnameClaimRef, { metadata: { name: 'taken.example.com' }, spec: { namespace: 'lease-ns', lease: { owner: OWNER, dseq: '5', gseq: 1, oseq: 1, provider: PROVIDER } } });
    const holders = await store.hostnameHolders(['taken.example.com', 'free.example.com', 'taken.example.com']);
    expect([...holders]).toEqual([['taken.example.com', { namespace: 'lease-ns', owner: OWNER, dseq: '5' }]]);
    expect(api.transport.requests.filter((r) => r.path.includes('/hostnameclaims/')).map((r) => r.path.split('/').at(-1)).sort()).toEqual(['free.example.com', 'taken.example.com']);
  });
});
