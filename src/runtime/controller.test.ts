import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from './client.ts';
import { Controller, generationChanged, type ReconcileContext, type ReconcileResult } from './controller.ts';
import { TerminalError } from './errors.ts';
import { FakeTransport, json } from './fake-transport.ts';
import { Informer } from './informer.ts';
import { Manager } from './manager.ts';
import { Metrics } from './metrics.ts';
import { ItemExponentialBackoff } from './rate-limit.ts';
import type { KubeObject, ResourceRef } from './resource.ts';

const Parents: ResourceRef = { apiVersion: 'example.com/v1', kind: 'Parent', plural: 'parents', namespaced: false };
const Children: ResourceRef = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

const parent = (name: string, rv = '1', generation = 1): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Parent',
  metadata: { name, uid: `uid-${name}`, resourceVersion: rv, generation },
});
const child = (name: string, owner: string | undefined, rv = '1', labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'ns',
    resourceVersion: rv,
    labels,
    ownerReferences: owner ? [{ apiVersion: 'example.com/v1', kind: 'Parent', name: owner, uid: `uid-${owner}`, controller: true }] : [],
  },
});

const flush = () => vi.advanceTimersByTimeAsync(0);

type Step = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult | void>;

function setup(opts: { parents?: KubeObject[]; children?: KubeObject[]; concurrency?: number } = {}) {
  const transport = new FakeTransport()
    .reply('GET', '/apis/example.com/v1/parents', 200, { metadata: { resourceVersion: '5' }, items: opts.parents ?? [parent('p1')] })
    .reply('GET', '/api/v1/configmaps', 200, { metadata: { resourceVersion: '5' }, items: opts.children ?? [] });
  const metrics = new Metrics();
  const client = new KubeClient(transport, { fieldManager: 'test', metrics });
  const mgr = new Manager({ client, metrics, shutdownDeadlineMs: 1_000 });
  const parents = mgr.informer(Parents);
  const children = mgr.informer(Children);
  const calls: string[] = [];
  let step: Step = async () => {};
  const ctl = mgr.controller({
    name: 'parents',
    for: parents,
    owns: [{ informer: children }],
    watches: [{ informer: children, map: (o) => (o.metadata.labels?.parent ? [o.metadata.labels.parent] : []) }],
    concurrency: opts.concurrency,
    reconcile: (key, ctx) => {
      calls.push(key);
      return step(key, ctx);
    },
  });
  const watchOf = (path: string) => {
    const w = transport.watches.filter((x) => x.path === path).at(-1);
    if (!w) throw new Error(`no watch on ${path}`);
    return w;
  };
  return { transport, metrics, mgr, ctl, calls, setStep: (s: Step) => (step = s), watchOf };
}

