import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from './client.ts';
import { FakeTransport, json, statusBody } from './fake-transport.ts';
import { Informer, internStrings, type InformerEvent } from './informer.ts';
import { Metrics } from './metrics.ts';
import type { KubeObject, ResourceRef } from './resource.ts';

const Widgets: ResourceRef = { apiVersion: 'example.com/v1', kind: 'Widget', plural: 'widgets', namespaced: true };
const LIST_PATH = '/apis/example.com/v1/namespaces/ns/widgets';

function widget(name: string, rv: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'ns', resourceVersion: rv, ...extra } };
}

/** Lets queued promise callbacks run without moving the clock. */
const flush = () => vi.advanceTimersByTimeAsync(0);

function setup(items: KubeObject[] = [widget('a', '10')], listRv = '100') {
  const transport = new FakeTransport();
  let listing = { items, rv: listRv };
  transport.on((req) => (req.method === 'GET' && req.path === LIST_PATH ? json(200, { metadata: { resourceVersion: listing.rv }, items: listing.items }) : undefined));
  const metrics = new Metrics();
  const client = new KubeClient(transport, { fieldManager: 'test', metrics });
  const informer = new Informer({ client, resource: Widgets, namespace: 'ns', labelSelector: 'app=x', metrics, random: () => 0.5 });
  const events: string[] = [];
  informer.on((e: InformerEvent<KubeObject>) => events.push(`${e.type}:${e.object.metadata.name}@${e.object.metadata.resourceVersion}`));
  const lists = () => transport.requests.filter((r) => r.method === 'GET' && r.path === LIST_PATH).length;
  const setList = (next: KubeObject[], rv: string) => (listing = { items: next, rv });
  return { transport, informer, events, lists, setList, metrics };
}

