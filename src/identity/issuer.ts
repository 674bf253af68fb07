/**
 * An issuer: a signing certificate with its key, and everything about it that is the same in every
 * leaf it signs, encoded once (version, signature algorithm, issuer name copied byte-for-byte from
 * the CA's subject, leaf subject, and the constant extensions including the AKI). Issuing a leaf is
 * then mostly buffer concatenation plus one signature (x509.ts).
 */
import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { explicit, integer } from './der.ts';
import { certificateParts, children, readTlv, type CertificateParts } from './der-reader.ts';
import { fail } from './errors.ts';
import { pemBlocks, pemCertificates, toPem } from './pem.ts';
import { parseSpiffeId, validateTrustDomain } from './spiffe-id.ts';
import { EMPTY_NAME, KU, OID, authorityKeyIdentifier, basicConstraints, encodeName, extKeyUsage, keyUsage, signatureScheme, type DistinguishedName, type SignatureScheme } from './x509-parts.ts';

/** The parts of a leaf that do not depend on the leaf. */
export interface LeafTemplate {
  /** `[0] EXPLICIT INTEGER 2` (v3) */
  version: Buffer;
  scheme: SignatureScheme;
  /** the signing cert's subject Name TLV, byte-exact */
  issuerName: Buffer;
  /** leaf subject Name TLV; the empty Name makes the URI SAN critical */
  subject: Buffer;
  subjectEmpty: boolean;
  /** KeyUsage + EKU + BasicConstraints + AKI, concatenated Extension TLVs */
  fixedExtensions: Buffer;
}

export interface Issuer {
  readonly trustDomain: string;
  /** the signing certificate, DER */
  readonly cert: Buffer;
  readonly key: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** certificates that follow the leaf in `X509SVID.x509_svid`: [] under a self-signed CA, else the signing cert and any intermediates above it */
  readonly chain: readonly Buffer[];
  /** self-signed certificates seen while loading (the trust anchors to publish) */
  readonly roots: readonly Buffer[];
  readonly template: LeafTemplate;
}

export interface IssuerOptions {
  /** required when the signing certificate carries no SPIFFE ID; must match it when it does */
  trustDomain?: string;
  /** the subject of every leaf; default empty (the SPIFFE ID alone names the workload) */
  leafSubject?: DistinguishedName;
}

const sha1 = (b: Uint8Array): Buffer => createHash('sha1').update(b).digest();

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export const keyIdentifier = (publicKeyBits: Uint8Array): Buffer => sha1(publicKeyBits);

const ext = (parts: CertificateParts, id: string) => parts.extensions.find((e) => e.oid === id);

/** URIs of the SubjectAltName extension ([6] IMPLICIT IA5String entries). */
export function sanUris(parts: CertificateParts, field = 'cert'): string[] {
  const san = ext(parts, OID.subjectAltName);
  if (san === undefined) return [];
  const names = readTlv(san.value, 0, field);
  return children(san.value, names, field)
    .filter((t) => t.tag === 0x86)
    .map((t) => san.value.subarray(t.contentStart, t.end).toString('latin1'));
}

/** Whether KeyUsage bit `bit` is set; undefined when the extension is absent. */
export function keyUsageBit(parts: CertificateParts, bit: number): boolean | undefined {
  const ku = ext(parts, OID.keyUsage);
  if (ku === undefined) return undefined;
  // value = BIT STRING: 03 len unused octets…
  const octet = ku.value[3 + (bit >> 3)];
  return octet !== undefined && (octet & (0x80 >> (bit & 7))) !== 0;
}

/** The trust domain a signing certificate asserts, checking the X509-SVID §3.2 rules on its ID. */
function certTrustDomain(parts: CertificateParts, field: string): string | undefined {
  const ids = sanUris(parts, field).filter((u) => u.toLowerCase().startsWith('spiffe:'));
  if (ids.length === 0) return undefined;
  if (ids.length > 1) fail(field, 'one-uri-san', `a signing certificate must carry at most one SPIFFE ID, got ${ids.length}`);
  const id = parseSpiffeId(ids[0]!, field);
  if (id.path !== '') fail(field, 'ca-path', `a signing certificate's SPIFFE ID must have no path, got ${ids[0]}`);
  return id.trustDomain;
}

/**
 * Builds an issuer from a signing certificate and its private key, checking that the certificate may
 * sign (cA=true, keyCertSign), that the key is its key, and that its name is not empty.
 */
