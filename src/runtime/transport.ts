/**
 * HTTP to the API server with raw JSON in and out: list and watch give the same shapes, a request
 * can address any path (subresources included), and the Content-Type of a patch is exactly what we
 * set. Node's own http/https with one keep-alive agent: connections are reused across requests and
 * watches (client-node 2.0.1 built a new undici Agent per request, a TLS handshake each time).
 */
import http from 'node:http';
import https from 'node:https';
import { ApiError } from './errors.ts';
import { credentialSource, type ClusterAccess, type Credentials } from './kubeconfig.ts';
export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: HttpVerb;
  /** Path below the cluster's server URL, e.g. `/api/v1/namespaces/x/pods`. */
  path: string;
  query?: QueryParams;
  contentType?: string;
  body?: string;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/** Called per watch event with the event type (`ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`) and object. */
export type WatchEventHandler = (type: string, object: unknown) => void;

/** The two things the runtime needs from the wire; tests implement it in memory. */
export interface Transport {
  /** Host of the API server, for the `host` label of `rest_client_requests_total`. */
  readonly host: string;
  request(req: HttpRequest): Promise<HttpResponse>;
  /**
   * Starts a watch (the transport adds `watch=true`). `onDone` is called once when the stream ends,
   * with an error or `null`. Abort the returned controller to end it early.
   */
  watch(path: string, query: QueryParams, onEvent: WatchEventHandler, onDone: (err: unknown) => void): Promise<AbortController>;
}

export interface KubeConfigTransportOptions {
  /** Deadline of a non-watch request. */
  requestTimeoutMs?: number;
  /** A watch that sends nothing (not even a bookmark) this long is ended with a TimeoutError. */
  watchIdleTimeoutMs?: number;
}

/** Longest watch event line accepted (a Secret or ConfigMap holds at most 1 MiB of data). */
const MAX_WATCH_LINE = 16 << 20;

/** A Transport to the API server of `access` (in-cluster or from a kubeconfig file). */
export function kubeConfigTransport(access: ClusterAccess, opts: KubeConfigTransportOptions = {}): Transport {
  const server = new URL(access.server);
  const lib = server.protocol === 'http:' ? http : https;
  const credentials = credentialSource(access);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const watchIdleTimeoutMs = opts.watchIdleTimeoutMs ?? 300_000;
  // One agent per client certificate: an exec plugin may hand out a new one, which needs new connections.
  let agent: { cert: Buffer | undefined; agent: http.Agent } | undefined;
  const agentFor = (cred: Credentials): http.Agent => {
    if (agent && agent.cert === cred.cert) return agent.agent;
    const tls = { ca: access.ca, cert: cred.cert, key: cred.key, rejectUnauthorized: !access.insecureSkipTlsVerify, servername: access.tlsServerName };
    // The replaced agent is left to close its idle sockets; requests in flight on it finish.
    agent = { cert: cred.cert, agent: lib === https ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true }) };
    return agent.agent;
  };
  const prepare = async (path: string, query: QueryParams | undefined, extra: Record<string, string>) => {
    const cred = await credentials();
    const url = new URL(access.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: 'application/json', ...extra };
    if (cred.authorization) headers.Authorization = cred.authorization;
    return { url, headers, agent: agentFor(cred) };
  };

  return {
    host: server.host,
    async request(req) {
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const extra: Record<string, string> = body ? { 'Content-Type': req.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {};
      const { url, headers, agent } = await prepare(req.path, req.query, extra);
      return new Promise<HttpResponse>((resolve, reject) => {
        const r = lib.request(url, { method: req.method, headers, agent, signal: AbortSignal.timeout(requestTimeoutMs) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        r.on('error', reject);
        r.end(body);
      });
    },

    async watch(path, query, onEvent, onDone) {
      const { url, headers, agent } = await prepare(path, { watch: true, ...query }, {});
      const controller = new AbortController();
      let finished = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (err: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        if (!controller.signal.aborted) controller.abort();
        onDone(err);
      };
      // Re-armed on every chunk: refresh() restarts the one timer instead of making a new one.
      const arm = () => {
        if (finished) return;
        if (idle) return void idle.refresh();
        idle = setTimeout(() => finish(new DOMException(`watch ${path}: nothing received for ${watchIdleTimeoutMs} ms`, 'TimeoutError')), watchIdleTimeoutMs);
        idle.unref();
      };
      arm();
      const r = lib.request(url, { method: 'GET', headers, agent, signal: controller.signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish(new ApiError('GET', path, status, Buffer.concat(chunks).toString('utf8'))));
          res.on('error', finish);
          return;
        }
        res.setEncoding('utf8');
        let pending = '';
        res.on('data', (chunk: string) => {
          arm();
          pending += chunk;
          let from = 0;
          for (let nl = pending.indexOf('\n', from); nl >= 0 && !finished; nl = pending.indexOf('\n', from)) {
            const line = pending.slice(from, nl);
            from = nl + 1;
            // Events are JSON objects; only a blank line (never a 4 KB copy of an event) is trimmed.
            if (line.charCodeAt(0) !== 123 /* { */ && line.trim() === '') continue;
            let event: { type?: unknown; object?: unknown };
            try {
              event = JSON.parse(line) as typeof event;
            } catch {
              finish(new Error(`watch ${path}: malformed event line (${line.length} bytes)`));
              return;
            }
            onEvent(String(event.type), event.object);
          }
          pending = pending.slice(from);
          if (pending.length > MAX_WATCH_LINE) finish(new Error(`watch ${path}: an event line exceeds ${MAX_WATCH_LINE} bytes`));
        });
        res.on('end', () => finish(null));
        res.on('error', finish);
        res.on('close', () => finish(res.complete ? null : new Error(`watch ${path}: connection closed mid-stream`)));
      });
      r.on('error', finish);
      r.end();
      return controller;
    },
  };
}
