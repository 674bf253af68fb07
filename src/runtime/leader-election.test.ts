import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from './client.ts';
import { FakeTransport, json, statusBody } from './fake-transport.ts';
import { LeaderElector, checkDurations, leaderIdentity, type CoordinationLease, type LeaderElectorOptions } from './leader-election.ts';
import { Metrics } from './metrics.ts';
import type { HttpRequest, HttpResponse, Transport } from './transport.ts';

const COLLECTION = '/apis/coordination.k8s.io/v1/namespaces/ops/leases';
const PATH = `${COLLECTION}/akash-operator`;

/** One coordination Lease with the API server's optimistic concurrency, shared by several replicas. */
class LeaseServer {
  lease: CoordinationLease | undefined;
  /** When set, every request gets this status (e.g. 500) instead of an answer. */
  failWith: number | undefined;
  /** When set, requests never complete (a hung connection). */
  hang = false;
  private rv = 0;

  /** A replica's connection; `kill()` makes its requests hang forever (the process is gone). */
  transport(): Transport & { requests: HttpRequest[]; kill(): void } {
    const fake = new FakeTransport().on((req) => this.handle(req));
    let dead = false;
    return {
      host: fake.host,
      requests: fake.requests,
      request: (req) => (this.hang || dead ? new Promise<HttpResponse>(() => {}) : fake.request(req)),
      watch: (p, q, e, d) => fake.watch(p, q, e, d),
      kill: () => (dead = true),
    };
  }

  /** Writes the Lease as someone else would (e.g. another holder). */
  put(spec: CoordinationLease['spec']): void {
    this.lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'akash-operator', namespace: 'ops', resourceVersion: String(++this.rv) }, spec };
  }

  private handle(req: HttpRequest): HttpResponse | undefined {
    if (this.failWith) return json(this.failWith, statusBody(this.failWith, 'InternalError'));
    if (req.method === 'GET' && req.path === PATH) return this.lease ? json(200, this.lease) : json(404, statusBody(404, 'NotFound'));
    if (req.method === 'POST' && req.path === COLLECTION) {
      if (this.lease) return json(409, statusBody(409, 'AlreadyExists'));
      const body = JSON.parse(req.body ?? '{}') as CoordinationLease;
      this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
      return json(201, this.lease);
    }
    if (req.method === 'PUT' && req.path === PATH) {
      const body = JSON.parse(req.body ?? '{}') as CoordinationLease;
      if (!this.lease) return json(404, statusBody(404, 'NotFound'));
      if (body.metadata.resourceVersion !== this.lease.metadata.resourceVersion) return json(409, statusBody(409, 'Conflict', 'the object has been modified'));
      this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
      return json(200, this.lease);
    }
    return undefined;
  }
}

interface Replica {
  elector: LeaderElector;
  transport: Transport & { requests: HttpRequest[]; kill(): void };
  signal: () => AbortSignal | undefined;
  lost: Error[];
  leaders: string[];
}

