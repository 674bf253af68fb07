/**
 * HTTP to the API server through client-node's own machinery (auth providers, TLS, proxy and the
 * undici dispatcher it builds), but with raw JSON in and out: list and watch then give the same
 * shapes (client-node's typed list turns timestamps into Dates, its watch does not), a request can
 * address any path, subresources included, and the Content-Type of a patch is exactly what we set.
 */
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  RequestContext,
  Watch,
} from '@kubernetes/client-node';

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
  /**
   * client-node's Watch aborts a stream after this much silence (its default, 30 s, is shorter than
   * the API server's one-minute bookmark interval, so every quiet watch would be torn down twice a
   * minute). Set it at or above the informer's own idle watchdog.
   */
  watchIdleTimeoutMs?: number;
}

/** A Transport over a loaded KubeConfig (in-cluster or from a file). */
export function kubeConfigTransport(kc: KubeConfig, opts: KubeConfigTransportOptions = {}): Transport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig: no current cluster (is current-context set?)');
  const server = cluster.server.replace(/\/+$/, '');
  const http = new IsomorphicFetchHttpLibrary();
  const watcher = new Watch(kc);
  setWatchIdleTimeout(watcher, opts.watchIdleTimeoutMs ?? 300_000);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  // client-node 2.0.1 builds a new undici Agent for every request (KubeConfig.createDispatcher has no
  // cache): every request paid a TLS handshake on both ends, and the abandoned agents kept sockets and
  // buffers alive until GC — most of the operator's RSS under load and much of the API server's CPU.
  // One keep-alive dispatcher per transport, reused; the per-request one is closed unused.
  let shared: ReturnType<RequestContext['getDispatcher']>;

  return {
    host: new URL(server).host,
    async request(req) {
      const url = new URL(server + req.path);
      for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      const ctx = new RequestContext(url.toString(), HttpMethod[req.method]);
      ctx.setHeaderParam('Accept', 'application/json');
      if (req.body !== undefined) {
        ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
        ctx.setBody(req.body);
      }
      ctx.setSignal(AbortSignal.timeout(requestTimeoutMs));
      await kc.applySecurityAuthentication(ctx);
      const fresh = ctx.getDispatcher();
      if (fresh !== undefined) {
        if (shared === undefined) shared = fresh;
        else if (fresh !== shared) {
          ctx.setDispatcher(shared);
          void fresh.close().catch(() => undefined);
        }
      }
      const res = await http.send(ctx).toPromise();
      return { status: res.httpStatusCode, body: await res.body.text() };
    },
    watch(path, query, onEvent, onDone) {
      return watcher.watch(path, query, (type, obj) => onEvent(type, obj), onDone);
    },
  };
}

/**
 * client-node 2.0.1 keeps the Watch inactivity timeout in a private field with no option to set it;
 * we set the field and fail loudly if an upgrade renames it (a test pins this).
 */
export function setWatchIdleTimeout(watch: Watch, ms: number): void {
  const w = watch as unknown as { requestTimeoutMs?: unknown };
  if (typeof w.requestTimeoutMs !== 'number') {
    throw new Error('client-node Watch has no numeric requestTimeoutMs: the idle-timeout override needs updating');
  }
  w.requestTimeoutMs = ms;
}
