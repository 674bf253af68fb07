/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection` does it:
 * acquire or renew with a conditional PUT (resourceVersion; 409 = another replica won the race),
 * judge expiry by the local time the record last changed (never by the holder's clock,
 * kubernetes-client/csharp#1599), give up when a renewal has not succeeded within the renew
 * deadline, and release on a graceful stop so the standby takes over within one retry period.
 * No fencing: the manager must stop writing the moment `signal` aborts.
 */
import { randomBytes } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import type { KubeClient } from './client.ts';
import { errorMessage, isConflict } from './errors.ts';
import { microTime } from './events.ts';
import { silentLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { KubeObject, ResourceRef } from './resource.ts';

export const CoordinationLeaseRef: ResourceRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true };

/** `spec` of a coordination.k8s.io/v1 Lease, as far as leader election uses it. */
export interface LeaderElectionRecord {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface CoordinationLease extends KubeObject {
  spec?: LeaderElectionRecord;
}

export interface LeaderElectorOptions {
  /** A client of its own: its writes are heartbeats, not reconcile writes (docs/adr/0003). */
  client: KubeClient;
  /** Name and namespace of the coordination Lease. */
  name: string;
  namespace: string;
  /** Unique per process: `leaderIdentity(podName)`. */
  identity: string;
  /** How long a standby waits after the record last changed before taking over. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up when no renewal succeeded for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Time between attempts (acquire and renew). Default 2 s. */
  retryPeriodMs?: number;
  /**
   * Acquire attempts wait `retryPeriod · (1 + random · jitter)`. client-go uses 1.2; we default to
   * 0.2 so a graceful handover stays within ~one retry period (two replicas need no herd control).
   */
  jitter?: number;
  metrics?: Metrics;
  log?: Logger;
  /** Clocks for tests; both default to the real ones. */
  now?: () => number;
  random?: () => number;
}

export interface LeaderCallbacks {
  /** Called once when this replica becomes leader; `signal` aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called once when leadership is lost (not on a graceful stop): the process must exit. */
  onStoppedLeading?(reason: Error): void;
  /** Called whenever another holder is observed (including on start). */
  onNewLeader?(identity: string): void;
}

type State = 'new' | 'standby' | 'leading' | 'stopping' | 'stopped' | 'lost';

/** `<pod>_<random>`: unique even when a pod restarts under the same name (client-go: hostname + uuid). */
export function leaderIdentity(podName: string): string {
  return `${podName}_${randomBytes(6).toString('hex')}`;
}

export class LeaderElector {
  readonly identity: string;
  readonly name: string;
  readonly namespace: string;
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly jitter: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly status: Gauge<'name'> | undefined;
  private readonly writes: Counter<'name' | 'verb' | 'result'> | undefined;

  private state: State = 'new';
  private callbacks: LeaderCallbacks | undefined;
  /** The Lease as last read or written, and the local time its spec last changed. */
  private observed: CoordinationLease | undefined;
  private observedAt: number | undefined;
  /** Local time of the last successful API answer (read or write): readiness of a standby. */
  private lastContactAt: number | undefined;
  private lastRenewAt = 0;
  private lastError = '';
  private leading: AbortController | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private readonly wake = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(opts: LeaderElectorOptions) {
    this.client = opts.client;
    this.name = opts.name;
    this.namespace = opts.namespace;
    this.identity = opts.identity;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.jitter = opts.jitter ?? 0.2;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.log = (opts.log ?? silentLogger()).child({ component: 'leader-election', lease: `${this.namespace}/${this.name}`, identity: this.identity });
    checkDurations(this.leaseDurationMs, this.renewDeadlineMs, this.retryPeriodMs, this.jitter);
    if (!this.identity) throw new Error('leader election: identity must not be empty');
    if (opts.metrics) {
      const registry = opts.metrics.registry;
      const statusName = 'leader_election_master_status';
      const writesName = `${opts.metrics.prefix}_leader_election_writes_total`;
      this.status =
        (registry.getSingleMetric(statusName) as Gauge<'name'> | undefined) ??
        new Gauge({ name: statusName, help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. name is the string used to identify the lease.', labelNames: ['name'], registers: [registry] });
      this.writes =
        (registry.getSingleMetric(writesName) as Counter<'name' | 'verb' | 'result'> | undefined) ??
        new Counter({ name: writesName, help: 'Writes to the leader-election Lease (kept out of api_writes_total), by verb and result', labelNames: ['name', 'verb', 'result'], registers: [registry] });
      this.status.set({ name: this.name }, 0);
    }
  }

  /** The state, read through a call so TypeScript does not narrow it across awaits and calls. */
  private currentState(): State {
    return this.state;
  }

  get isLeader(): boolean {
    return this.state === 'leading';
  }

  /** The holder last observed (ourselves when leading); undefined before the first read. */
  get leader(): string | undefined {
    return this.observed?.spec?.holderIdentity || undefined;
  }

  /**
   * Readiness: the first attempt has finished and either we lead, or, as a standby, the API server
   * answered within one lease duration (so we could take over). A lost elector is never ready.
   */
  ready(): boolean {
    if (this.state === 'leading') return true;
    if (this.state !== 'standby' || this.lastContactAt === undefined) return false;
    return this.now() - this.lastContactAt <= this.leaseDurationMs;
  }

  /** Starts campaigning in the background. Can be called once. */
  start(callbacks: LeaderCallbacks): void {
    if (this.state !== 'new') throw new Error('leader election: start called twice');
    this.callbacks = callbacks;
    this.state = 'standby';
    this.loop = this.run().catch((err: unknown) => this.lose(new Error(`leader election loop failed: ${errorMessage(err)}`, { cause: err })));
  }

  /**
   * Graceful stop: no new acquisition; when leading, `beforeRelease` runs while renewals continue
   * (drain the controllers there), then the signal aborts and the Lease is released so a standby
   * takes over at its next attempt. Safe to call more than once.
   */
  async stop(opts: { beforeRelease?: () => Promise<void> } = {}): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    if (this.state !== 'standby' && this.state !== 'leading') {
      await this.loop;
      return;
    }
    const wasLeading = this.state === 'leading';
    if (wasLeading && opts.beforeRelease) {
      try {
        await opts.beforeRelease();
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'draining before release failed');
      }
    }
    // beforeRelease awaited: the state may have moved on (a loss while draining).
    const now = this.currentState();
    if (now === 'lost') return;
    const leadingNow = now === 'leading';
    this.state = 'stopping';
    this.clearDeadline();
    this.wake.abort();
    this.leading?.abort(new Error('leader election stopped'));
    await this.loop;
    if (leadingNow || this.holdsRecord()) await this.release();
    this.setStatus(0);
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    // Campaign until we win (or stop).
    for (;;) {
      if (this.currentState() !== 'standby') return;
      if (await this.attempt()) break;
      await this.sleep(this.retryPeriodMs * (1 + this.random() * this.jitter));
    }
    if (this.currentState() !== 'standby') return; // stopped while the winning request was in flight: stop() releases
    this.becomeLeader();
    // Renew every retry period; the deadline timer, not this loop, decides that leadership is lost,
    // so a request that hangs cannot keep a stale leader running.
    while (this.currentState() === 'leading') {
      await this.sleep(this.retryPeriodMs);
      if (this.currentState() !== 'leading') return;
      if (await this.attempt()) {
        this.lastRenewAt = this.now();
        this.armDeadline();
      } else if (this.currentState() === 'leading' && this.observedHolder() !== this.identity && this.observed) {
        this.lose(new Error(`lease ${this.namespace}/${this.name} is now held by ${this.observedHolder() || 'nobody'}`));
      }
    }
  }

  private becomeLeader(): void {
    this.state = 'leading';
    this.lastRenewAt = this.now();
    this.leading = new AbortController();
    this.armDeadline();
    this.setStatus(1);
    this.log.info('became leader');
    try {
      this.callbacks?.onStartedLeading(this.leading.signal);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'onStartedLeading threw');
    }
  }

  private armDeadline(): void {
    this.clearDeadline();
    const remaining = this.lastRenewAt + this.renewDeadlineMs - this.now();
    this.deadline = setTimeout(() => {
      if (this.state === 'leading') this.lose(new Error(`failed to renew lease ${this.namespace}/${this.name} within ${this.renewDeadlineMs} ms${this.lastError ? `: ${this.lastError}` : ''}`));
    }, Math.max(0, remaining));
  }

  private clearDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private lose(reason: Error): void {
    if (this.state === 'lost' || this.state === 'stopped') return;
    const wasLeading = this.state === 'leading' || this.state === 'stopping';
    this.state = 'lost';
    this.clearDeadline();
    this.wake.abort();
    this.leading?.abort(reason);
    this.setStatus(0);
    this.log.error({ err: reason.message }, wasLeading ? 'leadership lost: stopping' : 'leader election failed');
    try {
      this.callbacks?.onStoppedLeading?.(reason);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'onStoppedLeading threw');
    }
  }

  /** One acquire-or-renew round; true when we hold the Lease afterwards. Never throws. */
  private async attempt(): Promise<boolean> {
    try {
      const ok = await this.tryAcquireOrRenew();
      this.lastError = '';
      return ok;
    } catch (err) {
      const msg = errorMessage(err);
      // Log a failure once until it changes: a standby without rights would otherwise log every 2 s.
      if (msg !== this.lastError) this.log.warn({ err: msg }, 'leader election attempt failed');
      this.lastError = msg;
      return false;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const target = { name: this.name, namespace: this.namespace };
    // Fast path (client-go ≥ 1.23): the leader renews from its cached copy without a GET first.
    if (this.state === 'leading' && this.observed) {
      try {
        return this.wrote(await this.write('update', this.withRecord(this.observed, this.nextRecord(this.observed.spec))));
      } catch (err) {
        this.log.debug({ err: errorMessage(err) }, 'fast renew failed; re-reading the lease');
      }
    }
    const lease = await this.client.get<CoordinationLease>(CoordinationLeaseRef, target);
    this.lastContactAt = this.now();
    if (!lease) {
      const created: CoordinationLease = { apiVersion: CoordinationLeaseRef.apiVersion, kind: CoordinationLeaseRef.kind, metadata: { ...target }, spec: this.nextRecord(undefined) };
      try {
        return this.wrote(await this.write('create', created));
      } catch (err) {
        if (isConflict(err)) return false; // another replica created it first
        throw err;
      }
    }
    this.observe(lease);
    const holder = this.observedHolder();
    if (holder && holder !== this.identity && this.observedValid()) return false;
    try {
      return this.wrote(await this.write('update', this.withRecord(lease, this.nextRecord(lease.spec))));
    } catch (err) {
      if (isConflict(err)) return false; // lost the race: someone wrote since our GET
      throw err;
    }
  }

  private async write(verb: 'create' | 'update', lease: CoordinationLease): Promise<CoordinationLease> {
    try {
      const res = verb === 'create' ? await this.client.create(CoordinationLeaseRef, lease) : await this.client.update(CoordinationLeaseRef, lease);
      this.writes?.inc({ name: this.name, verb, result: 'ok' });
      return res;
    } catch (err) {
      this.writes?.inc({ name: this.name, verb, result: isConflict(err) ? 'conflict' : 'error' });
      throw err;
    }
  }

  private wrote(lease: CoordinationLease): true {
    this.lastContactAt = this.now();
    this.observe(lease);
    return true;
  }

  /** Our record: keep acquireTime and transitions while we hold it, else start a new term. */
  private nextRecord(old: LeaderElectionRecord | undefined): LeaderElectionRecord {
    const now = microTime(new Date(this.now()));
    const ours = old?.holderIdentity === this.identity;
    const transitions = old?.leaseTransitions ?? 0;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: ours && old?.acquireTime ? old.acquireTime : now,
      renewTime: now,
      leaseTransitions: ours || !old ? transitions : transitions + 1,
    };
  }

  private withRecord(lease: CoordinationLease, spec: LeaderElectionRecord): CoordinationLease {
    // Omitting managedFields keeps the server's; the resourceVersion makes the PUT conditional.
    const { managedFields: _managedFields, ...metadata } = lease.metadata;
    return { apiVersion: CoordinationLeaseRef.apiVersion, kind: CoordinationLeaseRef.kind, metadata, spec };
  }

  /** Records the Lease; the observation time moves only when the record itself changed. */
  private observe(lease: CoordinationLease): void {
    const before = this.observed?.spec;
    const changed = JSON.stringify(recordOf(before)) !== JSON.stringify(recordOf(lease.spec));
    const previousHolder = before?.holderIdentity ?? undefined;
    this.observed = lease;
    if (changed || this.observedAt === undefined) this.observedAt = this.now();
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== previousHolder && holder !== this.identity) {
      this.log.info({ leader: holder }, 'new leader observed');
      try {
        this.callbacks?.onNewLeader?.(holder);
      } catch (err) {
        this.log.error({ err: errorMessage(err) }, 'onNewLeader threw');
      }
    }
  }

  private observedHolder(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  private holdsRecord(): boolean {
    return this.observedHolder() === this.identity;
  }

  /** The observed record is still valid by our clock (its own duration: a release sets 1 s). */
  private observedValid(): boolean {
    const seconds = this.observed?.spec?.leaseDurationSeconds ?? this.leaseDurationMs / 1000;
    return (this.observedAt ?? 0) + seconds * 1000 > this.now();
  }

  /** Hands the Lease over: empty holder, 1 s duration (client-go's ReleaseOnCancel). Best effort. */
  private async release(): Promise<void> {
    const lease = this.observed;
    if (!lease || !this.holdsRecord()) return;
    const now = microTime(new Date(this.now()));
    const spec: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec?.leaseTransitions ?? 0 };
    try {
      this.observe(await this.write('update', this.withRecord(lease, spec)));
      this.log.info('lease released');
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'lease release failed; the standby takes over when it expires');
    }
  }

  private setStatus(v: 0 | 1): void {
    this.status?.set({ name: this.name }, v);
  }

  /** Sleeps, waking early when the elector stops or loses. */
  private sleep(ms: number): Promise<void> {
    if (this.wake.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake.signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The fields that make up the record (what client-go compares to move the observed time). */
function recordOf(spec: LeaderElectionRecord | undefined): unknown[] {
  return [spec?.holderIdentity ?? '', spec?.leaseDurationSeconds ?? 0, spec?.acquireTime ?? '', spec?.renewTime ?? '', spec?.leaseTransitions ?? 0];
}

/** client-go's checks: leaseDuration > renewDeadline > retryPeriod · jitter, all positive. */
export function checkDurations(leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number, jitter = 0.2): void {
  if (!(retryPeriodMs > 0)) throw new Error(`leader election: retry period must be positive, got ${retryPeriodMs} ms`);
  if (!(renewDeadlineMs > retryPeriodMs * (1 + jitter))) {
    throw new Error(`leader election: renew deadline (${renewDeadlineMs} ms) must be greater than retry period × ${1 + jitter} (${retryPeriodMs * (1 + jitter)} ms)`);
  }
  if (!(leaseDurationMs > renewDeadlineMs)) throw new Error(`leader election: lease duration (${leaseDurationMs} ms) must be greater than the renew deadline (${renewDeadlineMs} ms)`);
}
