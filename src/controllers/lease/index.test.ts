import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from '../../api/lease.ts';
import type { Manifest } from '../../api/manifest.ts';
import { FakeApi } from '../../runtime/fake-api.ts';
import type { InformerEvent, KubeObject, WorkQueue } from '../../runtime/index.ts';
import { LeaseRef, ManifestRef, NamespaceRef, ServiceCrRef } from '../refs.ts';
import { leaseOfChild, leasesOfManifest, manifestChanged } from './informers.ts';
import { HASH2, LEASE_ID, NS, harness, lease, manifest, type Harness } from './testing.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function drain(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.length > 0) {
    const key = (await queue.get())!;
    keys.push(key);
    queue.done(key);
    queue.forget(key);
  }
  return keys.sort();
}

describe('what enqueues a Lease', () => {
  it('a Manifest maps to every Lease of its deployment, and only those', () => {
    const mine = lease();
    const sibling = { ...lease({ id: { ...LEASE_ID, gseq: 2 } }), metadata: { name: 'sibling' } };
    const stranger = { ...lease({ id: { ...LEASE_ID, dseq: '1' } }), metadata: { name: 'stranger' } };
    const leases = { list: () => [mine, sibling, stranger] };
    expect(leasesOfManifest(leases, manifest()).sort()).toEqual([NS, 'sibling']);
  });

  it('a child maps by its controller ownerReference, else by its lease-namespace label', () => {
    const owner = { apiVersion: 'provider.akash.network/v1alpha1', kind: 'Lease', name: 'a', uid: 'u', controller: true };
    expect(leaseOfChild({ metadata: { ownerReferences: [owner] } })).toEqual(['a']);
    expect(leaseOfChild({ metadata: { labels: { 'akash.network/namespace': 'b' } } })).toEqual(['b']);
    expect(leaseOfChild({ metadata: { ownerReferences: [{ ...owner, kind: 'Deployment', apiVersion: 'apps/v1' }] } })).toEqual([]);
  });

  it('a Manifest status write other than the verdict is no reason to reconcile', () => {
    const m = manifest() as Manifest & KubeObject;
    m.metadata.generation = 1;
    const withStatus = (status: Manifest['status']) => ({ ...m, status });
    const upd = (old: KubeObject, object: KubeObject): InformerEvent<KubeObject> => ({ type: 'update', old, object });
    const cond = (status: 'True' | 'False') => ({ type: 'Accepted', status, reason: 'X', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' });
    expect(manifestChanged(upd(withStatus({ observedGeneration: 1, conditions: [cond('True')] }), withStatus({ observedGeneration: 2, conditions: [cond('True')] })))).toBe(false);
    expect(manifestChanged(upd(withStatus({ conditions: [cond('True')] }), withStatus({ conditions: [cond('False')] })))).toBe(true);
    expect(manifestChanged(upd(m, { ...m, metadata: { ...m.metadata, generation: 2 } }))).toBe(true);
  });

  it('informer events reach the controller queue under the Lease key', async () => {
    const cluster = new FakeApi();
    cluster.put(LeaseRef, lease());
    h = await harness(cluster);
    const queue = h.lease.controller.queue;
    expect(await drain(queue)).toEqual([NS]);
    cluster.put(ManifestRef, manifest());
    expect(await drain(queue)).toEqual([NS]);
    cluster.update(LeaseRef, NS, undefined, (o) => (o.status = { phase: 'Deploying' }));
    expect(await drain(queue)).toEqual([]);
    cluster.put(NamespaceRef, { metadata: { name: NS, labels: { 'akash.network': 'true', 'akash.network/namespace': NS } } });
    expect(await drain(queue)).toEqual([NS]);
    cluster.put(NamespaceRef, { metadata: { name: 'unmanaged' } });
    expect(await drain(queue)).toEqual([]);
  });
});

describe('the controllers under the manager', () => {
  it('take a Lease and its Manifest to Ready, and tear it down when it is deleted', async () => {
    const cluster = new FakeApi();
    h = await harness(cluster);
    await h.ctx.mgr.start();
    cluster.put(ManifestRef, manifest());
    cluster.put(LeaseRef, lease());
    await vi.waitFor(() => expect(cluster.get(ServiceCrRef, 'web', NS)).toBeDefined());
    cluster.update(ServiceCrRef, 'web', NS, (o) => (o.status = { readyReplicas: 1, observedGeneration: o.metadata.generation }));
    await vi.waitFor(() => expect((cluster.get(LeaseRef, NS) as Lease | undefined)?.status?.phase).toBe('Ready'));
    expect((cluster.get(ManifestRef, manifest().metadata.name) as Manifest | undefined)?.status?.conditions?.[0]).toMatchObject({ type: 'Accepted', status: 'True' });

    // A new manifest version reaches the Service CR through the Manifest watch.
    cluster.put(ManifestRef, manifest(undefined, HASH2));
    cluster.update(LeaseRef, NS, undefined, (o) => ((o as Lease).spec.deploymentHash = HASH2));
    await vi.waitFor(() => expect(cluster.get(ServiceCrRef, 'web', NS)?.metadata.annotations?.['akash.network/manifest.version']).toBe(HASH2));

    await h.ctx.client.delete(LeaseRef, { name: NS });
    await vi.waitFor(() => expect(cluster.get(NamespaceRef, NS)?.metadata.deletionTimestamp).toBeDefined());
    cluster.finishNamespaceDeletion(NS);
    await vi.waitFor(() => expect(cluster.get(LeaseRef, NS)).toBeUndefined());
  });
});
