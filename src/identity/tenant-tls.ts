/**
 * Validation of a tenant's own TLS key pair ("bring your own certificate") for one of its hostnames,
 * before the operator puts it in a `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`) for the ingress.
 *
 * Pure: `node:crypto` only, no I/O and no child processes (reference/features.md §2.4). The key match
 * is `X509Certificate.checkPrivateKey` — `tls.createSecureContext` does not detect a mismatched key.
 *
 * PKCS#12 input is deliberately not supported: Node has no PKCS#12 parser and shelling out to
 * `openssl pkcs12` is not acceptable in the operator. Tenants convert with
 * `openssl pkcs12 -in x.p12 -nodes` (or `-nocerts`/`-nokeys`) before uploading.
 *
 * Every refusal is one problem with a stable `code`, the `field` it is about and a message naming that
 * field and the rule. Messages may quote certificate names and dates (public data) but never any
 * private-key material, nor the passphrase.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

/** Warn (e.g. a status condition) when a tenant certificate expires within this many days. */
export const EXPIRY_WARNING_DAYS = 14;

/** Input limits; anything larger is refused with `tooLong` before any parsing. */
export const TENANT_TLS_LIMITS = {
  /** Bytes (UTF-8) of `tls.crt` and of `tls.key` each. */
  maxFieldBytes: 64 * 1024,
  /** Certificates in `tls.crt` (leaf, intermediates and an optional root). */
  maxCertificates: 10,
  maxPassphraseBytes: 1024,
  minRsaBits: 2048,
  maxRsaBits: 8192,
} as const;

export type TenantTlsCode =
  /** A field (or the passphrase) exceeds TENANT_TLS_LIMITS, or `tls.crt` holds too many certificates. */
  | 'tooLong'
  /** Not PEM, no CERTIFICATE block, an unparsable certificate or key, or a block of the wrong kind. */
  | 'garbage'
  /** The key is encrypted and no passphrase was given, or the passphrase does not decrypt it. */
  | 'keyEncrypted'
  /** Not RSA 2048–8192 bits or EC P-256/P-384. */
  | 'keyType'
  /** The key belongs to no certificate in `tls.crt`. */
  | 'keyMismatch'
  /** The leaf has BasicConstraints cA=true. */
  | 'leafIsCa'
  /** A certificate of the chain has notAfter ≤ now. */
  | 'expired'
  /** A certificate of the chain has notBefore > now. */
  | 'notYetValid'
  /** The hostname to check is not a DNS name (a caller error, but reported rather than thrown). */
  | 'badHostname'
  /** The leaf's subjectAltName DNS names do not cover the hostname (or it has no subjectAltName). */
  | 'hostNotCovered'
  /** The leaf is not self-signed and `tls.crt` does not hold its issuer. */
  | 'chainIncomplete'
  /** `tls.crt` holds a certificate that is not on the path from the leaf upwards (or a duplicate). */
  | 'unrelatedCertificate'
  /** A certificate of the chain is signed with MD5 or SHA-1 (a self-signed root's own signature aside). */
  | 'weakSignature'
  /** The leaf is self-signed and the policy does not allow it. */
  | 'selfSigned';

export type TenantTlsField = 'tls.crt' | 'tls.key' | 'passphrase' | 'hostname';

export interface TenantTlsProblem {
  code: TenantTlsCode;
  /** The input the problem is about. */
  field: TenantTlsField;
  /** Human-readable, starts with the field name; never contains key material. */
  message: string;
}

export interface TenantKeyPairInput {
  /** `tls.crt`: PEM, the leaf and its intermediates (any order; an optional root). */
  certPem: string;
  /** `tls.key`: one PEM private key (PKCS#8, PKCS#1 or SEC1; possibly encrypted). */
  keyPem: string;
  /** The tenant's hostname the certificate must cover (a DNS name, no wildcard). */
  hostname: string;
  now: Date;
  /** Decrypts an encrypted `tls.key`; ignored when the key is not encrypted. */
  passphrase?: string;
}

