/**
 * Pre-encoded X.509 building blocks (RFC 5280): OIDs, distinguished names, extensions and signature
 * algorithm identifiers. Constant values are encoded once at module load so issuance only copies them.
 */
import type { KeyObject } from 'node:crypto';
import { boolean, implicitPrimitive, integer, namedBits, nullValue, octetString, oid, printableString, sequence, set, utf8String } from './der.ts';
import { fail } from './errors.ts';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KU = { digitalSignature: 0, keyEncipherment: 2, keyAgreement: 4, keyCertSign: 5, cRLSign: 6 } as const;

// --- names ----------------------------------------------------------------------------------------

/** The attributes we write, in the order they appear in the Name (most general first). */
export interface DistinguishedName {
  /** countryName: two letters, PrintableString */
  C?: string;
  /** organizationName, ≤ 64 characters */
  O?: string;
  /** organizationalUnitName, ≤ 64 characters */
  OU?: string;
  /** commonName, ≤ 64 characters */
  CN?: string;
  /** serialNumber attribute (PrintableString, ≤ 64): makes CA names unique across rotations */
  serialNumber?: string;
}

const ATTRIBUTES: { key: keyof DistinguishedName; oid: string; max: number; printable: boolean }[] = [
  { key: 'C', oid: '2.5.4.6', max: 2, printable: true },
  { key: 'O', oid: '2.5.4.10', max: 64, printable: false },
  { key: 'OU', oid: '2.5.4.11', max: 64, printable: false },
  { key: 'CN', oid: '2.5.4.3', max: 64, printable: false },
  { key: 'serialNumber', oid: '2.5.4.5', max: 64, printable: true },
];

/** Name ::= SEQUENCE OF RDN, one single-valued RDN per attribute; `{}` gives the empty Name. */
export function encodeName(dn: DistinguishedName, field = 'subject'): Buffer {
  const rdns: Buffer[] = [];
  for (const a of ATTRIBUTES) {
    const v = dn[a.key];
    if (v === undefined) continue;
    // the upper bounds are RFC 5280 Appendix A's ub-* values
    if (v.length === 0 || [...v].length > a.max) fail(`${field}.${a.key}`, 'name-length', `must be 1..${a.max} characters, got ${[...v].length}`);
    if (a.key === 'C' && !/^[A-Z]{2}$/.test(v)) fail(`${field}.C`, 'name-country', `must be two capital letters (ISO 3166), got ${JSON.stringify(v)}`);
    rdns.push(set(sequence(oid(a.oid), a.printable ? printableString(v) : utf8String(v))));
  }
  return sequence(...rdns);
}

export const EMPTY_NAME = sequence();

// --- extensions -----------------------------------------------------------------------------------

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function extension(extnId: string, critical: boolean, value: Uint8Array): Buffer {
  // DER forbids encoding a DEFAULT value, so a non-critical extension omits the BOOLEAN
  return critical ? sequence(oidDer(extnId), CRITICAL, octetString(value)) : sequence(oidDer(extnId), octetString(value));
}

const CRITICAL = boolean(true);
// the few extension OIDs are encoded once, not once per certificate
const oidCache = new Map<string, Buffer>();
function oidDer(dotted: string): Buffer {
  let der = oidCache.get(dotted);
  if (der === undefined) oidCache.set(dotted, (der = oid(dotted)));
  return der;
}

/** BasicConstraints, always critical; cA=false is the DEFAULT and so is encoded as an empty SEQUENCE. */
export function basicConstraints(ca: boolean, pathLen?: number): Buffer {
  const parts: Buffer[] = [];
  if (ca) parts.push(boolean(true));
  if (pathLen !== undefined) parts.push(integer(pathLen));
  return extension(OID.basicConstraints, true, sequence(...parts));
}

/** KeyUsage, always critical (X509-SVID §4.3: "present and critical on all SVIDs"). */
export const keyUsage = (bits: readonly number[]): Buffer => extension(OID.keyUsage, true, namedBits(bits));

export const extKeyUsage = (oids: readonly string[]): Buffer => extension(OID.extKeyUsage, false, sequence(...oids.map(oid)));

export const subjectKeyIdentifier = (id: Uint8Array): Buffer => extension(OID.subjectKeyIdentifier, false, octetString(id));

/** AuthorityKeyIdentifier with only keyIdentifier ([0] IMPLICIT OCTET STRING). */
export const authorityKeyIdentifier = (id: Uint8Array): Buffer => extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, id)));

/** SubjectAltName with URIs ([6] IMPLICIT IA5String); critical when the subject is empty (RFC 5280 §4.2.1.6). */
export function uriSan(uris: readonly string[], critical: boolean): Buffer {
  for (const u of uris) if (!/^[\x21-\x7e]+$/.test(u)) fail('uri', 'uri-charset', `a URI SAN must be printable ASCII without spaces, got ${JSON.stringify(u)}`);
  return extension(OID.subjectAltName, critical, sequence(...uris.map((u) => implicitPrimitive(6, Buffer.from(u, 'latin1')))));
}

// --- signature algorithms -------------------------------------------------------------------------

export interface SignatureScheme {
  /** the AlgorithmIdentifier DER, used in both TBSCertificate.signature and Certificate.signatureAlgorithm */
  algorithmId: Buffer;
  /** digest for crypto.sign; null for Ed25519, which hashes internally */
  hash: string | null;
}

const ECDSA_BY_CURVE: Record<string, SignatureScheme> = {
  // ECDSA identifiers carry no parameters (RFC 5758 §3.2)
  prime256v1: { algorithmId: sequence(oid('1.2.840.10045.4.3.2')), hash: 'sha256' },
  secp384r1: { algorithmId: sequence(oid('1.2.840.10045.4.3.3')), hash: 'sha384' },
  secp521r1: { algorithmId: sequence(oid('1.2.840.10045.4.3.4')), hash: 'sha512' },
};
// RSA PKCS#1 v1.5 identifiers carry an explicit NULL (RFC 4055 §5)
const RSA_SHA256: SignatureScheme = { algorithmId: sequence(oid('1.2.840.113549.1.1.11'), nullValue()), hash: 'sha256' };
const ED25519: SignatureScheme = { algorithmId: sequence(oid('1.3.101.112')), hash: null };

/** How a CA key signs: ECDSA P-256/384/521 with the matching SHA-2, RSA with SHA-256, or Ed25519. */
export function signatureScheme(key: KeyObject, field = 'key'): SignatureScheme {
  if (key.type !== 'private') fail(field, 'key-type', `the signing key must be a private key, got a ${key.type} key`);
  const kind = key.asymmetricKeyType;
  if (kind === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const scheme = ECDSA_BY_CURVE[curve];
    if (scheme === undefined) fail(field, 'key-type', `EC signing keys must be P-256, P-384 or P-521, got curve ${JSON.stringify(curve)}`);
    return scheme;
  }
  if (kind === 'rsa') return RSA_SHA256;
  if (kind === 'ed25519') return ED25519;
  return fail(field, 'key-type', `signing keys must be EC, RSA (PKCS#1 v1.5) or Ed25519, got ${JSON.stringify(kind)}`);
}
