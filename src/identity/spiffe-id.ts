/**
 * SPIFFE IDs (spiffe/spiffe standards/SPIFFE-ID.md §2): `spiffe://<trust domain><path>`.
 * Parsing is strict in the way go-spiffe is (lowercase scheme and trust domain, no percent-encoding),
 * because an ID we issue must compare byte-for-byte with the one a peer's policy names.
 */
import { isAkashAddress } from '../akash/leaseId.ts';
import { fail } from './errors.ts';

export interface SpiffeId {
  /** lowercase `[a-z0-9._-]`, ≤ 255 bytes */
  trustDomain: string;
  /** '' for the trust domain itself (signing certs), else `/seg/seg…` */
  path: string;
}

const SCHEME = 'spiffe://';
const MAX_ID_BYTES = 2048;
const MAX_TRUST_DOMAIN_BYTES = 255;
const TRUST_DOMAIN_CHARS = /^[a-z0-9._-]+$/;
const SEGMENT_CHARS = /^[a-zA-Z0-9._-]+$/;

/** Throws unless `td` is a valid trust domain name (§2.1); the field in errors is `field`. */
export function validateTrustDomain(td: string, field = 'trustDomain'): void {
  if (td === '') fail(field, 'trust-domain-missing', 'trust domain must not be empty');
  if (Buffer.byteLength(td, 'utf8') > MAX_TRUST_DOMAIN_BYTES) fail(field, 'trust-domain-length', `trust domain must be at most ${MAX_TRUST_DOMAIN_BYTES} bytes, got ${Buffer.byteLength(td, 'utf8')}`);
  if (TRUST_DOMAIN_CHARS.test(td)) return;
  // name the specific URI feature the spec forbids before falling back to the charset rule
  if (td.includes('@')) fail(field, 'userinfo', `a SPIFFE ID must not carry userinfo, got ${JSON.stringify(td)}`);
  if (td.startsWith('[')) fail(field, 'trust-domain-ipv6', `trust domain must not be an IPv6 literal, got ${JSON.stringify(td)}`);
  if (td.includes(':')) fail(field, 'port', `a SPIFFE ID must not carry a port, got ${JSON.stringify(td)}`);
  if (td.includes('%')) fail(field, 'percent-encoding', `trust domain must not be percent-encoded, got ${JSON.stringify(td)}`);
  if (td !== td.toLowerCase() && TRUST_DOMAIN_CHARS.test(td.toLowerCase())) fail(field, 'trust-domain-lowercase', `trust domain must be lowercase, got ${JSON.stringify(td)}`);
  fail(field, 'trust-domain-charset', `trust domain characters are limited to a-z 0-9 . _ -, got ${JSON.stringify(td)}`);
}

/** Throws unless `path` is '' or `/seg(/seg)*` with valid segments (§2.2). */
export function validatePath(path: string, field = 'path'): void {
  if (path === '') return;
  if (!path.startsWith('/')) fail(field, 'path-leading-slash', `path must start with '/', got ${JSON.stringify(path)}`);
  if (path.endsWith('/')) fail(field, 'path-trailing-slash', `path must not end with '/', got ${JSON.stringify(path)}`);
  for (const segment of path.slice(1).split('/')) validateSegment(segment, field);
}

/** Throws unless `segment` is one valid path segment (no '/', not empty, not a dot segment). */
export function validateSegment(segment: string, field = 'path'): void {
  if (segment === '') fail(field, 'path-empty-segment', 'path must not contain empty segments');
  if (segment === '.' || segment === '..') fail(field, 'path-dot-segment', `path must not contain '.' or '..' segments`);
  if (SEGMENT_CHARS.test(segment)) return;
  if (segment.includes('%')) fail(field, 'percent-encoding', `path must not be percent-encoded, got ${JSON.stringify(segment)}`);
  fail(field, 'path-charset', `path segment characters are limited to a-z A-Z 0-9 . _ -, got ${JSON.stringify(segment)}`);
}

/** Parses and validates a SPIFFE ID string. */
export function parseSpiffeId(s: string, field = 'spiffeId'): SpiffeId {
  if (s === '') fail(field, 'empty', 'SPIFFE ID must not be empty');
  if (Buffer.byteLength(s, 'utf8') > MAX_ID_BYTES) fail(field, 'length', `SPIFFE ID must be at most ${MAX_ID_BYTES} bytes, got ${Buffer.byteLength(s, 'utf8')}`);
  if (!s.startsWith(SCHEME)) {
    const why = s.toLowerCase().startsWith(SCHEME) ? 'scheme must be written in lowercase' : "must start with 'spiffe://'";
    fail(field, 'scheme', `${why}, got ${JSON.stringify(s.slice(0, 16))}`);
  }
  const rest = s.slice(SCHEME.length);
  if (rest.includes('?')) fail(field, 'query', 'SPIFFE ID must not have a query');
  if (rest.includes('#')) fail(field, 'fragment', 'SPIFFE ID must not have a fragment');
  const slash = rest.indexOf('/');
  const trustDomain = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  validateTrustDomain(trustDomain, field);
  validatePath(path, field);
  return { trustDomain, path };
}

