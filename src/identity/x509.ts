/**
 * Fast X.509-SVID issuance with node:crypto only: the TBSCertificate is assembled from the issuer's
 * pre-encoded template plus the few per-leaf values (serial, validity, key, key id, SPIFFE ID) and
 * signed with one crypto.sign call. @peculiar/x509 builds the same certificate through a JS ASN.1
 * object model at a few hundred per second (reference/features.md §2.3); this path is bounded by key
 * generation and the signature.
 */
import { createPublicKey, generateKeyPairSync, randomFillSync, sign, KeyObject } from 'node:crypto';
import { bitString, explicit, integer, integerFromBytes, sequence, time } from './der.ts';
import { spkiPublicKeyBits } from './der-reader.ts';
import { generateP256, isP256SpkiShape } from './ec-keys.ts';
import { IdentityError, fail } from './errors.ts';
import { keyIdentifier, makeIssuer, type Issuer, type IssuerOptions } from './issuer.ts';
import { caSpiffeId, parseSpiffeId, validateTrustDomain } from './spiffe-id.ts';
import { EMPTY_NAME, KU, authorityKeyIdentifier, basicConstraints, encodeName, keyUsage, signatureScheme, subjectKeyIdentifier, uriSan, type DistinguishedName, type SignatureScheme } from './x509-parts.ts';

/** How far a generated SVID's notBefore is moved back, so peers with slightly slow clocks accept it (SPIRE: 10 s). */
export const BACKDATE_MS = 10_000;

