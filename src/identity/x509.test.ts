/**
 * Every X509-SVID rule (X509-SVID.md §§2–5, reference/features.md §1.1) checked on issued
 * certificates by two independent parsers (node:crypto/OpenSSL and @peculiar/x509's ASN.1 code) and
 * by `openssl verify` for RFC 5280 path validation with the TLS client and server purposes.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSelfSignedCa, issueSvid, issueSvidWithKey, issuerFromCa } from './x509.ts';
import { IdentityError } from './errors.ts';
import { certificateParts } from './der-reader.ts';
import { hasOpenssl, opensslVerify, px509 } from './testing.ts';

const TD = 'provider.example';
const T0 = new Date('2026-03-01T00:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const ca = createSelfSignedCa({ trustDomain: TD, notBefore: T0, notAfter: hours(24) });
const issuer = issuerFromCa(ca);
const ID = `spiffe://${TD}/lease/akash1abc/42/1/1/web`;
const issued = issueSvidWithKey(issuer, ID, 3600, hours(1));

const KU_DIGITAL_SIGNATURE = px509.KeyUsageFlags.digitalSignature;
const KU_CA_BITS = px509.KeyUsageFlags.keyCertSign | px509.KeyUsageFlags.cRLSign;

/** The checks shared by every leaf, with both parsers. */
function expectLeafRules(der: Buffer, spiffeId: string) {
  const n = new X509Certificate(der);
  const p = new px509.X509Certificate(der);
  // §2: exactly one URI SAN, carrying the ID
  expect(n.subjectAltName).toBe(`URI:${spiffeId}`);
  const san = p.getExtension(px509.SubjectAlternativeNameExtension)!;
  expect(san.names.items.filter((i) => i.type === 'url').map((i) => i.value)).toEqual([spiffeId]);
  expect(san.names.items).toHaveLength(1);
  // §3.1: non-root path; empty subject ⇒ critical SAN
  expect(new URL(spiffeId).pathname.length).toBeGreaterThan(1);
  if (p.subject === '') expect(san.critical).toBe(true);
  // §4.1: leaf cA=false, BasicConstraints present and critical
  expect(n.ca).toBe(false);
  const bc = p.getExtension(px509.BasicConstraintsExtension)!;
  expect([bc.ca, bc.critical]).toEqual([false, true]);
  // §4.3: KU present and critical, digitalSignature, never keyCertSign/cRLSign
  const ku = p.getExtension(px509.KeyUsagesExtension)!;
  expect(ku.critical).toBe(true);
  expect(ku.usages & KU_DIGITAL_SIGNATURE).toBe(KU_DIGITAL_SIGNATURE);
  expect(ku.usages & KU_CA_BITS).toBe(0);
  // §4.4: EKU with both serverAuth and clientAuth (node reports EKU OIDs as `keyUsage`)
  expect([...(n.keyUsage ?? [])].sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  expect([...p.getExtension(px509.ExtendedKeyUsageExtension)!.usages].sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  // signed by the CA, named after it, AKI = CA's SKI
  const caN = new X509Certificate(ca.cert);
  const caP = new px509.X509Certificate(ca.cert);
  expect(n.checkIssued(caN)).toBe(true);
  expect(n.verify(caN.publicKey)).toBe(true);
  expect(p.issuer).toBe(caP.subject);
  expect(p.getExtension(px509.AuthorityKeyIdentifierExtension)!.keyId).toBe(caP.getExtension(px509.SubjectKeyIdentifierExtension)!.keyId);
  expect(p.getExtension(px509.SubjectKeyIdentifierExtension)!.keyId).toMatch(/^[0-9a-f]{40}$/);
  expect(p.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
  return { n, p };
}

describe('self-signed CA', () => {
  const n = new X509Certificate(ca.cert);
  const p = new px509.X509Certificate(ca.cert);

  it('is a signing SVID: cA=true, keyCertSign|cRLSign critical, ID with no path', () => {
    expect(n.ca).toBe(true);
    const bc = p.getExtension(px509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.critical, bc.pathLength]).toEqual([true, true, undefined]);
    const ku = p.getExtension(px509.KeyUsagesExtension)!;
    expect([ku.usages, ku.critical]).toEqual([KU_CA_BITS, true]);
    expect(n.subjectAltName).toBe(`URI:spiffe://${TD}`);
    expect(n.checkIssued(n) && n.verify(n.publicKey)).toBe(true);
    expect(n.checkPrivateKey(ca.key)).toBe(true);
    expect(ca.key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('has the requested validity and a distinct subject per CA', async () => {
    expect([n.validFromDate, n.validToDate]).toEqual([T0, hours(24)]);
    const other = new X509Certificate(createSelfSignedCa({ trustDomain: TD, notBefore: T0, notAfter: hours(24) }).cert);
    expect(other.subject).not.toBe(n.subject);
    expect(p.subject).toMatch(/^O=Akash Provider, CN=provider\.example CA, 2\.5\.4\.5=[0-9]+$/);
    expect(await p.isSelfSigned()).toBe(true);
  });

  it('refuses an empty subject and a reversed validity, naming the field', () => {
    expect(() => createSelfSignedCa({ trustDomain: TD, notBefore: T0, notAfter: hours(1), subject: {} })).toThrow(/subject: .*rule issuer-name/);
    expect(() => createSelfSignedCa({ trustDomain: TD, notBefore: hours(1), notAfter: T0 })).toThrow(/notAfter: .*rule validity-order/);
    expect(() => createSelfSignedCa({ trustDomain: 'Bad', notBefore: T0, notAfter: hours(1) })).toThrow(/trustDomain: .*trust-domain-lowercase/);
  });
});

describe('issueSvidWithKey', () => {
  it('satisfies every X509-SVID leaf rule', () => {
    const { n, p } = expectLeafRules(issued.certDer, ID);
    // empty subject (node reports none at all) ⇒ the SAN extension must be critical (§3.1)
    expect([n.subject ?? '', p.subject]).toEqual(['', '']);
    expect(p.getExtension(px509.SubjectAlternativeNameExtension)!.critical).toBe(true);
  });

  it('returns the PKCS#8 key of the certificate, EC P-256', () => {
    const key = createPrivateKey({ key: issued.keyPkcs8Der, format: 'der', type: 'pkcs8' });
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new X509Certificate(issued.certDer).checkPrivateKey(key)).toBe(true);
    const other = createPrivateKey({ key: issueSvidWithKey(issuer, ID, 3600, hours(1)).keyPkcs8Der, format: 'der', type: 'pkcs8' });
    expect(new X509Certificate(issued.certDer).checkPrivateKey(other)).toBe(false);
  });

  it('backdates by 10 s and lasts the TTL, cut at the CA notAfter', () => {
    const n = new X509Certificate(issued.certDer);
    expect([n.validFromDate, n.validToDate]).toEqual([new Date(hours(1).getTime() - 10_000), hours(2)]);
    expect([issued.notBefore, issued.notAfter]).toEqual([n.validFromDate, n.validToDate]);
    const late = issueSvidWithKey(issuer, ID, 3600, hours(23.5));
    expect(new X509Certificate(late.certDer).validToDate).toEqual(hours(24));
    expect(() => issueSvidWithKey(issuer, ID, 3600, hours(24))).toThrow(/rule issuer-expired/);
    expect(() => issueSvidWithKey(issuer, ID, 3600, hours(-1))).toThrow(/now: .*rule issuer-not-yet-valid/);
    expect(() => issueSvidWithKey(issuer, ID, 0, hours(1))).toThrow(/ttlSeconds: .*rule ttl/);
  });

  it('gives unique positive serials of at most 16 octets (top bit cleared, no 0x00 pad)', () => {
    const serials = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const der = issueSvidWithKey(issuer, ID, 60, hours(1)).certDer;
      const serial = certificateParts(der).serial;
      expect(serial.length).toBeLessThanOrEqual(2 + 16);
      expect(serial[2]! & 0x80).toBe(0);
      const n = new X509Certificate(der);
      expect(BigInt(`0x${n.serialNumber}`)).toBeGreaterThan(0n);
      expect(n.serialNumber.length).toBeLessThanOrEqual(32);
      serials.add(n.serialNumber);
    }
    expect(serials.size).toBe(500);
  });

  it('verifies with @peculiar/x509 against the CA key', async () => {
    const p = new px509.X509Certificate(issued.certDer);
    const caP = new px509.X509Certificate(ca.cert);
    expect(await p.verify({ publicKey: caP.publicKey, date: hours(1.5) })).toBe(true);
    expect(await p.verify({ publicKey: caP.publicKey, date: hours(3) })).toBe(false);
    const chain = await new px509.X509ChainBuilder({ certificates: [caP] }).build(p);
    expect(chain.map((c) => c.subject)).toEqual([p.subject, caP.subject]);
  });

  it.skipIf(!hasOpenssl)('passes openssl verify -x509_strict for TLS client and server', () => {
    for (const purpose of ['sslclient', 'sslserver'] as const) {
      const r = opensslVerify({ roots: [ca.cert], leaf: issued.certDer, purpose, at: hours(1.5) });
      expect(r.output).toContain('OK');
      expect(r.ok).toBe(true);
    }
    const otherCa = createSelfSignedCa({ trustDomain: TD, notBefore: T0, notAfter: hours(24) });
    expect(opensslVerify({ roots: [otherCa.cert], leaf: issued.certDer, purpose: 'sslclient', at: hours(1.5) }).ok).toBe(false);
    expect(opensslVerify({ roots: [ca.cert], leaf: issued.certDer, purpose: 'sslclient', at: hours(3) }).ok).toBe(false);
  });
});

describe('issueSvid', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('uses the given key and exactly the requested validity (UTCTime and GeneralizedTime)', () => {
    const longCa = createSelfSignedCa({ trustDomain: TD, notBefore: T0, notAfter: new Date('2061-01-01T00:00:00Z') });
    const longIssuer = issuerFromCa(longCa);
    const notBefore = new Date('2049-12-31T23:59:59Z');
    const notAfter = new Date('2050-01-01T00:00:01Z');
    for (const key of [publicKey, privateKey, publicKey.export({ type: 'spki', format: 'der' })]) {
      const der = issueSvid(longIssuer, { spiffeId: ID, publicKey: key, notBefore, notAfter });
      const n = new X509Certificate(der);
      const p = new px509.X509Certificate(der);
      expect([n.validFromDate, n.validToDate]).toEqual([notBefore, notAfter]);
      expect([p.notBefore, p.notAfter]).toEqual([notBefore, notAfter]);
      expect(n.checkPrivateKey(privateKey)).toBe(true);
      expect(n.verify(new X509Certificate(longCa.cert).publicKey)).toBe(true);
      if (hasOpenssl) expect(opensslVerify({ roots: [longCa.cert], leaf: der, purpose: 'sslserver', at: new Date('2050-01-01T00:00:00Z') }).ok).toBe(true);
    }
  });

  it('with a fixed leaf subject, keeps the URI SAN non-critical and still one URI', () => {
    const named = issuerFromCa(ca, { leafSubject: { O: 'Akash Tenant' } });
    const der = issueSvid(named, { spiffeId: ID, publicKey, notBefore: hours(1), notAfter: hours(2) });
    const { p } = expectLeafRules(der, ID);
    expect(p.subject).toBe('O=Akash Tenant');
    expect(p.getExtension(px509.SubjectAlternativeNameExtension)!.critical).toBe(false);
  });

  it.each([
    ['a root ID (no path)', { spiffeId: `spiffe://${TD}` }, /spiffeId: .*rule leaf-path/],
    ['another trust domain', { spiffeId: 'spiffe://other.example/x' }, /spiffeId: .*rule trust-domain-mismatch/],
    ['a malformed ID', { spiffeId: `spiffe://${TD}/a//b` }, /spiffeId: .*rule path-empty-segment/],
    ['notAfter before notBefore', { notBefore: hours(2), notAfter: hours(1) }, /notAfter: .*rule validity-order/],
    ['equal times', { notBefore: hours(1), notAfter: hours(1) }, /notAfter: .*rule validity-order/],
    ['outliving the CA', { notAfter: hours(25) }, /notAfter: .*rule outlives-issuer/],
    ['a key that is not SPKI DER', { publicKey: Buffer.from('nope') }, /publicKey: .*rule key-parse/],
    ['a P-256 point off the curve', { publicKey: Buffer.concat([publicKey.export({ type: 'spki', format: 'der' }).subarray(0, 27), Buffer.alloc(64, 1)]) }, /publicKey: .*rule key-parse/],
  ])('refuses %s', (_name, change, rule) => {
    const req = { spiffeId: ID, publicKey: publicKey as unknown, notBefore: hours(1), notAfter: hours(2), ...change };
    expect(() => issueSvid(issuer, req as Parameters<typeof issueSvid>[1])).toThrow(IdentityError);
    expect(() => issueSvid(issuer, req as Parameters<typeof issueSvid>[1])).toThrow(rule);
  });
});