export function makeIssuer(certDer: Buffer, key: KeyObject, chainAbove: readonly Buffer[], options: IssuerOptions = {}, field = 'cert'): Issuer {
  const x = new X509Certificate(certDer);
  const parts = certificateParts(certDer, field);
  if (!x.ca) fail(field, 'ca-basic-constraints', 'the signing certificate must have BasicConstraints cA=true');
  if (keyUsageBit(parts, KU.keyCertSign) !== true) fail(field, 'ca-key-usage', 'the signing certificate must have KeyUsage with keyCertSign');
  if (parts.subject.equals(EMPTY_NAME)) fail(field, 'issuer-name', 'the signing certificate must have a non-empty subject (RFC 5280 §4.1.2.4)');
  if (!x.checkPrivateKey(key)) fail('key', 'key-mismatch', 'the private key does not belong to the signing certificate');
  const scheme = signatureScheme(key);

  const fromCert = certTrustDomain(parts, field);
  if (options.trustDomain !== undefined) validateTrustDomain(options.trustDomain);
  if (fromCert !== undefined && options.trustDomain !== undefined && fromCert !== options.trustDomain) {
    fail('trustDomain', 'trust-domain-mismatch', `the signing certificate is for ${JSON.stringify(fromCert)}, not ${JSON.stringify(options.trustDomain)}`);
  }
  const trustDomain = fromCert ?? options.trustDomain ?? fail('trustDomain', 'trust-domain-missing', 'required when the signing certificate carries no SPIFFE ID');

  const ski = ext(parts, OID.subjectKeyIdentifier);
  // SKI extnValue is an OCTET STRING TLV; fall back to the method-1 hash when the CA has none
  const keyId = ski !== undefined ? ski.value.subarray(2) : keyIdentifier(parts.publicKeyBits);
  const subject = encodeName(options.leafSubject ?? {}, 'leafSubject');
  const selfSigned = x.checkIssued(x) && x.verify(x.publicKey);
  return {
    trustDomain,
    cert: certDer,
    key,
    notBefore: x.validFromDate,
    notAfter: x.validToDate,
    chain: selfSigned ? [] : [certDer, ...chainAbove.filter((c) => !isSelfSigned(c))],
    roots: [certDer, ...chainAbove].filter(isSelfSigned),
    template: {
      version: explicit(0, integer(2)),
      scheme,
      issuerName: parts.subject,
      subject,
      subjectEmpty: subject.equals(EMPTY_NAME),
      fixedExtensions: Buffer.concat([
        keyUsage([KU.digitalSignature, KU.keyEncipherment, KU.keyAgreement]),
        extKeyUsage([OID.serverAuth, OID.clientAuth]),
        basicConstraints(false),
        authorityKeyIdentifier(keyId),
      ]),
    },
  };
}

function isSelfSigned(der: Buffer): boolean {
  const x = new X509Certificate(der);
  return x.checkIssued(x) && x.verify(x.publicKey);
}

export interface PemIssuerInput extends IssuerOptions {
  /** the signing certificate first, then (optionally) the intermediates above it, e.g. `tls.crt` */
  certPem: string;
  /** its private key (PKCS#8, SEC1 or PKCS#1 PEM, unencrypted), e.g. `tls.key` */
  keyPem: string;
  /** upstream trust anchors, e.g. `ca.crt`; when given, the chain must lead to one of them */
  rootsPem?: string;
}

/**
 * An issuer from an administrator's PEM files (an intermediate signed by an upstream CA). Each
 * certificate in `certPem` must be issued by the next, and the last by a root in `rootsPem` if given.
 */
export function issuerFromPem(input: PemIssuerInput): Issuer {
  const certs = pemCertificates(input.certPem, 'certPem');
  // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key: skip blocks that are not keys
  const keyBlocks = pemBlocks(input.keyPem, 'keyPem').filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (keyBlocks.length !== 1) fail('keyPem', 'pem-count', `must hold exactly one PRIVATE KEY block, got ${keyBlocks.length}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: toPem(keyBlocks[0]!.der, keyBlocks[0]!.label), format: 'pem' });
  } catch (e) {
    return fail('keyPem', 'key-parse', `cannot read the private key (${(e as Error).message})`);
  }
  const roots = input.rootsPem === undefined ? [] : pemCertificates(input.rootsPem, 'rootsPem');
  const xs = certs.map((c, i) => parseCert(c, `certPem[${i}]`));
  for (let i = 0; i + 1 < xs.length; i++) {
    if (!issuedBy(xs[i]!, xs[i + 1]!)) fail(`certPem[${i}]`, 'chain-order', `is not signed by certPem[${i + 1}]; list the signing certificate first, then each issuer`);
  }
  const top = xs[xs.length - 1]!;
  if (roots.length > 0 && !issuedBy(top, top) && !roots.some((r, i) => issuedBy(top, parseCert(r, `rootsPem[${i}]`)))) {
    fail('rootsPem', 'chain-anchor', 'no certificate in rootsPem signed the last certificate of certPem');
  }
  const issuer = makeIssuer(certs[0]!, key, [...certs.slice(1)], input, 'certPem[0]');
  return { ...issuer, roots: dedupe([...issuer.roots, ...roots]) };
}

function parseCert(der: Buffer, field: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (e) {
    return fail(field, 'cert-parse', `not a DER certificate (${(e as Error).message})`);
  }
}

const issuedBy = (child: X509Certificate, parent: X509Certificate): boolean => child.checkIssued(parent) && child.verify(parent.publicKey);

function dedupe(ders: Buffer[]): Buffer[] {
  return ders.filter((d, i) => ders.findIndex((e) => e.equals(d)) === i);
}
