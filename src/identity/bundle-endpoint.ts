/**
 * The SPIFFE bundle endpoint (SPIFFE_Trust_Domain_and_Bundle §5, `https_web` profile): GET / over
 * HTTPS returns the trust domain's bundle as a JWK Set. Federating trust domains poll it at the
 * bundle's `spiffe_refresh_hint`. Every replica serves it (the bundle comes from the ConfigMap the
 * leader writes); the web certificate is the admin's, re-read when its files change.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../runtime/log.ts';

export interface BundleEndpointOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** The current JWK Set as JSON text; undefined while there is none yet (→ 503). */
  jwks: () => Promise<string | undefined>;
  log: Logger;
  /** How often the certificate files are checked for a renewal. */
  reloadMs?: number;
}

export interface BundleEndpoint {
  url: string;
  close(): Promise<void>;
}

function readPair(opts: Pick<BundleEndpointOptions, 'certFile' | 'keyFile'>): { cert: string; key: string } {
  try {
    return { cert: readFileSync(opts.certFile, 'utf8'), key: readFileSync(opts.keyFile, 'utf8') };
  } catch (e) {
    throw new Error(`SPIFFE bundle endpoint: cannot read its certificate (${(e as Error).message})`, { cause: e });
  }
}

export async function startBundleEndpoint(opts: BundleEndpointOptions): Promise<BundleEndpoint> {
  let pair = readPair(opts);
  const server = https.createServer({ ...pair, minVersion: 'TLSv1.2' }, (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if ((req.url ?? '/').split('?')[0] !== '/') return json(404, { error: 'not found: the bundle is served at /' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed: use GET' });
    opts.jwks().then(
      (body) => {
        if (body === undefined) return json(503, { error: 'no trust bundle published yet' });
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        opts.log.warn({ err: (err as Error).message }, 'SPIFFE bundle endpoint: cannot read the bundle');
        json(503, { error: 'the trust bundle cannot be read right now' });
      },
    );
  });
  const reload = setInterval(() => {
    try {
      const next = readPair(opts);
      if (next.cert !== pair.cert || next.key !== pair.key) {
        server.setSecureContext({ ...next, minVersion: 'TLSv1.2' });
        pair = next;
        opts.log.info('SPIFFE bundle endpoint: certificate reloaded');
      }
    } catch (e) {
      opts.log.warn({ err: (e as Error).message }, 'SPIFFE bundle endpoint: keeping the previous certificate');
    }
  }, opts.reloadMs ?? 60_000);
  reload.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  opts.log.info({ url: `https://${addr.address}:${addr.port}/` }, 'SPIFFE bundle endpoint listening');
  return {
    url: `https://${opts.host.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(reload);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
