/**
 * List + watch of one resource into a Store, with what client-node's ListWatch lacks (see
 * docs/adr/0001-controller-runtime.md): bookmarks and a server timeout on every watch, an idle
 * watchdog, restart after any failure with jittered exponential backoff, relist on 410 Gone with a
 * diff against the cache (deletes missed during a gap are recovered), paged lists, and a synced state.
 */
import type { KubeClient } from './client.ts';
import { errorMessage, isGone } from './errors.ts';
import { silentLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { backoffDelay, type BackoffOptions } from './rate-limit.ts';
import { objectKey, type KubeObject, type ResourceRef } from './resource.ts';
import { Store, type ListFilter } from './store.ts';

export type InformerEvent<T> =
  | { type: 'add'; object: T }
  | { type: 'update'; object: T; old: T }
  | { type: 'delete'; object: T };

/** Handlers run synchronously inside the watch loop: enqueue keys, nothing more. Throws are logged. */
export type InformerHandler<T> = (event: InformerEvent<T>) => void;

export interface InformerOptions<T extends KubeObject> {
  client: Pick<KubeClient, 'list' | 'watch'>;
  resource: ResourceRef;
  /** Watch one namespace only (namespaced kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side end of each watch; kube-rs and client-go use about 5 minutes. */
  timeoutSeconds?: number;
  /** No event or bookmark for this long → the watch is presumed dead and restarted. */
  idleTimeoutMs?: number;
  pageSize?: number;
  backoff?: Partial<BackoffOptions>;
  /** Applied to every object before it is cached. Default: drop managedFields (half the memory) and share repeated strings. */
  transform?: (obj: T) => T;
  metrics?: Metrics;
  log?: Logger;
  /** Jitter source, for tests. */
  random?: () => number;
}

type WatchEnd = 'closed' | 'gone' | 'error' | 'idle' | 'stopped';

// A watch that ends this fast without a single event counts as a failure, so a server that closes
// watches at once gets backoff instead of a tight reconnect loop (kubernetes-client/javascript#1933).
const QUICK_CLOSE_MS = 5_000;

export class Informer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceRef;
  readonly store = new Store<T>();
  private readonly opts: InformerOptions<T>;
  private readonly log: Logger;
  private readonly backoff: BackoffOptions;
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly transform: (obj: T) => T;
  private resourceVersion = '';
  private failures = 0;
  private hasSynced = false;
  private syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly stopSignal = new AbortController();
  private endWatch: ((how: WatchEnd, err?: unknown) => void) | undefined;

  constructor(opts: InformerOptions<T>) {
    this.opts = opts;
    this.resource = opts.resource;
    const where = opts.namespace ? ` in ${opts.namespace}` : '';
    this.log = (opts.log ?? silentLogger()).child({ informer: `${opts.resource.plural}${where}` });
    this.backoff = { initialMs: 1_000, maxMs: 30_000, jitter: 0.2, ...opts.backoff };
    this.transform = opts.transform ?? compactForCache;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  on(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.store.get(name, namespace);
  }

  getByKey(key: string): T | undefined {
    return this.store.getByKey(key);
  }

  list(filter?: ListFilter): T[] {
    return this.store.list(filter);
  }

  /** True once the first full list is in the cache; stays true across later restarts (client-go's HasSynced). */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** The resourceVersion the next watch starts from (`''` → relist first). */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Starts the list/watch loop in the background. Idempotent. */
  start(): void {
    if (this.stopped) throw new Error(`informer ${this.resource.plural}: start after stop`);
    this.running ??= this.run();
  }

  /** Resolves when synced; rejects when `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error(`informer ${this.resource.plural}: stopped before sync`));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.syncWaiters.push(waiter);
      signal?.addEventListener('abort', () => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        reject(new Error(`informer ${this.resource.plural}: aborted before sync`));
      }, { once: true });
    });
  }

  /** Ends the current watch and the loop; the cache keeps its last contents. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSignal.abort();
    this.endWatch?.('stopped');
    for (const w of this.syncWaiters) w.reject(new Error(`informer ${this.resource.plural}: stopped before sync`));
    this.syncWaiters = [];
    await this.running;
  }

  private async run(): Promise<void> {
    let relist = true;
    while (!this.stopped) {
      if (this.failures > 0) {
        const ms = backoffDelay(this.failures, this.backoff, this.opts.random);
        this.log.debug({ failures: this.failures, delayMs: ms }, 'backing off before restart');
        await sleep(ms, this.stopSignal.signal);
        if (this.stopped) break;
      }
      const listed = relist || !this.resourceVersion;
      if (listed) {
        try {
          await this.relist();
          relist = false;
        } catch (err) {
          this.failures++;
          this.restarted('list_error', err);
          continue;
        }
      }
      if (this.stopped) break;
      const started = Date.now();
      const { how, sawEvent, err } = await this.watchOnce();
      if (how === 'stopped') break;
      const quickAndEmpty = !sawEvent && Date.now() - started < QUICK_CLOSE_MS;
      if (how === 'error') this.failures++;
      else if (how === 'closed' && quickAndEmpty) this.failures++;
      // A 410 on resuming an old version is routine (relist at once); a 410 right after a fresh list is not.
      else if (how === 'gone' && quickAndEmpty && listed) this.failures++;
      if (how === 'gone') relist = true;
      this.restarted(how, err);
    }
  }

  private restarted(reason: string, err?: unknown): void {
    this.opts.metrics?.watchRestarts.inc({ resource: this.resource.plural, reason });
    const fields = { reason, failures: this.failures, resourceVersion: this.resourceVersion };
    if (reason === 'error' || reason === 'list_error') this.log.warn({ ...fields, err: errorMessage(err) }, 'watch failed; restarting');
    else this.log.debug(fields, 'watch ended; restarting');
  }

  /** Lists everything (paged), swaps the cache at once and emits the difference to the old cache. */
  private async relist(): Promise<void> {
    this.opts.metrics?.informerRelists.inc({ resource: this.resource.plural });
    const { client, resource, namespace, labelSelector, fieldSelector } = this.opts;
    const fresh = new Map<string, T>();
    let limit: number | undefined = this.opts.pageSize ?? 500;
    let cont: string | undefined;
    let rv = '';
    for (;;) {
      let page;
      try {
        page = await client.list<T>(resource, { namespace, labelSelector, fieldSelector, limit, continue: cont });
      } catch (err) {
        // The continue token expired mid-list: start over without paging (client-go does the same).
        if (cont !== undefined && isGone(err)) {
          fresh.clear();
          cont = undefined;
          limit = undefined;
          continue;
        }
        throw err;
      }
      if (cont === undefined) rv = page.metadata?.resourceVersion ?? '';
      for (const item of page.items) {
        const obj = this.transform(item);
        fresh.set(objectKey(obj), obj);
      }
      cont = page.metadata?.continue || undefined;
      if (cont === undefined) break;
    }

    const old = this.store.replace(fresh);
    this.resourceVersion = rv;
    for (const [key, obj] of old) if (!fresh.has(key)) this.emit({ type: 'delete', object: obj });
    for (const [key, obj] of fresh) {
      const before = old.get(key);
      if (!before) this.emit({ type: 'add', object: obj });
      else if (before.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit({ type: 'update', object: obj, old: before });
    }
    this.log.debug({ objects: fresh.size, resourceVersion: rv }, 'listed');
    if (!this.hasSynced) {
      this.hasSynced = true;
      for (const w of this.syncWaiters) w.resolve();
      this.syncWaiters = [];
    }
  }

  /** One watch request, from the current resourceVersion until it ends one way or another. */
  private watchOnce(): Promise<{ how: WatchEnd; sawEvent: boolean; err?: unknown }> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.opts;
    const timeoutSeconds = this.opts.timeoutSeconds ?? 290;
    const idleMs = this.opts.idleTimeoutMs ?? (timeoutSeconds + 5) * 1000;
    return new Promise((resolve) => {
      let finished = false;
      let sawEvent = false;
      let abort: AbortController | undefined;
      let watchdog: NodeJS.Timeout | undefined;
      const end = (how: WatchEnd, err?: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        this.endWatch = undefined;
        abort?.abort();
        resolve({ how, sawEvent, err });
      };
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => end('idle'), idleMs);
      };
      this.endWatch = end;
      arm();
      const onEvent = (type: string, raw: unknown) => {
        // Callbacks of a watch we already ended (aborted) must not touch the cache.
        if (finished) return;
        arm();
        if (type === 'ERROR') {
          const status = raw as { code?: number; message?: string } | undefined;
          if (status?.code === 410) end('gone');
          else end('error', new Error(`watch ERROR event: ${status?.code ?? '?'} ${status?.message ?? ''}`));
          return;
        }
        sawEvent = true;
        this.failures = 0;
        this.opts.metrics?.informerLastEvent.set({ resource: resource.plural }, Date.now() / 1000);
        try {
          this.apply(type, raw as T);
        } catch (err) {
          this.log.error({ err: errorMessage(err), type }, 'malformed watch event ignored');
        }
      };
      const onDone = (err: unknown) => {
        if (finished) return;
        if (!err) end('closed');
        else if (isGone(err)) end('gone', err);
        // client-node's own inactivity timeout fired: same as our watchdog.
        else if ((err as { name?: unknown }).name === 'TimeoutError') end('idle', err);
        else end('error', err);
      };
      const query = { namespace, labelSelector, fieldSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
      client.watch(resource, query, onEvent, onDone).then(
        (controller) => {
          abort = controller;
          if (finished) controller.abort();
        },
        (err: unknown) => end('error', err),
      );
    });
  }

  private apply(type: string, raw: T): void {
    const rv = raw?.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
    const obj = this.transform(raw);
    const key = objectKey(obj);
    if (type === 'DELETED') {
      const old = this.store.delete(key);
      if (old) this.emit({ type: 'delete', object: obj });
    } else {
      const old = this.store.set(obj);
      if (!old) this.emit({ type: 'add', object: obj });
      else if (old.metadata.resourceVersion !== rv) this.emit({ type: 'update', object: obj, old });
    }
    if (rv) this.resourceVersion = rv;
  }

  private emit(event: InformerEvent<T>): void {
    for (const h of this.handlers) {
      try {
        h(event);
      } catch (err) {
        this.log.error({ err: errorMessage(err), event: event.type }, 'informer handler threw; it must only enqueue');
      }
    }
  }
}

/** Drops metadata.managedFields, which controllers rarely read and which doubles an object's memory. */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Strings longer than this are rarely repeated across objects; hashing them is not worth it. */
const MAX_INTERNED = 256;

/**
 * V8's copy of `s` from its string table: the same characters in every cached object share one
 * string. JSON.parse gives each object its own copy of every value — namespace, lease labels,
 * owner uids, image names repeat in the ~13 objects of a lease. The table is weak: a string no
 * object holds any more is collected, so nothing leaks as leases come and go. (A property key is
 * internalized; reading it back returns the table's copy.)
 */
function intern(s: string): string {
  if (s.length > MAX_INTERNED) return s;
  for (const k in { [s]: 0 }) return k;
  return s;
}

/** Interns, in place, every string value and key of a freshly parsed object (see `intern`). */
export function internStrings<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') value[i] = intern(v);
      else if (v !== null && typeof v === 'object') internStrings(v);
    }
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === 'string') o[k] = intern(v);
      else if (v !== null && typeof v === 'object') internStrings(v);
    }
  }
  return value;
}

/** The default cache transform: no managedFields, repeated strings shared. */
export function compactForCache<T extends KubeObject>(obj: T): T {
  return internStrings(stripManagedFields(obj));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
