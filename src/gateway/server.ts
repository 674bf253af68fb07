/**
 * The tenant gateway's HTTPS server: TLS 1.3 only, a client certificate requested but not required
 * (the legacy mTLS scheme sends one; JWT clients do not), and one pipeline for every request:
 * route → authenticate → rate limit → authorize → handle, each step answering with a JSON error of
 * its own. Bad input never throws out of the pipeline; oversized bodies are refused without being
 * buffered; a handler that takes too long is answered 503 and its result dropped.
 */
import { readFileSync } from 'node:fs';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import { errorMessage, silentLogger, type Logger } from '../runtime/index.ts';
import type { ProviderPolicy } from '../workloads/policy.ts';
import type { AccountKeys } from './auth/account-keys.ts';
import { AuthError, authenticate, bearerToken, type ClientCertificates, type Identity } from './auth/authenticate.ts';
import type { VerifiedClaims } from './auth/jwt.ts';
import { VerifiedTokens } from './auth/token-cache.ts';
import { HttpError, unauthorized } from './errors.ts';
import { authorizeRoute, handle, type HandlerContext, type Reply } from './handlers.ts';
import { sendError, sendJson } from './http.ts';
import { TokenBuckets } from './limits.ts';
import { gatewayMetrics } from './metrics.ts';
import { matchRoute } from './router.ts';
import type { GatewayStore } from './store.ts';

export interface GatewayOptions {
  /** Bind address; tests use 127.0.0.1. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  certFile: string;
  keyFile: string;
  /** This provider's akash1… address. */
  providerAddress: string;
  /** Where registry-credential Secrets are written. */
  operatorNamespace: string;
  store: GatewayStore;
  accountKeys: AccountKeys;
  /** The on-chain mTLS check, once the chain layer provides it. */
  clientCertificates?: ClientCertificates;
  /** The operator's Prometheus registry. */
  registry: Registry;
  metricsPrefix?: string;
  log?: Logger;
  /** Reported by GET /version. */
  version?: string;
  /** When given, manifests this provider would not deploy are refused at intake. */
  policy?: ProviderPolicy;
  bodyLimitBytes?: number;
  ratePerSecond?: number;
  burst?: number;
  requestTimeoutMs?: number;
  clockSkewSeconds?: number;
  /** Verified bearer tokens remembered (auth/token-cache.ts); 0 verifies every request afresh. */
  tokenCacheEntries?: number;
  /** How often the certificate files are checked for a renewal. */
  certReloadMs?: number;
  /** Milliseconds since 1970 (tests move time). */
  now?: () => number;
}