function replica(server: LeaseServer, identity: string, opts: Partial<LeaderElectorOptions> = {}): Replica {
  const transport = server.transport();
  const client = new KubeClient(transport, { fieldManager: 'test' });
  const elector = new LeaderElector({ client, name: 'akash-operator', namespace: 'ops', identity, random: () => 0, ...opts });
  let signal: AbortSignal | undefined;
  const lost: Error[] = [];
  const leaders: string[] = [];
  elector.start({ onStartedLeading: (s) => (signal = s), onStoppedLeading: (e) => lost.push(e), onNewLeader: (id) => leaders.push(id) });
  return { elector, transport, signal: () => signal, lost, leaders };
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describe('LeaderElector', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('creates a missing Lease, leads, and reports it in leader_election_master_status', async () => {
    const server = new LeaseServer();
    const metrics = new Metrics();
    const a = replica(server, 'pod-a_1', { metrics });
    expect(a.elector.ready()).toBe(false);
    await flush();
    expect(a.elector.isLeader).toBe(true);
    expect(a.elector.ready()).toBe(true);
    expect(a.signal()?.aborted).toBe(false);
    const spec = server.lease?.spec;
    expect(spec).toMatchObject({ holderIdentity: 'pod-a_1', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(spec?.acquireTime).toMatch(MICRO);
    expect(spec?.renewTime).toBe(spec?.acquireTime);
    const text = (await metrics.render()).body;
    expect(text).toContain('leader_election_master_status{name="akash-operator"} 1');
    expect(text).toContain('akash_operator_leader_election_writes_total{name="akash-operator",verb="create",result="ok"} 1');
    // Heartbeats are not reconcile writes: the operator's write counter stays untouched.
    expect(text).not.toMatch(/akash_operator_api_writes_total\{/);
    await a.elector.stop();
    expect((await metrics.render()).body).toContain('leader_election_master_status{name="akash-operator"} 0');
  });

  it('renews every retry period with a PUT conditional on resourceVersion, keeping acquireTime, without a GET', async () => {
    const server = new LeaseServer();
    const a = replica(server, 'pod-a_1');
    await flush();
    const acquired = server.lease?.spec?.acquireTime;
    const before = a.transport.requests.length;
    await vi.advanceTimersByTimeAsync(2_000 * 3);
    const renewals = a.transport.requests.slice(before);
    expect(renewals.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);
    expect(JSON.parse(renewals[2]!.body!).metadata.resourceVersion).toBe('3');
    expect(server.lease?.spec?.acquireTime).toBe(acquired);
    expect(server.lease?.spec?.renewTime).not.toBe(acquired);
    expect(server.lease?.spec?.leaseTransitions).toBe(0);
    await a.elector.stop();
  });

  it('keeps a standby waiting while the holder renews, and takes over one lease duration after the record stopped changing', async () => {
    const server = new LeaseServer();
    const a = replica(server, 'pod-a_1');
    await flush();
    const b = replica(server, 'pod-b_2');
    await flush();
    expect(b.elector.isLeader).toBe(false);
    expect(b.elector.ready()).toBe(true); // a healthy standby is ready: it serves metrics and can take over
    expect(b.leaders).toEqual(['pod-a_1']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(b.elector.isLeader).toBe(false);

    // The leader dies without releasing (kill -9): its renewals stop.
    await vi.advanceTimersByTimeAsync(1_000);
    a.transport.kill();
    // The last renewal happened at most one retry period ago and the standby saw it at most one later.
    await vi.advanceTimersByTimeAsync(12_000);
    expect(b.elector.isLeader).toBe(false);
    let after = 12_000;
    while (!b.elector.isLeader && after < 30_000) {
      await vi.advanceTimersByTimeAsync(100);
      after += 100;
    }
    expect(b.elector.isLeader).toBe(true);
    expect(b.signal()?.aborted).toBe(false);
    expect(after).toBeLessThanOrEqual(15_000 + 2 * 2_000);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: 'pod-b_2', leaseTransitions: 1 });
    await b.elector.stop();
  });

  it('judges expiry by the local observation time, not the holder clock', async () => {
    const server = new LeaseServer();
    // A renewTime an hour old (a holder with a skewed clock) is still valid until we saw it unchanged for 15 s.
    server.put({ holderIdentity: 'other_x', leaseDurationSeconds: 15, renewTime: new Date(Date.now() - 3_600_000).toISOString().replace('Z', '000Z'), leaseTransitions: 4 });
    const b = replica(server, 'pod-b_2');
    await vi.advanceTimersByTimeAsync(14_000);
    expect(b.elector.isLeader).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(b.elector.isLeader).toBe(true);
    expect(server.lease?.spec?.leaseTransitions).toBe(5);
    await b.elector.stop();
  });

  it('loses a race for the Lease on 409 and stays standby', async () => {
    const server = new LeaseServer();
    server.put({ holderIdentity: '', leaseDurationSeconds: 1 });
    const transport = server.transport();
    const racing: Transport = {
      ...transport,
      request: async (req) => {
        // Another replica writes between our GET and our PUT.
        if (req.method === 'PUT') server.put({ holderIdentity: 'other_x', leaseDurationSeconds: 15 });
        return transport.request(req);
      },
    };
    const elector = new LeaderElector({ client: new KubeClient(racing, { fieldManager: 'test' }), name: 'akash-operator', namespace: 'ops', identity: 'pod-b_2', random: () => 0 });
    let started = false;
    elector.start({ onStartedLeading: () => (started = true) });
    await flush();
    expect(started).toBe(false);
    expect(elector.isLeader).toBe(false);
    expect(server.lease?.spec?.holderIdentity).toBe('other_x');
    await elector.stop();
  });

  it('gives up when renewals fail for the renew deadline: aborts the signal and reports the loss once', async () => {
    const server = new LeaseServer();
    const metrics = new Metrics();
    const a = replica(server, 'pod-a_1', { metrics });
    await flush();
    server.failWith = 500;
    await vi.advanceTimersByTimeAsync(9_000);
    expect(a.elector.isLeader).toBe(true);
    expect(a.signal()?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(a.elector.isLeader).toBe(false);
    expect(a.signal()?.aborted).toBe(true);
    expect(a.lost).toHaveLength(1);
    expect(a.lost[0]?.message).toMatch(/failed to renew lease ops\/akash-operator within 10000 ms: .*500/);
    expect(a.elector.ready()).toBe(false);
    expect((await metrics.render()).body).toContain('leader_election_master_status{name="akash-operator"} 0');
    server.failWith = undefined;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(a.lost).toHaveLength(1);
    expect(a.elector.isLeader).toBe(false);
  });

  it('gives up at the deadline even when a renewal request hangs', async () => {
    const server = new LeaseServer();
    const a = replica(server, 'pod-a_1');
    await flush();
    server.hang = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.signal()?.aborted).toBe(true);
    expect(a.lost).toHaveLength(1);
  });

  it('steps down at once when another holder took the Lease', async () => {
    const server = new LeaseServer();
    const a = replica(server, 'pod-a_1');
    await flush();
    server.put({ holderIdentity: 'intruder_9', leaseDurationSeconds: 15 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(a.signal()?.aborted).toBe(true);
    expect(a.lost[0]?.message).toMatch(/held by intruder_9/);
  });

  it('on a graceful stop drains first while still renewing, then releases so the standby leads within one retry period', async () => {
    const server = new LeaseServer();
    const a = replica(server, 'pod-a_1');
    await flush();
    const b = replica(server, 'pod-b_2');
    await flush();
    let drained = false;
    const stopping = a.elector.stop({
      beforeRelease: async () => {
        // A drain longer than the renew deadline: renewals must go on meanwhile.
        await new Promise((r) => setTimeout(r, 11_500));
        drained = true;
      },
    });
    const renewedBefore = server.lease?.spec?.renewTime;
    await vi.advanceTimersByTimeAsync(11_000);
    expect(a.lost).toEqual([]);
    expect(b.elector.isLeader).toBe(false);
    expect(a.signal()?.aborted).toBe(false);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: 'pod-a_1' });
    expect(server.lease?.spec?.renewTime).not.toBe(renewedBefore);
    await vi.advanceTimersByTimeAsync(500);
    await stopping;
    expect(drained).toBe(true);
    expect(a.signal()?.aborted).toBe(true);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    const releasedAt = Date.now();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(b.elector.isLeader).toBe(true);
    expect(Date.now() - releasedAt).toBeLessThanOrEqual(2_000);
    expect(server.lease?.spec?.holderIdentity).toBe('pod-b_2');
    expect(a.lost).toEqual([]);
    await b.elector.stop();
  });

  it('a standby is ready only while the API server answers, and stops campaigning when stopped', async () => {
    const server = new LeaseServer();
    server.put({ holderIdentity: 'other_x', leaseDurationSeconds: 15, renewTime: 'x' });
    const b = replica(server, 'pod-b_2');
    await flush();
    expect(b.elector.ready()).toBe(true);
    server.failWith = 503;
    await vi.advanceTimersByTimeAsync(16_000);
    expect(b.elector.ready()).toBe(false);
    expect(b.elector.isLeader).toBe(false);
    await b.elector.stop();
    const n = b.transport.requests.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(b.transport.requests.length).toBe(n);
    expect(b.elector.ready()).toBe(false);
  });

  it('releases a Lease it won while a stop was already under way', async () => {
    const server = new LeaseServer();
    const a = replica(server, 'pod-a_1');
    const stopped = a.elector.stop();
    await flush();
    await stopped;
    expect(a.signal()).toBeUndefined();
    expect(server.lease?.spec?.holderIdentity ?? '').toBe('');
  });
});

describe('leader election settings', () => {
  it('refuses durations that cannot work, as client-go does', () => {
    expect(() => checkDurations(15_000, 10_000, 2_000)).not.toThrow();
    expect(() => checkDurations(10_000, 10_000, 2_000)).toThrow(/lease duration \(10000 ms\) must be greater than the renew deadline/);
    expect(() => checkDurations(15_000, 2_000, 2_000)).toThrow(/renew deadline \(2000 ms\) must be greater than retry period × 1.2/);
    expect(() => checkDurations(15_000, 10_000, 0)).toThrow(/retry period must be positive/);
  });

  it('makes identities unique per process', () => {
    const a = leaderIdentity('akash-operator-7d9f-abcde');
    expect(a).toMatch(/^akash-operator-7d9f-abcde_[0-9a-f]{12}$/);
    expect(leaderIdentity('akash-operator-7d9f-abcde')).not.toBe(a);
  });
});
