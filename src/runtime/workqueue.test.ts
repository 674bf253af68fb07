import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Metrics } from './metrics.ts';
import { ItemExponentialBackoff, MaxOfRateLimiter, TokenBucket, backoffDelay } from './rate-limit.ts';
import { WorkQueue } from './workqueue.ts';

const noGlobalLimit = () => new ItemExponentialBackoff(5, 1_000_000);

describe('WorkQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never hands out a key that is being processed; re-runs it once after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0); // not handed to a second worker
    let next: string | undefined;
    void q.get().then((k) => (next = k));
    await Promise.resolve();
    expect(next).toBeUndefined();
    q.done('a');
    await Promise.resolve();
    expect(next).toBe('a');
    q.done('a');
    expect(q.length).toBe(0);
    expect(q.inFlight).toBe(0);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue();
    const got = q.get();
    q.add('x');
    expect(await got).toBe('x');
  });

  it('delays a rate-limited add by the per-key exponential backoff and resets it on forget', async () => {
    const q = new WorkQueue({ rateLimiter: noGlobalLimit() });
    for (const expected of [5, 10, 20, 40]) {
      q.addRateLimited('a');
      await vi.advanceTimersByTimeAsync(expected - 1);
      expect(q.length, `not before ${expected} ms`).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(q.length, `at ${expected} ms`).toBe(1);
      expect(await q.get()).toBe('a');
      q.done('a');
    }
    expect(q.retries('a')).toBe(4);
    q.forget('a');
    expect(q.retries('a')).toBe(0);
    q.addRateLimited('a');
    await vi.advanceTimersByTimeAsync(4);
    expect(q.length).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.length).toBe(1);
  });

  it('lets the earliest of several delayed adds win and a direct add bypass the delay', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 1_000);
    q.addAfter('a', 100);
    q.addAfter('a', 5_000);
    expect(q.pendingDelayed).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(q.length).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.length).toBe(1);
    expect(q.pendingDelayed).toBe(0);
  });

  it('drains on shutdown: queued keys are still handed out, new adds are ignored, then undefined', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    expect(await q.get()).toBe('a');
    q.addAfter('c', 10);
    q.shutDown();
    q.add('d');
    await vi.advanceTimersByTimeAsync(100);
    expect(await q.get()).toBe('b');
    expect(await q.get()).toBeUndefined();
    q.done('a');
    q.done('b');
    expect(q.inFlight).toBe(0);
  });

  it('wakes idle workers with undefined on shutdown, and shutDownNow drops what is queued', async () => {
    const q = new WorkQueue();
    const idle = q.get();
    q.shutDown();
    expect(await idle).toBeUndefined();
    const q2 = new WorkQueue();
    q2.add('a');
    q2.shutDownNow();
    expect(await q2.get()).toBeUndefined();
  });

  it('reports depth, adds, retries and in-flight time as workqueue_* metrics', async () => {
    const metrics = new Metrics();
    const q = new WorkQueue({ name: 'leases', metrics, rateLimiter: noGlobalLimit() });
    q.add('a');
    q.add('b');
    q.add('a');
    await q.get();
    await vi.advanceTimersByTimeAsync(2_000);
    q.addRateLimited('b');
    const text = (await metrics.render()).body;
    expect(text).toContain('workqueue_depth{name="leases",controller="leases"} 1');
    expect(text).toContain('workqueue_adds_total{name="leases",controller="leases"} 2');
    expect(text).toContain('workqueue_retries_total{name="leases",controller="leases"} 1');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="leases",controller="leases"} 2');
    expect(text).toContain('workqueue_unfinished_work_seconds{name="leases",controller="leases"} 2');
  });
});

describe('rate limiters', () => {
  it('ItemExponentialBackoff doubles from 5 ms and caps at 1000 s, per key', () => {
    const rl = new ItemExponentialBackoff();
    const seen = Array.from({ length: 30 }, () => rl.when('a'));
    expect(seen.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(seen.at(-1)).toBe(1_000_000);
    expect(rl.when('b')).toBe(5);
    rl.forget('a');
    expect(rl.when('a')).toBe(5);
  });

  it('TokenBucket allows a burst, then spaces requests at 1/qps, and refills with time', () => {
    let now = 0;
    const tb = new TokenBucket(2, 3, () => now);
    expect([tb.when('x'), tb.when('y'), tb.when('z')]).toEqual([0, 0, 0]);
    expect(tb.when('x')).toBe(500);
    expect(tb.when('x')).toBe(1_000);
    now += 10_000;
    expect(tb.when('x')).toBe(0);
  });

  it('MaxOfRateLimiter applies the global bucket even to a key with no failures', () => {
    const now = 0;
    const rl = new MaxOfRateLimiter(new ItemExponentialBackoff(5, 1000), new TokenBucket(1, 1, () => now));
    expect(rl.when('a')).toBe(5);
    expect(rl.when('b')).toBe(1_000);
  });

  it('backoffDelay grows exponentially, caps, and jitters within ±jitter', () => {
    const opts = { initialMs: 1_000, maxMs: 30_000, jitter: 0.2 };
    expect([1, 2, 3, 6, 10].map((n) => backoffDelay(n, opts, () => 0.5))).toEqual([1_000, 2_000, 4_000, 30_000, 30_000]);
    expect(backoffDelay(1, opts, () => 0)).toBe(800);
    expect(backoffDelay(1, opts, () => 1)).toBe(1_200);
  });
});
