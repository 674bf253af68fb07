/**
 * The operator against the real control plane: a Lease + Manifest become isolated, reachable
 * workloads; updates roll; removals delete; teardown happens only on purpose; a restart writes
 * nothing. One operator process for this file (two would fight over the same Leases).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../harness/binaries.ts';
import { eventually, kubeConfig, kubectlApply, runTool } from '../support/cluster.ts';
import { metricSum, startOperatorProcess, type OperatorProcess } from '../support/operator.ts';
import { leaseAndManifest } from './fixtures.ts';

const GROUP = 'provider.akash.network';
const V = 'v1alpha1';
const SAMPLE_NS = 'i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4';
const OPERATOR_NS = 'akash-operator-e2e';

type Obj = { metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; status?: Record<string, unknown> } & Record<string, unknown>;
type Cond = { type: string; status: string; reason?: string; message?: string };

const kc = () => kubeConfig();
const custom = () => kc().makeApiClient(k8s.CustomObjectsApi);
const core = () => kc().makeApiClient(k8s.CoreV1Api);
const apps = () => kc().makeApiClient(k8s.AppsV1Api);
const net = () => kc().makeApiClient(k8s.NetworkingV1Api);

const getLease = async (name: string) => (await custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name })) as Obj;
const notFound = (e: unknown) => e instanceof k8s.ApiException && e.code === 404;
async function gone(read: () => Promise<unknown>): Promise<true | undefined> {
  try {
    await read();
    return undefined;
  } catch (e) {
    return notFound(e) ? true : undefined;
  }
}
const conditions = (o: Obj) => ((o.status?.conditions as Cond[] | undefined) ?? []);

async function createAll(...objs: object[]): Promise<void> {
  await kubectlApply(objs.map((o) => JSON.stringify(o)).join('\n'));
}

let op: OperatorProcess;

beforeAll(async () => {
  await runTool('kubectl', ['apply', '--server-side', '-f', path.join(repoRoot, 'crds')]);
  await runTool('kubectl', ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')]);
  await core().createNamespace({ body: { metadata: { name: OPERATOR_NS } } }).catch(() => undefined);
  op = await startOperatorProcess({ kubeconfig: inject('kubeconfig'), namespace: OPERATOR_NS });
});

afterAll(async () => {
  await op?.stop();
});

describe('a lease applied by a cluster admin', () => {
  it('turns the samples into running, isolated, reachable workloads and reports Ready', async () => {
    const samples = ['manifest.yaml', 'lease.yaml'].map((f) => fs.readFileSync(path.join(repoRoot, 'config/samples', f), 'utf8'));
    await kubectlApply(samples.join('\n---\n'));

    const lease = await eventually('the sample Lease to be Ready', async () => {
      const l = await getLease(SAMPLE_NS);
      return l.status?.phase === 'Ready' ? l : undefined;
    }, 90_000);
    expect(lease.status?.namespace).toBe(SAMPLE_NS);

    const ns = await core().readNamespace({ name: SAMPLE_NS });
    expect(ns.metadata?.labels).toMatchObject({
      'akash.network': 'true',
      'akash.network/lease.id.owner': 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev',
      'akash.network/lease.id.dseq': '6194991',
      'pod-security.kubernetes.io/enforce': 'baseline',
    });

    const pods = await core().listNamespacedPod({ namespace: SAMPLE_NS });
    const running = pods.items.filter((p) => p.status?.phase === 'Running');
    expect(running.map((p) => p.metadata?.labels?.['akash.network/manifest-service']).sort()).toEqual(['cache', 'web', 'web']);
    for (const p of running) {
      expect(p.spec?.automountServiceAccountToken).toBe(false);
      for (const c of p.spec?.containers ?? []) {
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext?.privileged ?? false).toBe(false);
        expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
      }
      expect(p.spec?.hostNetwork ?? false).toBe(false);
    }
    const web = running.find((p) => p.metadata?.labels?.['akash.network/manifest-service'] === 'web')!;
    expect(web.spec?.containers[0]?.env).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'AKASH_DEPLOYMENT_SEQUENCE', value: '6194991' })]));

    const svcs = await core().listNamespacedService({ namespace: SAMPLE_NS });
    expect(svcs.items.map((s) => s.metadata?.name).sort()).toEqual(expect.arrayContaining(['cache', 'web']));
    const ingresses = await net().listNamespacedIngress({ namespace: SAMPLE_NS });
    expect(ingresses.items.flatMap((i) => i.spec?.rules?.map((r) => r.host) ?? [])).toContain('web.example.com');
    const policies = await net().listNamespacedNetworkPolicy({ namespace: SAMPLE_NS });
    expect(policies.items.length).toBeGreaterThan(0);
    const egress = JSON.stringify(policies.items.map((p) => p.spec?.egress));
    for (const blocked of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10']) expect(egress).toContain(blocked);
    const quotas = await core().listNamespacedResourceQuota({ namespace: SAMPLE_NS });
    expect(quotas.items).toHaveLength(1);
    expect(quotas.items[0]?.spec?.hard?.['limits.cpu']).toBe('1250m');

    const { stdout: leases } = await runTool('kubectl', ['get', 'alease']);
    expect(leases).toMatch(new RegExp(`${SAMPLE_NS}\\s+akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev\\s+6194991\\s+Ready`));
    const { stdout: asvc } = await runTool('kubectl', ['get', 'asvc', '-n', SAMPLE_NS]);
    expect(asvc).toMatch(/web\s+2\/2/);
    expect(asvc).toContain('web.example.com');
  });

  it('rolls the Deployment when the manifest changes the image', async () => {
    const before = await apps().readNamespacedDeployment({ namespace: SAMPLE_NS, name: 'web' });
    const hash = 'a'.repeat(64);
    const m = (await custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'manifests', name: 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev-6194991' })) as Obj;
    const groups = structuredClone(m.spec!.groups) as { services: { name: string; image: string }[] }[];
    groups[0]!.services.find((s) => s.name === 'web')!.image = 'nginx:1.28';
    await createAll(
      { apiVersion: `${GROUP}/${V}`, kind: 'Manifest', metadata: { name: m.metadata.name }, spec: { ...m.spec, hash, groups } },
      { apiVersion: `${GROUP}/${V}`, kind: 'Lease', metadata: { name: SAMPLE_NS }, spec: { ...(await getLease(SAMPLE_NS)).spec, deploymentHash: hash } },
    );
    const rolled = await eventually('the web Deployment to roll to nginx:1.28', async () => {
      const d = await apps().readNamespacedDeployment({ namespace: SAMPLE_NS, name: 'web' });
      const done = d.spec?.template.spec?.containers[0]?.image === 'nginx:1.28' && d.status?.updatedReplicas === 2 && d.status?.readyReplicas === 2 && d.status?.observedGeneration === d.metadata?.generation;
      return done ? d : undefined;
    }, 90_000);
    expect(rolled.metadata!.generation!).toBeGreaterThan(before.metadata!.generation!);
    await eventually('the web pods to run the new image', async () => {
      const pods = await core().listNamespacedPod({ namespace: SAMPLE_NS, labelSelector: 'akash.network/manifest-service=web' });
      const imgs = pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.spec?.containers[0]?.image);
      return imgs.length === 2 && imgs.every((i) => i === 'nginx:1.28') ? true : undefined;
    }, 90_000);
  });

  it('deletes a service and its objects when the manifest drops it', async () => {
    const m = (await custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'manifests', name: 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev-6194991' })) as Obj;
    const groups = structuredClone(m.spec!.groups) as { services: { name: string; expose: { service?: string }[] }[] }[];
    groups[0]!.services = groups[0]!.services.filter((s) => s.name !== 'cache');
    const hash = 'b'.repeat(64);
    await createAll(
      { apiVersion: `${GROUP}/${V}`, kind: 'Manifest', metadata: { name: m.metadata.name }, spec: { ...m.spec, hash, groups } },
      { apiVersion: `${GROUP}/${V}`, kind: 'Lease', metadata: { name: SAMPLE_NS }, spec: { ...(await getLease(SAMPLE_NS)).spec, deploymentHash: hash } },
    );
    await eventually('the cache Service CR, Deployment and Service to be gone', async () => {
      const all = await Promise.all([
        gone(() => custom().getNamespacedCustomObject({ group: GROUP, version: V, plural: 'services', namespace: SAMPLE_NS, name: 'cache' })),
        gone(() => apps().readNamespacedDeployment({ namespace: SAMPLE_NS, name: 'cache' })),
        gone(() => core().readNamespacedService({ namespace: SAMPLE_NS, name: 'cache' })),
      ]);
      return all.every(Boolean) ? true : undefined;
    }, 90_000);
    await apps().readNamespacedDeployment({ namespace: SAMPLE_NS, name: 'web' });
    await eventually('the Lease to be Ready with one service', async () => {
      const l = await getLease(SAMPLE_NS);
      const names = ((l.status?.services as { name: string }[] | undefined) ?? []).map((s) => s.name);
      return l.status?.phase === 'Ready' && names.join() === 'web' ? true : undefined;
    });
  });

  it('reports the node ports the API server allocated for global TCP and UDP ports in the Service status', async () => {
    const { lease, manifest, ns } = leaseAndManifest('779', [{ name: 'game', forwarded: [{ port: 22, externalPort: 2222, proto: 'TCP' }, { port: 27015, externalPort: 27015, proto: 'UDP' }] }]);
    await createAll(manifest, lease);
    const status = await eventually('the game Service CR to report its forwarded ports', async () => {
      const s = (await custom().getNamespacedCustomObject({ group: GROUP, version: V, plural: 'services', namespace: ns, name: 'game' })) as Obj;
      return (s.status?.forwardedPorts as unknown[] | undefined)?.length === 2 ? s.status : undefined;
    }, 90_000);
    const np = await core().readNamespacedService({ namespace: ns, name: 'game-np' });
    expect(np.spec?.type).toBe('NodePort');
    const nodePort = (port: number, proto: string) => np.spec?.ports?.find((p) => p.port === port && p.protocol === proto)?.nodePort;
    for (const n of [nodePort(2222, 'TCP'), nodePort(27015, 'UDP')]) expect(n).toBeGreaterThanOrEqual(30000);
    expect(status?.forwardedPorts).toEqual([
      { port: 22, externalPort: nodePort(2222, 'TCP'), proto: 'TCP' },
      { port: 27015, externalPort: nodePort(27015, 'UDP'), proto: 'UDP' },
    ]);
    // Left running: the restart below must find its allocations unchanged and write nothing.
  });

  it('has the API server refuse a schema-invalid Lease, naming the field', async () => {
    const { lease } = leaseAndManifest('777', [{ name: 'web' }]);
    const bad = structuredClone(lease) as { spec: { id: { dseq: string } } };
    bad.spec.id.dseq = 'not-a-number';
    const err = await custom().createClusterCustomObject({ group: GROUP, version: V, plural: 'leases', body: bad }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<unknown>).code).toBe(422);
    expect(String((err as k8s.ApiException<unknown>).body)).toContain('spec.id.dseq');
  });

  it('marks a schema-valid but wrong manifest Degraded and applies nothing of it', async () => {
    const { lease, manifest, ns } = leaseAndManifest('778', [{ name: 'app', params: { storage: [{ name: 'data', mount: '/data', readOnly: false }] } }]);
    await createAll(manifest, lease);
    const degraded = await eventually('the Lease to be Degraded', async () => {
      const l = await getLease(ns);
      return l.status?.phase === 'Degraded' ? l : undefined;
    });
    const msg = conditions(degraded).map((c) => c.message ?? '').join(' ');
    expect(msg).toMatch(/data/);
    const deployments = await apps().listNamespacedDeployment({ namespace: ns }).catch(() => ({ items: [] }));
    const sets = await apps().listNamespacedStatefulSet({ namespace: ns }).catch(() => ({ items: [] }));
    expect([...deployments.items, ...sets.items]).toEqual([]);
    const { stdout } = await runTool('kubectl', ['describe', 'alease', ns]);
    expect(stdout).toMatch(/Degraded/);
  });

  it('routes a hostname for one lease only: a second lease gets no Ingress for it until the first closes', async () => {
    const host = 'shared.e2e.example';
    const first = leaseAndManifest('881', [{ name: 'web', hosts: [host] }]);
    await createAll(first.manifest, first.lease);
    await eventually('the first lease to be Ready', async () => ((await getLease(first.ns)).status?.phase === 'Ready' ? true : undefined), 90_000);
    const claim = async () => (await custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'hostnameclaims', name: host })) as Obj;
    expect((await claim()).spec?.namespace).toBe(first.ns);
    // A claim moves only by delete and create: the API server refuses to rewrite its holder.
    const rewrite = await runTool('kubectl', ['patch', `hostnameclaims.${GROUP}`, host, '--type=merge', '-p', '{"spec":{"namespace":"elsewhere"}}']).then(() => 'patched', (e: unknown) => String((e as { stderr?: string }).stderr ?? e));
    expect(rewrite).toContain('is immutable');

    const second = leaseAndManifest('882', [{ name: 'web', hosts: [host] }]);
    await createAll(second.manifest, second.lease);
    const degraded = async () => conditions((await custom().getNamespacedCustomObject({ group: GROUP, version: V, plural: 'services', namespace: second.ns, name: 'web' })) as Obj).find((c) => c.type === 'Degraded');
    await eventually('the second lease\'s Service to report the host in use', async () => ((await degraded())?.reason === 'HostnameInUse' ? true : undefined), 90_000);
    expect((await degraded())?.message).toContain(host);
    expect((await net().listNamespacedIngress({ namespace: second.ns })).items).toEqual([]);
    expect((await net().readNamespacedIngress({ namespace: first.ns, name: host })).spec?.rules?.[0]?.host).toBe(host);

    // The first lease closes on chain: its namespace goes, its claim is released, the second routes the host.
    await runTool('kubectl', ['patch', `leases.${GROUP}`, first.ns, '--type=merge', '-p', '{"spec":{"state":"closed"}}']);
    await eventually('the second lease to hold the host and route it', async () => {
      const held = await claim().then((c) => c.spec?.namespace, () => undefined);
      if (held !== second.ns) return undefined;
      const ingresses = (await net().listNamespacedIngress({ namespace: second.ns })).items.map((i) => i.metadata?.name);
      return ingresses.includes(host) && (await degraded())?.status === 'False' ? true : undefined;
    }, 90_000);
    await custom().deleteClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name: first.ns });
    await custom().deleteClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name: second.ns });
  });

  it('tears down only the deleted lease: its namespace and Manifest go, the other lease stays', async () => {
    const { ns, manifest } = leaseAndManifest('778', []);
    await custom().deleteClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name: ns });
    await eventually('the deleted lease, its namespace and its Manifest to be gone', async () => {
      const all = await Promise.all([
        gone(() => getLease(ns)),
        gone(() => core().readNamespace({ name: ns })),
        gone(() => custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'manifests', name: manifest.metadata.name })),
      ]);
      return all.every(Boolean) ? true : undefined;
    }, 90_000);
    const other = await core().readNamespace({ name: SAMPLE_NS });
    expect(other.metadata?.deletionTimestamp).toBeUndefined();
    expect((await getLease(SAMPLE_NS)).status?.phase).toBe('Ready');
    expect((await apps().readNamespacedDeployment({ namespace: SAMPLE_NS, name: 'web' })).status?.readyReplicas).toBe(2);
  });
});

describe('an operator restart', () => {
  it('with 100 Ready leases is ready in under 5 s and writes nothing', async () => {
    const N = 100;
    const docs = [];
    const names: string[] = [];
    for (let i = 0; i < N; i++) {
      const { lease, manifest, ns } = leaseAndManifest(String(10_000 + i), [{ name: 'app' }]);
      docs.push(manifest, lease);
      names.push(ns);
    }
    await createAll(...docs);
    await eventually(`${N} leases to be Ready`, async () => {
      const list = (await custom().listClusterCustomObject({ group: GROUP, version: V, plural: 'leases' })) as { items: Obj[] };
      const ready = list.items.filter((l) => names.includes(l.metadata.name) && l.status?.phase === 'Ready').length;
      return ready === N ? true : undefined;
    }, 240_000);

    await op.stop();
    op = await startOperatorProcess({ kubeconfig: inject('kubeconfig'), namespace: OPERATOR_NS });
    console.info(`operator restart with ${N} Ready leases: ready after ${op.readyAfterMs} ms`);
    expect(op.readyAfterMs).toBeLessThan(5000);
    // Every Lease and Service key is reconciled once after the caches sync; wait for all of them.
    const text = await eventually('every lease and service to be reconciled once', async () => {
      const t = await op.metrics();
      const leases = metricSum(t, 'controller_runtime_reconcile_total', { controller: 'lease' });
      const services = metricSum(t, 'controller_runtime_reconcile_total', { controller: 'service' });
      return leases >= N && services >= N && metricSum(t, 'workqueue_depth') === 0 ? t : undefined;
    }, 60_000);
    const writes = text.split('\n').filter((l) => l.startsWith('akash_operator_api_writes_total{') && !l.endsWith(' 0'));
    expect(writes).toEqual([]);
    expect(metricSum(text, 'akash_operator_api_writes_total')).toBe(0);
  });
});