export interface TenantTlsPolicy {
  /**
   * Accept a self-signed leaf (default true). Tenants may run their own CA or pin their own
   * certificate in their clients; the provider cannot know their trust store, so it only checks that
   * the pair is internally consistent and covers the host.
   */
  allowSelfSigned?: boolean;
}

interface TenantKeyPairCommon {
  /** Normalized PEM: the leaf, then each issuer in order (a root only if the tenant supplied it). */
  certPem: string;
  /** The private key, unencrypted PKCS#8 PEM. */
  keyPem: string;
  /** Of the leaf. */
  notBefore: Date;
  /** Of the leaf (the earliest notAfter of the chain is not reported; intermediates rarely expire first). */
  notAfter: Date;
  /** SHA-256 of the leaf's DER, colon-separated upper-case hex (as `X509Certificate.fingerprint256`). */
  fingerprint256: string;
  /** The leaf's subject, one `attr=value` per line (as `X509Certificate.subject`). */
  subject: string;
  /** The leaf's issuer, one `attr=value` per line. */
  issuer: string;
  /** The leaf's subjectAltName DNS names, in certificate order. */
  sans: string[];
  /** The leaf signed itself (accepted by policy). */
  selfSigned: boolean;
}

export type TenantKeyPair = TenantKeyPairCommon &
  ({ keyType: 'rsa'; keyBits: number } | { keyType: 'ec'; curve: 'P-256' | 'P-384' });

export type TenantKeyPairResult = { ok: true; pair: TenantKeyPair } | { ok: false; problem: TenantTlsProblem };

const CRT = 'tls.crt';
const KEY = 'tls.key';