describe('Controller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reconciles each primary once after the caches sync, and reports readiness', async () => {
    const { mgr, calls } = setup({ parents: [parent('p1'), parent('p2')] });
    expect(mgr.ready()).toBe(false);
    await mgr.start();
    await flush();
    expect(mgr.ready()).toBe(true);
    expect(calls.sort()).toEqual(['p1', 'p2']);
    await mgr.stop();
  });

  it('maps an owned child to its owner by controller ownerReference, and a watched one by label', async () => {
    const { mgr, calls, watchOf } = setup({ parents: [parent('p1'), parent('p2')] });
    await mgr.start();
    await flush();
    calls.length = 0;
    const w = watchOf('/api/v1/configmaps');
    w.emit('ADDED', child('c1', 'p1'));
    await flush();
    w.emit('ADDED', child('c2', undefined, '2', { parent: 'p2' }));
    await flush();
    w.emit('ADDED', child('c3', undefined)); // neither owner nor label: nobody to reconcile
    await flush();
    expect(calls).toEqual(['p1', 'p2']);
    await mgr.stop();
  });

  it('collapses a burst of events for one key into one reconcile', async () => {
    const { mgr, calls, watchOf, setStep } = setup();
    let release!: () => void;
    setStep(() => new Promise<void>((r) => (release = r)));
    await mgr.start();
    await flush(); // p1 is now being reconciled
    const w = watchOf('/apis/example.com/v1/parents');
    for (let i = 2; i < 10; i++) w.emit('MODIFIED', parent('p1', String(i)));
    await flush();
    expect(calls).toEqual(['p1']);
    setStep(async () => {});
    release();
    await flush();
    expect(calls).toEqual(['p1', 'p1']);
    await mgr.stop();
  });

  it('runs different keys concurrently up to the limit but never one key twice at a time', async () => {
    const parents = ['a', 'b', 'c', 'd'].map((n) => parent(n));
    const { mgr, watchOf, setStep } = setup({ parents, concurrency: 2 });
    const active = new Set<string>();
    let maxActive = 0;
    let overlap = false;
    setStep(async (key) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      maxActive = Math.max(maxActive, active.size);
      await new Promise((r) => setTimeout(r, 10));
      active.delete(key);
    });
    await mgr.start();
    const w = watchOf('/apis/example.com/v1/parents');
    for (let i = 0; i < 5; i++) {
      w.emit('MODIFIED', parent('a', `r${i}`));
      await vi.advanceTimersByTimeAsync(3);
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(maxActive).toBe(2);
    expect(overlap).toBe(false);
    await mgr.stop();
  });

  it('retries an error with growing backoff, resets it on success, and counts results', async () => {
    const { mgr, calls, setStep, metrics, watchOf } = setup();
    const retries: number[] = [];
    let failures = 3;
    setStep(async (_key, ctx) => {
      retries.push(ctx.retries);
      if (failures-- > 0) throw new Error('apiserver unavailable');
    });
    await mgr.start();
    await flush();
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4);
    expect(calls).toHaveLength(1); // first retry after 5 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toHaveLength(4);
    expect(retries).toEqual([0, 1, 2, 3]);
    // Success forgot the history: the next failure backs off from 5 ms again.
    failures = 1;
    watchOf('/apis/example.com/v1/parents').emit('MODIFIED', parent('p1', '9'));
    await flush();
    expect(calls).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toHaveLength(6);
    expect(retries.slice(4)).toEqual([0, 1]);
    const text = (await metrics.render()).body;
    expect(text).toContain('controller_runtime_reconcile_total{controller="parents",result="error"} 4');
    expect(text).toContain('controller_runtime_reconcile_total{controller="parents",result="success"} 2');
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="parents"} 4');
    await mgr.stop();
  });

  it('does not retry a TerminalError and counts it', async () => {
    const { mgr, calls, setStep, metrics } = setup();
    setStep(async () => {
      throw new TerminalError('spec.port: must be 1..65535, got 0');
    });
    await mgr.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual(['p1']);
    expect((await metrics.render()).body).toContain('controller_runtime_terminal_reconcile_errors_total{controller="parents"} 1');
    await mgr.stop();
  });

  it('honours RequeueAfter', async () => {
    const { mgr, calls, setStep } = setup();
    setStep(async () => ({ requeueAfterMs: 60_000 }));
    await mgr.start();
    await flush();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await mgr.stop();
  });

  it('on stop lets in-flight work finish within the deadline, then aborts it', async () => {
    const { mgr, setStep } = setup({ parents: [parent('p1'), parent('p2')] });
    let signal: AbortSignal | undefined;
    setStep((_key, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {}); // never finishes
    });
    await mgr.start();
    await flush();
    let stopped = false;
    void mgr.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(stopped).toBe(false);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal?.aborted).toBe(true);
    expect(stopped).toBe(true);
    expect(mgr.ready()).toBe(false);
  });

  it('drains: a reconcile in flight at stop completes and its key is not dropped', async () => {
    const { mgr, calls, setStep } = setup();
    let finished = false;
    setStep(() => new Promise<void>((r) => setTimeout(() => ((finished = true), r()), 100)));
    await mgr.start();
    await flush();
    const done = mgr.stop();
    await vi.advanceTimersByTimeAsync(100);
    await done;
    expect(finished).toBe(true);
    expect(calls).toEqual(['p1']);
  });
});

describe('Controller without a manager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('filters primary events with generationChanged (status-only updates are ignored)', async () => {
    const transport = new FakeTransport().reply('GET', '/apis/example.com/v1/parents', 200, { metadata: { resourceVersion: '1' }, items: [parent('p1', '1', 1)] });
    const client = new KubeClient(transport, { fieldManager: 't' });
    const informer = new Informer({ client, resource: Parents });
    const calls: string[] = [];
    const ctl = new Controller({ name: 'p', for: informer, forFilter: generationChanged, rateLimiter: new ItemExponentialBackoff(), reconcile: async (k) => void calls.push(k) });
    await ctl.start();
    await flush();
    transport.lastWatch.emit('MODIFIED', parent('p1', '2', 1));
    await flush();
    expect(calls).toEqual(['p1']);
    transport.lastWatch.emit('MODIFIED', parent('p1', '3', 2));
    await flush();
    expect(calls).toEqual(['p1', 'p1']);
    await ctl.stop();
    await informer.stop();
  });

  it('refuses a second start', async () => {
    const transport = new FakeTransport().on(() => json(200, { items: [] }));
    const informer = new Informer({ client: new KubeClient(transport, { fieldManager: 't' }), resource: Parents });
    const ctl = new Controller({ name: 'p', for: informer, reconcile: async () => {} });
    await ctl.start();
    await expect(ctl.start()).rejects.toThrow(/twice/);
    await ctl.stop();
    await informer.stop();
  });
});