describe('Informer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lists, syncs, then watches from the list resourceVersion with bookmarks, a server timeout and the selector', async () => {
    const { transport, informer, events } = setup();
    expect(informer.synced).toBe(false);
    informer.start();
    await informer.waitForSync();
    await flush();
    expect(informer.synced).toBe(true);
    expect(informer.get('a', 'ns')?.metadata.resourceVersion).toBe('10');
    expect(events).toEqual(['add:a@10']);
    const list = transport.requests[0];
    expect(list?.query).toMatchObject({ labelSelector: 'app=x', limit: 500 });
    expect(transport.watches).toHaveLength(1);
    expect(transport.lastWatch.path).toBe(LIST_PATH);
    expect(transport.lastWatch.query).toMatchObject({ resourceVersion: '100', allowWatchBookmarks: true, timeoutSeconds: 290, labelSelector: 'app=x' });
    await informer.stop();
  });

  it('applies watch events to the cache, tracks bookmarks, and re-watches from the last version without relisting', async () => {
    const { transport, informer, events, lists } = setup();
    informer.start();
    await flush();
    const w = transport.lastWatch;
    w.emit('ADDED', widget('b', '101'));
    w.emit('MODIFIED', widget('a', '102'));
    w.emit('MODIFIED', widget('a', '102')); // same version: no event
    w.emit('DELETED', widget('b', '103'));
    w.emit('BOOKMARK', { kind: 'Widget', metadata: { resourceVersion: '150' } });
    expect(events).toEqual(['add:a@10', 'add:b@101', 'update:a@102', 'delete:b@103']);
    expect(informer.list().map((o) => o.metadata.name)).toEqual(['a']);
    expect(informer.lastResourceVersion).toBe('150');
    w.end(null); // the server's timeoutSeconds elapsed
    await flush();
    expect(transport.watches).toHaveLength(2);
    expect(transport.lastWatch.query.resourceVersion).toBe('150');
    expect(lists()).toBe(1);
    await informer.stop();
  });

  it('relists on an in-stream 410 and emits what changed during the gap, deletes included', async () => {
    const { transport, informer, events, lists, setList } = setup([widget('a', '10'), widget('b', '11')]);
    informer.start();
    await flush();
    transport.lastWatch.emit('MODIFIED', widget('a', '150'));
    events.length = 0;
    setList([widget('a', '200'), widget('c', '201')], '300');
    transport.lastWatch.emit('ERROR', statusBody(410, 'Expired', 'too old resource version'));
    await flush();
    expect(transport.watches[0]?.aborted).toBe(true);
    expect(lists()).toBe(2);
    expect(events.sort()).toEqual(['add:c@201', 'delete:b@11', 'update:a@200']);
    expect(transport.lastWatch.query.resourceVersion).toBe('300');
    await informer.stop();
  });

  it('backs off before relisting when a watch started from a fresh list gets 410 at once', async () => {
    const { transport, informer, lists } = setup();
    informer.start();
    await flush();
    transport.lastWatch.emit('ERROR', statusBody(410, 'Expired'));
    await flush();
    expect(lists()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lists()).toBe(2);
    await informer.stop();
  });

  it('relists when the watch request itself answers 410', async () => {
    const { transport, informer, lists } = setup();
    informer.start();
    await flush();
    transport.lastWatch.emit('BOOKMARK', { metadata: { resourceVersion: '120' } });
    transport.lastWatch.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await flush();
    expect(lists()).toBe(2);
    expect(transport.watches).toHaveLength(2);
    await informer.stop();
  });

  it('restarts after an error with jittered exponential backoff, reset by the next event', async () => {
    const { transport, informer, metrics } = setup();
    informer.start();
    await flush();
    const fail = () => transport.lastWatch.end(Object.assign(new Error('Internal Server Error'), { statusCode: 500 }));

    fail();
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.watches).toHaveLength(1); // random 0.5 → no jitter: exactly 1000 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.watches).toHaveLength(2);

    fail();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(transport.watches).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.watches).toHaveLength(3);
    expect(transport.lastWatch.query.resourceVersion).toBe('100'); // resumed, not relisted

    transport.lastWatch.emit('BOOKMARK', { metadata: { resourceVersion: '130' } });
    fail();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transport.watches).toHaveLength(4);
    expect((await metrics.render()).body).toContain('akash_operator_watch_restarts_total{resource="widgets",reason="error"} 3');
    await informer.stop();
  });

  it('backs off when watches close at once without events instead of reconnecting in a tight loop', async () => {
    const { transport, informer } = setup();
    informer.start();
    await flush();
    transport.lastWatch.end(null);
    await flush();
    expect(transport.watches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transport.watches).toHaveLength(2);
    await informer.stop();
  });

  it('restarts a watch that stays silent past the idle timeout (watchdog)', async () => {
    const { transport, informer, lists } = setup();
    informer.start();
    await flush();
    const first = transport.lastWatch;
    await vi.advanceTimersByTimeAsync(200_000);
    first.emit('BOOKMARK', { metadata: { resourceVersion: '140' } }); // re-arms the watchdog
    await vi.advanceTimersByTimeAsync(294_999);
    expect(first.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.aborted).toBe(true);
    await flush();
    expect(transport.watches).toHaveLength(2);
    expect(transport.lastWatch.query.resourceVersion).toBe('140');
    expect(lists()).toBe(1);
    await informer.stop();
  });

  it('retries a failed list with backoff and only then reports synced', async () => {
    const { transport, informer } = setup();
    let failing = true;
    transport.on((req) => (failing && req.path === LIST_PATH ? json(503, statusBody(503, 'ServiceUnavailable')) : undefined));
    informer.start();
    let synced = false;
    void informer.waitForSync().then(() => (synced = true));
    await flush();
    expect(synced).toBe(false);
    expect(transport.watches).toHaveLength(0);
    failing = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(synced).toBe(true);
    expect(transport.watches).toHaveLength(1);
    await informer.stop();
  });

  it('retries when starting the watch request throws (e.g. credentials cannot be loaded)', async () => {
    const { transport, informer } = setup();
    transport.watchError = new Error('exec plugin failed');
    informer.start();
    await flush();
    expect(informer.synced).toBe(true);
    transport.watchError = undefined;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transport.watches).toHaveLength(1);
    await informer.stop();
  });

  it('pages through a large list and falls back to one unpaged list when the continue token expires', async () => {
    const transport = new FakeTransport();
    let expired = true;
    transport.on((req) => {
      if (req.path !== LIST_PATH) return undefined;
      if (req.query?.continue === 'p2') return expired ? json(410, statusBody(410, 'Expired')) : json(200, { metadata: { resourceVersion: '7' }, items: [widget('b', '2')] });
      if (req.query?.limit === undefined) return json(200, { metadata: { resourceVersion: '9' }, items: [widget('a', '1'), widget('b', '2')] });
      return json(200, { metadata: { resourceVersion: '7', continue: 'p2' }, items: [widget('a', '1')] });
    });
    const informer = new Informer({ client: new KubeClient(transport, { fieldManager: 't' }), resource: Widgets, namespace: 'ns', pageSize: 1 });
    informer.start();
    await flush();
    expect(transport.requests.map((r) => r.query?.continue ?? r.query?.limit ?? 'all')).toEqual([1, 'p2', 'all']);
    expect(informer.list()).toHaveLength(2);
    expect(transport.lastWatch.query.resourceVersion).toBe('9');
    await informer.stop();
    expired = false;
  });

  it('survives a throwing handler and strips managedFields from cached objects', async () => {
    const { transport, informer } = setup([widget('a', '10', { managedFields: [{ manager: 'x' }] })]);
    informer.on(() => {
      throw new Error('handler bug');
    });
    informer.start();
    await flush();
    transport.lastWatch.emit('ADDED', widget('b', '101'));
    expect(informer.get('b', 'ns')).toBeDefined();
    expect(informer.get('a', 'ns')?.metadata.managedFields).toBeUndefined();
    await informer.stop();
  });

  it('stop ends the watch and the loop, and rejects a pending waitForSync', async () => {
    const { transport, informer } = setup();
    transport.on((req) => (req.path === LIST_PATH ? json(500, statusBody(500, 'InternalError')) : undefined));
    informer.start();
    const sync = informer.waitForSync();
    await flush();
    await informer.stop();
    await expect(sync).rejects.toThrow(/stopped before sync/);
    const after = transport.requests.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(transport.requests.length).toBe(after);
  });
});

describe('internStrings', () => {
  it('leaves every value as it was (strings, nested arrays and objects, odd keys)', () => {
    const long = 'x'.repeat(1000);
    const parsed = JSON.parse(
      JSON.stringify({ metadata: { name: 'a', labels: { 'akash.network/lease.id.dseq': '100001', '': '', '123': 'n' } }, spec: { list: ['one', ['two', { three: long }], 4, null, true] } }),
    ) as Record<string, unknown>;
    const copy = structuredClone(parsed);
    expect(internStrings(parsed)).toBe(parsed);
    expect(parsed).toEqual(copy);
    const odd = JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, unknown>;
    internStrings(odd);
    expect(Object.getOwnPropertyNames(odd).sort()).toEqual(['__proto__', 'constructor']);
    expect(odd.__proto__).toBe('p');
  });
});
