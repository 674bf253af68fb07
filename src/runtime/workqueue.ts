/**
 * A work queue of keys with client-go's semantics (`util/workqueue`): a key queued twice is queued
 * once; a key added while it is being processed is processed again after `done`, so one key is never
 * reconciled twice at the same time; retries are delayed by a rate limiter; delayed adds keep the
 * earliest deadline per key.
 */
import type { Metrics, QueueMetrics } from './metrics.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limit.ts';

export interface WorkQueueOptions {
  /** Names the queue in metrics (`workqueue_*{name}`); the controller's name. */
  name?: string;
  rateLimiter?: RateLimiter;
  metrics?: Metrics;
}

export class WorkQueue {
  readonly name: string;
  private readonly limiter: RateLimiter;
  private readonly metrics: QueueMetrics | undefined;
  // FIFO as array + head index: shift() would make an initial sync of n keys O(n²).
  private items: string[] = [];
  private head = 0;
  /** Keys that need processing: queued, or added again while processing. */
  private readonly dirty = new Set<string>();
  /** Keys being processed → start time (ms). */
  private readonly processing = new Map<string, number>();
  /** Keys in `dirty` → time they were added (ms), for queue_duration. */
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.name = opts.name ?? 'queue';
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter();
    this.metrics = opts.metrics?.queue(this.name, {
      unfinishedWorkSeconds: () => this.unfinishedWorkSeconds(),
      longestRunningSeconds: () => this.longestRunningSeconds(),
    });
  }

  /** Marks `key` for processing. No-op when it is already queued or the queue is shutting down. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, Date.now());
    this.metrics?.add();
    if (this.processing.has(key)) return; // re-queued by done()
    this.push(key);
  }

  /** Adds `key` after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Adds `key` after the rate limiter's delay (a retry after a failure). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.retry();
    this.addAfter(key, this.limiter.when(key));
  }

  /** Resets the backoff of `key` (after a success). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** Failures counted for `key` since the last `forget`. */
  retries(key: string): number {
    return this.limiter.retries(key);
  }

  /**
   * The next key to process, waiting until there is one. After `shutDown` it still hands out what is
   * queued (the drain); `undefined` means the queue is shut down and empty.
   */
  get(): Promise<string | undefined> {
    if (this.head < this.items.length) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends processing of `key`; if it was added meanwhile it goes back to the queue. */
  done(key: string): void {
    const start = this.processing.get(key);
    if (start === undefined) return;
    this.processing.delete(key);
    this.metrics?.worked((Date.now() - start) / 1000);
    if (this.dirty.has(key)) this.push(key);
    else if (this.shuttingDown) this.wakeIfDrained();
  }

  /** Stops accepting adds and cancels delayed adds; queued keys are still handed out. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.wakeIfDrained();
  }

  /** Shuts down and drops the queued keys: `get` returns `undefined` from now on. */
  shutDownNow(): void {
    this.shutDown();
    for (let i = this.head; i < this.items.length; i++) {
      const key = this.items[i] as string;
      this.dirty.delete(key);
      this.addedAt.delete(key);
    }
    this.items = [];
    this.head = 0;
    this.metrics?.depth(0);
    this.wakeIfDrained();
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Keys being processed. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Keys waiting for a delayed add (RequeueAfter, backoff). */
  get pendingDelayed(): number {
    return this.delayed.size;
  }

  unfinishedWorkSeconds(): number {
    const now = Date.now();
    let sum = 0;
    for (const start of this.processing.values()) sum += now - start;
    return sum / 1000;
  }

  longestRunningSeconds(): number {
    const now = Date.now();
    let max = 0;
    for (const start of this.processing.values()) max = Math.max(max, now - start);
    return max / 1000;
  }

  private push(key: string): void {
    this.items.push(key);
    this.metrics?.depth(this.length);
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take());
  }

  private take(): string {
    const key = this.items[this.head] as string;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    const now = Date.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    this.metrics?.depth(this.length);
    this.metrics?.queued((now - (this.addedAt.get(key) ?? now)) / 1000);
    this.addedAt.delete(key);
    return key;
  }

  private wakeIfDrained(): void {
    if (this.length > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }
}
