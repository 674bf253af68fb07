import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptKeyPem, makeChain, makeSelfSigned, reencodeKeyPem, type TestChain, type TestSelfSigned } from './tenant-tls-testing.ts';
import {
  EXPIRY_WARNING_DAYS,
  TENANT_TLS_LIMITS,
  expiresWithin,
  validateTenantKeyPair,
  type TenantKeyPair,
  type TenantKeyPairInput,
  type TenantTlsCode,
  type TenantTlsField,
  type TenantTlsPolicy,
} from './tenant-tls.ts';

const HOST = 'app.example.com';
const DAY = 86_400_000;
const PASS = 'correct horse battery staple';

interface Fixtures {
  ec: TestChain;
  rsa: TestChain;
  p384: TestChain;
  wild: TestChain;
  expired: TestChain;
  future: TestChain;
  cnOnly: TestChain;
  ed25519: TestChain;
  rsa1024: TestChain;
  sha1: TestChain;
  intExpired: TestChain;
  caLeaf: TestChain;
  self: TestSelfSigned;
}
let f: Fixtures;

beforeAll(async () => {
  const now = Date.now();
  const [ec, rsa, p384, wild, expired, future, cnOnly, ed25519, rsa1024, sha1, intExpired, caLeaf, self] = await Promise.all([
    makeChain({ hosts: [HOST], keyType: 'ec-p256' }),
    makeChain({ hosts: ['www.example.com', HOST], keyType: 'rsa2048' }),
    makeChain({ hosts: [HOST], keyType: 'ec-p384' }),
    makeChain({ hosts: ['*.example.com'] }),
    makeChain({ hosts: [HOST], notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - DAY) }),
    makeChain({ hosts: [HOST], notBefore: new Date(now + DAY), notAfter: new Date(now + 30 * DAY) }),
    makeChain({ hosts: [], commonName: HOST }),
    makeChain({ hosts: [HOST], keyType: 'ed25519' }),
    makeChain({ hosts: [HOST], keyType: 'rsa1024' }),
    makeChain({ hosts: [HOST], leafSignatureHash: 'SHA-1' }),
    makeChain({ hosts: [HOST], intermediateNotBefore: new Date(now - 400 * DAY), intermediateNotAfter: new Date(now - DAY) }),
    makeChain({ hosts: [HOST], leafIsCa: true }),
    makeSelfSigned({ hosts: [HOST] }),
  ]);
  f = { ec, rsa, p384, wild, expired, future, cnOnly, ed25519, rsa1024, sha1, intExpired, caLeaf, self };
});

function input(certPem: string, keyPem: string, extra: Partial<TenantKeyPairInput> = {}): TenantKeyPairInput {
  return { certPem, keyPem, hostname: HOST, now: new Date(), ...extra };
}

function ok(i: TenantKeyPairInput, policy?: TenantTlsPolicy): TenantKeyPair {
  const r = validateTenantKeyPair(i, policy);
  if (!r.ok) throw new Error(`expected ok, got ${r.problem.code}: ${r.problem.message}`);
  return r.pair;
}

