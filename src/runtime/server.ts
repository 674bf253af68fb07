/**
 * The operations endpoint every replica serves (leader or not): `/metrics` for Prometheus, `/healthz`
 * (the process answers and its liveness checks pass) and `/readyz` (its readiness checks pass, e.g.
 * all informers synced). Output follows the API server's `[+]name ok` / `[-]name failed` lines.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from './errors.ts';
import { silentLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export type Check = () => boolean;

export interface OpsServerOptions {
  metrics: Metrics;
  /** Bind address. Default 127.0.0.1; in a pod use 0.0.0.0 so the kubelet and Prometheus reach it. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Checks behind /readyz, by name. */
  readiness?: Record<string, Check>;
  /** Checks behind /healthz, by name. */
  liveness?: Record<string, Check>;
  log?: Logger;
}

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const log = (opts.log ?? silentLogger()).child({ component: 'ops-server' });
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      log.error({ err: errorMessage(err), path: req.url }, 'ops request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`ops server: cannot listen on ${host}:${opts.port ?? 0}: ${err.message}`, { cause: err })));
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url }, 'serving /metrics, /healthz, /readyz');
  return {
    host,
    port,
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Prometheus keeps its connection open; without this close() waits for it to idle out.
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: OpsServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
    return;
  }
  switch (path) {
    case '/metrics': {
      const { contentType, body } = await opts.metrics.render();
      res.writeHead(200, { 'content-type': contentType }).end(body);
      return;
    }
    case '/healthz':
    case '/livez':
      return runChecks(res, opts.liveness ?? {});
    case '/readyz':
      return runChecks(res, opts.readiness ?? {});
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

function runChecks(res: ServerResponse, checks: Record<string, Check>): void {
  let ok = true;
  const lines: string[] = [];
  for (const [name, check] of Object.entries(checks)) {
    let passed: boolean;
    try {
      passed = check();
    } catch {
      passed = false;
    }
    ok &&= passed;
    lines.push(passed ? `[+]${name} ok` : `[-]${name} failed`);
  }
  lines.push(ok ? 'ok' : 'not ok');
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${lines.join('\n')}\n`);
}
