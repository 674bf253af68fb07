import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { isGone } from './errors.ts';
import type { ResourceRef } from './resource.ts';
import type { ClusterAccess } from './kubeconfig.ts';
import { kubeConfigTransport } from './transport.ts';

// These tests run the real HTTP stack against a loopback server, to prove what goes on the wire.

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

async function fakeApiServer(handle: (seen: Seen, res: import('node:http').ServerResponse) => void): Promise<{ kc: ClusterAccess; seen: Seen[] }> {
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
  const kc: ClusterAccess = { server: `http://127.0.0.1:${port}`, insecureSkipTlsVerify: false, token: 'test-token' };
  return { kc, seen };
}

describe('kubeConfigTransport on the wire', () => {
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

  it('reuses one keep-alive connection for sequential requests', async () => {
    const ports = new Set<number>();
    const { kc } = await fakeApiServer((_s, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    server?.on('connection', (sock) => ports.add(sock.remotePort ?? 0));
    const t = kubeConfigTransport(kc);
    for (let i = 0; i < 5; i++) await t.request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(ports.size).toBe(1);
  });

  it('ends a watch with an ApiError carrying the status code when the server refuses it', async () => {
    const { kc } = await fakeApiServer((_s, res) => res.writeHead(410, { 'content-type': 'application/json' }).end('{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}'));
    const err = await new Promise<unknown>((resolve) => void kubeConfigTransport(kc).watch('/api/v1/pods', {}, () => undefined, resolve));
    expect(isGone(err)).toBe(true);
    expect(String(err)).toContain('too old resource version');
  });

  it('ends a silent watch with a TimeoutError, and an aborted one with an error; events split across chunks arrive whole', async () => {
    const { kc } = await fakeApiServer((s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (s.url.includes('split')) {
        const line = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x'.repeat(5000) } } });
        res.write(line.slice(0, 100));
        setTimeout(() => res.write(`${line.slice(100)}\n{"type":"MODIFIED","object":{}}\n`), 20);
      }
    });
    const silent = await new Promise<unknown>((resolve) => void kubeConfigTransport(kc, { watchIdleTimeoutMs: 100 }).watch('/api/v1/pods', {}, () => undefined, resolve));
    expect((silent as Error).name).toBe('TimeoutError');

    // Every chunk re-arms the idle timer: a stream that keeps talking outlives it; blank lines are skipped.
    const { kc: talky } = await fakeApiServer((_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(n % 2 === 0 ? `{"type":"MODIFIED","object":{"n":${n}}}\n` : '\n  \n');
        if (++n === 6) clearInterval(tick);
      }, 60);
    });
    const seen: number[] = [];
    const started = Date.now();
    const ended = await new Promise<unknown>((resolve) => void kubeConfigTransport(talky, { watchIdleTimeoutMs: 150 }).watch('/api/v1/pods', {}, (_t, o) => seen.push((o as { n: number }).n), resolve));
    expect((ended as Error).name).toBe('TimeoutError');
    expect(seen).toEqual([0, 2, 4]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(360 + 100);

    const types: string[] = [];
    let controller: AbortController | undefined;
    const aborted = new Promise<unknown>((resolve) => {
      void kubeConfigTransport(kc)
        .watch('/api/v1/split', {}, (type, obj) => {
          types.push(`${type}:${JSON.stringify(obj).length}`);
          if (type === 'MODIFIED') controller?.abort();
        }, resolve)
        .then((c) => (controller = c));
    });
    expect(await aborted).toBeInstanceOf(Error);
    expect(types).toEqual([`ADDED:${JSON.stringify({ metadata: { name: 'x'.repeat(5000) } }).length}`, 'MODIFIED:2']);
  });
});