/** The string form; validates first so a bad ID is never formatted. */
export function formatSpiffeId(id: SpiffeId, field = 'spiffeId'): string {
  validateTrustDomain(id.trustDomain, field);
  validatePath(id.path, field);
  const s = `${SCHEME}${id.trustDomain}${id.path}`;
  if (Buffer.byteLength(s, 'utf8') > MAX_ID_BYTES) fail(field, 'length', `SPIFFE ID must be at most ${MAX_ID_BYTES} bytes, got ${Buffer.byteLength(s, 'utf8')}`);
  return s;
}

/** The ID of a signing (CA) certificate: the trust domain with no path (X509-SVID §3.2). */
export const caSpiffeId = (trustDomain: string): string => formatSpiffeId({ trustDomain, path: '' }, 'trustDomain');

// --- lease service IDs ----------------------------------------------------------------------------

export interface LeaseRef {
  /** bech32 `akash1…` address of the deployment owner */
  owner: string;
  /** deployment sequence: uint64 > 0, as a decimal string or a bigint */
  dseq: string | bigint;
  /** group sequence, 1..2^32-1 */
  gseq: number;
  /** order sequence, 1..2^32-1 */
  oseq: number;
}

const UINT64_MAX = (1n << 64n) - 1n;
const UINT32_MAX = 0xffffffff;
// canonical decimal: one lease must map to exactly one ID, so leading zeros are refused
const CANONICAL_DECIMAL = /^[1-9][0-9]*$/;

function dseqString(dseq: string | bigint): string {
  const s = typeof dseq === 'bigint' ? dseq.toString() : dseq;
  if (!CANONICAL_DECIMAL.test(s)) fail('dseq', 'sequence', `must be a decimal integer ≥ 1 without leading zeros, got ${JSON.stringify(s)}`);
  if (BigInt(s) > UINT64_MAX) fail('dseq', 'sequence', `must be at most ${UINT64_MAX}, got ${s}`);
  return s;
}

function seq(name: string, v: number): string {
  if (!Number.isInteger(v) || v < 1 || v > UINT32_MAX) fail(name, 'sequence', `must be an integer in 1..${UINT32_MAX}, got ${v}`);
  return String(v);
}

/** `spiffe://<td>/lease/<owner>/<dseq>/<gseq>/<oseq>/<service>`: the identity of one service of a lease. */
export function serviceSpiffeId(trustDomain: string, lease: LeaseRef, service: string): string {
  if (!isAkashAddress(lease.owner)) fail('owner', 'address', `must be an akash1… bech32 address, got ${JSON.stringify(lease.owner)}`);
  validateSegment(service, 'service');
  const path = `/lease/${lease.owner}/${dseqString(lease.dseq)}/${seq('gseq', lease.gseq)}/${seq('oseq', lease.oseq)}/${service}`;
  return formatSpiffeId({ trustDomain, path });
}

/** The inverse of serviceSpiffeId; throws if `id` is not a lease service ID. */
export function parseServiceSpiffeId(id: string): { trustDomain: string; lease: LeaseRef & { dseq: string }; service: string } {
  const { trustDomain, path } = parseSpiffeId(id);
  const parts = path.split('/');
  if (parts.length !== 7 || parts[1] !== 'lease') fail('spiffeId', 'lease-path', `expected /lease/OWNER/DSEQ/GSEQ/OSEQ/SERVICE, got ${JSON.stringify(path)}`);
  const [, , owner, dseq, gseq, oseq, service] = parts as [string, string, string, string, string, string, string];
  const num = (name: string, v: string): number => {
    if (!CANONICAL_DECIMAL.test(v)) fail(name, 'sequence', `must be a decimal integer ≥ 1 without leading zeros, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const lease = { owner, dseq, gseq: num('gseq', gseq), oseq: num('oseq', oseq) };
  // re-deriving checks owner, ranges and service with the same rules as issuance
  if (serviceSpiffeId(trustDomain, lease, service) !== id) fail('spiffeId', 'lease-path', `not in canonical form: ${JSON.stringify(id)}`);
  return { trustDomain, lease, service };
}
