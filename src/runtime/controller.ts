/**
 * A controller: informer events become keys in a WorkQueue, and N workers call the reconcile function
 * per key (result handling after controller-runtime's `reconcileHandler`). The reconciler reads the
 * current state from informer caches and converges; it never sees the event that triggered it.
 */
import { TerminalError, errorMessage } from './errors.ts';
import type { Informer, InformerEvent } from './informer.ts';
import { silentLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';
import { groupOf, objectKey, parseKey, type KubeObject } from './resource.ts';
import { WorkQueue } from './workqueue.ts';

export interface ReconcileResult {
  /** Reconcile again after this long (drift checks, waiting on time); resets the backoff. */
  requeueAfterMs?: number;
  /** Reconcile again after the rate limiter's backoff, without counting as an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  key: string;
  /** Undefined for cluster-scoped objects. */
  namespace: string | undefined;
  name: string;
  /** Aborted when shutdown passes its deadline: stop early, nothing will wait for you. */
  signal: AbortSignal;
  log: Logger;
  /** Failed attempts for this key since its last success. */
  retries: number;
}

/** Throw to retry with backoff; throw TerminalError for input no retry can fix. */
export type Reconciler = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult | void>;

/** A watched informer whose changes enqueue primary keys. */
export interface WatchSource<T extends KubeObject = KubeObject> {
  // Sources of different kinds sit in one array; `any` keeps each entry's own map/filter typed by its informer.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  informer: Informer<T> | Informer<any>;
  /** Primary keys to reconcile when `obj` changes. */
  map?: (obj: T) => string[];
  /** Return false to ignore an event (e.g. a status-only update). */
  filter?: (event: InformerEvent<T>) => boolean;
}

export interface ControllerOptions<P extends KubeObject = KubeObject> {
  /** Names the controller in logs and metrics (`controller` label). */
  name: string;
  /** The primary kind: each of its objects is one key. */
  for: Informer<P>;
  /** Ignore some primary events (e.g. `generationChanged`). */
  forFilter?: (event: InformerEvent<P>) => boolean;
  /**
   * Children: a change enqueues the owner named by the child's controller ownerReference to the
   * primary kind (override with `map`, e.g. to map by label).
   */
  owns?: WatchSource[];
  /** Other kinds, each with a `map` to primary keys. */
  watches?: (WatchSource & { map: (obj: KubeObject) => string[] })[];
  reconcile: Reconciler;
  /** Keys reconciled at once (different keys; one key is never reconciled twice at a time). Default 1. */
  concurrency?: number;
  rateLimiter?: RateLimiter;
  metrics?: Metrics;
  log?: Logger;
}

export class Controller<P extends KubeObject = KubeObject> {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly opts: ControllerOptions<P>;
  private readonly log: Logger;
  private readonly concurrency: number;
  private readonly abort = new AbortController();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly informers: Informer<KubeObject>[];
  private workers: Promise<void>[] | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(opts: ControllerOptions<P>) {
    this.opts = opts;
    this.name = opts.name;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.log = (opts.log ?? silentLogger()).child({ controller: opts.name });
    this.queue = new WorkQueue({ name: opts.name, rateLimiter: opts.rateLimiter, metrics: opts.metrics });
    opts.metrics?.controller(opts.name, this.concurrency);

    const primary = opts.for.resource;
    const ownerMap = (obj: KubeObject): string[] => {
      const refs = obj.metadata.ownerReferences ?? [];
      return refs
        .filter((r) => r.controller && r.kind === primary.kind && groupOf(r.apiVersion) === groupOf(primary.apiVersion))
        .map((r) => (primary.namespaced && obj.metadata.namespace ? `${obj.metadata.namespace}/${r.name}` : r.name));
    };
    const sources: WatchSource[] = [
      { informer: opts.for, map: (o) => [objectKey(o)], filter: opts.forFilter as WatchSource['filter'] },
      ...(opts.owns ?? []).map((s) => ({ ...s, map: s.map ?? ownerMap })),
      ...(opts.watches ?? []),
    ];
    this.informers = sources.map((s) => s.informer);
    for (const source of sources) this.unsubscribe.push(source.informer.on((event) => this.onEvent(source, event)));
  }

  /** Adds a key by hand (e.g. from a timer or another component). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /**
   * Starts the informers (shared ones are started once), waits until all are synced, then starts the
   * workers. Rejects if `signal` aborts before the caches are synced.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error(`controller ${this.name}: start called twice`);
    this.state = 'starting';
    for (const inf of this.informers) inf.start();
    await Promise.all(this.informers.map((inf) => inf.waitForSync(signal)));
    if (this.state !== 'starting') return; // stopped while waiting
    this.state = 'running';
    this.workers = Array.from({ length: this.concurrency }, () => this.worker());
    this.log.info({ concurrency: this.concurrency, queued: this.queue.length }, 'caches synced; workers started');
  }

  /**
   * Stops taking new keys, lets workers finish what is queued and in flight until `deadlineMs`, then
   * aborts the reconcile signal and drops the rest. Resolves true when everything finished in time.
   */
  async stop(deadlineMs = 30_000): Promise<boolean> {
    if (this.state === 'stopped') return true;
    this.state = 'stopped';
    for (const off of this.unsubscribe) off();
    this.queue.shutDown();
    if (!this.workers) {
      this.queue.shutDownNow();
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const drained = await Promise.race([Promise.all(this.workers).then(() => true as const), deadline]);
    clearTimeout(timer);
    if (!drained) {
      this.log.warn({ inFlight: this.queue.inFlight, queued: this.queue.length }, 'shutdown deadline passed; aborting reconciles');
      this.abort.abort();
      this.queue.shutDownNow();
    }
    return drained;
  }

  private onEvent(source: WatchSource, event: InformerEvent<KubeObject>): void {
    if (source.filter && !source.filter(event)) return;
    const map = source.map as (obj: KubeObject) => string[];
    // A changed owner or label may move a child to another primary: reconcile the old one too. One
    // Set, because an idle worker takes a key at once and a second add would run it twice.
    const keys = new Set(map(event.object));
    if (event.type === 'update') for (const key of map(event.old)) keys.add(key);
    for (const key of keys) this.queue.add(key);
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const { metrics } = this.opts;
    const labels = { controller: this.name };
    const { namespace, name } = parseKey(key);
    const log = this.log.child({ key });
    const ctx: ReconcileContext = { key, namespace, name, signal: this.abort.signal, log, retries: this.queue.retries(key) };
    const started = Date.now();
    metrics?.activeWorkers.inc(labels);
    let result: 'success' | 'error' | 'requeue' | 'requeue_after';
    try {
      const res = (await this.opts.reconcile(key, ctx)) ?? {};
      if (res.requeueAfterMs !== undefined && res.requeueAfterMs > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, res.requeueAfterMs);
        result = 'requeue_after';
      } else if (res.requeue) {
        this.queue.addRateLimited(key);
        result = 'requeue';
      } else {
        this.queue.forget(key);
        result = 'success';
      }
    } catch (err) {
      result = 'error';
      metrics?.reconcileErrors.inc(labels);
      if (err instanceof TerminalError) {
        // Bad input: retrying cannot help. The next change of the object enqueues it again.
        metrics?.terminalReconcileErrors.inc(labels);
        this.queue.forget(key);
        log.error({ err: errorMessage(err) }, 'reconcile failed terminally; not retrying');
      } else {
        this.queue.addRateLimited(key);
        log.warn({ err: errorMessage(err), retries: ctx.retries + 1 }, 'reconcile failed; retrying with backoff');
      }
    } finally {
      metrics?.activeWorkers.dec(labels);
      metrics?.reconcileTime.observe(labels, (Date.now() - started) / 1000);
      this.queue.done(key);
    }
    metrics?.reconcileTotal.inc({ ...labels, result });
  }
}

/** A `forFilter` that ignores updates which do not change metadata.generation (status-only writes). */
export function generationChanged(event: InformerEvent<KubeObject>): boolean {
  if (event.type !== 'update') return true;
  return event.old.metadata.generation !== event.object.metadata.generation || event.object.metadata.deletionTimestamp !== event.old.metadata.deletionTimestamp;
}
