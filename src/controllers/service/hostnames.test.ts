import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION } from '../../api/common.ts';
import type { ServiceStatus } from '../../api/service.ts';
import type { FakeApi } from '../../runtime/fake-api.ts';
import { resolveProviderPolicy } from '../../workloads/policy.ts';
import { expose } from '../../workloads/test-fixtures.ts';
import { HostnameClaimRef, IngressRef, LeaseRef, ServiceCrRef } from '../refs.ts';
import { servicesWantingHost } from './caches.ts';
import { staleClaims, type HostnameClaimObject } from './hostnames.ts';
import { hostnameInUseMessage } from './status.ts';
import { apiWith, KEY, LEASE_ID, NS, serviceCr, startHarness, stopAll } from './test-harness.ts';

afterEach(stopAll);

const OTHER_NS = 'othernamespace0000000000000000000000000000000';
const CLAIMS = `/apis/${API_VERSION}/hostnameclaims`;

function claim(host: string, namespace: string): HostnameClaimObject {
  return {
    apiVersion: API_VERSION,
    kind: 'HostnameClaim',
    metadata: { name: host, labels: { 'akash.network': 'true', 'akash.network/namespace': namespace } },
    spec: { namespace, lease: { ...LEASE_ID, dseq: namespace === NS ? LEASE_ID.dseq : '999' } },
  };
}
const statusOf = (api: FakeApi) => api.get<{ metadata: object; status?: ServiceStatus }>(ServiceCrRef, 'web', NS)?.status;
const degraded = (api: FakeApi) => statusOf(api)?.conditions?.find((c) => c.type === 'Degraded');