export interface Gateway {
  /** e.g. `https://127.0.0.1:8443`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function readPair(opts: Pick<GatewayOptions, 'certFile' | 'keyFile'>): { cert: string; key: string } {
  try {
    return { cert: readFileSync(opts.certFile, 'utf8'), key: readFileSync(opts.keyFile, 'utf8') };
  } catch (e) {
    throw new Error(`gateway: cannot read its TLS certificate or key (${(e as Error).message})`, { cause: e });
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpError(503, 'timeout', `the request was not handled within ${Math.round(ms / 1000)} s; retry later`)), ms);
  });
  // race() subscribes to `work`, so its late rejection is never unhandled.
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const TLS = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

/** The bearer token of a well-formed header; a malformed one is authenticate()'s to refuse. */
function bearerOrUndefined(header: string | undefined): string | undefined {
  try {
    return bearerToken(header);
  } catch {
    return undefined;
  }
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = (opts.log ?? silentLogger()).child({ component: 'gateway' });
  const metrics = gatewayMetrics(opts.registry, opts.metricsPrefix);
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const limiter = new TokenBuckets({ ratePerSecond: opts.ratePerSecond ?? 5, burst: opts.burst ?? 20, now });
  const cacheEntries = opts.tokenCacheEntries ?? 10_000;
  const tokens = cacheEntries > 0 ? new VerifiedTokens<VerifiedClaims>({ maxEntries: cacheEntries }) : undefined;
  const ctx: HandlerContext = {
    store: opts.store,
    provider: opts.providerAddress,
    operatorNamespace: opts.operatorNamespace,
    policy: opts.policy,
    version: opts.version ?? '0.0.0',
    bodyLimitBytes: opts.bodyLimitBytes ?? 1 << 20,
    log,
    metrics,
  };

  const limit = (key: string) => {
    const wait = limiter.take(key);
    if (wait > 0) throw new HttpError(429, 'rate_limited', `too many requests; retry in ${wait} s`, { 'retry-after': String(wait) });
  };

  async function pipeline(req: IncomingMessage, setRoute: (name: string, tenant?: string) => void): Promise<Reply> {
    const ip = req.socket.remoteAddress ?? 'unknown';
    const url = req.url ?? '';
    let match;
    try {
      // Origin-form only (`/path?query`): absolute-form and `*` have no route here.
      if (!url.startsWith('/')) throw new HttpError(400, 'invalid_path', 'the request target must be a path');
      match = matchRoute(req.method ?? '', url.split('?')[0]!);
    } catch (e) {
      limit(`ip:${ip}`);
      throw e;
    }
    setRoute(match.route.name);
    let identity: Identity | undefined;
    if (match.route.scope) {
      // Failed attempts are charged to the address they come from (below). An address out of
      // allowance is refused before its token is verified, so a flood of bad tokens costs no
      // signature checks; a token that verified before still passes (a tenant behind the same NAT).
      const presented = bearerOrUndefined(req.headers.authorization);
      if (!(presented !== undefined && tokens?.has(presented))) {
        const wait = limiter.wait(`ip:${ip}`);
        if (wait > 0) {
          metrics.auth.inc({ result: 'rate_limited' });
          throw new HttpError(429, 'rate_limited', `too many failed attempts from this address; retry in ${wait} s`, { 'retry-after': String(wait) });
        }
      }
      try {
        identity = await authenticate(req.headers.authorization, (req.socket as TLSSocket).getPeerCertificate?.(), {
          keys: opts.accountKeys,
          certificates: opts.clientCertificates,
          now: Math.floor(now() / 1000),
          skewSeconds: opts.clockSkewSeconds ?? 30,
          ...(tokens ? { cache: tokens } : {}),
        });
      } catch (e) {
        if (!(e instanceof AuthError)) throw e;
        metrics.auth.inc({ result: e.code });
        limit(`ip:${ip}`);
        throw unauthorized(e.code, e.message);
      }
      setRoute(match.route.name, identity.claims.iss);
      limit(`tenant:${identity.claims.iss}`);
      try {
        authorizeRoute(identity, match, opts.providerAddress);
      } catch (e) {
        if (e instanceof HttpError && e.status === 403) metrics.auth.inc({ result: e.code });
        throw e;
      }
      metrics.auth.inc({ result: 'ok' });
    } else {
      limit(`ip:${ip}`);
    }
    return handle(ctx, match, identity, req);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let route = 'unmatched';
    let tenant: string | undefined;
    let status = 500;
    try {
      const reply = await withTimeout(
        pipeline(req, (name, iss) => {
          route = name;
          tenant = iss;
        }),
        timeoutMs,
      );
      status = reply.status;
      sendJson(req, res, reply.status, reply.json);
    } catch (e) {
      let err: HttpError;
      if (e instanceof HttpError) err = e;
      else {
        log.error({ err: errorMessage(e), route }, 'request failed');
        err = new HttpError(500, 'internal', 'internal error; the provider logged it');
      }
      // Ownership is decided against the Lease, inside the handler: still an authorization decision.
      if (err.code === 'not_owner') metrics.auth.inc({ result: err.code });
      status = err.status;
      sendError(req, res, err);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc({ route, method: req.method ?? '', code: String(status) });
      metrics.duration.observe({ route }, seconds);
      log.debug({ method: req.method, route, status, tenant, ms: Math.round(seconds * 1000) }, 'request');
    }
  }

  let pair = readPair(opts);
  const server = https.createServer({
    ...pair,
    ...TLS,
    // Ask for a client certificate (mTLS clients send one), never require or pre-verify it: the
    // chain's certificate registry decides, not a CA bundle.
    requestCert: true,
    rejectUnauthorized: false,
    handshakeTimeout: 10_000,
    requestTimeout: timeoutMs,
    headersTimeout: Math.min(timeoutMs, 20_000),
    keepAliveTimeout: 5_000,
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void serve(req, res));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Malformed HTTP, oversized headers, a request that took too long to arrive: a JSON answer if
    // the socket can still take one.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    metrics.requests.inc({ route: 'unmatched', method: '', code: String(status) });
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const body = JSON.stringify({ error: `bad HTTP request: ${STATUS_CODES[status] ?? 'error'}`, code: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_http' });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  server.on('tlsClientError', (err) => log.debug({ err: err.message }, 'TLS handshake failed'));

  const reload = setInterval(() => {
    try {
      const next = readPair(opts);
      if (next.cert !== pair.cert || next.key !== pair.key) {
        server.setSecureContext({ ...next, ...TLS });
        pair = next;
        log.info('gateway certificate reloaded');
      }
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'gateway: keeping the previous certificate');
    }
  }, opts.certReloadMs ?? 60_000);
  reload.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`gateway: cannot listen on ${opts.host}:${opts.port}: ${err.message}`, { cause: err })));
    server.listen(opts.port, opts.host, () => resolve());
  }).catch((e: unknown) => {
    clearInterval(reload);
    throw e;
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  log.info({ url, provider: opts.providerAddress }, 'tenant gateway listening');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(reload);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
