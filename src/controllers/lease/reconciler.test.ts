import { afterEach, describe, expect, it } from 'vitest';
import { leaseNamespace } from '../../akash/namespace.ts';
import type { Lease } from '../../api/lease.ts';
import { FakeApi, type FakeObject } from '../../runtime/fake-api.ts';
import { json, statusBody } from '../../runtime/fake-transport.ts';
import { LEASE_FINALIZER } from '../context.ts';
import { HostnameClaimRef, LeaseRef, LimitRangeRef, ManifestRef, NamespaceRef, NetworkPolicyRef, ResourceQuotaRef, ServiceCrRef } from '../refs.ts';
import { ANNOTATION_MANIFEST_VERSION } from './children.ts';
import { TEARDOWN_POLL_MS } from './teardown.ts';
import { HASH, HASH2, LEASE_ID, NS, RESYNC_MS, harness, lease, manifest, service, type Harness } from './testing.ts';

type Obj = FakeObject;
type Cond = { type: string; status: string; reason: string; message: string };

const cond = (o: Obj | undefined, type: string) => ((o?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
const phase = (o: Obj | undefined) => (o?.status as { phase?: string } | undefined)?.phase;
const leasePath = `/apis/provider.akash.network/v1alpha1/leases/${NS}`;
const MANIFEST = `${LEASE_ID.owner}-${LEASE_ID.dseq}`;
const manifestPath = `/apis/provider.akash.network/v1alpha1/manifests/${MANIFEST}`;
const svcPath = (name: string) => `/apis/provider.akash.network/v1alpha1/namespaces/${NS}/services/${name}`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A cluster holding `objects` and the controllers started on it. */
async function start(...objects: [typeof LeaseRef, object][]): Promise<Harness> {
  const cluster = new FakeApi();
  for (const [ref, obj] of objects) cluster.put(ref, obj);
  h = await harness(cluster);
  return h;
}

/** What the service controller would report: every replica ready, this generation observed. */
function markServicesReady(cluster: FakeApi, ...names: string[]): void {
  for (const name of names) {
    cluster.update(ServiceCrRef, name, NS, (o) => {
      const count = (o.spec as { count: number }).count;
      o.status = { replicas: count, readyReplicas: count, uris: [`${name}.example.com`], observedGeneration: o.metadata.generation };
    });
  }
}

/** Lease and manifest deployed once, with the given services marked ready. */
async function deployed(services = ['web', 'db'], ready = services): Promise<Harness> {
  const t = await start([LeaseRef, lease()], [ManifestRef, manifest(services.map((s) => service(s)))]);
  await t.reconcileManifest();
  await t.reconcileLease();
  markServicesReady(t.cluster, ...ready);
  await t.reconcileLease();
  t.takeWrites({ events: true });
  return t;
}

describe('waiting for the manifest', () => {
  it('adds the finalizer and waits, creating nothing, when the Manifest is missing', async () => {
    const t = await start([LeaseRef, lease()]);
    expect(await t.reconcileLease()).toEqual({ requeueAfterMs: RESYNC_MS });
    expect(t.takeWrites()).toEqual([`PATCH ${leasePath}`, `PATCH ${leasePath}/status`]);
    const l = t.cluster.get(LeaseRef, NS);
    expect(l?.metadata.finalizers).toEqual([LEASE_FINALIZER]);
    expect(phase(l)).toBe('WaitingForManifest');
    expect(cond(l, 'ManifestReceived')).toMatchObject({ status: 'False', reason: 'ManifestNotFound', message: `waiting for Manifest ${LEASE_ID.owner}-${LEASE_ID.dseq}` });
    expect(cond(l, 'Ready')).toMatchObject({ status: 'False', reason: 'WaitingForManifest' });
    expect(t.cluster.get(NamespaceRef, NS)).toBeUndefined();
  });

  it('waits when the Manifest hash differs from the lease deployment hash, naming both', async () => {
    const t = await start([LeaseRef, lease()], [ManifestRef, manifest([service('web')], HASH2)]);
    await t.reconcileLease();
    const l = t.cluster.get(LeaseRef, NS);
    expect(phase(l)).toBe('WaitingForManifest');
    expect(cond(l, 'ManifestReceived')).toMatchObject({ status: 'False', reason: 'ManifestHashMismatch' });
    expect(cond(l, 'ManifestReceived')?.message).toContain(HASH2);
    expect(cond(l, 'ManifestReceived')?.message).toContain(HASH);
    expect(t.cluster.list(ServiceCrRef, NS)).toEqual([]);
  });
});

describe('deploying', () => {
  it('creates every child with the Lease as controller owner, then reports Deploying', async () => {
    const t = await start([LeaseRef, lease()], [ManifestRef, manifest([service('web'), service('db')])]);
    await t.reconcileLease();
    const uid = t.cluster.get(LeaseRef, NS)!.metadata.uid;
    const owner = { apiVersion: 'provider.akash.network/v1alpha1', kind: 'Lease', name: NS, uid, controller: true, blockOwnerDeletion: true };

    const ns = t.cluster.get(NamespaceRef, NS)!;
    expect(ns.metadata.ownerReferences).toEqual([owner]);
    expect(ns.metadata.labels).toMatchObject({ 'akash.network': 'true', 'akash.network/lease.id.owner': LEASE_ID.owner, 'akash.network/lease.id.dseq': LEASE_ID.dseq, 'pod-security.kubernetes.io/enforce': 'baseline' });
    for (const ref of [ResourceQuotaRef, LimitRangeRef, NetworkPolicyRef]) {
      const objs = t.cluster.list(ref, NS);
      expect(objs.length, ref.kind).toBeGreaterThan(0);
      for (const o of objs) expect(o.metadata.ownerReferences, ref.kind).toEqual([owner]);
    }
    const crs = t.cluster.list(ServiceCrRef, NS);
    expect(crs.map((c) => c.metadata.name).sort()).toEqual(['db', 'web']);
    for (const c of crs) {
      expect(c.metadata.ownerReferences).toEqual([owner]);
      expect(c.metadata.annotations).toEqual({ [ANNOTATION_MANIFEST_VERSION]: HASH });
      expect(c.metadata.labels).toMatchObject({ 'akash.network/manifest-service': c.metadata.name, 'akash.network/lease.id.gseq': '1', 'akash.network/lease.id.provider': LEASE_ID.provider });
      expect(c.spec).toMatchObject({ kind: 'container', image: 'nginx:1.27', count: 1 });
    }

    const l = t.cluster.get(LeaseRef, NS);
    expect(l?.status).toMatchObject({ phase: 'Deploying', namespace: NS, manifestHash: HASH, servicesReady: '0/2', observedGeneration: 1 });
    expect(cond(l, 'ManifestReceived')).toMatchObject({ status: 'True', reason: 'Received' });
    expect(cond(l, 'Ready')).toMatchObject({ status: 'False', reason: 'ServicesNotReady' });
    expect(cond(l, 'Ready')?.message).toContain('web 0/1');
  });

  it('writes nothing at all on a second reconcile when the caches match', async () => {
    const t = await start([LeaseRef, lease()], [ManifestRef, manifest([service('web'), service('db')])]);
    await t.reconcileLease();
    expect(t.takeWrites().length).toBeGreaterThan(5);
    expect(await t.reconcileLease()).toEqual({ requeueAfterMs: RESYNC_MS });
    expect(t.takeWrites({ events: true })).toEqual([]);
  });

  it('writes the status only when it changes: Ready once the services are, then nothing', async () => {
    const t = await start([LeaseRef, lease()], [ManifestRef, manifest([service('web'), service('db')])]);
    await t.reconcileLease();
    t.takeWrites({ events: true });
    markServicesReady(t.cluster, 'web');
    await t.reconcileLease();
    expect(t.takeWrites()).toEqual([`PATCH ${leasePath}/status`]);
    expect(t.cluster.get(LeaseRef, NS)?.status).toMatchObject({ phase: 'Deploying', servicesReady: '1/2' });
    expect(cond(t.cluster.get(LeaseRef, NS), 'Ready')?.message).toBe('db 0/1 (waiting for the service controller)');

    markServicesReady(t.cluster, 'db');
    await t.reconcileLease();
    expect(t.takeWrites()).toEqual([`PATCH ${leasePath}/status`]);
    const l = t.cluster.get(LeaseRef, NS);
    expect(l?.status).toMatchObject({ phase: 'Ready', servicesReady: '2/2', services: [{ name: 'web', ready: 1, total: 1, uris: ['web.example.com'] }, { name: 'db', ready: 1, total: 1, uris: ['db.example.com'] }] });
    expect(cond(l, 'Ready')).toMatchObject({ status: 'True', reason: 'AllServicesReady' });

    await t.reconcileLease();
    expect(t.takeWrites({ events: true })).toEqual([]);
  });

  it('tells a deploy with two Events (ManifestApplied, Ready), and a lost readiness with Deploying', async () => {
    const t = await start([LeaseRef, lease()], [ManifestRef, manifest([service('web')])]);
    const reasons = async (mark: number) => {
      await t.ctx.recorder.flush();
      return t.cluster
        .writes(mark)
        .filter((r) => r.method === 'POST' && r.path.includes('/events'))
        .map((r) => (JSON.parse(r.body ?? '{}') as { reason: string }).reason);
    };
    let mark = t.cluster.mark;
    await t.reconcileLease();
    markServicesReady(t.cluster, 'web');
    await t.reconcileLease();
    expect(await reasons(mark)).toEqual(['ManifestApplied', 'Ready']);

    mark = t.cluster.mark;
    t.cluster.update(ServiceCrRef, 'web', NS, (o) => (o.status = { ...(o.status as object), readyReplicas: 0 }));
    await t.reconcileLease();
    expect(t.cluster.get(LeaseRef, NS)?.status).toMatchObject({ phase: 'Deploying' });
    expect(await reasons(mark)).toEqual(['Deploying']);
  });

  it('reports why a service is not ready, from its Service CR conditions', async () => {
    const t = await deployed(['web'], []);
    t.cluster.update(ServiceCrRef, 'web', NS, (o) => {
      const generation = o.metadata.generation;
      o.status = { readyReplicas: 0, observedGeneration: generation, conditions: [{ type: 'Degraded', status: 'True', reason: 'PullSecretMissing', message: 'registry credentials Secret x/y not found', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: generation }] };
    });
    await t.reconcileLease();
    const l = t.cluster.get(LeaseRef, NS);
    expect(phase(l)).toBe('Degraded');
    expect(cond(l, 'Degraded')).toMatchObject({ status: 'True', reason: 'ServiceDegraded', message: 'web: PullSecretMissing: registry credentials Secret x/y not found' });
  });

  it('a restart with a Ready lease reads caches and writes nothing', async () => {
    const first = await deployed();
    expect(phase(first.cluster.get(LeaseRef, NS))).toBe('Ready');
    const cluster = first.cluster;
    await first.stop();
    h = await harness(cluster);
    h.takeWrites({ events: true });
    await h.reconcileManifest();
    await h.reconcileLease();
    expect(h.takeWrites({ events: true })).toEqual([]);
  });

  it('deletes the Service CR of a service the manifest dropped, and only ours', async () => {
    const t = await deployed(['web', 'db']);
    t.cluster.put(ServiceCrRef, { metadata: { name: 'foreign', namespace: NS, labels: { 'akash.network': 'true' } }, spec: {} });
    t.cluster.put(ManifestRef, manifest([service('web')], HASH2));
    t.cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.deploymentHash = HASH2));
    await t.reconcileLease();
    expect(t.takeWrites()).toContain(`DELETE ${svcPath('db')}`);
    expect(t.cluster.get(ServiceCrRef, 'db', NS)).toBeUndefined();
    expect(t.cluster.get(ServiceCrRef, 'foreign', NS)).toBeDefined();
    expect(t.cluster.get(ServiceCrRef, 'web', NS)?.metadata.annotations).toEqual({ [ANNOTATION_MANIFEST_VERSION]: HASH2 });
    expect((t.cluster.get(LeaseRef, NS)?.status as { services: { name: string }[] }).services.map((s) => s.name)).toEqual(['web']);
  });

  it('keeps a kubectl scale until the manifest changes', async () => {
    const t = await deployed(['web']);
    t.cluster.update(ServiceCrRef, 'web', NS, (o) => ((o.spec as { count: number }).count = 3));
    await t.reconcileLease();
    expect(t.takeWrites().filter((w) => w.includes('/services/'))).toEqual([]);
    expect((t.cluster.get(ServiceCrRef, 'web', NS)?.spec as { count: number }).count).toBe(3);
    expect((t.cluster.get(LeaseRef, NS)?.status as { services: { total: number }[] }).services[0]?.total).toBe(3);

    t.cluster.put(ManifestRef, manifest([service('web', { image: 'nginx:1.28' })], HASH2));
    t.cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.deploymentHash = HASH2));
    await t.reconcileLease();
    expect(t.cluster.get(ServiceCrRef, 'web', NS)?.spec).toMatchObject({ image: 'nginx:1.28', count: 1 });
    expect(t.cluster.get(LeaseRef, NS)?.status).toMatchObject({ phase: 'Deploying', manifestHash: HASH2 });
  });

  it('puts back a child someone changed', async () => {
    const t = await deployed(['web']);
    t.cluster.update(ResourceQuotaRef, 'akash-lease-quota', NS, (o) => ((o.spec as { hard: Record<string, string> }).hard['limits.cpu'] = '64'));
    await t.reconcileLease();
    expect(t.takeWrites()).toEqual([`PATCH /api/v1/namespaces/${NS}/resourcequotas/akash-lease-quota`]);
    expect((t.cluster.get(ResourceQuotaRef, 'akash-lease-quota', NS)?.spec as { hard: Record<string, string> }).hard['limits.cpu']).toBe('500m');
  });
  it('applies in three parallel waves: namespace, then quota/limits/policies, then Service CRs (no pod before its quota)', async () => {
    const cluster = new FakeApi();
    cluster.put(LeaseRef, lease());
    cluster.put(ManifestRef, manifest([service('web'), service('db')]));
    // Every request takes a macrotask, so requests sent together are in flight together.
    const send = cluster.transport.request.bind(cluster.transport);
    let inFlight = 0;
    const waves: string[][] = [];
    cluster.transport.request = async (req) => {
      if (req.method === 'PATCH' && !req.path.startsWith('/apis/provider.akash.network/v1alpha1/leases')) {
        if (inFlight === 0) waves.push([]);
        waves.at(-1)!.push(req.path.split('/').at(-2) ?? '');
        if (req.path.includes('/services/')) expect(cluster.list(ResourceQuotaRef, NS).length, 'quota before Service CRs').toBe(1);
      }
      inFlight++;
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return send(req);
    };
    h = await harness(cluster);
    await h.reconcileLease();
    expect(waves.map((w) => w.sort())).toEqual([['namespaces'], ['limitranges', 'networkpolicies', 'resourcequotas'], ['services', 'services']]);
  });
});

