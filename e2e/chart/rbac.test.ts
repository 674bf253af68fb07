/**
 * The chart's RBAC against the real API server: `helm install`, then the operator runs as the
 * chart's ServiceAccount (a TokenRequest token) with the chart's ConfigMap and NODE_OPTIONS. The
 * ClusterRole and Role must be enough for a Lease with a private image to reach Ready with no 403,
 * and taking one verb away must make a new Lease fail with a 403.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseAndManifest } from '../operator/fixtures.ts';
import { eventually, kubeConfig, kubectlApply, runTool } from '../support/cluster.ts';
import type { OperatorProcess } from '../support/operator.ts';
import { GROUP, VERSION, installChart, startChartOperator, uninstallChart, type Release } from './support.ts';

type LeaseObj = { metadata: { name: string }; status?: { phase?: string; namespace?: string } };
type Rule = k8s.V1PolicyRule;

const kc = () => kubeConfig();
const custom = () => kc().makeApiClient(k8s.CustomObjectsApi);
const core = () => kc().makeApiClient(k8s.CoreV1Api);
const apps = () => kc().makeApiClient(k8s.AppsV1Api);
const rbac = () => kc().makeApiClient(k8s.RbacAuthorizationV1Api);
const getLease = async (name: string) => (await custom().getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name })) as LeaseObj;
const phaseOf = async (name: string) => (await getLease(name).catch(() => undefined))?.status?.phase;
const forbidden = (log: string) => log.split('\n').filter((l) => / 403 |forbidden/i.test(l));

let release: Release;
let op: OperatorProcess | undefined;
const first = leaseAndManifest('880001', [{ name: 'web', hosts: ['web.chart.example.com'] }, { name: 'db' }]);
const second = leaseAndManifest('880002', [{ name: 'app' }]);

beforeAll(async () => {
  release = await installChart('rbac');
  // A private image: the Manifest names a registry-credentials Secret in the operator's namespace.
  await core().createNamespacedSecret({
    namespace: release.namespace,
    body: { metadata: { name: 'registry-web' }, stringData: { host: 'registry.example.com', username: 'tenant', password: 'hunter2-not-logged', email: '' } },
  });
  (first.manifest.spec.groups[0]!.services[0] as Record<string, unknown>).credentialsSecretRef = { namespace: release.namespace, name: 'registry-web' };
});

afterAll(async () => {
  // Teardown needs a running operator with full rights (the Lease finalizer).
  if (release && op) {
    await Promise.all(
      [first, second].map(async ({ ns, manifest }) => {
        await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', name: ns }).catch(() => undefined);
        await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'manifests', name: manifest.metadata.name }).catch(() => undefined);
      }),
    );
    const gone = (name: string) => getLease(name).then(() => false, (e: unknown) => (e as { code?: number }).code === 404);
    await eventually('the test leases to be torn down', async () => ((await Promise.all([first, second].map((l) => gone(l.ns)))).every(Boolean) ? true : undefined), 100_000).catch(() => undefined);
  }
  await op?.stop();
  await uninstallChart(release);
}, 180_000);

describe("the chart's ServiceAccount", () => {
  it('has every right the operator needs: a Lease with a private image reaches Ready and nothing is forbidden', async () => {
    op = await startChartOperator(release, 'rbac-operator-0');
    await kubectlApply([first.manifest, first.lease].map((o) => JSON.stringify(o)).join('\n'));
    await eventually('the Lease to be Ready', async () => ((await phaseOf(first.ns)) === 'Ready' ? true : undefined), 90_000);

    // Everything the chart's RBAC had to allow actually happened.
    const ns = await core().readNamespace({ name: first.ns });
    expect(ns.metadata?.labels?.['akash.network']).toBe('true');
    expect((await apps().readNamespacedDeployment({ name: 'web', namespace: first.ns })).spec?.template.spec?.imagePullSecrets).toEqual([{ name: 'docker-creds-web' }]);
    const pull = await core().readNamespacedSecret({ name: 'docker-creds-web', namespace: first.ns });
    expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
    const lease = await kc().makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name: release.fullname, namespace: release.namespace });
    expect(lease.spec?.holderIdentity).toMatch(/^rbac-operator-0_[0-9a-f]{12}$/);
    const events = await kc().makeApiClient(k8s.EventsV1Api).listNamespacedEvent({ namespace: first.ns });
    expect(events.items.some((e) => e.reportingController === 'provider.akash.network/akash-operator')).toBe(true);

    const log = op.log();
    expect(forbidden(log)).toEqual([]);
    expect(log).not.toContain('hunter2-not-logged');
    expect(await op.isLeader()).toBe(true);
  });

  it('has no rights beyond them (asked of the API server authorizer)', async () => {
    const as = `--as=system:serviceaccount:${release.namespace}:${release.fullname}`;
    // can-i exits 1 for "no"; anything but yes/no (a typo in the question) fails the test.
    const can = async (...args: string[]) => (await runTool('kubectl', ['auth', 'can-i', ...args, as]).then((r) => r.stdout, (e: { stdout?: string; stderr?: string }) => e.stdout || `error: ${e.stderr}`)).trim();
    // The test cluster does not run OwnerReferencesPermissionEnforcement, so the finalizers right is checked here.
    expect(await can('update', 'leases.provider.akash.network', '--subresource=finalizers')).toBe('yes');
    expect(await can('update', `leases.coordination.k8s.io/${release.fullname}`, '-n', release.namespace)).toBe('yes');
    expect(await can('update', 'leases.coordination.k8s.io/someone-else', '-n', release.namespace)).toBe('no');
    expect(await can('create', 'leases.coordination.k8s.io', '-n', 'default')).toBe('no');
    expect(await can('*', '*')).toBe('no');
    expect(await can('get', 'secrets', '-n', 'kube-system')).toBe('no');
    expect(await can('get', 'pods', '-A')).toBe('no');
    expect(await can('create', 'pods', '-n', first.ns)).toBe('no');
    expect(await can('delete', 'leases.provider.akash.network')).toBe('no');
    expect(await can('update', 'manifests.provider.akash.network')).toBe('no');
    expect(await can('create', 'clusterrolebindings')).toBe('no');
    expect(await can('impersonate', 'serviceaccounts')).toBe('no');
    // CRDs: read ours by name (the CRD gate), nothing else.
    expect(await can('get', `customresourcedefinitions.apiextensions.k8s.io/leases.${GROUP}`)).toBe('yes');
    expect(await can('get', 'customresourcedefinitions.apiextensions.k8s.io/certificates.cert-manager.io')).toBe('no');
    expect(await can('list', 'customresourcedefinitions.apiextensions.k8s.io')).toBe('no');
    expect(await can('patch', `customresourcedefinitions.apiextensions.k8s.io/leases.${GROUP}`)).toBe('no');
  });

  it('without one verb (create namespaces) leaves a new Lease un-Ready with a 403 in the log, and recovers once it is back', async () => {
    await op?.stop();
    const original = await rbac().readClusterRole({ name: release.clusterRole });
    const narrowed = structuredClone(original);
    const rule = narrowed.rules?.find((r: Rule) => r.resources?.includes('namespaces'));
    expect(rule?.verbs).toContain('create');
    rule!.verbs = rule!.verbs.filter((v) => v !== 'create');
    await rbac().replaceClusterRole({ name: release.clusterRole, body: narrowed });

    op = await startChartOperator(release, 'rbac-operator-1');
    await kubectlApply([second.manifest, second.lease].map((o) => JSON.stringify(o)).join('\n'));
    const denied = await eventually('a 403 for creating the lease namespace', async () => {
      const lines = forbidden(op!.log());
      return lines.some((l) => l.includes('cannot create resource') && l.includes('namespaces')) ? lines : undefined;
    }, 60_000);
    expect(denied.join('\n')).toContain(`system:serviceaccount:${release.namespace}:${release.fullname}`);
    expect(await phaseOf(second.ns)).not.toBe('Ready');
    await expect(core().readNamespace({ name: second.ns })).rejects.toMatchObject({ code: 404 });
    // An RBAC failure tears nothing down: the first lease stays Ready.
    expect(await phaseOf(first.ns)).toBe('Ready');

    const restored = await rbac().readClusterRole({ name: release.clusterRole });
    await rbac().replaceClusterRole({ name: release.clusterRole, body: { ...original, metadata: { ...original.metadata, resourceVersion: restored.metadata?.resourceVersion } } });
    await eventually('the second Lease to be Ready once the verb is back', async () => ((await phaseOf(second.ns)) === 'Ready' ? true : undefined), 90_000);
  });
});