/** A PEM block with the given label and body bytes. */
function block(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

function der(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** The leaf's key with bytes of its private scalar changed: base64-valid, but not a key. */
function corruptKey(keyPem: string): string {
  const d = der(keyPem);
  d.fill(0xff, 8, 30);
  return block('PRIVATE KEY', d);
}

// The openssl output for `openssl ecparam -name prime256v1`, which `-genkey` writes before the key.
const EC_PARAMETERS = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';

interface Row {
  name: string;
  make: () => TenantKeyPairInput;
  policy?: TenantTlsPolicy;
  code: TenantTlsCode;
  field: TenantTlsField;
  /** Also expected in the message. */
  says?: RegExp;
}

const rows: Row[] = [
  // tooLong
  { name: 'tls.crt over 64 KiB', make: () => input(f.ec.fullchainPem + ' '.repeat(TENANT_TLS_LIMITS.maxFieldBytes), f.ec.keyPem), code: 'tooLong', field: 'tls.crt' },
  { name: 'tls.key over 64 KiB', make: () => input(f.ec.fullchainPem, f.ec.keyPem + '\n'.repeat(TENANT_TLS_LIMITS.maxFieldBytes)), code: 'tooLong', field: 'tls.key' },
  { name: 'more than 10 certificates', make: () => input(f.ec.fullchainPem.repeat(6), f.ec.keyPem), code: 'tooLong', field: 'tls.crt', says: /12 PEM blocks/ },
  { name: 'passphrase over 1 KiB', make: () => input(f.ec.fullchainPem, f.ec.keyPem, { passphrase: 'x'.repeat(2000) }), code: 'tooLong', field: 'passphrase' },
  // badHostname
  { name: 'wildcard hostname', make: () => input(f.wild.fullchainPem, f.wild.keyPem, { hostname: '*.example.com' }), code: 'badHostname', field: 'hostname' },
  { name: 'IP address hostname', make: () => input(f.ec.fullchainPem, f.ec.keyPem, { hostname: '10.0.0.1' }), code: 'badHostname', field: 'hostname' },
  { name: 'empty hostname', make: () => input(f.ec.fullchainPem, f.ec.keyPem, { hostname: '' }), code: 'badHostname', field: 'hostname' },
  // garbage: certificate
  { name: 'garbage cert: not PEM', make: () => input('hello, I am a certificate', f.ec.keyPem), code: 'garbage', field: 'tls.crt', says: /not PEM/ },
  { name: 'garbage cert: empty', make: () => input('', f.ec.keyPem), code: 'garbage', field: 'tls.crt', says: /not PEM/ },
  { name: 'garbage cert: random DER', make: () => input(block('CERTIFICATE', randomBytes(300)), f.ec.keyPem), code: 'garbage', field: 'tls.crt', says: /not a parsable X\.509 certificate/ },
  { name: 'garbage cert: bad base64', make: () => input(f.ec.leafPem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'), f.ec.keyPem), code: 'garbage', field: 'tls.crt', says: /base64/ },
  { name: 'garbage cert: truncated', make: () => input(f.ec.leafPem.slice(0, 200), f.ec.keyPem), code: 'garbage', field: 'tls.crt', says: /END/ },
  { name: 'garbage cert: trailing data', make: () => input(block('CERTIFICATE', Buffer.concat([der(f.ec.leafPem), Buffer.from([0, 0])])) + f.ec.intermediatePem, f.ec.keyPem), code: 'garbage', field: 'tls.crt' },
  { name: 'garbage cert: no CERTIFICATE block', make: () => input(block('PUBLIC KEY', randomBytes(90)), f.ec.keyPem), code: 'garbage', field: 'tls.crt', says: /"PUBLIC KEY"/ },
  { name: 'garbage cert: a private key in tls.crt', make: () => input(f.ec.fullchainPem + f.ec.keyPem, f.ec.keyPem), code: 'garbage', field: 'tls.crt', says: /private key/ },
  // garbage: key
  { name: 'garbage key: not PEM', make: () => input(f.ec.fullchainPem, 'my secret key'), code: 'garbage', field: 'tls.key', says: /not PEM/ },
  { name: 'garbage key: corrupt DER', make: () => input(f.ec.fullchainPem, corruptKey(f.ec.keyPem)), code: 'garbage', field: 'tls.key', says: /not a parsable private key/ },
  { name: 'garbage key: a certificate in tls.key', make: () => input(f.ec.fullchainPem, f.ec.keyPem + f.ec.leafPem), code: 'garbage', field: 'tls.key', says: /"CERTIFICATE"/ },
  { name: 'garbage key: two keys', make: () => input(f.ec.fullchainPem, f.ec.keyPem + f.rsa.keyPem), code: 'garbage', field: 'tls.key', says: /2 private keys/ },
  // keyEncrypted
  { name: 'encrypted key without passphrase', make: () => input(f.ec.fullchainPem, encryptKeyPem(f.ec.keyPem, PASS)), code: 'keyEncrypted', field: 'tls.key', says: /no passphrase/ },
  { name: 'encrypted key, wrong passphrase', make: () => input(f.ec.fullchainPem, encryptKeyPem(f.ec.keyPem, PASS), { passphrase: 'Tr0ub4dor&3' }), code: 'keyEncrypted', field: 'tls.key', says: /could not be decrypted/ },
  { name: 'legacy encrypted RSA key without passphrase', make: () => input(f.rsa.fullchainPem, encryptKeyPem(f.rsa.keyPem, PASS, 'pkcs1')), code: 'keyEncrypted', field: 'tls.key' },
  { name: 'legacy encrypted RSA key, wrong passphrase', make: () => input(f.rsa.fullchainPem, encryptKeyPem(f.rsa.keyPem, PASS, 'pkcs1'), { passphrase: 'Tr0ub4dor&3' }), code: 'keyEncrypted', field: 'tls.key' },
  // keyType
  { name: 'Ed25519 key', make: () => input(f.ed25519.fullchainPem, f.ed25519.keyPem), code: 'keyType', field: 'tls.key', says: /Ed25519/ },
  { name: 'RSA 1024 key', make: () => input(f.rsa1024.fullchainPem, f.rsa1024.keyPem), code: 'keyType', field: 'tls.key', says: /1024 bits/ },
  // keyMismatch
  { name: 'mismatched key (EC key, EC cert)', make: () => input(f.ec.fullchainPem, f.p384.keyPem), code: 'keyMismatch', field: 'tls.key' },
  { name: 'mismatched key (RSA key, EC cert)', make: () => input(f.ec.fullchainPem, f.rsa.keyPem), code: 'keyMismatch', field: 'tls.key' },
  // leafIsCa
  { name: 'CA certificate as the leaf (intermediate + its key)', make: () => input(f.ec.intermediatePem + f.ec.rootPem, f.ec.intermediateKeyPem), code: 'leafIsCa', field: 'tls.crt' },
  { name: 'leaf with cA=true', make: () => input(f.caLeaf.fullchainPem, f.caLeaf.keyPem), code: 'leafIsCa', field: 'tls.crt' },
  // validity
  { name: 'expired leaf', make: () => input(f.expired.fullchainPem, f.expired.keyPem), code: 'expired', field: 'tls.crt', says: /leaf certificate .* expired at/ },
  { name: 'leaf at exactly notAfter', make: () => input(f.ec.fullchainPem, f.ec.keyPem, { now: new X509Certificate(f.ec.leafPem).validToDate }), code: 'expired', field: 'tls.crt' },
  { name: 'leaf not yet valid', make: () => input(f.future.fullchainPem, f.future.keyPem), code: 'notYetValid', field: 'tls.crt' },
  { name: 'expired intermediate', make: () => input(f.intExpired.fullchainPem, f.intExpired.keyPem), code: 'expired', field: 'tls.crt', says: /issuer certificate 1 of the chain/ },
  // hostNotCovered
  { name: 'wrong host', make: () => input(f.ec.fullchainPem, f.ec.keyPem, { hostname: 'shop.example.org' }), code: 'hostNotCovered', field: 'tls.crt', says: /app\.example\.com\) does not cover shop\.example\.org/ },
  { name: 'wildcard does not cover the apex', make: () => input(f.wild.fullchainPem, f.wild.keyPem, { hostname: 'example.com' }), code: 'hostNotCovered', field: 'tls.crt' },
  { name: 'wildcard covers one label only', make: () => input(f.wild.fullchainPem, f.wild.keyPem, { hostname: 'a.b.example.com' }), code: 'hostNotCovered', field: 'tls.crt' },
  { name: 'CN-only certificate', make: () => input(f.cnOnly.fullchainPem, f.cnOnly.keyPem), code: 'hostNotCovered', field: 'tls.crt', says: /no subjectAltName/ },
  // chain
  { name: 'missing intermediate (leaf only)', make: () => input(f.ec.leafPem, f.ec.keyPem), code: 'chainIncomplete', field: 'tls.crt', says: /append the intermediate/ },
  { name: 'missing intermediate (leaf + root)', make: () => input(f.ec.leafPem + f.ec.rootPem, f.ec.keyPem), code: 'chainIncomplete', field: 'tls.crt' },
  { name: 'same-named intermediate that did not sign the leaf', make: () => input(f.ec.leafPem + f.rsa.intermediatePem, f.ec.keyPem), code: 'chainIncomplete', field: 'tls.crt', says: /did not sign the leaf/ },
  { name: 'unrelated certificate', make: () => input(f.ec.fullchainPem + f.rsa.leafPem, f.ec.keyPem), code: 'unrelatedCertificate', field: 'tls.crt', says: /certificate 3 .* not on the issuer chain/ },
  { name: 'root of another chain', make: () => input(f.ec.fullchainPem + f.rsa.rootPem, f.ec.keyPem), code: 'unrelatedCertificate', field: 'tls.crt' },
  { name: 'duplicate certificate', make: () => input(f.ec.fullchainPem + f.ec.intermediatePem, f.ec.keyPem), code: 'unrelatedCertificate', field: 'tls.crt', says: /duplicate of certificate 2/ },
  { name: 'extra certificate beside a self-signed leaf', make: () => input(f.self.certPem + f.ec.rootPem, f.self.keyPem), code: 'unrelatedCertificate', field: 'tls.crt' },
  { name: 'self-signed refused by policy', make: () => input(f.self.certPem, f.self.keyPem), policy: { allowSelfSigned: false }, code: 'selfSigned', field: 'tls.crt' },
  { name: 'SHA-1 signed leaf', make: () => input(f.sha1.fullchainPem, f.sha1.keyPem), code: 'weakSignature', field: 'tls.crt', says: /SHA1/i },
];

describe('validateTenantKeyPair refusals', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const i = row.make();
    const r = validateTenantKeyPair(i, row.policy);
    expect(r.ok ? 'ok' : r.problem.code).toBe(row.code);
    if (r.ok) return;
    expect(r.problem.field).toBe(row.field);
    // The message names the field and, when given, the rule.
    expect(r.problem.message.startsWith(`${row.field}: `)).toBe(true);
    if (row.says) expect(r.problem.message).toMatch(row.says);
    // Never any key material nor the passphrase.
    for (const line of i.keyPem.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) expect(r.problem.message).not.toContain(line.slice(0, 16));
    if (i.passphrase !== undefined && i.passphrase.length >= 4) expect(r.problem.message).not.toContain(i.passphrase);
    expect(r.problem.message.length).toBeLessThan(1000);
  });
});

