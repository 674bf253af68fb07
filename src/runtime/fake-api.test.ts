import { describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { ApiError } from './errors.ts';
import { FakeApi, type FakeObject } from './fake-api.ts';
import type { KubeList, ResourceRef } from './resource.ts';

const Deployments: ResourceRef = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
const Widgets: ResourceRef = { apiVersion: 'example.com/v1', kind: 'Widget', plural: 'widgets', namespaced: false };
const Namespaces: ResourceRef = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
const ConfigMaps: ResourceRef = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
const LimitRanges: ResourceRef = { apiVersion: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true };

function setup() {
  const api = new FakeApi();
  return { api, client: new KubeClient(api.transport, { fieldManager: 'op' }) };
}

const codeOf = (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof ApiError ? e.code : -1));
const widget = (name: string, labels: Record<string, string> = {}, spec: unknown = { size: 1 }) => ({ metadata: { name, labels }, spec });

describe('FakeApi', () => {
  it('server-side apply: creates, then replaces what the manager applies and drops what it no longer applies', async () => {
    const { api, client } = setup();
    const created = await client.apply<FakeObject>(Widgets, { metadata: { name: 'w', labels: { a: '1', b: '2' } }, spec: { size: 1 }, status: { phase: 'ignored' } });
    expect(created.metadata).toMatchObject({ generation: 1, resourceVersion: '101' });
    expect(created.status).toBeUndefined();
    api.update(Widgets, 'w', undefined, (o) => (o.metadata.labels = { ...o.metadata.labels, other: 'x' }));

    const again = await client.apply<FakeObject>(Widgets, { metadata: { name: 'w', labels: { a: '1' } }, spec: { size: 1 } });
    expect(again.metadata).toMatchObject({ uid: created.metadata.uid, generation: 1, resourceVersion: '103', labels: { a: '1', other: 'x' } });
    const grown = await client.apply<FakeObject>(Widgets, { metadata: { name: 'w', labels: { a: '1' } }, spec: { size: 2 } });
    expect(grown.metadata.generation).toBe(2);
    expect(api.get(Widgets, 'w')).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { size: 2 } });
  });

  it('the status subresource changes only status; writes to the object never change it', async () => {
    const { api, client } = setup();
    await client.apply(Widgets, widget('w'));
    await client.applyStatus(Widgets, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 9 }, status: { phase: 'Ready' } } as never);
    await client.mergePatch(Widgets, { name: 'w' }, { spec: { size: 3 }, status: { phase: 'Lost' } });
    expect(api.get(Widgets, 'w')).toMatchObject({ spec: { size: 3 }, status: { phase: 'Ready' }, metadata: { generation: 2 } });
    expect(await codeOf(client.applyStatus(Widgets, { metadata: { name: 'nope' }, status: {} } as never))).toBe(404);
  });

  it('lists by label selector and namespace, sorted, built-in items without apiVersion/kind', async () => {
    const { api, client } = setup();
    for (const [name, labels] of [['c', { tier: 'web', env: 'prod' }], ['a', { tier: 'db' }], ['b', {}]] as const) api.put(Widgets, widget(name, labels));
    const names = async (labelSelector: string) => (await client.list(Widgets, { labelSelector })).items.map((o) => o.metadata.name);
    expect(await names('')).toEqual(['a', 'b', 'c']);
    expect(await names('tier=web')).toEqual(['c']);
    expect(await names('tier!=web')).toEqual(['a', 'b']);
    expect(await names('tier')).toEqual(['a', 'c']);
    expect(await names('!tier')).toEqual(['b']);
    expect(await names('tier in (web, db),env notin (dev)')).toEqual(['a', 'c']);
    expect(await codeOf(names('tier in web'))).toBe(400);
    expect((await client.list(Widgets)).items[0]).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget' });

    api.put(ConfigMaps, { metadata: { name: 'x', namespace: 'one' } });
    api.put(ConfigMaps, { metadata: { name: 'y', namespace: 'two' } });
    const all = await client.list<FakeObject>(ConfigMaps);
    expect(all.metadata).toEqual({ resourceVersion: '105' });
    expect(all.items.map((o) => [o.apiVersion, o.kind, o.metadata.namespace])).toEqual([[undefined, undefined, 'one'], [undefined, undefined, 'two']]);
    expect((await client.list(ConfigMaps, { namespace: 'two' })).items.map((o) => o.metadata.name)).toEqual(['y']);
    expect(await codeOf(client.list(ConfigMaps, { fieldSelector: 'metadata.name=y' }))).toBe(400);
    expect(api.names(ConfigMaps, 'one')).toEqual(['x']);
    api.put(Deployments, { metadata: { name: 'd', namespace: 'one' } });
    expect((await client.list<FakeObject>(Deployments)).items[0]?.apiVersion).toBeUndefined();
  });

  it('sends every write to the open watches that select the object', async () => {
    const { api, client } = setup();
    const seen: string[] = [];
    const watch = (namespace: string | undefined, labelSelector: string | undefined, tag: string) =>
      client.watch(ConfigMaps, { namespace, labelSelector }, (type, o) => seen.push(`${tag} ${type} ${(o as FakeObject).metadata.name}`), () => {});
    await watch(undefined, undefined, 'all');
    await watch('one', 'app=x', 'sel');
    const ended = await watch(undefined, undefined, 'ended');
    ended.abort();

    await client.apply(ConfigMaps, { metadata: { name: 'a', namespace: 'one', labels: { app: 'x' } }, data: { k: 'v' } });
    await client.apply(ConfigMaps, { metadata: { name: 'b', namespace: 'two', labels: { app: 'x' } } });
    api.update(ConfigMaps, 'a', 'one', (o) => (o.metadata.labels = {}));
    api.update(ConfigMaps, 'a', 'one', (o) => (o.metadata.labels = { app: 'x' }));
    await client.delete(ConfigMaps, { name: 'a', namespace: 'one' });
    expect(seen).toEqual(['all ADDED a', 'sel ADDED a', 'all ADDED b', 'all MODIFIED a', 'sel DELETED a', 'all MODIFIED a', 'sel ADDED a', 'all DELETED a', 'sel DELETED a']);
  });

  it('deletes: a uid precondition must match; finalizers keep the object until the last one goes', async () => {
    const { api, client } = setup();
    api.put(Widgets, { metadata: { name: 'w', finalizers: ['x/keep'] } });
    expect(await codeOf(client.delete(Widgets, { name: 'w' }, { preconditions: { uid: 'other' } }))).toBe(409);
    expect(await client.delete(Widgets, { name: 'w' })).toBe(true);
    expect(api.get(Widgets, 'w')?.metadata.deletionTimestamp).toBeDefined();

    const stale = [{ op: 'test', path: '/metadata/finalizers/0', value: 'y/other' }, { op: 'remove', path: '/metadata/finalizers/0' }] as const;
    expect(await codeOf(client.jsonPatch(Widgets, { name: 'w' }, [...stale]))).toBe(422);
    expect(api.get(Widgets, 'w')?.metadata.finalizers).toEqual(['x/keep']);
    await client.jsonPatch(Widgets, { name: 'w' }, [{ op: 'test', path: '/metadata/finalizers/0', value: 'x/keep' }, { op: 'remove', path: '/metadata/finalizers/0' }]);
    expect(api.get(Widgets, 'w')).toBeUndefined();
    expect(await client.delete(Widgets, { name: 'w' })).toBe(false);
  });

  it('patches: merge patch (null deletes), JSON patch with `test` against an absent field and `-`', async () => {
    const { api, client } = setup();
    api.put(Widgets, { metadata: { name: 'w', annotations: { a: '1', b: '2' } }, spec: { size: 1 } });
    await client.mergePatch(Widgets, { name: 'w' }, { metadata: { annotations: { a: null, c: '3' } } });
    await client.jsonPatch(Widgets, { name: 'w' }, [{ op: 'test', path: '/metadata/finalizers', value: null }, { op: 'add', path: '/metadata/finalizers', value: ['f1'] }]);
    await client.jsonPatch(Widgets, { name: 'w' }, [{ op: 'add', path: '/metadata/finalizers/-', value: 'f2' }]);
    expect(api.get(Widgets, 'w')?.metadata).toMatchObject({ annotations: { b: '2', c: '3' }, finalizers: ['f1', 'f2'], generation: 1 });
    expect(await codeOf(client.jsonPatch(Widgets, { name: 'w' }, [{ op: 'replace', path: '/spec/missing', value: 1 }]))).toBe(422);
  });

  it('create and update: AlreadyExists, generateName, a stale resourceVersion conflicts', async () => {
    const { client } = setup();
    const w = await client.create<FakeObject>(Widgets, widget('w'));
    expect(await codeOf(client.create(Widgets, widget('w')))).toBe(409);
    expect((await client.create<FakeObject>(Widgets, { metadata: { generateName: 'w-' } })).metadata.name).toMatch(/^w-[0-9a-f]{5}$/);
    const updated = await client.update(Widgets, { ...w, spec: { size: 5 } });
    expect(updated.metadata.generation).toBe(2);
    expect(await codeOf(client.update(Widgets, { ...w, spec: { size: 6 } }))).toBe(409);
  });

  it('adds what the real server adds: namespace label, finalizer and phase; LimitRange defaults', async () => {
    const { api, client } = setup();
    await client.apply(Namespaces, { metadata: { name: 'ns' } });
    api.put(ConfigMaps, { metadata: { name: 'c', namespace: 'ns' } });
    expect(api.get(Namespaces, 'ns')).toMatchObject({ metadata: { labels: { 'kubernetes.io/metadata.name': 'ns' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    await client.delete(Namespaces, { name: 'ns' });
    expect(api.get(Namespaces, 'ns')?.status).toEqual({ phase: 'Terminating' });
    api.finishNamespaceDeletion('ns');
    expect([api.get(Namespaces, 'ns'), api.get(ConfigMaps, 'c', 'ns')]).toEqual([undefined, undefined]);

    api.put(LimitRanges, { metadata: { name: 'l', namespace: 'x' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' } }] } });
    expect((api.get(LimitRanges, 'l', 'x')?.spec as { limits: unknown[] }).limits[0]).toEqual({ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '1Mi' } });
  });

  it('answers paths it does not serve with the transport default, bad bodies with 400', async () => {
    const { api } = setup();
    api.put(Widgets, widget('w'));
    expect((await api.transport.request({ method: 'GET', path: '/healthz' })).status).toBe(404);
    expect((await api.transport.request({ method: 'POST', path: '/apis/example.com/v1/widgets', body: '{' })).status).toBe(400);
    expect((await api.transport.request({ method: 'PATCH', path: '/apis/example.com/v1/widgets/w', contentType: 'application/strategic-merge-patch+json', body: '{}' })).status).toBe(415);
    const list = JSON.parse((await api.transport.request({ method: 'GET', path: '/apis/example.com/v1/widgets' })).body) as KubeList;
    expect(list).toMatchObject({ apiVersion: 'example.com/v1', kind: 'List', metadata: { resourceVersion: '101' }, items: [{ metadata: { name: 'w' } }] });
  });
});
