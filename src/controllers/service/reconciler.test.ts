import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION } from '../../api/common.ts';
import type { ServiceStatus } from '../../api/service.ts';
import { FakeApi } from '../../runtime/fake-api.ts';
import { TerminalError, type HttpRequest, type KubeObject } from '../../runtime/index.ts';
import { statefulResources, expose } from '../../workloads/test-fixtures.ts';
import { DeploymentRef, HostnameClaimRef, IngressRef, KubeServiceRef, SecretRef, ServiceCrRef, StatefulSetRef } from '../refs.ts';
import { DESIRED_HASH_ANNOTATION } from '../apply.ts';
import { apiWith, NS, OPERATOR_NS, serviceCr, startHarness, stopAll, type Harness } from './test-harness.ts';

afterEach(stopAll);

const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments`;
const STATEFULSETS = `/apis/apps/v1/namespaces/${NS}/statefulsets`;
const SERVICES = `/api/v1/namespaces/${NS}/services`;
const INGRESSES = `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`;
const SECRETS = `/api/v1/namespaces/${NS}/secrets`;
const CR_STATUS = `/apis/${API_VERSION}/namespaces/${NS}/services/web/status`;

const describeReq = (r: HttpRequest) => `${r.method} ${r.path}`;
const bodyOf = (r: HttpRequest | undefined) => JSON.parse(r?.body ?? '{}') as KubeObject & { status?: ServiceStatus; spec?: Record<string, unknown> };
const CLAIMS = `/apis/${API_VERSION}/hostnameclaims`;
/** Writes of children: not the status, Events or hostname claims (claims have tests of their own). */
const childWrites = (reqs: HttpRequest[]) => reqs.filter((r) => !r.path.endsWith('/status') && !r.path.includes('/events') && !r.path.startsWith(CLAIMS));
const statusOf = (api: FakeApi) => api.get<KubeObject & { status?: ServiceStatus }>(ServiceCrRef, 'web', NS)?.status;
const condition = (status: ServiceStatus | undefined, type: string) => status?.conditions?.find((c) => c.type === type);
const events = (reqs: HttpRequest[]) => reqs.filter((r) => r.path.includes('/events') && r.method === 'POST').map((r) => bodyOf(r) as unknown as { reason: string; type: string; note: string });

/** What the Deployment controller reports once `n` of `count` pods are ready and up to date. */
function deploymentReady(api: FakeApi, ready: number, count = 1): void {
  api.update(DeploymentRef, 'web', NS, (d) => (d.status = { observedGeneration: d.metadata.generation, replicas: count, updatedReplicas: count, readyReplicas: ready, availableReplicas: ready }));
}

async function created(cr = serviceCr()): Promise<Harness> {
  const h = await startHarness(apiWith(cr));
  await h.reconcile();
  return h;
}

describe('service reconcile', () => {
  it('creates every child with the controller ownerReference to the Service CR, then writes the status', async () => {
    const api = apiWith(serviceCr());
    const uid = api.get(ServiceCrRef, 'web', NS)?.metadata.uid;
    const h = await startHarness(api);
    expect(await h.reconcile()).toEqual({ requeueAfterMs: 600_000 });

    const applies = childWrites(api.writes());
    expect(applies.map(describeReq)).toEqual([`PATCH ${DEPLOYMENTS}/web`, `PATCH ${SERVICES}/web`, `PATCH ${INGRESSES}/www.example.com`]);
    for (const r of applies) {
      expect(r.contentType).toBe('application/apply-patch+yaml');
      expect(bodyOf(r).metadata.ownerReferences).toEqual([{ apiVersion: API_VERSION, kind: 'Service', name: 'web', uid, controller: true, blockOwnerDeletion: true }]);
      expect(bodyOf(r).metadata.annotations?.[DESIRED_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{32}$/);
    }
    const status = statusOf(api);
    expect(status).toMatchObject({
      replicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      ready: '0/1',
      uris: ['www.example.com'],
      selector: `akash.network=true,akash.network/manifest-service=web,akash.network/namespace=${NS}`,
      observedGeneration: 1,
    });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'ReplicasNotReady', observedGeneration: 1 });
    expect(condition(status, 'Progressing')).toMatchObject({ status: 'True', reason: 'RollingOut' });
    expect(condition(status, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
    // Creation is told by the Lease's ManifestApplied Event; the Service CR tells updates and repairs.
    expect(events(api.writes()).map((e) => e.reason)).toEqual([]);
  });

  it('issues zero writes once converged: on the next reconcile and after a restart', async () => {
    const h = await created();
    deploymentReady(h.api, 1);
    await h.settle();
    await h.reconcile(); // status: Ready
    expect(condition(statusOf(h.api), 'Ready')?.status).toBe('True');

    let mark = h.api.mark;
    await h.reconcile();
    expect(h.api.writes(mark)).toEqual([]);

    await h.stop();
    const restarted = await startHarness(h.api);
    mark = h.api.mark;
    expect(await restarted.reconcile()).toEqual({ requeueAfterMs: 600_000 });
    await restarted.stop(); // flushes pending events
    expect(h.api.writes(mark).map(describeReq)).toEqual([]);
  });

  it('re-applies a child someone changed, and a field it no longer sets (command dropped)', async () => {
    const h = await created(serviceCr({ command: ['/bin/server'] }));
    const d = h.api.get<KubeObject & { spec: { replicas: number } }>(DeploymentRef, 'web', NS);
    if (!d) throw new Error('no deployment');
    h.api.put(DeploymentRef, { ...d, spec: { ...d.spec, replicas: 7 } });
    await h.settle();
    let mark = h.api.mark;
    await h.reconcile();
    expect(childWrites(h.api.writes(mark)).map(describeReq)).toEqual([`PATCH ${DEPLOYMENTS}/web`]);
    expect(events(h.api.writes(mark)).map((e) => `${e.reason}: ${e.note}`)).toEqual(['Applied: applied Deployment web']);

    // containsDesired alone would not see this: every desired field still matches the live one.
    h.api.put(ServiceCrRef, serviceCr({}, { generation: 2 }));
    await h.settle();
    mark = h.api.mark;
    await h.reconcile();
    const writes = childWrites(h.api.writes(mark));
    expect(writes.map(describeReq)).toEqual([`PATCH ${DEPLOYMENTS}/web`]);
    expect(JSON.stringify(bodyOf(writes[0]))).not.toContain('/bin/server');
  });

  it('an invalid spec: Degraded InvalidSpec naming each path, Ready False, an event, nothing applied, TerminalError', async () => {
    const h = await created();
    const mark = h.api.mark;
    const bad = serviceCr({ params: { storage: [{ name: 'nope', mount: '/a', readOnly: false }, { name: 'default', mount: '/b', readOnly: false }] } }, { generation: 2 });
    h.api.put(ServiceCrRef, bad);
    await h.settle();
    await expect(h.reconcile()).rejects.toBeInstanceOf(TerminalError);
    await h.settle();

    const writes = h.api.writes(mark).filter((r) => r.method !== 'PUT');
    expect(childWrites(writes)).toEqual([]);
    expect(writes.filter((r) => r.path === CR_STATUS)).toHaveLength(1);
    const status = statusOf(h.api);
    const degraded = condition(status, 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'InvalidSpec', observedGeneration: 2 });
    expect(degraded?.message).toContain('spec.params.storage[0].name: volume "nope" is not in spec.resources.storage');
    expect(degraded?.message).toContain('spec.params.storage[1].name');
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(status?.observedGeneration).toBe(2);
    const warning = events(writes).find((e) => e.reason === 'InvalidSpec');
    expect(warning).toMatchObject({ type: 'Warning' });
    expect(warning?.note).toContain('spec.params.storage[0].name');
    // The earlier, valid workload keeps running untouched.
    expect(h.api.names(DeploymentRef, NS)).toEqual(['web']);
  });

  it('an expose port out of range is refused with its path', async () => {
    const h = await startHarness(apiWith(serviceCr({ expose: [expose({ port: 70000 })] })));
    await expect(h.reconcile()).rejects.toThrow(/spec\.expose\[0\]\.port/);
    expect(childWrites(h.api.writes())).toEqual([]);
    expect(condition(statusOf(h.api), 'Degraded')?.message).toContain('spec.expose[0].port');
  });

  it('a Service CR without lease labels: Degraded LeaseLabelsMissing naming the labels, TerminalError', async () => {
    const h = await startHarness(apiWith(serviceCr({}, { leaseLabels: false })));
    await expect(h.reconcile()).rejects.toBeInstanceOf(TerminalError);
    expect(childWrites(h.api.writes())).toEqual([]);
    const degraded = condition(statusOf(h.api), 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'LeaseLabelsMissing' });
    expect(degraded?.message).toContain('akash.network/lease.id.owner');
  });

  it('registry credentials: missing Secret and missing key are named; the password only travels in the pull Secret', async () => {
    const password = 'hunter2-S3cret!';
    const username = 'tenant';
    const cr = serviceCr({ credentialsSecretRef: { namespace: OPERATOR_NS, name: 'regcred' } });
    const h = await startHarness(apiWith(cr));

    await expect(h.reconcile()).rejects.toBeInstanceOf(TerminalError);
    expect(childWrites(h.api.writes())).toEqual([]);
    expect(condition(statusOf(h.api), 'Degraded')).toMatchObject({ status: 'True', reason: 'CredentialsUnavailable', message: `registry credentials Secret ${OPERATOR_NS}/regcred not found` });

    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    h.api.put(SecretRef, { metadata: { name: 'regcred', namespace: OPERATOR_NS }, data: { host: b64('registry.example.com'), username: b64(username) } } as KubeObject);
    await h.settle();
    await expect(h.reconcile()).rejects.toBeInstanceOf(TerminalError);
    expect(condition(statusOf(h.api), 'Degraded')?.message).toBe(`registry credentials Secret ${OPERATOR_NS}/regcred: key "password" is missing`);

    h.api.put(SecretRef, { metadata: { name: 'regcred', namespace: OPERATOR_NS }, data: { host: b64('registry.example.com'), username: b64(username), password: b64(password) } } as KubeObject);
    await h.settle();
    const mark = h.api.mark;
    expect(await h.reconcile()).toEqual({ requeueAfterMs: 600_000 });
    await h.stop();

    const applies = childWrites(h.api.writes(mark));
    expect(applies.map(describeReq)).toEqual([`PATCH ${SECRETS}/docker-creds-web`, `PATCH ${DEPLOYMENTS}/web`, `PATCH ${SERVICES}/web`, `PATCH ${INGRESSES}/www.example.com`]);
    const pull = bodyOf(applies[0]) as KubeObject & { type?: string; data?: Record<string, string> };
    expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
    expect(Buffer.from(pull.data?.['.dockerconfigjson'] ?? '', 'base64').toString('utf8')).toContain(password);
    const podSpec = (bodyOf(applies[1]).spec as { template: { spec: { imagePullSecrets?: unknown } } }).template.spec;
    expect(podSpec.imagePullSecrets).toEqual([{ name: 'docker-creds-web' }]);

    const secretForms = [password, b64(password), b64(`${username}:${password}`)];
    const others = h.api.transport.requests.filter((r) => r !== applies[0]).map((r) => `${r.path} ${JSON.stringify(r.query ?? {})} ${r.body ?? ''}`);
    for (const text of [...others, ...h.logs]) for (const s of secretForms) expect(text).not.toContain(s);
  });

  it('credentials removed: the pull Secret is deleted and the pods stop referring to it', async () => {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const secret = { metadata: { name: 'regcred', namespace: OPERATOR_NS }, data: { host: b64('r.example.com'), username: b64('u'), password: b64('p') } } as KubeObject;
    const api = apiWith(serviceCr({ credentialsSecretRef: { namespace: OPERATOR_NS, name: 'regcred' } }), [SecretRef, secret]);
    const h = await startHarness(api);
    await h.reconcile();
    expect(api.names(SecretRef, NS)).toEqual(['docker-creds-web']);

    api.put(ServiceCrRef, serviceCr({}, { generation: 2 }));
    await h.settle();
    const mark = api.mark;
    await h.reconcile();
    expect(childWrites(api.writes(mark)).map(describeReq)).toEqual([`PATCH ${DEPLOYMENTS}/web`, `DELETE ${SECRETS}/docker-creds-web`]);
    expect(api.names(SecretRef, NS)).toEqual([]);
    const d = api.get<KubeObject & { spec: { template: { spec: { imagePullSecrets?: unknown } } } }>(DeploymentRef, 'web', NS);
    expect(d?.spec.template.spec.imagePullSecrets).toBeUndefined();
  });

  it('Deployment → StatefulSet: the Deployment is deleted before the StatefulSet is applied', async () => {
    const h = await created();
    h.api.put(ServiceCrRef, serviceCr({ resources: statefulResources(), params: { storage: [{ name: 'data', mount: '/data', readOnly: false }] } }, { generation: 2 }));
    await h.settle();
    const mark = h.api.mark;
    await h.reconcile();
    const writes = childWrites(h.api.writes(mark)).map(describeReq);
    expect(writes.slice(0, 2)).toEqual([`DELETE ${DEPLOYMENTS}/web`, `PATCH ${STATEFULSETS}/web`]);
    expect(h.api.names(DeploymentRef, NS)).toEqual([]);
    expect(h.api.names(StatefulSetRef, NS)).toEqual(['web']);
    // (`Applied` repeats the first reconcile's event: the recorder folds it into that event's series.)
    expect(events(h.api.writes(mark)).map((e) => e.reason)).toEqual(['Deleted']);

    // And back: the StatefulSet goes when no volume is persistent any more.
    h.api.put(ServiceCrRef, serviceCr({}, { generation: 3 }));
    await h.settle();
    await h.reconcile();
    expect(h.api.names(StatefulSetRef, NS)).toEqual([]);
    expect(h.api.names(DeploymentRef, NS)).toEqual(['web']);
  });

  it('children no longer desired are deleted: a dropped hostname\'s Ingress, the -np Service', async () => {
    const two = serviceCr({ expose: [expose({ hosts: ['a.example.com', 'b.example.com'] }), expose({ port: 5432, externalPort: 5432 })] });
    const h = await created(two);
    expect(h.api.names(IngressRef, NS)).toEqual(['a.example.com', 'b.example.com']);
    expect(h.api.names(KubeServiceRef, NS)).toEqual(['web', 'web-np']);

    h.api.put(ServiceCrRef, serviceCr({ expose: [expose({ hosts: ['a.example.com'] })] }, { generation: 2 }));
    await h.settle();
    const mark = h.api.mark;
    await h.reconcile();
    expect(childWrites(h.api.writes(mark)).filter((r) => r.method === 'DELETE').map(describeReq).sort()).toEqual([`DELETE ${INGRESSES}/b.example.com`, `DELETE ${SERVICES}/web-np`].sort());
    expect(h.api.names(IngressRef, NS)).toEqual(['a.example.com']);
    expect(h.api.names(KubeServiceRef, NS)).toEqual(['web']);
    expect(statusOf(h.api)?.uris).toEqual(['a.example.com']);
    // The dropped host's claim is released once its Ingress has left the cache.
    expect(h.api.names(HostnameClaimRef)).toEqual(['a.example.com']);
  });

  it('reports the node ports the API server allocated for global non-HTTP ports, and drops them with the port', async () => {
    const cr = serviceCr({ expose: [expose({ hosts: ['a.example.com'] }), expose({ port: 5432, externalPort: 5432 }), expose({ port: 9000, externalPort: 9000, proto: 'UDP' })] });
    const h = await created(cr);
    const np = h.api.get<KubeObject & { spec?: { ports?: { port: number; protocol: string; nodePort: number }[] } }>(KubeServiceRef, 'web-np', NS);
    const allocated = (port: number, proto: string) => np?.spec?.ports?.find((p) => p.port === port && p.protocol === proto)?.nodePort;
    expect(allocated(5432, 'TCP')).toBeGreaterThanOrEqual(30000);
    expect(statusOf(h.api)?.forwardedPorts).toEqual([
      { port: 5432, externalPort: allocated(5432, 'TCP'), proto: 'TCP' },
      { port: 9000, externalPort: allocated(9000, 'UDP'), proto: 'UDP' },
    ]);

    // Converged: the allocations come from the cache and nothing is written.
    await h.settle();
    const mark = h.api.mark;
    await h.reconcile();
    expect(h.api.writes(mark)).toEqual([]);

    // The TCP port goes from the manifest: its entry goes from the status, the UDP one keeps its node port.
    h.api.put(ServiceCrRef, serviceCr({ expose: [expose({ hosts: ['a.example.com'] }), expose({ port: 9000, externalPort: 9000, proto: 'UDP' })] }, { generation: 2 }));
    await h.settle();
    await h.reconcile();
    expect(statusOf(h.api)?.forwardedPorts).toEqual([{ port: 9000, externalPort: allocated(9000, 'UDP'), proto: 'UDP' }]);

    // No global non-HTTP port left: no NodePort Service, no forwardedPorts field.
    h.api.put(ServiceCrRef, serviceCr({ expose: [expose({ hosts: ['a.example.com'] })] }, { generation: 3 }));
    await h.settle();
    await h.reconcile();
    expect(h.api.names(KubeServiceRef, NS)).toEqual(['web']);
    expect(statusOf(h.api)).not.toHaveProperty('forwardedPorts');
  });

  it('never deletes an object it does not control, even with its labels', async () => {
    const foreign = { metadata: { name: 'other.example.com', namespace: NS, labels: { 'akash.network': 'true', 'akash.network/manifest-service': 'web' } }, spec: {} };
    const h = await startHarness(apiWith(serviceCr(), [IngressRef, foreign]));
    await h.reconcile();
    expect(h.api.writes().filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(h.api.names(IngressRef, NS)).toEqual(['other.example.com', 'www.example.com']);
  });

  it('writes the status only when it changed, and it follows the Deployment\'s readiness', async () => {
    const h = await created(serviceCr({ count: 2 }));
    const statusWrites = (from: number) => h.api.writes(from).filter((r) => r.path === CR_STATUS);

    let mark = h.api.mark;
    await h.reconcile();
    expect(statusWrites(mark)).toEqual([]);

    deploymentReady(h.api, 1, 2);
    await h.settle();
    mark = h.api.mark;
    await h.reconcile();
    expect(statusWrites(mark)).toHaveLength(1);
    let status = statusOf(h.api);
    expect(status).toMatchObject({ replicas: 2, readyReplicas: 1, availableReplicas: 1, ready: '1/2' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', message: '1/2 replicas ready' });
    expect(condition(status, 'Progressing')?.status).toBe('True');
    const notReadySince = condition(status, 'Ready')?.lastTransitionTime;

    deploymentReady(h.api, 2, 2);
    await h.settle();
    mark = h.api.mark;
    await h.reconcile();
    expect(statusWrites(mark)).toHaveLength(1);
    status = statusOf(h.api);
    expect(status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, ready: '2/2' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'AllReplicasReady', message: '2/2 replicas ready' });
    expect(condition(status, 'Progressing')).toMatchObject({ status: 'False', reason: 'RolloutComplete' });
    expect(notReadySince).toBeDefined();
    expect(events(h.api.writes(mark)).map((e) => e.reason)).toEqual(['Ready']);
  });

  it('does nothing for a Service CR that is gone or being deleted', async () => {
    const h = await startHarness(apiWith(serviceCr()));
    expect(await h.reconcile(`${NS}/missing`)).toEqual({});
    const deleting = serviceCr();
    deleting.metadata.deletionTimestamp = '2026-05-06T07:00:00Z';
    const h2 = await startHarness(apiWith(deleting));
    expect(await h2.reconcile()).toEqual({});
    expect(h.api.writes()).toEqual([]);
    expect(h2.api.writes()).toEqual([]);
  });

  it('an API server rejection: Degraded ApplyFailed, retried (not terminal)', async () => {
    const api = apiWith(serviceCr());
    api.transport.on((req) => (req.method === 'PATCH' && req.path === `${INGRESSES}/www.example.com` ? { status: 422, body: JSON.stringify({ kind: 'Status', code: 422, reason: 'Invalid', message: 'Ingress.networking.k8s.io "www.example.com" is invalid: spec.rules[0].host: Invalid value' }) } : undefined));
    const h = await startHarness(api);
    const err = await h.reconcile().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TerminalError);
    const degraded = condition(statusOf(api), 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
    expect(degraded?.message).toContain(`apply Ingress ${NS}/www.example.com: `);
    expect(degraded?.message).toContain('spec.rules[0].host');
    expect(statusOf(api)?.observedGeneration).toBeUndefined();
  });
});

describe('service reconcile in httproute mode', () => {
  it('applies HTTPRoutes instead of Ingresses', async () => {
    const api = apiWith(serviceCr());
    const h = await startHarness(api, { ingress: { mode: 'httproute' } });
    await h.reconcile();
    expect(childWrites(api.writes()).map(describeReq)).toEqual([`PATCH ${DEPLOYMENTS}/web`, `PATCH ${SERVICES}/web`, `PATCH /apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes/www.example.com`]);
  });
});