/** Thrown inside the validator only, turned into `{ok: false}` at its boundary. */
class Refusal extends Error {
  readonly problem: TenantTlsProblem;
  constructor(problem: TenantTlsProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

function refuse(code: TenantTlsCode, field: TenantTlsField, message: string): never {
  throw new Refusal({ code, field, message });
}

/**
 * Checks a tenant's certificate chain and private key for `hostname` at `now`. Never throws for bad
 * input (only for a non-Date `now`, a programming error).
 */
export function validateTenantKeyPair(input: TenantKeyPairInput, policy: TenantTlsPolicy = {}): TenantKeyPairResult {
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) throw new TypeError('validateTenantKeyPair: now must be a valid Date');
  try {
    return { ok: true, pair: validate(input, policy) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, problem: e.problem };
    throw e;
  }
}

/** True when the pair's leaf expires within `days` days of `now` (or already has). */
export function expiresWithin(pair: Pick<TenantKeyPair, 'notAfter'>, now: Date, days: number = EXPIRY_WARNING_DAYS): boolean {
  return pair.notAfter.getTime() - now.getTime() <= days * 86_400_000;
}

// ---------------------------------------------------------------------------------------------------

interface Cert {
  x: X509Certificate;
  /** 1-based position in the supplied tls.crt. */
  n: number;
}

function validate(input: TenantKeyPairInput, policy: TenantTlsPolicy): TenantKeyPair {
  checkSize(CRT, input.certPem, TENANT_TLS_LIMITS.maxFieldBytes);
  checkSize(KEY, input.keyPem, TENANT_TLS_LIMITS.maxFieldBytes);
  if (input.passphrase !== undefined) checkSize('passphrase', input.passphrase, TENANT_TLS_LIMITS.maxPassphraseBytes);
  const hostname = normalizeHostname(input.hostname);

  const certs = parseCertificates(input.certPem);
  const key = parseKey(input.keyPem, input.passphrase);
  const keyInfo = checkKeyType(key);

  // The leaf is the certificate the key belongs to, wherever it is in the bundle.
  const matching = certs.filter((c) => keyMatches(c.x, key));
  const leaf = matching.find((c) => !c.x.ca) ?? matching[0];
  if (leaf === undefined) {
    const which = certs.length === 1 ? `the certificate in ${CRT} (${describe(certs[0]!)})` : `any of the ${certs.length} certificates in ${CRT}`;
    refuse('keyMismatch', KEY, `${KEY}: the private key does not belong to ${which}; upload the key the certificate was issued for`);
  }
  if (leaf.x.ca) {
    refuse(
      'leafIsCa',
      CRT,
      `${CRT}: the certificate for ${KEY} (${describe(leaf)}) is a CA certificate (BasicConstraints cA=true); a server certificate must have cA=false ` +
        `(note: 'openssl req -x509' sets cA=true unless given -addext basicConstraints=critical,CA:FALSE)`,
    );
  }
  checkValidity(leaf, input.now, 'the leaf certificate');
  checkHost(leaf, hostname);

  const { chain, selfSigned } = buildChain(leaf, certs);
  if (selfSigned && policy.allowSelfSigned === false) {
    refuse('selfSigned', CRT, `${CRT}: the certificate (${describe(leaf)}) is self-signed, and self-signed certificates are not allowed here; use a certificate issued by a CA`);
  }
  for (const [i, c] of chain.entries()) {
    const top = i === chain.length - 1;
    // A self-signed root's own signature is never checked by clients, whatever its algorithm.
    if (top && isSelfSigned(c.x)) continue;
    const alg = c.x.signatureAlgorithm;
    if (alg !== undefined && /(md[245]|sha-?1)(?![0-9])/i.test(alg)) {
      refuse('weakSignature', CRT, `${CRT}: ${role(i)} (${describe(c)}) is signed with ${alg}; MD5 and SHA-1 signatures are refused by clients, re-issue it with SHA-256 or better`);
    }
  }
  for (const [i, c] of chain.entries()) if (i > 0) checkValidity(c, input.now, role(i));

  return {
    certPem: chain.map((c) => pem('CERTIFICATE', c.x.raw)).join(''),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notBefore: leaf.x.validFromDate,
    notAfter: leaf.x.validToDate,
    fingerprint256: leaf.x.fingerprint256,
    subject: leaf.x.subject,
    issuer: leaf.x.issuer,
    sans: dnsNames(leaf.x.subjectAltName),
    selfSigned,
    ...keyInfo,
  };
}

function role(i: number): string {
  return i === 0 ? 'the leaf certificate' : `issuer certificate ${i} of the chain`;
}

function checkSize(field: TenantTlsField, value: unknown, max: number): void {
  if (typeof value !== 'string') refuse('garbage', field, `${field}: must be a string`);
  if (value.length > max || Buffer.byteLength(value, 'utf8') > max) {
    refuse('tooLong', field, `${field}: is ${Buffer.byteLength(value, 'utf8')} bytes, more than the limit of ${max} bytes`);
  }
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function normalizeHostname(raw: unknown): string {
  if (typeof raw !== 'string') refuse('badHostname', 'hostname', 'hostname: must be a string');
  const h = raw.toLowerCase().replace(/\.$/, '');
  const labels = h.split('.');
  const ok = h.length > 0 && h.length <= 253 && labels.every((l) => DNS_LABEL.test(l)) && !/^[0-9]+$/.test(labels[labels.length - 1]!);
  if (!ok) {
    refuse('badHostname', 'hostname', `hostname: ${JSON.stringify(raw.slice(0, 260))} is not a DNS name (letters, digits and '-' in dot-separated labels; no wildcard, no IP address)`);
  }
  return h;
}

// --- PEM -------------------------------------------------------------------------------------------

interface PemBlock {
  label: string;
  /** RFC 1421 headers (legacy encrypted keys: Proc-Type, DEK-Info), '' when none. */
  headers: string;
  der: Buffer;
  /** The block as supplied, from BEGIN to END. */
  text: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Splits PEM text into blocks; text between blocks (e.g. openssl's "subject=" lines) is ignored. */
function parsePem(text: string, field: TenantTlsField): PemBlock[] {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]{1,40})-----/g;
  for (const m of text.matchAll(re)) {
    const [whole, label, body, endLabel] = m as unknown as [string, string, string, string];
    const n = blocks.length + 1;
    if (label !== endLabel) refuse('garbage', field, `${field}: PEM block ${n} begins as "${label}" but ends as "${endLabel}" (a truncated or spliced file?)`);
    const lines = body.split(/\r?\n/);
    let headers = '';
    if (lines[0]?.includes(':')) {
      const blank = lines.findIndex((l) => l.trim() === '');
      if (blank < 0) refuse('garbage', field, `${field}: PEM block ${n} ("${label}") has headers but no blank line after them`);
      headers = lines.slice(0, blank).join('\n');
      lines.splice(0, blank + 1);
    }
    const b64 = lines.join('').replace(/\s+/g, '');
    if (b64 === '' || !BASE64.test(b64)) refuse('garbage', field, `${field}: PEM block ${n} ("${label}") is not valid base64`);
    blocks.push({ label, headers, der: Buffer.from(b64, 'base64'), text: whole });
  }
  const begins = text.match(/-----BEGIN /g)?.length ?? 0;
  if (begins !== blocks.length) refuse('garbage', field, `${field}: has a "-----BEGIN" line without a matching "-----END" line (a truncated file?)`);
  return blocks;
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function parseCertificates(text: string): Cert[] {
  const begins = text.match(/-----BEGIN /g)?.length ?? 0;
  if (begins > TENANT_TLS_LIMITS.maxCertificates) {
    refuse('tooLong', CRT, `${CRT}: holds ${begins} PEM blocks, more than the limit of ${TENANT_TLS_LIMITS.maxCertificates} certificates`);
  }
  const blocks = parsePem(text, CRT);
  if (blocks.length === 0) refuse('garbage', CRT, `${CRT}: is not PEM; expected one or more "-----BEGIN CERTIFICATE-----" blocks`);
  return blocks.map((b, i) => {
    const n = i + 1;
    if (/PRIVATE KEY/.test(b.label)) refuse('garbage', CRT, `${CRT}: PEM block ${n} is a private key; ${CRT} must hold certificates only (the key goes in ${KEY})`);
    if (b.label !== 'CERTIFICATE') refuse('garbage', CRT, `${CRT}: PEM block ${n} is "${b.label}"; only "CERTIFICATE" blocks are allowed`);
    if (b.headers !== '') refuse('garbage', CRT, `${CRT}: certificate ${n} has PEM headers; certificates carry none`);
    let x: X509Certificate;
    try {
      x = new X509Certificate(b.der);
    } catch {
      // No reason from the error: Node tries PEM before DER, so OpenSSL's reason ("no start line") misleads.
      refuse('garbage', CRT, `${CRT}: certificate ${n} is not a parsable X.509 certificate`);
    }
    if (!x.raw.equals(b.der)) refuse('garbage', CRT, `${CRT}: certificate ${n} is not exactly one DER certificate (trailing or extra data)`);
    return { x, n };
  });
}

const KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

function parseKey(text: string, passphrase: string | undefined): KeyObject {
  const blocks = parsePem(text, KEY);
  if (blocks.length === 0) refuse('garbage', KEY, `${KEY}: is not PEM; expected one "-----BEGIN PRIVATE KEY-----" block`);
  const keys: PemBlock[] = [];
  for (const [i, b] of blocks.entries()) {
    if (KEY_LABELS.has(b.label)) keys.push(b);
    // `openssl ecparam -genkey` writes the curve parameters before the key; harmless.
    else if (b.label !== 'EC PARAMETERS') {
      refuse('garbage', KEY, `${KEY}: PEM block ${i + 1} is "${b.label}"; ${KEY} must hold exactly one private key (PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY or ENCRYPTED PRIVATE KEY)`);
    }
  }
  const block = keys[0];
  if (block === undefined || keys.length > 1) {
    refuse('garbage', KEY, `${KEY}: holds ${keys.length} private keys; exactly one is expected`);
  }
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,\s*ENCRYPTED/im.test(block.headers);
  if (encrypted && passphrase === undefined) {
    refuse('keyEncrypted', KEY, `${KEY}: the private key is encrypted and no passphrase was given; give the passphrase or upload the key unencrypted`);
  }
  try {
    // The passphrase is only passed for encrypted keys, so a stray one never changes how a plain key parses.
    return createPrivateKey(encrypted ? { key: block.text, format: 'pem', passphrase: passphrase ?? '' } : { key: block.text, format: 'pem' });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MISSING_PASSPHRASE') {
      refuse('keyEncrypted', KEY, `${KEY}: the private key is encrypted and no passphrase was given; give the passphrase or upload the key unencrypted`);
    }
    // No details from the error: they would not help and must not risk echoing key bytes.
    if (encrypted) refuse('keyEncrypted', KEY, `${KEY}: the private key could not be decrypted with the given passphrase (wrong passphrase, or a damaged key)`);
    refuse('garbage', KEY, `${KEY}: the "${block.label}" block is not a parsable private key`);
  }
}

// --- key and leaf checks ---------------------------------------------------------------------------

const CURVES: Record<string, 'P-256' | 'P-384'> = { prime256v1: 'P-256', 'P-256': 'P-256', secp384r1: 'P-384', 'P-384': 'P-384' };
const ACCEPTED_KEYS = `accepted are RSA ${TENANT_TLS_LIMITS.minRsaBits}–${TENANT_TLS_LIMITS.maxRsaBits} bits and EC P-256 or P-384`;

function checkKeyType(key: KeyObject): { keyType: 'rsa'; keyBits: number } | { keyType: 'ec'; curve: 'P-256' | 'P-384' } {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < TENANT_TLS_LIMITS.minRsaBits || bits > TENANT_TLS_LIMITS.maxRsaBits) {
      refuse('keyType', KEY, `${KEY}: an RSA key of ${bits} bits is not accepted; ${ACCEPTED_KEYS}`);
    }
    return { keyType: 'rsa', keyBits: bits };
  }
  if (type === 'ec') {
    const curve = CURVES[details.namedCurve ?? ''];
    if (curve === undefined) refuse('keyType', KEY, `${KEY}: an EC key on curve ${details.namedCurve ?? '(unknown)'} is not accepted; ${ACCEPTED_KEYS}`);
    return { keyType: 'ec', curve };
  }
  const name = type === 'ed25519' ? 'Ed25519' : type === 'ed448' ? 'Ed448' : type === 'rsa-pss' ? 'RSA-PSS' : (type ?? 'unknown').toUpperCase();
  refuse('keyType', KEY, `${KEY}: ${name} keys are not accepted (ingress clients, browsers included, do not all support them); ${ACCEPTED_KEYS}`);
}

