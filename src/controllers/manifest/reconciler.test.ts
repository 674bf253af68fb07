import { afterEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../api/manifest.ts';
import { FakeApi, type FakeObject } from '../../runtime/fake-api.ts';
import { ManifestRef } from '../refs.ts';
import { harness, manifest, service, type Harness } from '../lease/testing.ts';

type Cond = { type: string; status: string; reason: string; message: string; observedGeneration?: number };
const accepted = (m: FakeObject | undefined) => ((m?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Accepted');
const NAME = manifest().metadata.name;
const statusPath = `/apis/provider.akash.network/v1alpha1/manifests/${NAME}/status`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(m: Manifest): Promise<Harness> {
  const cluster = new FakeApi();
  cluster.put(ManifestRef, m);
  h = await harness(cluster);
  h.takeWrites({ events: true });
  return h;
}

describe('manifest reconcile', () => {
  it('accepts a valid manifest once, then writes nothing', async () => {
    const t = await start(manifest());
    await t.reconcileManifest();
    expect(t.takeWrites()).toEqual([`PATCH ${statusPath}`]);
    const m = t.cluster.get(ManifestRef, NAME);
    expect(accepted(m)).toMatchObject({ status: 'True', reason: 'Valid', observedGeneration: 1 });
    expect(m?.status).toMatchObject({ observedGeneration: 1 });

    await t.reconcileManifest();
    expect(t.takeWrites({ events: true })).toEqual([]);
  });

  it('rejects a wrong manifest with the path of each problem, and says so in an Event', async () => {
    const t = await start(manifest([service('web', { params: { storage: [{ name: 'data', mount: '/data', readOnly: false }] } }), service('web')]));
    await t.reconcileManifest();
    const writes = t.takeWrites({ events: true });
    expect(writes[0]).toBe(`PATCH ${statusPath}`);
    expect(writes.some((w) => w.includes('/events'))).toBe(true);
    const c = accepted(t.cluster.get(ManifestRef, NAME));
    expect(c).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(c?.message).toContain('spec.groups[0].services[0].params.storage[0].name: volume "data" is not in spec.resources.storage');
    expect(c?.message).toContain('spec.groups[0].services[1].name: service "web" is already defined');
  });

  it('changes its verdict when the spec is fixed, and moves observedGeneration', async () => {
    const t = await start(manifest([service('web', { params: { storage: [{ name: 'data', mount: '/data', readOnly: false }] } })]));
    await t.reconcileManifest();
    t.cluster.update(ManifestRef, NAME, undefined, (o) => ((o as Manifest).spec.groups[0]!.services = [service('web')]));
    t.takeWrites();
    await t.reconcileManifest();
    expect(t.takeWrites()).toEqual([`PATCH ${statusPath}`]);
    expect(accepted(t.cluster.get(ManifestRef, NAME))).toMatchObject({ status: 'True', observedGeneration: 2 });
  });

  it('does nothing for a Manifest that is gone', async () => {
    const t = await start(manifest());
    expect(await t.reconcileManifest('nothing-here')).toBeUndefined();
    expect(t.takeWrites({ events: true })).toEqual([]);
  });
});
