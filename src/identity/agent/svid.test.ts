import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pemBlocks } from '../pem.ts';
import { parseSvidFiles } from './svid.ts';
import { issueTestSvid, newTestCa } from './test-pki.ts';

describe('parseSvidFiles', async () => {
  const ca = await newTestCa('td.test');
  const svid = await issueTestSvid(ca, 'spiffe://td.test/ns/a/sa/b');
  const good = { svid: svid.certPem, key: svid.keyPem, bundle: ca.pem };

  it('converts valid files to the wire form: DER chain, PKCS#8 DER key, DER bundle', () => {
    const id = parseSvidFiles(good, '/d');
    expect(id.spiffeId).toBe('spiffe://td.test/ns/a/sa/b');
    expect(id.trustDomain).toBe('td.test');
    expect(id.serial).toBe(svid.serial);
    const leaf = new X509Certificate(id.svidDer);
    expect(leaf.checkPrivateKey(createPrivateKey({ key: id.keyDer, format: 'der', type: 'pkcs8' }))).toBe(true);
    expect(leaf.verify(new X509Certificate(id.bundleDer).publicKey)).toBe(true);
  });

  it('hashes content: the same files give the same hash, any change a new one', () => {
    expect(parseSvidFiles(good, '/d').hash).toBe(parseSvidFiles({ ...good }, '/d').hash);
    expect(parseSvidFiles({ ...good, bundle: ca.pem + '\n' }, '/d').hash).not.toBe(parseSvidFiles(good, '/d').hash);
  });

  it('refuses a key that does not match the certificate, naming the file', async () => {
    const other = await issueTestSvid(ca, 'spiffe://td.test/other');
    expect(() => parseSvidFiles({ ...good, key: other.keyPem }, '/d')).toThrow('/d/svid_key.pem: the key does not match the certificate in /d/svid.pem');
  });

  it('refuses a half-written file', () => {
    expect(() => parseSvidFiles({ ...good, svid: good.svid.slice(0, 200) }, '/d')).toThrow('/d/svid.pem: 1 of 1 PEM blocks have no matching END line');
    expect(() => parseSvidFiles({ ...good, key: '' }, '/d')).toThrow('/d/svid_key.pem: holds 0 PEM blocks, expected one private key');
  });

  it('refuses a chain that does not lead to the bundle', async () => {
    const otherCa = await newTestCa('td.test');
    expect(() => parseSvidFiles({ ...good, bundle: otherCa.pem }, '/d')).toThrow('the chain does not lead to any CA in /d/bundle.pem');
  });

  it('accepts a bundle with several CAs (a CA rotation in progress)', async () => {
    const next = await newTestCa('td.test');
    expect(parseSvidFiles({ ...good, bundle: next.pem + ca.pem }, '/d').bundleDer.length).toBeGreaterThan(new X509Certificate(ca.pem).raw.length);
  });

  it('refuses a CA as the leaf, a leaf in the bundle and an expired SVID', async () => {
    expect(() => parseSvidFiles({ ...good, svid: ca.pem }, '/d')).toThrow(/has no path|is a CA/);
    expect(() => parseSvidFiles({ ...good, bundle: good.svid }, '/d')).toThrow('/d/bundle.pem: certificate 1 is not a CA');
    expect(() => parseSvidFiles(good, '/d', new Date(Date.now() + 2 * 3600_000))).toThrow('/d/svid.pem: the SVID expired at');
  });

  it('refuses a key file in place of the certificates', () => {
    expect(() => parseSvidFiles({ ...good, svid: svid.keyPem }, '/d')).toThrow('/d/svid.pem: block 1 is "PRIVATE KEY", expected "CERTIFICATE"');
  });
});

describe('pemBlocks', () => {
  it('skips text around blocks (RFC 7468 allows it)', () => {
    expect(pemBlocks('hello\n-----BEGIN X-----\nAAEC\n-----END X-----\nbye', 'f')).toEqual([{ label: 'X', der: Buffer.from([0, 1, 2]) }]);
  });
});