describe('refused input', () => {
  const badMount = () => manifest([service('web', { params: { storage: [{ name: 'data', mount: '/data', readOnly: false }] } })]);

  it('a manifest the Manifest controller rejected leaves the lease Degraded with its message, nothing applied', async () => {
    const t = await start([LeaseRef, lease()], [ManifestRef, badMount()]);
    await t.reconcileManifest();
    t.takeWrites();
    await t.reconcileLease();
    expect(t.takeWrites()).toEqual([`PATCH ${leasePath}`, `PATCH ${leasePath}/status`]);
    const l = t.cluster.get(LeaseRef, NS);
    expect(phase(l)).toBe('Degraded');
    expect(cond(l, 'Degraded')).toMatchObject({ status: 'True', reason: 'ManifestRejected' });
    expect(cond(l, 'Degraded')?.message).toContain('spec.groups[0].services[0].params.storage[0].name: volume "data" is not in spec.resources.storage');
    expect(t.cluster.get(NamespaceRef, NS)).toBeUndefined();
  });

  it('judges the manifest itself when the Manifest controller has not yet', async () => {
    const t = await start([LeaseRef, lease()], [ManifestRef, badMount()]);
    await t.reconcileLease();
    expect(cond(t.cluster.get(LeaseRef, NS), 'Degraded')?.reason).toBe('ManifestRejected');
    expect(t.cluster.get(NamespaceRef, NS)).toBeUndefined();
  });

  it('a lease whose group the manifest lacks is Degraded, saying which group', async () => {
    const id = { ...LEASE_ID, gseq: 2 };
    const t = await start([LeaseRef, { ...lease({ id }), metadata: { name: leaseNamespace(id) } }], [ManifestRef, manifest()]);
    await t.reconcileLease(leaseNamespace(id));
    const l = t.cluster.get(LeaseRef, leaseNamespace(id));
    expect(cond(l, 'Degraded')).toMatchObject({ status: 'True', reason: 'GroupNotFound' });
    expect(cond(l, 'Degraded')?.message).toContain('groups[1]');
    expect(t.cluster.get(NamespaceRef, leaseNamespace(id))).toBeUndefined();
  });

  it('a lease not named after its namespace is Degraded and creates nothing', async () => {
    const t = await start([LeaseRef, { ...lease(), metadata: { name: 'wrong-name' } }], [ManifestRef, manifest()]);
    await t.reconcileLease('wrong-name');
    expect(cond(t.cluster.get(LeaseRef, 'wrong-name'), 'Degraded')).toMatchObject({ reason: 'LeaseNameMismatch' });
    expect(t.cluster.list(NamespaceRef)).toEqual([]);
  });
});