function keyMatches(x: X509Certificate, key: KeyObject): boolean {
  try {
    return x.checkPrivateKey(key);
  } catch {
    return false;
  }
}

function checkValidity(c: Cert, now: Date, what: string): void {
  const t = now.getTime();
  if (c.x.validToDate.getTime() <= t) {
    refuse('expired', CRT, `${CRT}: ${what} (${describe(c)}) expired at ${c.x.validToDate.toISOString()}`);
  }
  if (c.x.validFromDate.getTime() > t) {
    refuse('notYetValid', CRT, `${CRT}: ${what} (${describe(c)}) is not valid before ${c.x.validFromDate.toISOString()}`);
  }
}

function checkHost(leaf: Cert, hostname: string): void {
  const san = leaf.x.subjectAltName;
  if (san === undefined) {
    refuse('hostNotCovered', CRT, `${CRT}: the leaf certificate (${describe(leaf)}) has no subjectAltName; certificates naming the host only in the subject CN are not accepted, so ${hostname} is not covered`);
  }
  // Wildcards match exactly one whole left-most label (`*.example.com` covers `a.example.com`, not
  // `example.com` nor `a.b.example.com`), as browsers do; the CN is never used. Unlike checkHost's
  // defaults, partial wildcards (`w*.example.com`) are refused: browsers refuse them too.
  const matched = leaf.x.checkHost(hostname, { subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false, singleLabelSubdomains: false });
  if (matched === undefined) {
    const names = dnsNames(san);
    const list = names.length === 0 ? 'no DNS names' : names.slice(0, 10).join(', ') + (names.length > 10 ? `, … (${names.length} in all)` : '');
    refuse('hostNotCovered', CRT, `${CRT}: the leaf certificate's subjectAltName (${list}) does not cover ${hostname}`);
  }
}

