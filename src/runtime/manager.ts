/**
 * Owns the shared informers and the controllers of one process and starts/stops them together.
 * `start(signal)` / `stop()` are the hook for leader election: the elected replica starts the
 * manager, losing the lease aborts the signal. Metrics and health are served by every replica
 * (see server.ts), so they live outside the manager.
 */
import type { KubeClient } from './client.ts';
import { Controller, type ControllerOptions } from './controller.ts';
import { Informer, type InformerOptions } from './informer.ts';
import { silentLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { KubeObject, ResourceRef } from './resource.ts';

export interface ManagerOptions {
  client: KubeClient;
  metrics?: Metrics;
  log?: Logger;
  /** Defaults for every informer (timeouts, backoff, page size). */
  informerDefaults?: Partial<Pick<InformerOptions<KubeObject>, 'timeoutSeconds' | 'idleTimeoutMs' | 'pageSize' | 'backoff'>>;
  /** How long `stop` lets in-flight reconciles finish. controller-runtime's default is 30 s. */
  shutdownDeadlineMs?: number;
}

export interface InformerSelector<T extends KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Only honoured by the first request for a given resource and selector (the informer is shared). */
  transform?: (obj: T) => T;
}

export class Manager {
  readonly client: KubeClient;
  readonly metrics: Metrics | undefined;
  readonly log: Logger;
  private readonly opts: ManagerOptions;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly controllers: Controller<KubeObject>[] = [];
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.client = opts.client;
    this.metrics = opts.metrics;
    this.log = opts.log ?? silentLogger();
  }

  /** The shared informer for `resource` with these selectors (one watch per distinct selection). */
  informer<T extends KubeObject>(resource: ResourceRef, sel: InformerSelector<T> = {}): Informer<T> {
    const id = [resource.apiVersion, resource.plural, sel.namespace ?? '', sel.labelSelector ?? '', sel.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(id) as Informer<T> | undefined;
    if (!inf) {
      inf = new Informer<T>({
        ...this.opts.informerDefaults,
        ...sel,
        client: this.client,
        resource,
        metrics: this.metrics,
        log: this.log,
      });
      this.informers.set(id, inf as unknown as Informer<KubeObject>);
      if (this.state === 'started') inf.start();
    }
    return inf;
  }

  /** Registers a controller; add all of them before `start`. */
  controller<P extends KubeObject>(opts: Omit<ControllerOptions<P>, 'metrics' | 'log'>): Controller<P> {
    if (this.state !== 'new') throw new Error(`manager: controller '${opts.name}' added after start`);
    if (this.controllers.some((c) => c.name === opts.name)) throw new Error(`manager: controller '${opts.name}' registered twice`);
    const ctl = new Controller<P>({ ...opts, metrics: this.metrics, log: this.log });
    this.controllers.push(ctl as unknown as Controller<KubeObject>);
    return ctl;
  }

  /**
   * Starts all informers, waits for their caches, then starts every controller's workers. Aborting
   * `signal` stops the manager. Can be called once.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error('manager: start called twice (a stopped manager cannot restart)');
    if (signal?.aborted) throw new Error('manager: start with an already aborted signal');
    this.state = 'started';
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    for (const inf of this.informers.values()) inf.start();
    await Promise.all(this.controllers.map((c) => c.start(signal)));
    this.log.info({ informers: this.informers.size, controllers: this.controllers.length }, 'manager started');
  }

  /** True when every informer has synced: what `/readyz` reports. */
  ready(): boolean {
    if (this.state !== 'started') return false;
    for (const inf of this.informers.values()) if (!inf.synced) return false;
    return true;
  }

  /** Stops the controllers (draining until the deadline), then the informers. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    const deadline = this.opts.shutdownDeadlineMs ?? 30_000;
    const drained = await Promise.all(this.controllers.map((c) => c.stop(deadline)));
    await Promise.all([...this.informers.values()].map((inf) => inf.stop()));
    this.log.info({ drained: drained.every(Boolean) }, 'manager stopped');
  }
}
