/**
 * The CRD gate against the real API server, as the chart's ServiceAccount: after `helm upgrade` the
 * CRDs may still be those of an older version (Helm never upgrades CRDs). A replica that finds one
 * of ours with another schema digest neither leads nor reconciles, is not Ready and says why; once
 * this version's CRDs are applied it goes on by itself, without a restart.
 */
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_DIGEST_ANNOTATION } from '../../src/api/crds.ts';
import { repoRoot } from '../harness/binaries.ts';
import { httpGet } from '../harness/http.ts';
import { leaseAndManifest } from '../operator/fixtures.ts';
import { eventually, kubeConfig, kubectlApply, runTool } from '../support/cluster.ts';
import { metricSum, type OperatorProcess } from '../support/operator.ts';
import { GROUP, VERSION, installChart, startChartOperator, uninstallChart, type Release } from './support.ts';

const CRDS = path.join(repoRoot, 'crds');
const STALE = `services.${GROUP}`;
const custom = () => kubeConfig().makeApiClient(k8s.CustomObjectsApi);
const phaseOf = async (name: string) => ((await custom().getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name }).catch(() => undefined)) as { status?: { phase?: string } } | undefined)?.status?.phase;
const gone = (name: string) => custom().getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name }).then(() => false, (e: unknown) => (e as { code?: number }).code === 404);
/** This version's CRDs, as the README tells an admin to apply them after an upgrade. */
const applyCrds = () => runTool('kubectl', ['apply', '--server-side', '--force-conflicts', '-f', CRDS]);

let release: Release;
let op: OperatorProcess | undefined;
const lease = leaseAndManifest('882001', [{ name: 'web' }]);

beforeAll(async () => {
  await applyCrds();
  release = await installChart('crdgate');
});

afterAll(async () => {
  // The shared cluster gets this version's CRDs back whatever happened.
  await applyCrds();
  if (release && op && !(await gone(lease.ns))) {
    await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name: lease.ns }).catch(() => undefined);
    await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'manifests', name: lease.manifest.metadata.name }).catch(() => undefined);
    await eventually('the test Lease to be torn down', async () => ((await gone(lease.ns)) ? true : undefined), 100_000).catch(() => undefined);
  }
  await op?.stop();
  await uninstallChart(release);
}, 180_000);

describe('a replica on CRDs of another version', () => {
  it('waits unready and without leading, says which CRD and what to do, and goes on once they are applied', async () => {
    await runTool('kubectl', ['annotate', '--overwrite', 'crd', STALE, `${SCHEMA_DIGEST_ANNOTATION}=sha256:of-an-older-version`]);
    op = await startChartOperator(release, 'crdgate-0', 'live');
    const complaint = await eventually('the operator to name the stale CRD', async () => op!.log().split('\n').find((l) => l.includes(STALE) && l.includes('"level":50')), 30_000);
    expect(complaint).toContain('Apply this version');

    // A Lease created meanwhile is left alone: nothing leads, nothing reconciles.
    await kubectlApply([lease.manifest, lease.lease].map((o) => JSON.stringify(o)).join('\n'));
    await new Promise((r) => setTimeout(r, 3000));
    const readyz = await httpGet(`${op.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(readyz.body).toContain('[-]crds failed');
    expect(await op.isLeader()).toBe(false);
    const metrics = await op.metrics();
    expect(metricSum(metrics, 'akash_operator_crd_schema_current', { crd: STALE })).toBe(0);
    expect(metricSum(metrics, 'akash_operator_crd_schema_current', { crd: `leases.${GROUP}` })).toBe(1);
    expect(await phaseOf(lease.ns)).toBeUndefined();
    await expect(kubeConfig().makeApiClient(k8s.CoreV1Api).readNamespace({ name: lease.ns })).rejects.toMatchObject({ code: 404 });

    // The admin applies this version's CRDs: the same process goes on (one check period, 10 s).
    await applyCrds();
    await eventually('the operator to be ready', async () => ((await httpGet(`${op!.url}/readyz`)).status === 200 ? true : undefined), 40_000);
    await eventually('the Lease to be Ready', async () => ((await phaseOf(lease.ns)) === 'Ready' ? true : undefined), 90_000);
    expect(op.proc.exitCode).toBeNull();
    expect(op.log()).toContain('CRDs match this operator version now');
    expect(metricSum(await op.metrics(), 'akash_operator_crd_schema_current', { crd: STALE })).toBe(1);
    expect(op.log().split('\n').filter((l) => / 403 |forbidden/i.test(l))).toEqual([]);
  });
});
