/**
 * Prometheus metrics with controller-runtime's and client-go's names (dashboards and alerts written for
 * Go operators work unchanged), plus our own under a prefix. One `Metrics` per process in production;
 * tests make their own so registries do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsOptions {
  /** Defaults to a fresh registry. */
  registry?: Registry;
  /** Prefix of our own metrics (API writes, watch restarts, relists). */
  prefix?: string;
  /** Add prom-client's `process_*` and `nodejs_*` metrics. Off by default (tests). */
  collectDefaults?: boolean;
}

/** What a work queue reports about itself when Prometheus scrapes. */
export interface QueueProbe {
  /** Sum over in-flight items of the seconds each has been processing. */
  unfinishedWorkSeconds(): number;
  /** Seconds the longest in-flight item has been processing. */
  longestRunningSeconds(): number;
}

/** Per-queue metric hooks, bound to one queue's labels. */
export interface QueueMetrics {
  add(): void;
  depth(n: number): void;
  queued(seconds: number): void;
  worked(seconds: number): void;
  retry(): void;
}

// controller-runtime pkg/internal/controller/metrics: reconcile time buckets.
const reconcileBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75,
  2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// controller-runtime pkg/metrics/workqueue.go: prometheus.ExponentialBuckets(10e-9, 10, 12).
/** client-go's buckets for rest_client_request_duration_seconds. */
const requestBuckets = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
const queueBuckets = Array.from({ length: 12 }, (_, i) => 10e-9 * 10 ** i);

export class Metrics {
  readonly registry: Registry;
  readonly prefix: string;

  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;

  readonly queueDepth: Gauge<'name' | 'controller'>;
  readonly queueAdds: Counter<'name' | 'controller'>;
  readonly queueDuration: Histogram<'name' | 'controller'>;
  readonly workDuration: Histogram<'name' | 'controller'>;
  readonly queueRetries: Counter<'name' | 'controller'>;

  readonly restRequests: Counter<'code' | 'method' | 'host'>;
  /** client-go's name: request latency as this process sees it (queueing in the client included). */
  readonly restLatency: Histogram<'verb' | 'host'>;
  /** Every write request the operator sends (create, update, patch, apply, delete), by verb and resource. */
  readonly apiWrites: Counter<'verb' | 'resource'>;
  readonly watchRestarts: Counter<'resource' | 'reason'>;
  readonly informerRelists: Counter<'resource'>;
  readonly informerLastEvent: Gauge<'resource'>;
  readonly eventsRecorded: Counter<'type' | 'result'>;

  private readonly probes = new Map<string, QueueProbe>();

  constructor(opts: MetricsOptions = {}) {
    this.registry = opts.registry ?? new Registry();
    this.prefix = opts.prefix ?? 'akash_operator';
    const registers = [this.registry];
    if (opts.collectDefaults) collectDefaultMetrics({ register: this.registry });
    const c = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const g = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const h = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      new Histogram<L>({ name, help, labelNames, buckets, registers });

    this.reconcileTotal = c('controller_runtime_reconcile_total', 'Total number of reconciliations per controller', [
      'controller',
      'result',
    ]);
    this.reconcileErrors = c('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller', ['controller']);
    this.terminalReconcileErrors = c(
      'controller_runtime_terminal_reconcile_errors_total',
      'Total number of terminal reconciliation errors per controller',
      ['controller'],
    );
    this.reconcileTime = h('controller_runtime_reconcile_time_seconds', 'Length of time per reconciliation per controller', ['controller'], reconcileBuckets);
    this.maxConcurrentReconciles = g('controller_runtime_max_concurrent_reconciles', 'Maximum number of concurrent reconciles per controller', ['controller']);
    this.activeWorkers = g('controller_runtime_active_workers', 'Number of currently used workers per controller', ['controller']);

    const q = ['name', 'controller'] as ('name' | 'controller')[];
    this.queueDepth = g('workqueue_depth', 'Current depth of workqueue', q);
    this.queueAdds = c('workqueue_adds_total', 'Total number of adds handled by workqueue', q);
    this.queueDuration = h('workqueue_queue_duration_seconds', 'How long in seconds an item stays in workqueue before being requested', q, queueBuckets);
    this.workDuration = h('workqueue_work_duration_seconds', 'How long in seconds processing an item from workqueue takes', q, queueBuckets);
    this.queueRetries = c('workqueue_retries_total', 'Total number of retries handled by workqueue', q);
    const probes = this.probes;
    new Gauge<'name' | 'controller'>({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration',
      labelNames: q,
      registers,
      collect() {
        for (const [name, p] of probes) this.set({ name, controller: name }, p.unfinishedWorkSeconds());
      },
    });
    new Gauge<'name' | 'controller'>({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running',
      labelNames: q,
      registers,
      collect() {
        for (const [name, p] of probes) this.set({ name, controller: name }, p.longestRunningSeconds());
      },
    });

    this.restRequests = c('rest_client_requests_total', 'Number of HTTP requests, partitioned by status code, method, and host', [
      'code',
      'method',
      'host',
    ]);
    this.restLatency = h('rest_client_request_duration_seconds', 'Request latency in seconds. Broken down by verb and host.', ['verb', 'host'], requestBuckets);
    const p = this.prefix;
    this.apiWrites = c(`${p}_api_writes_total`, 'Write requests sent to the API server, by verb and resource', ['verb', 'resource']);
    this.watchRestarts = c(`${p}_watch_restarts_total`, 'Watch restarts by resource and reason', ['resource', 'reason']);
    this.informerRelists = c(`${p}_informer_relists_total`, 'Full lists made by informers', ['resource']);
    this.informerLastEvent = g(`${p}_informer_last_event_timestamp_seconds`, 'Unix time of the last watch event or bookmark', ['resource']);
    this.eventsRecorded = c(`${p}_events_total`, 'Kubernetes Events recorded, by type and outcome', ['type', 'result']);
  }

  /** Hooks for the work queue of controller `name`; the queue's probe feeds the in-flight gauges. */
  queue(name: string, probe: QueueProbe): QueueMetrics {
    this.probes.set(name, probe);
    const labels = { name, controller: name };
    this.queueDepth.set(labels, 0);
    return {
      add: () => this.queueAdds.inc(labels),
      depth: (n) => this.queueDepth.set(labels, n),
      queued: (s) => this.queueDuration.observe(labels, s),
      worked: (s) => this.workDuration.observe(labels, s),
      retry: () => this.queueRetries.inc(labels),
    };
  }

  /** Zero-initialises a controller's series so they show up before the first reconcile. */
  controller(name: string, concurrency: number): void {
    this.maxConcurrentReconciles.set({ controller: name }, concurrency);
    this.activeWorkers.set({ controller: name }, 0);
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) this.reconcileTotal.inc({ controller: name, result }, 0);
    this.reconcileErrors.inc({ controller: name }, 0);
    this.terminalReconcileErrors.inc({ controller: name }, 0);
  }

  /** Prometheus text exposition of everything registered. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
