/**
 * The signing authority as the cluster stores it. Self-signed mode: the CA Secret holds the active
 * CA (`active.crt`/`active.key`), the prepared one (`next.crt`/`next.key`) and the retired
 * certificates still in the bundle (`retired.json`, no keys: they sign nothing any more).
 * Upstream mode: an admin's kubernetes.io/tls Secret (`tls.crt` intermediate first, `tls.key`,
 * `ca.crt` upstream roots). Parsing is memoized per resourceVersion: every SVID reconcile asks.
 */
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { BACKDATE_MS, caEntry, createSelfSignedCa, issuerFromCa, issuerFromPem, pemCertificates, toPem, type CaEntry, type CaSet, type Issuer } from '../../identity/index.ts';
import type { SecretObject } from '../service/kinds.ts';

/** CaSet with the keys of the CAs that can still sign. */
export interface CaState {
  set: CaSet;
  keys: Map<string, KeyObject>;
}

export interface Authority {
  issuer: Issuer;
  /** CA certificates to trust (DER), active first. */
  bundle: Buffer[];
  /** Fingerprints (sha256 hex of DER) of the bundle's certificates and the issuer's. */
  trusted: Set<string>;
  /** sha256 hex of the signing certificate. */
  issuerId: string;
}

export const fingerprint = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const text = (secret: SecretObject | undefined, key: string): string | undefined => {
  const v = secret?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
};

/** The CA Secret → CaState; a Secret that cannot be read is a problem for a person (the message says which key). */
export function parseCaSecret(secret: SecretObject | undefined): CaState {
  const state: CaState = { set: { retired: [] }, keys: new Map() };
  if (!secret) return state;
  const slot = (name: 'active' | 'next'): CaEntry | undefined => {
    const crt = text(secret, `${name}.crt`);
    const key = text(secret, `${name}.key`);
    if (crt === undefined && key === undefined) return undefined;
    if (crt === undefined || key === undefined) throw new Error(`CA Secret: ${name}.crt and ${name}.key must both be present`);
    const [der] = pemCertificates(crt, `${name}.crt`);
    if (!der) throw new Error(`CA Secret: ${name}.crt holds no certificate`);
    const entry = caEntry(der);
    state.keys.set(entry.id, createPrivateKey({ key, format: 'pem' }));
    return entry;
  };
  const active = slot('active');
  const next = slot('next');
  if (active) state.set.active = active;
  if (next) state.set.next = next;
  const retired = text(secret, 'retired.json');
  if (retired !== undefined) {
    const list = JSON.parse(retired) as { cert: string; retiredAt: string }[];
    if (!Array.isArray(list)) throw new Error('CA Secret: retired.json must be a list');
    state.set.retired = list.map((r, i) => {
      if (typeof r?.cert !== 'string' || Number.isNaN(Date.parse(r.retiredAt))) throw new Error(`CA Secret: retired.json[${i}] needs cert (base64 DER) and retiredAt (RFC 3339)`);
      return { ...caEntry(Buffer.from(r.cert, 'base64')), retiredAt: new Date(r.retiredAt) };
    });
  }
  return state;
}

/** CaState → the Secret's data (base64 values). */
export function caSecretData(state: CaState): Record<string, string> {
  const data: Record<string, string> = {};
  for (const name of ['active', 'next'] as const) {
    const entry = state.set[name];
    if (!entry) continue;
    const key = state.keys.get(entry.id);
    if (!key) throw new Error(`CA ${entry.id} has no key`);
    data[`${name}.crt`] = b64(toPem(entry.cert, 'CERTIFICATE'));
    data[`${name}.key`] = b64(key.export({ type: 'pkcs8', format: 'pem' }) as string);
  }
  data['retired.json'] = b64(JSON.stringify(state.set.retired.map((r) => ({ cert: r.cert.toString('base64'), retiredAt: r.retiredAt.toISOString() }))));
  return data;
}

/** A fresh self-signed CA valid for `ttlSeconds` from now (backdated like SVIDs, for clock skew). */
export function newCa(trustDomain: string, ttlSeconds: number, now: Date): { entry: CaEntry; key: KeyObject } {
  const ca = createSelfSignedCa({ trustDomain, notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + ttlSeconds * 1000) });
  return { entry: caEntry(ca.cert), key: ca.key };
}

/** The bundle of a CA set at `now`: active, next, retired (newest first), unexpired. */
export function caBundle(set: CaSet, now: Date): Buffer[] {
  const t = now.getTime();
  return [set.active, set.next, ...[...set.retired].sort((a, b) => b.retiredAt.getTime() - a.retiredAt.getTime())]
    .filter((c): c is CaEntry => c !== undefined && t < c.notAfter.getTime())
    .map((c) => c.cert);
}

function authority(issuer: Issuer, bundle: Buffer[]): Authority {
  const trusted = new Set([...bundle, issuer.cert].map(fingerprint));
  return { issuer, bundle, trusted, issuerId: fingerprint(issuer.cert) };
}

/** The authority of a self-signed CA state; undefined until an active CA exists. */
export function selfSignedAuthority(state: CaState, trustDomain: string, now: Date): Authority | undefined {
  const active = state.set.active;
  const key = active && state.keys.get(active.id);
  if (!active || !key || now.getTime() >= active.notAfter.getTime()) return undefined;
  return authority(issuerFromCa({ cert: active.cert, key }, { trustDomain }), caBundle(state.set, now));
}

/** The authority of an admin's upstream-signed intermediate; throws naming the key at fault. */
export function upstreamAuthority(secret: SecretObject, trustDomain: string): Authority {
  const certPem = text(secret, 'tls.crt');
  const keyPem = text(secret, 'tls.key');
  if (!certPem || !keyPem) throw new Error('upstream CA Secret: tls.crt and tls.key are required');
  const rootsPem = text(secret, 'ca.crt');
  const issuer = issuerFromPem({ certPem, keyPem, trustDomain, ...(rootsPem ? { rootsPem } : {}) });
  // Without ca.crt the intermediate itself is the trust anchor (a deliberate, narrower trust).
  return authority(issuer, issuer.roots.length > 0 ? [...issuer.roots] : [issuer.cert]);
}

/** Memoizes `build` per object uid + resourceVersion. */
export function memoByVersion<T>(build: (obj: SecretObject) => T): (obj: SecretObject) => T {
  let last: { version: string; value: T } | undefined;
  return (obj) => {
    const version = `${obj.metadata.uid ?? ''}/${obj.metadata.resourceVersion ?? ''}`;
    if (last?.version !== version) last = { version, value: build(obj) };
    return last.value;
  };
}
