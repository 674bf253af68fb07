import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import type { ResourceRef } from './resource.ts';
import { kubeConfigTransport, setWatchIdleTimeout } from './transport.ts';

// These tests run client-node's real HTTP stack against a loopback server, to prove what goes on the wire.

const Widgets: ResourceRef = { apiVersion: 'example.com/v1', kind: 'Widget', plural: 'widgets', namespaced: true };

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

async function fakeApiServer(handle: (seen: Seen, res: import('node:http').ServerResponse) => void): Promise<{ kc: KubeConfig; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handle(s, res);
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { kc, seen };
}

describe('kubeConfigTransport (client-node 2.0.1 on the wire)', () => {
  it('sends server-side apply with Content-Type application/apply-patch+yaml, fieldManager, force and the bearer token', async () => {
    const { kc, seen } = await fakeApiServer((_s, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"metadata":{"name":"w"}}'));
    const client = new KubeClient(kubeConfigTransport(kc), { fieldManager: 'akash-operator' });
    const out = await client.apply(Widgets, { metadata: { name: 'w', namespace: 'n' } });
    expect(out.metadata.name).toBe('w');
    const req = seen[0];
    expect(req?.method).toBe('PATCH');
    expect(req?.url).toBe('/apis/example.com/v1/namespaces/n/widgets/w?fieldManager=akash-operator&force=true');
    expect(req?.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(req?.headers.authorization).toBe('Bearer test-token');
    expect(JSON.parse(req?.body ?? '')).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget' });
  });

  it('reports a non-2xx answer as an ApiError with the Status message', async () => {
    const { kc } = await fakeApiServer((_s, res) =>
      res.writeHead(422, { 'content-type': 'application/json' }).end('{"kind":"Status","code":422,"reason":"Invalid","message":"spec.x: Invalid value"}'),
    );
    const client = new KubeClient(kubeConfigTransport(kc), { fieldManager: 'f' });
    await expect(client.mergePatch(Widgets, { name: 'w', namespace: 'n' }, {})).rejects.toThrow('422 Invalid: spec.x: Invalid value');
  });

  it('streams watch events with bookmarks requested, and reports the end of the stream', async () => {
    const { kc, seen } = await fakeApiServer((_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '7' } } })}\n`);
      res.end(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } })}\n`);
    });
    const client = new KubeClient(kubeConfigTransport(kc), { fieldManager: 'f' });
    const events: string[] = [];
    const done = new Promise<unknown>((resolve) => {
      void client.watch(Widgets, { namespace: 'n', resourceVersion: '5', allowWatchBookmarks: true, timeoutSeconds: 290 }, (type, obj) => {
        events.push(`${type}@${(obj as { metadata: { resourceVersion: string } }).metadata.resourceVersion}`);
      }, resolve);
    });
    expect(await done).toBeNull();
    expect(events).toEqual(['ADDED@7', 'BOOKMARK@9']);
    const url = new URL(seen[0]?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/apis/example.com/v1/namespaces/n/widgets');
    expect(Object.fromEntries(url.searchParams)).toEqual({ watch: 'true', resourceVersion: '5', allowWatchBookmarks: 'true', timeoutSeconds: '290' });
  });

  it("can still override client-node's private 30 s watch inactivity timeout", () => {
    const w = new Watch(new KubeConfig());
    expect((w as unknown as { requestTimeoutMs: number }).requestTimeoutMs).toBe(30_000);
    setWatchIdleTimeout(w, 300_000);
    expect((w as unknown as { requestTimeoutMs: number }).requestTimeoutMs).toBe(300_000);
  });
});
