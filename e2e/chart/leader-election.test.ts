/**
 * Two replicas of the chart's operator (the chart's ServiceAccount, ConfigMap and default timings:
 * 15 s lease, 10 s renew deadline, 2 s retry) against the real API server: one leads, the other
 * stands by; kill -9 of the leader hands over within the lease duration, SIGTERM within about one
 * retry period, and a leader whose lease is taken stops and exits non-zero.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from '../harness/http.ts';
import { leaseAndManifest } from '../operator/fixtures.ts';
import { eventually, kubeConfig, kubectlApply, runTool } from '../support/cluster.ts';
import { metricSum, type OperatorProcess } from '../support/operator.ts';
import { GROUP, VERSION, installChart, startChartOperator, uninstallChart, type Release } from './support.ts';

type LeaseObj = { status?: { phase?: string } };
const custom = () => kubeConfig().makeApiClient(k8s.CustomObjectsApi);
const coordination = () => kubeConfig().makeApiClient(k8s.CoordinationV1Api);
const phaseOf = async (name: string) => ((await custom().getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name }).catch(() => undefined)) as LeaseObj | undefined)?.status?.phase;
const gone = (name: string) => custom().getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name }).then(() => false, (e: unknown) => (e as { code?: number }).code === 404);
const apply = (...objs: object[]) => kubectlApply(objs.map((o) => JSON.stringify(o)).join('\n'));
const ready = (name: string) => eventually(`Lease ${name} to be Ready`, async () => ((await phaseOf(name)) === 'Ready' ? true : undefined), 90_000);
/** Polls until `op` leads; resolves with the milliseconds it took. */
async function leads(op: OperatorProcess, since: number, what: string, ms = 30_000): Promise<number> {
  await eventually(what, async () => ((await op.isLeader()) ? true : undefined), ms);
  return Date.now() - since;
}

let release: Release;
const ops: Record<string, OperatorProcess> = {};
const start = async (pod: string) => (ops[pod] = await startChartOperator(release, pod));
const leases = [leaseAndManifest('881001', [{ name: 'web' }]), leaseAndManifest('881002', [{ name: 'web' }])];

beforeAll(async () => {
  release = await installChart('ha');
});

afterAll(async () => {
  // Teardown of the test Leases needs a leader (their finalizer); start one if none is left.
  const left = (await Promise.all(leases.map(async (l) => ((await gone(l.ns)) ? undefined : l)))).filter((l) => l !== undefined);
  if (release && left.length > 0) {
    if (!Object.values(ops).some((o) => o.proc.exitCode === null && o.proc.signalCode === null)) await start('ha-cleanup');
    for (const l of left) {
      await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name: l.ns }).catch(() => undefined);
      await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'manifests', name: l.manifest.metadata.name }).catch(() => undefined);
    }
    await eventually('the test Leases to be torn down', async () => ((await Promise.all(left.map((l) => gone(l.ns)))).every(Boolean) ? true : undefined), 100_000).catch(() => undefined);
  }
  await Promise.all(Object.values(ops).map((o) => o.stop()));
  await uninstallChart(release);
}, 180_000);

describe('two replicas with leader election', () => {
  it('elect one leader that reconciles; the standby is ready, serves metrics and writes nothing', async () => {
    const a = await start('ha-a');
    await leads(a, Date.now(), 'replica a to lead');
    const b = await start('ha-b');
    const readyz = await httpGet(`${b.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(readyz.body).toContain('[+]leader-election ok');
    expect(await b.isLeader()).toBe(false);

    await apply(leases[0]!.manifest, leases[0]!.lease);
    await ready(leases[0]!.ns);
    const standby = await b.metrics();
    expect(metricSum(standby, 'leader_election_master_status', { name: release.fullname })).toBe(0);
    expect(metricSum(standby, 'controller_runtime_reconcile_total')).toBe(0);
    expect(metricSum(standby, 'akash_operator_api_writes_total')).toBe(0);
    expect(metricSum(await a.metrics(), 'controller_runtime_reconcile_total', { controller: 'lease' })).toBeGreaterThan(0);
    // Heartbeats (one renewal per retry period, 2 s) are counted apart from reconcile writes.
    await eventually('a renewal of the election Lease to be counted', async () =>
      metricSum(await a.metrics(), 'akash_operator_leader_election_writes_total', { verb: 'update', result: 'ok' }) > 0 ? true : undefined,
    10_000);
  });

  it('after kill -9 of the leader, the standby leads within 20 s and reconciles a new Lease', async () => {
    const a = ops['ha-a']!;
    const b = ops['ha-b']!;
    const killedAt = Date.now();
    a.kill('SIGKILL');
    await a.exited;
    const takeoverMs = await leads(b, killedAt, 'the standby to take over', 30_000);
    await apply(leases[1]!.manifest, leases[1]!.lease);
    await ready(leases[1]!.ns);
    const reconcilingMs = Date.now() - killedAt;
    console.info(`leader election: kill -9 → standby leads after ${(takeoverMs / 1000).toFixed(1)} s; a Lease created then was Ready ${(reconcilingMs / 1000).toFixed(1)} s after the kill`);
    // LeaseDuration 15 s + one retry period (2 s, jittered ≤ 2.4 s), judged from the last renewal.
    expect(takeoverMs).toBeLessThan(20_000);
    expect(takeoverMs).toBeGreaterThan(10_000); // not before the lease could have expired
    const lease = await coordination().readNamespacedLease({ name: release.fullname, namespace: release.namespace });
    expect(lease.spec?.holderIdentity).toMatch(/^ha-b_/);
    expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
  });

  it('on SIGTERM the leader drains, releases the lease and exits 0; a standby leads within about one retry period', async () => {
    const b = ops['ha-b']!;
    const c = await start('ha-c');
    expect(await c.isLeader()).toBe(false);
    const stoppedAt = Date.now();
    b.kill('SIGTERM');
    const handoverMs = await leads(c, stoppedAt, 'the standby to take over after a graceful stop', 20_000);
    console.info(`leader election: SIGTERM → standby leads after ${(handoverMs / 1000).toFixed(1)} s`);
    expect(await b.exited).toBe(0);
    expect(b.log()).toContain('lease released');
    expect(handoverMs).toBeLessThan(6_000);
    // The new leader serves the Leases it inherited.
    await ready(leases[1]!.ns);
  });

  it('a leader whose lease is taken stops at once and exits non-zero', async () => {
    const c = ops['ha-c']!;
    // Tear the test Leases down while a leader runs (their finalizer needs one).
    for (const l of leases) {
      await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name: l.ns });
      await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'manifests', name: l.manifest.metadata.name });
    }
    await eventually('the test Leases to be torn down', async () => ((await Promise.all(leases.map((l) => gone(l.ns)))).every(Boolean) ? true : undefined), 100_000);

    // As another holder would: a fresh record naming someone else.
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    await runTool('kubectl', ['patch', 'lease.coordination.k8s.io', release.fullname, '-n', release.namespace, '--type=merge', '-p', JSON.stringify({ spec: { holderIdentity: 'intruder_0', renewTime: now, leaseDurationSeconds: 15 } })]);
    const takenAt = Date.now();
    expect(await c.exited).toBe(1);
    expect(Date.now() - takenAt).toBeLessThan(5_000);
    expect(c.log()).toMatch(/leadership lost: stopping/);
  });
});
