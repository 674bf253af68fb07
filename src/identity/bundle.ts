/**
 * Trust bundles in the three shapes consumers want: concatenated PEM (files, ConfigMaps),
 * concatenated DER (the Workload API's `bundle` field) and the SPIFFE JWK Set (bundle endpoints and
 * federation; SPIFFE_Trust_Domain_and_Bundle.md §4, X509-SVID.md §6).
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { fail } from './errors.ts';
import { certificatesToPem } from './pem.ts';

export const bundlePem = (certs: readonly Buffer[]): string => certificatesToPem(certs);

export const bundleDer = (certs: readonly Buffer[]): Buffer => Buffer.concat(certs);

/** One X.509 authority: the public key as a JWK plus the certificate; no `kid` for x509-svid entries. */
export interface X509SvidJwk {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  use: 'x509-svid';
  /** exactly one base64 (not url-safe) DER certificate */
  x5c: [string];
}

export interface SpiffeJwks {
  keys: X509SvidJwk[];
  spiffe_sequence: number;
  spiffe_refresh_hint: number;
}

export interface JwksOptions {
  /** monotonically increasing each time the bundle content changes */
  sequence: number;
  /** how often consumers should re-fetch, in seconds */
  refreshHintSeconds: number;
}

function publicJwk(der: Buffer, field: string): Omit<X509SvidJwk, 'use' | 'x5c'> {
  let jwk: Record<string, unknown>;
  try {
    jwk = new X509Certificate(der).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  } catch (e) {
    return fail(field, 'cert-parse', `not a certificate with an exportable public key (${(e as Error).message})`);
  }
  // keep only the public members a JWK of that type defines, in a stable order
  const out: Record<string, unknown> = {};
  for (const k of ['kty', 'crv', 'x', 'y', 'n', 'e']) if (typeof jwk[k] === 'string') out[k] = jwk[k];
  return out as unknown as Omit<X509SvidJwk, 'use' | 'x5c'>;
}

/** The SPIFFE bundle JWK Set for these CA certificates (an empty list means "trust nothing"). */
export function bundleJwks(certs: readonly Buffer[], options: JwksOptions): SpiffeJwks {
  if (!Number.isSafeInteger(options.sequence) || options.sequence < 0) fail('sequence', 'spiffe-sequence', `must be a non-negative integer, got ${options.sequence}`);
  if (!Number.isSafeInteger(options.refreshHintSeconds) || options.refreshHintSeconds <= 0) fail('refreshHintSeconds', 'spiffe-refresh-hint', `must be a positive integer, got ${options.refreshHintSeconds}`);
  return {
    keys: certs.map((der, i) => ({ ...publicJwk(der, `certs[${i}]`), use: 'x509-svid', x5c: [der.toString('base64')] })),
    spiffe_sequence: options.sequence,
    spiffe_refresh_hint: options.refreshHintSeconds,
  };
}

export interface ParsedJwks {
  /** the X.509 authorities, DER */
  certs: Buffer[];
  sequence?: number;
  refreshHintSeconds?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a SPIFFE bundle JWK Set. Entries with another `use` (jwt-svid, unknown) are skipped as the
 * spec says; an x509-svid entry needs exactly one x5c certificate (as go-spiffe requires) whose key
 * is the entry's key.
 */
export function parseJwksBundle(json: string | unknown): ParsedJwks {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      return fail('jwks', 'json-syntax', (e as Error).message);
    }
  }
  if (!isRecord(doc) || !Array.isArray(doc.keys)) fail('jwks.keys', 'jwks-keys', 'a JWK Set must be an object with a "keys" array');
  const certs: Buffer[] = [];
  doc.keys.forEach((k: unknown, i: number) => {
    const field = `jwks.keys[${i}]`;
    if (!isRecord(k)) fail(field, 'jwk-object', 'must be an object');
    if (k.use !== 'x509-svid') return;
    const x5c = k.x5c;
    if (!Array.isArray(x5c) || x5c.length !== 1 || typeof x5c[0] !== 'string') fail(`${field}.x5c`, 'x5c-count', `an x509-svid entry must carry exactly one certificate, got ${Array.isArray(x5c) ? x5c.length : 'none'}`);
    const der = Buffer.from(x5c[0], 'base64');
    if (der.toString('base64') !== x5c[0].replace(/\s+/g, '')) fail(`${field}.x5c`, 'x5c-base64', 'must be standard base64');
    const certJwk = publicJwk(der, `${field}.x5c[0]`);
    let entryKey: string;
    try {
      entryKey = createPublicKey({ key: k as never, format: 'jwk' }).export({ type: 'spki', format: 'der' }).toString('base64');
    } catch (e) {
      return fail(field, 'jwk-key', `not a usable public JWK (${(e as Error).message})`);
    }
    const certKey = createPublicKey({ key: certJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' }).toString('base64');
    if (entryKey !== certKey) fail(field, 'key-mismatch', 'the JWK public key is not the key of its x5c certificate');
    certs.push(der);
  });
  const out: ParsedJwks = { certs };
  if (typeof doc.spiffe_sequence === 'number') out.sequence = doc.spiffe_sequence;
  if (typeof doc.spiffe_refresh_hint === 'number') out.refreshHintSeconds = doc.spiffe_refresh_hint;
  return out;
}
