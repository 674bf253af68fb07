/**
 * Kubernetes Events (events.k8s.io/v1) with client-go's aggregation (`tools/events`): the first
 * occurrence creates an Event; repeats of the same (regarding, related, reason, action, type) within
 * the series window are counted, written as `series` on the second occurrence and then at most once
 * per flush interval. Recording never throws and never blocks a reconcile: events are best effort.
 */
import type { KubeClient } from './client.ts';
import { errorMessage } from './errors.ts';
import { silentLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { KubeObject, ResourceRef } from './resource.ts';

export const EventRef: ResourceRef = { apiVersion: 'events.k8s.io/v1', kind: 'Event', plural: 'events', namespaced: true };

export interface EventInput {
  type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. `Applied`, `InvalidManifest`. */
  reason: string;
  /** What was done or failed, e.g. `Apply`, `Delete`. */
  action: string;
  /** Human-readable; cut to 1 kB (the API limit). Never put secrets here. */
  note?: string;
  related?: KubeObject;
}

export interface EventRecorderOptions {
  client: KubeClient;
  /** e.g. `akash-operator` (the Event's reportingController). */
  reportingController: string;
  /** e.g. the pod name (reportingInstance). */
  reportingInstance: string;
  metrics?: Metrics;
  log?: Logger;
  /** Repeats closer than this join the series (client-go: 6 min). */
  seriesWindowMs?: number;
  /** How often pending series counts are written (and stale series forgotten). */
  flushIntervalMs?: number;
  /** Bound on remembered series. */
  maxSeries?: number;
  now?: () => Date;
}

interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

interface Series {
  target: { name: string; namespace: string };
  count: number;
  written: number;
  lastObserved: Date;
  /** Writes of one series go one after another, so a series patch never overtakes the create. */
  chain: Promise<unknown>;
  created: boolean;
}

export class EventRecorder {
  private readonly opts: EventRecorderOptions;
  private readonly log: Logger;
  private readonly series = new Map<string, Series>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => Date;
  private seq = 0n;

  constructor(opts: EventRecorderOptions) {
    this.opts = opts;
    this.log = (opts.log ?? silentLogger()).child({ component: 'events' });
    this.now = opts.now ?? (() => new Date());
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 30_000);
    this.timer.unref();
  }

  /** Records an event about `regarding` (it needs apiVersion, kind and metadata.name). */
  record(regarding: KubeObject, input: EventInput): void {
    try {
      this.recordOrThrow(regarding, input);
    } catch (err) {
      this.log.warn({ err: errorMessage(err), reason: input.reason }, 'event not recorded');
    }
  }

  /** Writes pending series counts and forgets series older than the window. */
  async flush(): Promise<void> {
    const now = this.now().getTime();
    const window = this.opts.seriesWindowMs ?? 6 * 60_000;
    const writes: Promise<unknown>[] = [];
    for (const [key, s] of this.series) {
      if (s.count > s.written) writes.push(this.writeSeries(s));
      if (now - s.lastObserved.getTime() >= window) this.series.delete(key);
    }
    await Promise.all(writes);
  }

  /** Stops the flush timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await Promise.all([...this.series.values()].map((s) => s.chain));
  }

  private recordOrThrow(regarding: KubeObject, input: EventInput): void {
    const ref = reference(regarding);
    if (!ref.apiVersion || !ref.kind || !ref.name) throw new Error('event: regarding object needs apiVersion, kind and metadata.name');
    const related = input.related ? reference(input.related) : undefined;
    const id = (r: ObjectReference | undefined) => (r ? [r.apiVersion, r.kind, r.namespace, r.name, r.uid] : null);
    const key = JSON.stringify([id(ref), id(related), input.reason, input.action, input.type]);
    const now = this.now();
    const window = this.opts.seriesWindowMs ?? 6 * 60_000;
    const existing = this.series.get(key);
    if (existing && now.getTime() - existing.lastObserved.getTime() < window) {
      existing.count++;
      existing.lastObserved = now;
      // client-go writes the series at once on the second occurrence, later ones on flush.
      if (existing.count === 2) void this.writeSeries(existing);
      return;
    }
    const namespace = ref.namespace || 'default'; // client-go puts events of cluster-scoped objects in `default`
    const name = `${ref.name}.${(BigInt(now.getTime()) * 1_000_000n + (this.seq++ % 1_000_000n)).toString(16)}`;
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.opts.reportingController,
      reportingInstance: this.opts.reportingInstance,
      action: input.action,
      reason: input.reason,
      type: input.type,
      note: truncate(input.note ?? '', 1024),
      regarding: ref,
      ...(related ? { related } : {}),
    };
    const s: Series = { target: { name, namespace }, count: 1, written: 1, lastObserved: now, chain: Promise.resolve(), created: false };
    this.series.delete(key);
    this.series.set(key, s);
    this.trim();
    s.chain = this.opts.client.create(EventRef, body).then(
      () => {
        s.created = true;
        this.opts.metrics?.eventsRecorded.inc({ type: input.type, result: 'created' });
      },
      (err: unknown) => {
        this.opts.metrics?.eventsRecorded.inc({ type: input.type, result: 'error' });
        this.log.warn({ err: errorMessage(err), reason: input.reason }, 'event create failed');
      },
    );
  }

  private writeSeries(s: Series): Promise<unknown> {
    s.chain = s.chain.then(async () => {
      if (!s.created || s.count <= s.written) return;
      const count = s.count;
      try {
        await this.opts.client.mergePatch(EventRef, s.target, { series: { count, lastObservedTime: microTime(s.lastObserved) } });
        s.written = count;
        this.opts.metrics?.eventsRecorded.inc({ type: 'series', result: 'patched' });
      } catch (err) {
        this.opts.metrics?.eventsRecorded.inc({ type: 'series', result: 'error' });
        this.log.warn({ err: errorMessage(err), event: s.target.name }, 'event series update failed');
      }
    });
    return s.chain;
  }

  private trim(): void {
    const max = this.opts.maxSeries ?? 4096;
    for (const key of this.series.keys()) {
      if (this.series.size <= max) break;
      this.series.delete(key);
    }
  }
}

function reference(obj: KubeObject): ObjectReference {
  const { name, namespace, uid, resourceVersion } = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace, uid, resourceVersion };
}

/** metav1.MicroTime: six fractional digits. The API server rejects three (`.000Z` from toISOString). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function truncate(s: string, max: number): string {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length <= max) return s;
  // Cut on a character boundary: decoding a partial UTF-8 sequence would add U+FFFD.
  let cut = max - 3;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return `${bytes.subarray(0, cut).toString('utf8')}...`;
}