/** 16 random bytes with the top bit cleared (a positive INTEGER) and never all zero (RFC 5280 §4.1.2.2). */
export function randomSerial(): Buffer {
  for (;;) {
    if (poolAt + 16 > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const b = Buffer.from(pool.subarray(poolAt, poolAt + 16));
    poolAt += 16;
    b[0]! &= 0x7f;
    if (b.some((x) => x !== 0)) return b;
  }
}
// one getrandom per 256 serials instead of one each; every byte is still used once
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** X.509 carries whole seconds; both ends are truncated the same way so callers can compare. */
const toSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

function signCertificate(tbs: Buffer, scheme: SignatureScheme, key: KeyObject): Buffer {
  // ECDSA signatures come out DER-encoded (Ecdsa-Sig-Value), as X.509 wants them
  return sequence(tbs, scheme.algorithmId, bitString(sign(scheme.hash, tbs, key)));
}

// --- self-signed CA -------------------------------------------------------------------------------

export interface CaRequest {
  trustDomain: string;
  notBefore: Date;
  notAfter: Date;
  /** default `O=Akash Provider, CN=<td> CA, serialNumber=<cert serial>` (CN left out when over 64 characters) */
  subject?: DistinguishedName;
  /** the CA key; default a fresh EC P-256 key (SPIRE's ca_key_type default) */
  key?: KeyObject;
}

export interface CaKeyPair {
  /** DER */
  cert: Buffer;
  key: KeyObject;
}

/**
 * A self-signed signing certificate that is itself an SVID (X509-SVID §3.2): ID `spiffe://<td>` with no
 * path, cA=true, KeyUsage keyCertSign|cRLSign, both critical.
 */
export function createSelfSignedCa(req: CaRequest): CaKeyPair {
  validateTrustDomain(req.trustDomain);
  const key = req.key ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const scheme = signatureScheme(key);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const serial = randomSerial();
  const notBefore = toSeconds(req.notBefore);
  const notAfter = toSeconds(req.notAfter);
  if (notBefore >= notAfter) fail('notAfter', 'validity-order', `must be after notBefore (${notBefore.toISOString()}), got ${notAfter.toISOString()}`);
  const cn = `${req.trustDomain} CA`;
  // a serialNumber attribute keeps the names of successive CAs distinct, so a validator holding
  // both in its bundle never has to guess which one a leaf's issuer name means
  const dn = req.subject ?? { O: 'Akash Provider', ...(cn.length <= 64 ? { CN: cn } : {}), serialNumber: BigInt(`0x${serial.toString('hex')}`).toString() };
  const name = encodeName(dn);
  const empty = name.equals(EMPTY_NAME);
  if (empty) fail('subject', 'issuer-name', 'a CA subject must not be empty: it is the issuer name of every leaf (RFC 5280 §4.1.2.4)');
  const keyId = keyIdentifier(spkiPublicKeyBits(spki));
  const tbs = sequence(
    explicit(0, integer(2)),
    integerFromBytes(serial),
    scheme.algorithmId,
    name,
    sequence(time(notBefore, 'notBefore'), time(notAfter, 'notAfter')),
    name,
    spki,
    explicit(
      3,
      sequence(
        basicConstraints(true),
        keyUsage([KU.keyCertSign, KU.cRLSign]),
        subjectKeyIdentifier(keyId),
        authorityKeyIdentifier(keyId),
        uriSan([caSpiffeId(req.trustDomain)], false),
      ),
    ),
  );
  return { cert: signCertificate(tbs, scheme, key), key };
}

/** The issuer for a CA from createSelfSignedCa (or any CA cert + key already in memory). */
export const issuerFromCa = (ca: CaKeyPair, options: IssuerOptions = {}): Issuer => makeIssuer(ca.cert, ca.key, [], options);

// --- leaves ---------------------------------------------------------------------------------------

export interface SvidRequest {
  /** `spiffe://<issuer's trust domain>/<non-root path>` */
  spiffeId: string;
  /** the workload's public key (a private KeyObject is reduced to its public half), or SPKI DER */
  publicKey: KeyObject | Uint8Array;
  /** truncated to whole seconds */
  notBefore: Date;
  /** truncated to whole seconds; must not be after the issuer's notAfter */
  notAfter: Date;
}

function spkiOf(publicKey: KeyObject | Uint8Array): Buffer {
  try {
    const k = publicKey instanceof KeyObject ? (publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey) : createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    if (k.type !== 'public') fail('publicKey', 'key-type', `must be a public or private key, got a ${k.type} key`);
    // createPublicKey has checked the point is on the curve; a P-256 SPKI of the one canonical
    // shape can then be used as given, saving an export that costs as much as the signature
    if (!(publicKey instanceof KeyObject) && isP256SpkiShape(publicKey)) return Buffer.from(publicKey);
    return k.export({ type: 'spki', format: 'der' });
  } catch (e) {
    if (e instanceof IdentityError) throw e;
    return fail('publicKey', 'key-parse', `not a usable public key (${(e as Error).message})`);
  }
}

function checkLeafId(issuer: Issuer, spiffeId: string): void {
  const id = parseSpiffeId(spiffeId);
  if (id.path === '') fail('spiffeId', 'leaf-path', `a leaf SVID's SPIFFE ID must have a non-root path (X509-SVID §3.1), got ${spiffeId}`);
  if (id.trustDomain !== issuer.trustDomain) fail('spiffeId', 'trust-domain-mismatch', `must be in the issuer's trust domain ${JSON.stringify(issuer.trustDomain)}, got ${JSON.stringify(id.trustDomain)}`);
}

/** Assembles and signs a leaf; inputs are already validated. `keyBits` is the subjectPublicKey of `spki`. */
function buildLeaf(issuer: Issuer, spiffeId: string, spki: Buffer, keyBits: Buffer, notBefore: Date, notAfter: Date): Buffer {
  const t = issuer.template;
  const tbs = sequence(
    t.version,
    integerFromBytes(randomSerial()),
    t.scheme.algorithmId,
    t.issuerName,
    sequence(time(notBefore, 'notBefore'), time(notAfter, 'notAfter')),
    t.subject,
    spki,
    explicit(3, sequence(t.fixedExtensions, subjectKeyIdentifier(keyIdentifier(keyBits)), uriSan([spiffeId], t.subjectEmpty))),
  );
  return signCertificate(tbs, t.scheme, issuer.key);
}

function checkValidity(issuer: Issuer, notBefore: Date, notAfter: Date): void {
  if (!(notBefore < notAfter)) fail('notAfter', 'validity-order', `must be after notBefore (${notBefore.toISOString()}), got ${notAfter.toISOString()}`);
  if (notAfter > issuer.notAfter) fail('notAfter', 'outlives-issuer', `must not be after the issuer's notAfter ${issuer.notAfter.toISOString()}, got ${notAfter.toISOString()}`);
}

/**
 * An X.509-SVID (DER) for `publicKey`: exactly one URI SAN (critical when the leaf subject is empty),
 * BasicConstraints cA=false and KeyUsage digitalSignature|keyEncipherment|keyAgreement (both critical),
 * EKU serverAuth+clientAuth, SKI and AKI; validity exactly as requested, in whole seconds.
 */
export function issueSvid(issuer: Issuer, req: SvidRequest): Buffer {
  checkLeafId(issuer, req.spiffeId);
  const notBefore = toSeconds(req.notBefore);
  const notAfter = toSeconds(req.notAfter);
  checkValidity(issuer, notBefore, notAfter);
  const spki = spkiOf(req.publicKey);
  return buildLeaf(issuer, req.spiffeId, spki, spkiPublicKeyBits(spki), notBefore, notAfter);
}

export interface IssuedSvid {
  /** the leaf, DER; send it followed by `issuer.chain` */
  certDer: Buffer;
  /** unencrypted PKCS#8 DER, as the Workload API carries it */
  keyPkcs8Der: Buffer;
  notBefore: Date;
  notAfter: Date;
}

/**
 * Generates an EC P-256 key pair and an SVID for it, valid from `now − BACKDATE_MS` for `ttlSeconds`,
 * cut short at the issuer's notAfter (as SPIRE does) so no SVID outlives its CA.
 */
export function issueSvidWithKey(issuer: Issuer, spiffeId: string, ttlSeconds: number, now: Date): IssuedSvid {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) fail('ttlSeconds', 'ttl', `must be a positive integer, got ${ttlSeconds}`);
  checkLeafId(issuer, spiffeId);
  const start = toSeconds(now);
  const notBefore = new Date(start.getTime() - BACKDATE_MS);
  const wanted = new Date(start.getTime() + ttlSeconds * 1000);
  const notAfter = wanted > issuer.notAfter ? issuer.notAfter : wanted;
  if (notAfter <= start) fail('now', 'issuer-expired', `the issuer expired at ${issuer.notAfter.toISOString()}`);
  if (start < issuer.notBefore) fail('now', 'issuer-not-yet-valid', `the issuer is valid from ${issuer.notBefore.toISOString()}`);
  checkValidity(issuer, notBefore, notAfter);
  const pair = generateP256();
  return { certDer: buildLeaf(issuer, spiffeId, pair.spki, pair.point, notBefore, notAfter), keyPkcs8Der: pair.pkcs8, notBefore, notAfter };
}

/** `X509SVID.x509_svid`: the leaf followed by the issuer's chain, concatenated DER. */
export const svidChainDer = (issuer: Issuer, certDer: Buffer): Buffer => Buffer.concat([certDer, ...issuer.chain]);