describe('hostname claims', () => {
  it('claims each routed host for the lease before its Ingress: owned by the Lease, labelled with the lease', async () => {
    const api = apiWith(serviceCr({ expose: [expose({ hosts: ['a.example.com', 'b.example.com'] })] }));
    const h = await startHarness(api);
    await h.reconcile();
    const writes = api.writes().filter((r) => !r.path.includes('/events') && !r.path.endsWith('/status'));
    const posts = writes.filter((r) => r.path === CLAIMS);
    expect(posts).toHaveLength(2);
    // Both claims are in place before the first Ingress is applied.
    expect(writes.findIndex((r) => r.path.includes('/ingresses/'))).toBeGreaterThan(writes.lastIndexOf(posts[1]!));
    const c = api.get<HostnameClaimObject>(HostnameClaimRef, 'a.example.com')!;
    const { bseq: _b, ...lease } = LEASE_ID;
    expect(c.spec).toEqual({ namespace: NS, lease });
    expect(c.metadata.ownerReferences).toEqual([{ apiVersion: API_VERSION, kind: 'Lease', name: NS, uid: api.get(LeaseRef, NS)?.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(c.metadata.labels).toMatchObject({ 'akash.network': 'true', 'akash.network/namespace': NS, 'akash.network/lease.id.dseq': LEASE_ID.dseq });
    expect(api.names(IngressRef, NS)).toEqual(['a.example.com', 'b.example.com']);

    // Converged: no claim is written again.
    const mark = api.mark;
    await h.reconcile();
    expect(api.writes(mark)).toEqual([]);
  });

  it("a host another lease holds gets no route, the Service says so without naming the holder, the rest is served", async () => {
    const api = apiWith(serviceCr({ expose: [expose({ hosts: ['taken.example.com', 'mine.example.com'] })] }), [HostnameClaimRef, claim('taken.example.com', OTHER_NS)]);
    const h = await startHarness(api);
    expect(await h.reconcile()).toEqual({ requeueAfterMs: 600_000 });
    expect(api.names(IngressRef, NS)).toEqual(['mine.example.com']);
    expect(api.get<HostnameClaimObject>(HostnameClaimRef, 'taken.example.com')?.spec.namespace).toBe(OTHER_NS);
    expect(statusOf(api)?.uris).toEqual(['mine.example.com']);
    expect(degraded(api)).toMatchObject({ status: 'True', reason: 'HostnameInUse', message: hostnameInUseMessage(['taken.example.com']) });
    expect(degraded(api)?.message).not.toContain(OTHER_NS);
    // The spec was evaluated in full: this is the Service's answer to it, not a retry.
    expect(statusOf(api)?.observedGeneration).toBe(1);
    const warnings = api.writes().filter((r) => r.path.includes('/events')).map((r) => JSON.parse(r.body ?? '{}') as { reason: string; type: string });
    expect(warnings).toContainEqual(expect.objectContaining({ reason: 'HostnameInUse', type: 'Warning' }));
  });

  it('an Ingress of ours for a host that another lease holds is removed (a claim that predates ours wins)', async () => {
    const api = apiWith(serviceCr());
    const h = await startHarness(api);
    await h.reconcile();
    expect(api.names(IngressRef, NS)).toEqual(['www.example.com']);
    // As after an upgrade from a version without claims: the other lease's claim is first.
    await api.transport.request({ method: 'DELETE', path: `${CLAIMS}/www.example.com`, body: '{}' });
    api.put(HostnameClaimRef, claim('www.example.com', OTHER_NS));
    await h.settle();
    await h.reconcile();
    expect(api.names(IngressRef, NS)).toEqual([]);
    expect(degraded(api)?.reason).toBe('HostnameInUse');
  });

  it('a claim created by another lease between our cache and our create (409) is read back and refuses the host', async () => {
    const api = apiWith(serviceCr());
    api.transport.on((req) => {
      if (req.method !== 'POST' || req.path !== CLAIMS) return undefined;
      api.put(HostnameClaimRef, claim('www.example.com', OTHER_NS));
      return { status: 409, body: JSON.stringify({ kind: 'Status', code: 409, reason: 'AlreadyExists', message: 'hostnameclaims "www.example.com" already exists' }) };
    });
    const h = await startHarness(api);
    await h.reconcile();
    expect(api.names(IngressRef, NS)).toEqual([]);
    expect(degraded(api)?.reason).toBe('HostnameInUse');
  });

  it('without its Lease in the cache nothing is routed and the reconcile is retried', async () => {
    const api = apiWith(serviceCr());
    await api.transport.request({ method: 'DELETE', path: `/apis/${API_VERSION}/leases/${NS}`, body: '{}' });
    const h = await startHarness(api);
    await expect(h.reconcile()).rejects.toThrow(`cannot claim hostnames: Lease ${NS} is not in the cache yet`);
    expect(api.names(IngressRef, NS)).toEqual([]);
    expect(api.names(HostnameClaimRef)).toEqual([]);
  });

  it('a released host is claimed by the Service that waited for it', async () => {
    const api = apiWith(serviceCr(), [HostnameClaimRef, claim('www.example.com', OTHER_NS)]);
    const h = await startHarness(api);
    await h.reconcile();
    expect(api.names(IngressRef, NS)).toEqual([]);
    const released = api.get<HostnameClaimObject>(HostnameClaimRef, 'www.example.com')!;
    // The claim's delete event maps to the Services that route its host.
    expect(servicesWantingHost(h.caches.services, h.ctx.policy, released)).toEqual([KEY]);
    await api.transport.request({ method: 'DELETE', path: `${CLAIMS}/www.example.com`, body: '{}' });
    await h.settle();
    await h.reconcile();
    expect(api.get<HostnameClaimObject>(HostnameClaimRef, 'www.example.com')?.spec.namespace).toBe(NS);
    expect(api.names(IngressRef, NS)).toEqual(['www.example.com']);
    expect(degraded(api)).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('a Service CR that is gone releases its claims once its routes are gone', async () => {
    const api = apiWith(serviceCr());
    const h = await startHarness(api);
    await h.reconcile();
    expect(api.names(HostnameClaimRef)).toEqual(['www.example.com']);
    await api.transport.request({ method: 'DELETE', path: `/apis/${API_VERSION}/namespaces/${NS}/services/web`, body: '{}' });
    await h.settle();
    // Garbage collection has not removed the Ingress yet: the host is still routed.
    await h.reconcile();
    expect(api.names(HostnameClaimRef)).toEqual(['www.example.com']);
    await api.transport.request({ method: 'DELETE', path: `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/www.example.com`, body: '{}' });
    await h.settle();
    await h.reconcile();
    expect(api.names(HostnameClaimRef)).toEqual([]);
  });
});

describe('staleClaims', () => {
  const claims = [claim('routed.example.com', NS), claim('wanted.example.com', NS), claim('free.example.com', NS)];
  it('keeps claims whose host is routed or wanted, and those already being deleted', () => {
    const deleting = { ...claim('going.example.com', NS), metadata: { ...claim('going.example.com', NS).metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(staleClaims([...claims, deleting], new Set(['routed.example.com']), new Set(['wanted.example.com'])).map((c) => c.metadata.name)).toEqual(['free.example.com']);
  });
});

describe('servicesWantingHost', () => {
  it('maps the static host of a provider domain, and nothing for a host no Service routes', async () => {
    const api = apiWith(serviceCr());
    const h = await startHarness(api, { ingress: { domain: 'ingress.example.org' } });
    const policy = resolveProviderPolicy({ ingress: { domain: 'ingress.example.org' } });
    const uris = (await h.reconcile(), statusOf(api)?.uris ?? []);
    const staticHost = uris.find((u) => u.endsWith('.ingress.example.org'))!;
    expect(staticHost).toBeDefined();
    expect(servicesWantingHost(h.caches.services, policy, claim(staticHost, NS))).toEqual([KEY]);
    expect(servicesWantingHost(h.caches.services, policy, claim('nobody.example.com', NS))).toEqual([]);
  });
});
