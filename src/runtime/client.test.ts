import { describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { ApiError, isConflict } from './errors.ts';
import { FakeTransport, json, statusBody } from './fake-transport.ts';
import { Metrics } from './metrics.ts';
import type { ResourceRef } from './resource.ts';

const Deployments: ResourceRef = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
const Widgets: ResourceRef = { apiVersion: 'example.com/v1', kind: 'Widget', plural: 'widgets', namespaced: false };

function setup() {
  const transport = new FakeTransport().on((req) => (req.method === 'GET' ? undefined : json(200, JSON.parse(req.body ?? '{}'))));
  const metrics = new Metrics();
  const client = new KubeClient(transport, { fieldManager: 'akash-operator', metrics });
  return { transport, metrics, client };
}

describe('KubeClient', () => {
  it('server-side apply: PATCH with application/apply-patch+yaml, fieldManager and force, type meta filled in', async () => {
    const { transport, client } = setup();
    await client.apply(Deployments, { metadata: { name: 'web', namespace: 'lease-ns' }, spec: { replicas: 2 } } as never);
    const req = transport.requests[0];
    expect(req?.method).toBe('PATCH');
    expect(req?.path).toBe('/apis/apps/v1/namespaces/lease-ns/deployments/web');
    expect(req?.contentType).toBe('application/apply-patch+yaml');
    expect(req?.query).toEqual({ fieldManager: 'akash-operator', force: true });
    expect(JSON.parse(req?.body ?? '')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'lease-ns' }, spec: { replicas: 2 } });
  });

  it('applies status to the status subresource, with another manager and without force when asked', async () => {
    const { transport, client } = setup();
    await client.applyStatus(Widgets, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, status: { phase: 'Ready' } } as never, { fieldManager: 'status-writer', force: false });
    expect(transport.requests[0]).toMatchObject({ method: 'PATCH', path: '/apis/example.com/v1/widgets/w/status', contentType: 'application/apply-patch+yaml', query: { fieldManager: 'status-writer', force: false } });
  });

  it('merge-patches status with application/merge-patch+json (not the JSON-patch default client-node would pick)', async () => {
    const { transport, client } = setup();
    await client.patchStatus(Widgets, { name: 'w' }, { phase: 'Ready' });
    expect(transport.requests[0]).toMatchObject({ method: 'PATCH', path: '/apis/example.com/v1/widgets/w/status', contentType: 'application/merge-patch+json' });
    expect(JSON.parse(transport.requests[0]?.body ?? '')).toEqual({ status: { phase: 'Ready' } });
  });

  it('counts every write by verb and resource, and no read', async () => {
    const { transport, client, metrics } = setup();
    transport.reply('GET', '/apis/example.com/v1/widgets/w', 200, { metadata: { name: 'w' } });
    transport.reply('GET', '/apis/example.com/v1/widgets', 200, { items: [] });
    await client.get(Widgets, { name: 'w' });
    await client.list(Widgets);
    await client.apply(Deployments, { metadata: { name: 'a', namespace: 'n' } });
    await client.apply(Deployments, { metadata: { name: 'b', namespace: 'n' } });
    await client.patchStatus(Widgets, { name: 'w' }, {});
    await client.create(Widgets, { metadata: { name: 'x' } });
    await client.delete(Widgets, { name: 'x' });
    const text = (await metrics.render()).body;
    expect(text).toContain('akash_operator_api_writes_total{verb="apply",resource="deployments.apps"} 2');
    expect(text).toContain('akash_operator_api_writes_total{verb="patch",resource="widgets.example.com/status"} 1');
    expect(text).toContain('akash_operator_api_writes_total{verb="create",resource="widgets.example.com"} 1');
    expect(text).toContain('akash_operator_api_writes_total{verb="delete",resource="widgets.example.com"} 1');
    expect(text).not.toMatch(/api_writes_total\{verb="(get|list)"/);
    expect(text).toContain('rest_client_requests_total{code="200",method="GET",host="fake-apiserver"} 2');
  });

  it('returns undefined for a missing object and false for deleting one', async () => {
    const { client } = setup();
    const gone = new FakeTransport();
    const c2 = new KubeClient(gone, { fieldManager: 'x' });
    expect(await c2.get(Widgets, { name: 'nope' })).toBeUndefined();
    expect(await c2.delete(Widgets, { name: 'nope' })).toBe(false);
    expect(await client.delete(Widgets, { name: 'w' })).toBe(true);
  });

  it('throws an ApiError that names the request and carries the Status', async () => {
    const t = new FakeTransport().on(() => json(409, statusBody(409, 'Conflict', 'the object has been modified')));
    const c = new KubeClient(t, { fieldManager: 'x' });
    const err = await c.mergePatch(Widgets, { name: 'w' }, { spec: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isConflict(err)).toBe(true);
    expect((err as ApiError).message).toBe('PATCH /apis/example.com/v1/widgets/w: 409 Conflict: the object has been modified');
  });

  it('refuses to address a namespaced object without a namespace, or a cluster-scoped one with one', async () => {
    const { client } = setup();
    await expect(client.apply(Deployments, { metadata: { name: 'a' } })).rejects.toThrow('Deployment a: metadata.namespace is required');
    await expect(client.get(Widgets, { name: 'w', namespace: 'ns' })).rejects.toThrow(/cluster-scoped/);
  });

  it('passes watch parameters through to the transport', async () => {
    const { transport, client } = setup();
    await client.watch(Deployments, { namespace: 'n', resourceVersion: '5', allowWatchBookmarks: true, timeoutSeconds: 290, labelSelector: 'a=b' }, () => {}, () => {});
    expect(transport.lastWatch.path).toBe('/apis/apps/v1/namespaces/n/deployments');
    expect(transport.lastWatch.query).toMatchObject({ resourceVersion: '5', allowWatchBookmarks: true, timeoutSeconds: 290, labelSelector: 'a=b' });
  });
});