// --- chain -----------------------------------------------------------------------------------------

function isSelfSigned(x: X509Certificate): boolean {
  // Not checkIssued: OpenSSL also wants keyCertSign there, which a self-signed leaf rarely has.
  try {
    return x.subject === x.issuer && x.verify(x.publicKey);
  } catch {
    return false;
  }
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return parent.ca && child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * Orders the supplied certificates leaf → root, following verified issuer links. The top of the
 * chain may be an intermediate whose issuer is not supplied: that is what public CAs hand out
 * ("fullchain.pem") and what servers should send — the root is in the client's trust store, which
 * the provider does not know. Refuses a leaf whose issuer is missing and any left-over certificate.
 */
function buildChain(leaf: Cert, certs: Cert[]): { chain: Cert[]; selfSigned: boolean } {
  const chain: Cert[] = [leaf];
  const rest = certs.filter((c) => c !== leaf);
  let cur = leaf;
  while (!isSelfSigned(cur.x)) {
    const i = rest.findIndex((c) => issuedBy(cur.x, c.x));
    if (i < 0) break;
    cur = rest.splice(i, 1)[0]!;
    chain.push(cur);
  }
  const selfSigned = chain.length === 1 && isSelfSigned(leaf.x);
  if (chain.length === 1 && !selfSigned) {
    const issuer = oneLine(leaf.x.issuer);
    const named = rest.find((c) => c.x.subject === leaf.x.issuer);
    const why =
      named === undefined
        ? `no certificate in ${CRT} is that issuer; append the intermediate certificate(s) after the leaf (the CA's "fullchain" file)`
        : !named.x.ca
          ? `certificate ${named.n} has that name but is not a CA (BasicConstraints cA=false)`
          : `certificate ${named.n} has that name but did not sign the leaf (its key does not verify the leaf's signature)`;
    refuse('chainIncomplete', CRT, `${CRT}: the leaf certificate is issued by "${issuer}" and ${why}`);
  }
  const extra = rest[0];
  if (extra !== undefined) {
    const dup = chain.find((c) => c.x.raw.equals(extra.x.raw));
    const why = dup !== undefined ? `is a duplicate of certificate ${dup.n}` : `is not on the issuer chain of the leaf (certificate ${leaf.n})`;
    refuse('unrelatedCertificate', CRT, `${CRT}: certificate ${extra.n} (subject "${oneLine(extra.x.subject)}") ${why}; remove it`);
  }
  return { chain, selfSigned };
}

// --- formatting ------------------------------------------------------------------------------------

function oneLine(dn: string): string {
  const s = dn.replace(/\r?\n/g, ', ').replace(/[^\x20-\x7e]/g, '?');
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** `certificate N, subject "…"` (N: 1-based position in the supplied tls.crt). */
function describe(c: Cert): string {
  return `certificate ${c.n}, subject "${oneLine(c.x.subject)}"`;
}

/**
 * The DNS names of a Node `subjectAltName` string (`DNS:a.example, IP Address:10.0.0.1, …`; values
 * with special characters are JSON strings).
 */
function dnsNames(san: string | undefined): string[] {
  if (san === undefined) return [];
  const out: string[] = [];
  const re = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < san.length && (m = re.exec(san)) !== null) {
    const [, type, raw] = m as unknown as [string, string, string];
    if (type !== 'DNS') continue;
    try {
      out.push(raw.startsWith('"') ? String(JSON.parse(raw)) : raw);
    } catch {
      out.push(raw);
    }
  }
  return out;
}