describe('validateTenantKeyPair acceptances', () => {
  it('accepts an EC P-256 leaf with its intermediate and returns normalized PEM', () => {
    const pair = ok(input(f.ec.fullchainPem, f.ec.keyPem));
    const leaf = new X509Certificate(f.ec.leafPem);
    expect(pair).toMatchObject({ keyType: 'ec', curve: 'P-256', sans: [HOST], selfSigned: false, fingerprint256: leaf.fingerprint256, subject: `CN=${HOST}` });
    expect(pair.certPem).toBe(f.ec.fullchainPem);
    expect(pair.keyPem).toBe(f.ec.keyPem);
    expect(pair.notBefore).toEqual(leaf.validFromDate);
    expect(pair.notAfter).toEqual(leaf.validToDate);
  });

  it('accepts an RSA 2048 leaf for its second SAN', () => {
    const pair = ok(input(f.rsa.fullchainPem, f.rsa.keyPem));
    expect(pair).toMatchObject({ keyType: 'rsa', keyBits: 2048, sans: ['www.example.com', HOST] });
  });

  it('accepts EC P-384', () => {
    expect(ok(input(f.p384.fullchainPem, f.p384.keyPem))).toMatchObject({ keyType: 'ec', curve: 'P-384' });
  });

  it('a wildcard SAN covers one label', () => {
    expect(ok(input(f.wild.fullchainPem, f.wild.keyPem, { hostname: 'shop.example.com' })).sans).toEqual(['*.example.com']);
  });

  it('the hostname is compared case-insensitively, a trailing dot ignored', () => {
    ok(input(f.ec.fullchainPem, f.ec.keyPem, { hostname: 'App.EXAMPLE.com.' }));
  });

  it('accepts the full bundle with the root, and reorders a shuffled chain leaf → root', () => {
    expect(ok(input(f.ec.bundlePem, f.ec.keyPem)).certPem).toBe(f.ec.bundlePem);
    const shuffled = `subject=junk openssl writes between blocks\n${f.ec.rootPem}\r\n${f.ec.leafPem.replace(/\n/g, '\r\n')}\n\n${f.ec.intermediatePem}`;
    expect(ok(input(shuffled, f.ec.keyPem)).certPem).toBe(f.ec.bundlePem);
  });

  it('accepts a self-signed leaf by default', () => {
    expect(ok(input(f.self.certPem, f.self.keyPem)).selfSigned).toBe(true);
  });

  it('decrypts an encrypted PKCS#8 key and returns it unencrypted', () => {
    const pair = ok(input(f.ec.fullchainPem, encryptKeyPem(f.ec.keyPem, PASS), { passphrase: PASS }));
    expect(pair.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(pair.keyPem).equals(createPrivateKey(f.ec.keyPem))).toBe(true);
  });

  it('decrypts a legacy OpenSSL-encrypted RSA key', () => {
    const pair = ok(input(f.rsa.fullchainPem, encryptKeyPem(f.rsa.keyPem, PASS, 'pkcs1'), { passphrase: PASS }));
    expect(pair.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('ignores a passphrase given for an unencrypted key', () => {
    ok(input(f.ec.fullchainPem, f.ec.keyPem, { passphrase: 'unused' }));
  });

  it('accepts PKCS#1 and SEC1 keys (with openssl EC PARAMETERS) and returns PKCS#8', () => {
    expect(ok(input(f.rsa.fullchainPem, reencodeKeyPem(f.rsa.keyPem, 'pkcs1'))).keyPem).toBe(f.rsa.keyPem);
    expect(ok(input(f.ec.fullchainPem, EC_PARAMETERS + reencodeKeyPem(f.ec.keyPem, 'sec1'))).keyPem).toBe(f.ec.keyPem);
  });

  it('throws only for an invalid now (a programming error)', () => {
    expect(() => validateTenantKeyPair(input(f.ec.fullchainPem, f.ec.keyPem, { now: new Date(NaN) }))).toThrow(TypeError);
  });
});

describe('expiresWithin', () => {
  it('warns inside the window', () => {
    const pair = ok(input(f.ec.fullchainPem, f.ec.keyPem));
    const notAfter = pair.notAfter.getTime();
    expect(EXPIRY_WARNING_DAYS).toBe(14);
    expect(expiresWithin(pair, new Date(notAfter - 15 * DAY), EXPIRY_WARNING_DAYS)).toBe(false);
    expect(expiresWithin(pair, new Date(notAfter - 14 * DAY), EXPIRY_WARNING_DAYS)).toBe(true);
    expect(expiresWithin(pair, new Date(notAfter + DAY), 0)).toBe(true);
    expect(expiresWithin(pair, new Date(notAfter - 13 * DAY))).toBe(true);
  });
});

// Real-world files from the openssl CLI (not a dependency of the code under test).
describe.skipIf(!existsSync('/usr/bin/openssl'))('openssl-made certificates', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tenant-tls-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  function selfSigned(name: string, ...extra: string[]): { certPem: string; keyPem: string } {
    const crt = path.join(dir, `${name}.crt`);
    const key = path.join(dir, `${name}.key`);
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', '30', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`, ...extra], { stdio: 'pipe' });
    return { certPem: readFileSync(crt, 'utf8'), keyPem: readFileSync(key, 'utf8') };
  }

  it("refuses 'openssl req -x509' defaults as a CA, with a hint", () => {
    const { certPem, keyPem } = selfSigned('default');
    const r = validateTenantKeyPair(input(certPem, keyPem));
    expect(r.ok ? 'ok' : r.problem.code).toBe('leafIsCa');
    expect(r.ok ? '' : r.problem.message).toContain('CA:FALSE');
  });

  it('accepts an openssl self-signed leaf with CA:FALSE', () => {
    const { certPem, keyPem } = selfSigned('leaf', '-addext', 'basicConstraints=critical,CA:FALSE');
    expect(ok(input(certPem, keyPem))).toMatchObject({ selfSigned: true, curve: 'P-256' });
  });
});