describe('teardown only on purpose', () => {
  it.each<[string, (t: Harness) => unknown]>([
    ['the Manifest is deleted', (t) => t.ctx.client.delete(ManifestRef, { name: manifest().metadata.name })],
    ['the Manifest becomes invalid', (t) => t.cluster.put(ManifestRef, manifest([service('web', { params: { storage: [{ name: 'nope', mount: '/x', readOnly: false }] } })]))],
    ['the lease runs out of funds', (t) => t.cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.state = 'insufficient_funds'))],
    ['the lease expects another manifest', (t) => t.cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.deploymentHash = HASH2))],
  ])('deletes nothing when %s', async (_what, change) => {
    const t = await deployed(['web', 'db']);
    await change(t);
    t.takeWrites();
    await t.reconcileLease();
    expect(t.takeWrites().filter((w) => w.startsWith('DELETE'))).toEqual([]);
    expect(t.cluster.get(NamespaceRef, NS)?.metadata.deletionTimestamp).toBeUndefined();
    expect(t.cluster.list(ServiceCrRef, NS)).toHaveLength(2);
  });

  it('an API error in the middle of applying deletes nothing and is retried', async () => {
    const t = await deployed(['web', 'db']);
    t.cluster.put(ManifestRef, manifest([service('web', { image: 'nginx:1.28' })], HASH2));
    t.cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.deploymentHash = HASH2));
    let failing = true;
    t.cluster.transport.on((r) => (failing && r.method === 'PATCH' && r.path === svcPath('web') ? json(500, statusBody(500, 'InternalError', 'etcd timeout')) : undefined));
    await expect(t.reconcileLease()).rejects.toThrow(/etcd timeout/);
    expect(t.takeWrites().filter((w) => w.startsWith('DELETE'))).toEqual([]);
    expect(t.cluster.get(ServiceCrRef, 'db', NS)).toBeDefined();
    const l = t.cluster.get(LeaseRef, NS);
    expect(cond(l, 'Degraded')).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
    expect(cond(l, 'Degraded')?.message).toContain('etcd timeout');

    failing = false;
    await t.reconcileLease();
    expect(t.takeWrites()).toContain(`DELETE ${svcPath('db')}`);
    expect(cond(t.cluster.get(LeaseRef, NS), 'Degraded')).toMatchObject({ status: 'False' });
  });

  it('a closed lease loses its namespace, reports Closing, then Closed, then stays quiet', async () => {
    const t = await deployed(['web']);
    t.cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.state = 'closed'));
    expect(await t.reconcileLease()).toEqual({ requeueAfterMs: TEARDOWN_POLL_MS });
    expect(t.takeWrites()).toEqual([`DELETE /api/v1/namespaces/${NS}`, `PATCH ${leasePath}/status`]);
    expect(phase(t.cluster.get(LeaseRef, NS))).toBe('Closing');

    expect(await t.reconcileLease()).toEqual({ requeueAfterMs: TEARDOWN_POLL_MS });
    expect(t.takeWrites()).toEqual([]);

    t.cluster.finishNamespaceDeletion(NS);
    expect(await t.reconcileLease()).toEqual({ requeueAfterMs: RESYNC_MS });
    const l = t.cluster.get(LeaseRef, NS);
    expect(phase(l)).toBe('Closed');
    expect(cond(l, 'Ready')).toMatchObject({ status: 'False', reason: 'Closed' });
    t.takeWrites();
    const before = t.cluster.transport.requests.length;
    await t.reconcileLease();
    expect(t.cluster.transport.requests.length).toBe(before);
  });

  it('a closed lease releases its hostname claims once its namespace is gone, and only its own', async () => {
    const t = await deployed(['web']);
    const labels = (id: typeof LEASE_ID) => ({ 'akash.network': 'true', 'akash.network/namespace': leaseNamespace(id), 'akash.network/lease.id.owner': id.owner, 'akash.network/lease.id.dseq': id.dseq, 'akash.network/lease.id.gseq': String(id.gseq), 'akash.network/lease.id.oseq': String(id.oseq), 'akash.network/lease.id.provider': id.provider });
    const other = { ...LEASE_ID, dseq: '4242' };
    t.cluster.put(HostnameClaimRef, { metadata: { name: 'mine.example.com', labels: labels(LEASE_ID) }, spec: { namespace: NS } });
    t.cluster.put(HostnameClaimRef, { metadata: { name: 'theirs.example.com', labels: labels(other) }, spec: { namespace: leaseNamespace(other) } });
    // Labelled with our namespace but another lease id: not ours to release.
    t.cluster.put(HostnameClaimRef, { metadata: { name: 'forged.example.com', labels: { ...labels(other), 'akash.network/namespace': NS } }, spec: { namespace: NS } });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); // the watch delivers the claims
    t.cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.state = 'closed'));
    await t.reconcileLease();
    // While the namespace terminates its routes may still serve: the claims stay.
    expect(t.cluster.names(HostnameClaimRef)).toEqual(['forged.example.com', 'mine.example.com', 'theirs.example.com']);
    t.cluster.finishNamespaceDeletion(NS);
    await t.reconcileLease();
    expect(t.cluster.names(HostnameClaimRef)).toEqual(['forged.example.com', 'theirs.example.com']);
  });

  it('a deleted lease loses its namespace, then its finalizer', async () => {
    const t = await deployed(['web']);
    await t.ctx.client.delete(LeaseRef, { name: NS });
    expect(t.cluster.get(LeaseRef, NS)?.metadata.deletionTimestamp).toBeDefined();
    t.takeWrites();
    expect(await t.reconcileLease()).toEqual({ requeueAfterMs: TEARDOWN_POLL_MS });
    expect(t.takeWrites()).toContain(`DELETE /api/v1/namespaces/${NS}`);
    expect(t.cluster.get(LeaseRef, NS)?.metadata.finalizers).toEqual([LEASE_FINALIZER]);

    t.cluster.finishNamespaceDeletion(NS);
    await t.reconcileLease();
    // The deployment has no other lease: its Manifest (and the credentials it owns) goes too.
    expect(t.takeWrites()).toEqual([`DELETE ${manifestPath}`, `PATCH ${leasePath}`]);
    expect(t.cluster.get(LeaseRef, NS)).toBeUndefined();
    expect(t.cluster.get(ManifestRef, MANIFEST)).toBeUndefined();
  });

  it('keeps the Manifest while another lease of the deployment runs, and deletes it after the last one closed', async () => {
    const group2 = { ...LEASE_ID, gseq: 2 };
    const ns2 = leaseNamespace(group2);
    const t = await start([LeaseRef, lease({ state: 'closed' })], [LeaseRef, { ...lease({ id: group2 }), metadata: { name: ns2 } }], [ManifestRef, manifest()]);
    await t.reconcileLease();
    expect(t.takeWrites().filter((w) => w.startsWith('DELETE'))).toEqual([]);
    expect(t.cluster.get(ManifestRef, MANIFEST)).toBeDefined();

    t.cluster.update(LeaseRef, ns2, undefined, (o) => ((o.spec as { state: string }).state = 'closed'));
    await t.reconcileLease(ns2);
    expect(t.takeWrites()).toContain(`DELETE ${manifestPath}`);
    expect(t.cluster.get(ManifestRef, MANIFEST)).toBeUndefined();
  });

  it('leaves a namespace alone whose labels name another lease', async () => {
    const other = { ...LEASE_ID, owner: 'akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0' };
    const t = await start([LeaseRef, lease({ state: 'closed' })], [NamespaceRef, { metadata: { name: NS, labels: { 'akash.network': 'true', 'akash.network/lease.id.owner': other.owner, 'akash.network/lease.id.dseq': other.dseq, 'akash.network/lease.id.gseq': '1', 'akash.network/lease.id.oseq': '1', 'akash.network/lease.id.provider': other.provider } } }]);
    await t.reconcileLease();
    const writes = t.takeWrites({ events: true });
    expect(writes.filter((w) => w.startsWith('DELETE'))).toEqual([]);
    expect(writes.some((w) => w.includes('/events'))).toBe(true);
    expect(t.cluster.get(NamespaceRef, NS)?.metadata.deletionTimestamp).toBeUndefined();
    expect(cond(t.cluster.get(LeaseRef, NS), 'Ready')?.message).toContain('left in place');
  });

  it('leaves a namespace without lease labels alone', async () => {
    const t = await start([LeaseRef, lease()], [NamespaceRef, { metadata: { name: NS } }]);
    await t.ctx.client.delete(LeaseRef, { name: NS }); // no finalizer yet: gone at once
    expect(t.cluster.get(LeaseRef, NS)).toBeUndefined();
    t.cluster.put(LeaseRef, { ...lease(), metadata: { name: NS, finalizers: [LEASE_FINALIZER] } });
    await t.ctx.client.delete(LeaseRef, { name: NS });
    t.takeWrites();
    await t.reconcileLease();
    expect(t.takeWrites()).toEqual([`PATCH ${leasePath}`]);
    expect(t.cluster.get(NamespaceRef, NS)?.metadata.deletionTimestamp).toBeUndefined();
  });
});
