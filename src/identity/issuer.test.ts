/**
 * The upstream path: an administrator's intermediate CA, made here by the OpenSSL CLI (an
 * implementation independent of ours), loaded from PEM and used to sign SVIDs that validate up to the
 * upstream root. Also the refusals when the PEM files do not make a usable signing CA.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateParts } from './der-reader.ts';
import { issuerFromPem } from './issuer.ts';
import { pemCertificates, toPem } from './pem.ts';
import { hasOpenssl, makeUpstreamPki, openssl, opensslVerify, px509, type UpstreamPki } from './testing.ts';
import { createSelfSignedCa, issueSvidWithKey, svidChainDer } from './x509.ts';

const TD = 'provider.example';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const der = (pem: string): Buffer => pemCertificates(pem)[0]!;

describe.skipIf(!hasOpenssl)('issuerFromPem with an upstream-signed intermediate', () => {
  it.each([
    ['EC P-384 with a SPIFFE ID', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], `subjectAltName=URI:spiffe://${TD}\n`, undefined, 'ECDSA', 'SHA-384'],
    ['RSA-2048 without a SPIFFE ID', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], '', TD, 'RSASSA-PKCS1-v1_5', 'SHA-256'],
  ])('%s: leaves chain to the upstream root', async (_name, keyAlg, ext, trustDomain, sigName, hashName) => {
    const pki = makeUpstreamPki(dirs, keyAlg, ext);
    const issuer = issuerFromPem({ certPem: pki.signing + pki.mid, keyPem: pki.signingKey, rootsPem: pki.root, ...(trustDomain ? { trustDomain } : {}) });
    expect(issuer.trustDomain).toBe(TD);
    expect(issuer.chain).toEqual([der(pki.signing), der(pki.mid)]);
    expect(issuer.roots).toEqual([der(pki.root)]);

    const now = new Date();
    const id = `spiffe://${TD}/lease/akash1owner/7/1/1/api`;
    const svid = issueSvidWithKey(issuer, id, 3600, now);
    const leafParts = certificateParts(svid.certDer);
    const signingParts = certificateParts(der(pki.signing));
    // the issuer name is the intermediate's subject byte for byte (PrintableString C=US included)
    expect(leafParts.issuer.equals(signingParts.subject)).toBe(true);

    const leaf = new X509Certificate(svid.certDer);
    const signing = new X509Certificate(der(pki.signing));
    expect(leaf.checkIssued(signing) && leaf.verify(signing.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe(`URI:${id}`);

    const p = new px509.X509Certificate(svid.certDer);
    expect(p.signatureAlgorithm).toMatchObject({ name: sigName, hash: { name: hashName } });
    expect(p.getExtension(px509.AuthorityKeyIdentifierExtension)!.keyId).toBe(new px509.X509Certificate(der(pki.signing)).getExtension(px509.SubjectKeyIdentifierExtension)!.keyId);
    const chain = await new px509.X509ChainBuilder({ certificates: [der(pki.signing), der(pki.mid), der(pki.root)].map((d) => new px509.X509Certificate(d)) }).build(p);
    expect(chain).toHaveLength(4);

    // the Workload API chain is leaf + intermediates; OpenSSL completes it to the root
    const sent = svidChainDer(issuer, svid.certDer);
    expect(sent.equals(Buffer.concat([svid.certDer, der(pki.signing), der(pki.mid)]))).toBe(true);
    for (const purpose of ['sslclient', 'sslserver'] as const) {
      const r = opensslVerify({ roots: [der(pki.root)], untrusted: [der(pki.signing), der(pki.mid)], leaf: svid.certDer, purpose });
      expect(r.output).toContain('OK');
    }
    expect(opensslVerify({ roots: [der(pki.root)], leaf: svid.certDer, purpose: 'sslclient' }).ok).toBe(false);
  });

  // built in beforeAll so that collecting the suite without openssl does not run it
  let pki: UpstreamPki;
  let otherPki: UpstreamPki;
  beforeAll(() => {
    pki = makeUpstreamPki(dirs, ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], `subjectAltName=URI:spiffe://${TD}\n`);
    otherPki = makeUpstreamPki(dirs, ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], '');
  });

  it.each([
    ['a key that is not the certificate’s', () => ({ certPem: pki.signing, keyPem: pki.rootKey }), /key: .*rule key-mismatch/],
    ['a key that is not PEM', () => ({ certPem: pki.signing, keyPem: 'garbage' }), /keyPem: .*rule pem-count/],
    ['two keys', () => ({ certPem: pki.signing, keyPem: pki.signingKey + pki.signingKey }), /keyPem: .*rule pem-count/],
    ['an encrypted key', () => ({ certPem: pki.signing, keyPem: createPrivateKey(pki.signingKey).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string }), /keyPem: .*rule key-parse/],
    ['intermediates out of order', () => ({ certPem: pki.mid + pki.signing, keyPem: pki.signingKey }), /certPem\[0\]: .*rule chain-order/],
    ['roots that did not sign the chain', () => ({ certPem: pki.signing + pki.mid, keyPem: pki.signingKey, rootsPem: otherPki.root }), /rootsPem: .*rule chain-anchor/],
    ['another trust domain', () => ({ certPem: pki.signing, keyPem: pki.signingKey, trustDomain: 'other.example' }), /trustDomain: .*rule trust-domain-mismatch/],
    ['no certificate', () => ({ certPem: '', keyPem: pki.signingKey }), /certPem: .*rule pem-empty/],
  ])('refuses %s', (_name, input, rule) => {
    expect(() => issuerFromPem(input())).toThrow(rule);
  });

  it('refuses a certificate that may not sign, and a signing ID with a path', () => {
    const leafPki = makeUpstreamPki(dirs, ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], `subjectAltName=URI:spiffe://${TD}/not-a-ca\n`);
    expect(() => issuerFromPem({ certPem: leafPki.signing, keyPem: leafPki.signingKey })).toThrow(/rule ca-path/);
    const ca = createSelfSignedCa({ trustDomain: TD, notBefore: new Date(), notAfter: new Date(Date.now() + 3_600_000) });
    const svid = issueSvidWithKey(issuerFromPem({ certPem: toPem(ca.cert, 'CERTIFICATE'), keyPem: ca.key.export({ type: 'pkcs8', format: 'pem' }) as string }), `spiffe://${TD}/w`, 60, new Date());
    const keyPem = toPem(svid.keyPkcs8Der, 'PRIVATE KEY');
    expect(() => issuerFromPem({ certPem: toPem(svid.certDer, 'CERTIFICATE'), keyPem })).toThrow(/rule ca-basic-constraints/);
  });

  it('accepts an EC key with its EC PARAMETERS block (openssl ecparam -genkey)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecparam-'));
    dirs.push(dir);
    openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-out', 'k.pem');
    openssl(dir, 'req', '-x509', '-new', '-key', 'k.pem', '-subj', '/O=Admin CA', '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', 'c.pem');
    const keyPem = readFileSync(path.join(dir, 'k.pem'), 'utf8');
    expect(keyPem).toContain('BEGIN EC PARAMETERS');
    const issuer = issuerFromPem({ certPem: readFileSync(path.join(dir, 'c.pem'), 'utf8'), keyPem, trustDomain: TD });
    expect(issuer.roots).toHaveLength(1);
    expect(() => issuerFromPem({ certPem: readFileSync(path.join(dir, 'c.pem'), 'utf8'), keyPem })).toThrow(/trustDomain: .*rule trust-domain-missing/);
  });

  it('loads a self-signed CA from PEM with an empty chain', () => {
    const ca = createSelfSignedCa({ trustDomain: TD, notBefore: new Date(), notAfter: new Date(Date.now() + 3_600_000) });
    const issuer = issuerFromPem({ certPem: toPem(ca.cert, 'CERTIFICATE'), keyPem: ca.key.export({ type: 'sec1', format: 'pem' }) as string });
    expect(issuer.chain).toEqual([]);
    expect(issuer.roots).toEqual([ca.cert]);
    expect(issuer.trustDomain).toBe(TD);
  });
});
