import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateP256, isP256SpkiShape } from './ec-keys.ts';
import { createSelfSignedCa, issueSvid, issuerFromCa } from './x509.ts';

describe('generateP256', () => {
  it('encodes SPKI and PKCS#8 byte-for-byte as node:crypto does, for many keys', () => {
    for (let i = 0; i < 300; i++) {
      const k = generateP256();
      const priv = createPrivateKey({ key: k.pkcs8, format: 'der', type: 'pkcs8' });
      expect(priv.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(priv.export({ type: 'pkcs8', format: 'der' }).equals(k.pkcs8)).toBe(true);
      const pub = createPublicKey(priv);
      expect(pub.export({ type: 'spki', format: 'der' }).equals(k.spki)).toBe(true);
      expect(k.spki.subarray(26).equals(k.point)).toBe(true);
      expect(isP256SpkiShape(k.spki)).toBe(true);
    }
  });

  it('tells a P-256 SPKI from other keys and compressed points', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'der' });
    const compressed = createPublicKey({ key: generateP256().spki, format: 'der', type: 'spki' });
    const jwk = compressed.export({ format: 'jwk' });
    expect(isP256SpkiShape(p384)).toBe(false);
    expect(isP256SpkiShape(Buffer.concat([generateP256().spki.subarray(0, 26), Buffer.from([0x02]), Buffer.from(jwk.x!, 'base64url')]))).toBe(false);
    const bent = Buffer.from(generateP256().spki);
    bent[10]! ^= 1;
    expect(isP256SpkiShape(bent)).toBe(false);
  });

  it('gives a working key pair, and a certificate whose key it is', () => {
    const k = generateP256();
    const priv = createPrivateKey({ key: k.pkcs8, format: 'der', type: 'pkcs8' });
    const sig = sign('sha256', Buffer.from('m'), priv);
    expect(verify('sha256', Buffer.from('m'), createPublicKey({ key: k.spki, format: 'der', type: 'spki' }), sig)).toBe(true);
    const now = new Date();
    const issuer = issuerFromCa(createSelfSignedCa({ trustDomain: 'example.org', notBefore: now, notAfter: new Date(now.getTime() + 3_600_000) }));
    const cert = issueSvid(issuer, { spiffeId: 'spiffe://example.org/w', publicKey: k.spki, notBefore: now, notAfter: new Date(now.getTime() + 60_000) });
    expect(new X509Certificate(cert).checkPrivateKey(priv)).toBe(true);
    expect(generateP256().pkcs8.equals(k.pkcs8)).toBe(false);
  });
});
