import { describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { FakeTransport, json, statusBody } from './fake-transport.ts';
import { addFinalizerPatch, ensureFinalizer, removeFinalizerPatch, withFinalizer } from './finalizers.ts';
import type { KubeObject, ResourceRef } from './resource.ts';

const Leases: ResourceRef = { apiVersion: 'example.com/v1', kind: 'Thing', plural: 'things', namespaced: false };
const F = 'example.com/cleanup';
const thing = (finalizers?: string[], deleting = false): KubeObject => ({
  metadata: { name: 't', finalizers, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
});

describe('finalizer patches', () => {
  it('adds to an absent list by testing it is null', () => {
    expect(addFinalizerPatch(thing(), F)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: [F] },
    ]);
  });

  it("adds to others' finalizers by testing the whole list, then appending", () => {
    expect(addFinalizerPatch(thing(['other/a']), F)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: ['other/a'] },
      { op: 'add', path: '/metadata/finalizers/-', value: F },
    ]);
    expect(addFinalizerPatch(thing([F]), F)).toBeUndefined();
  });

  it('removes only its own entry, testing the index first', () => {
    expect(removeFinalizerPatch(thing(['other/a', F, 'other/b']), F)).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: F },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizerPatch(thing(['other/a']), F)).toBeUndefined();
  });
});

describe('withFinalizer', () => {
  function setup() {
    const transport = new FakeTransport().on((req) => (req.method === 'PATCH' ? json(200, { metadata: { name: 't' } }) : undefined));
    return { transport, client: new KubeClient(transport, { fieldManager: 'test' }) };
  }

  it('adds the finalizer with a JSON patch before apply runs', async () => {
    const { transport, client } = setup();
    const order: string[] = [];
    transport.on((req) => (order.push(`${req.method} ${req.contentType}`), undefined));
    await withFinalizer(client, Leases, thing(['other/a']), F, { apply: async () => void order.push('apply'), cleanup: async () => void order.push('cleanup') });
    expect(order).toEqual(['PATCH application/json-patch+json', 'apply']);
    expect(transport.requests[0]?.path).toBe('/apis/example.com/v1/things/t');
  });

  it('runs cleanup on deletion, then removes the finalizer', async () => {
    const { transport, client } = setup();
    let cleaned = false;
    await withFinalizer(client, Leases, thing([F], true), F, { apply: async () => {}, cleanup: async () => void (cleaned = true) });
    expect(cleaned).toBe(true);
    expect(JSON.parse(transport.requests[0]?.body ?? '')).toEqual([
      { op: 'test', path: '/metadata/finalizers/0', value: F },
      { op: 'remove', path: '/metadata/finalizers/0' },
    ]);
  });

  it('keeps the finalizer while cleanup asks to requeue, and does nothing when it is not ours', async () => {
    const { transport, client } = setup();
    const res = await withFinalizer(client, Leases, thing([F], true), F, { apply: async () => {}, cleanup: async () => ({ requeueAfterMs: 5_000 }) });
    expect(res).toEqual({ requeueAfterMs: 5_000 });
    await withFinalizer(client, Leases, thing(['other/a'], true), F, { apply: async () => {}, cleanup: async () => { throw new Error('must not run'); } });
    expect(transport.requests).toHaveLength(0);
  });

  it('surfaces a failed test op (someone changed the list) as an error, so the reconcile retries', async () => {
    const transport = new FakeTransport().on(() => json(422, statusBody(422, 'Invalid', 'the server rejected our request: test operation failed')));
    const client = new KubeClient(transport, { fieldManager: 'test' });
    await expect(withFinalizer(client, Leases, thing(), F, { apply: async () => {}, cleanup: async () => {} })).rejects.toThrow(/422/);
  });
});

describe('finalizers on a stale cache', () => {
  it('re-reads the live object when the test op fails, instead of failing until the cache catches up', async () => {
    const transport = new FakeTransport();
    const sent: string[] = [];
    let live: KubeObject = thing(['other/a']);
    transport.on((req) => {
      sent.push(`${req.method} ${req.body ?? ''}`);
      if (req.method === 'GET') return json(200, live);
      const ops = JSON.parse(req.body ?? '[]') as { op: string; value?: unknown }[];
      const test = ops.find((o) => o.op === 'test');
      if (JSON.stringify(test?.value ?? null) !== JSON.stringify(live.metadata.finalizers ?? null)) return json(422, statusBody(422, 'Invalid', 'test failed'));
      live = { metadata: { ...live.metadata, finalizers: [...(live.metadata.finalizers ?? []), F] } };
      return json(200, live);
    });
    const client = new KubeClient(transport, { fieldManager: 'test' });
    // The cache still shows no finalizers; the server already has another controller's.
    await expect(ensureFinalizer(client, Leases, thing(), F)).resolves.toBe(true);
    expect(live.metadata.finalizers).toEqual(['other/a', F]);
    expect(sent.map((s) => s.split(' ')[0])).toEqual(['PATCH', 'GET', 'PATCH']);
    // Already there on the server: the second attempt is not sent.
    sent.length = 0;
    await expect(ensureFinalizer(client, Leases, thing(['other/a']), F)).resolves.toBe(false);
    expect(sent.map((s) => s.split(' ')[0])).toEqual(['PATCH', 'GET']);
  });
});
