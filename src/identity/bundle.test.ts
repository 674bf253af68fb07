import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundleDer, bundleJwks, bundlePem, parseJwksBundle } from './bundle.ts';
import { pemCertificates } from './pem.ts';
import { px509 } from './testing.ts';
import { createSelfSignedCa } from './x509.ts';

const TD = 'example.org';
const nb = new Date('2026-01-01T00:00:00Z');
const na = new Date('2026-01-02T00:00:00Z');
const a = createSelfSignedCa({ trustDomain: TD, notBefore: nb, notAfter: na });
const b = createSelfSignedCa({ trustDomain: TD, notBefore: nb, notAfter: na });
const rsa = createSelfSignedCa({ trustDomain: TD, notBefore: nb, notAfter: na, key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });

describe('bundle', () => {
  it('PEM and DER concatenate the certificates in order', () => {
    expect(pemCertificates(bundlePem([a.cert, b.cert]))).toEqual([a.cert, b.cert]);
    expect(bundleDer([a.cert, b.cert]).equals(Buffer.concat([a.cert, b.cert]))).toBe(true);
    expect(bundlePem([])).toBe('');
  });

  it('JWKS: one EC P-256 key per CA, use x509-svid, exactly one x5c, no kid', () => {
    const jwks = bundleJwks([a.cert, b.cert], { sequence: 7, refreshHintSeconds: 300 });
    expect(jwks.spiffe_sequence).toBe(7);
    expect(jwks.spiffe_refresh_hint).toBe(300);
    expect(jwks.keys).toHaveLength(2);
    jwks.keys.forEach((k, i) => {
      const cert = [a.cert, b.cert][i]!;
      expect(Object.keys(k)).toEqual(['kty', 'crv', 'x', 'y', 'use', 'x5c']);
      expect(k).not.toHaveProperty('kid');
      expect(k.x5c).toEqual([cert.toString('base64')]);
      const jwk = new X509Certificate(cert).publicKey.export({ format: 'jwk' });
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, use: 'x509-svid' });
      // base64url coordinates of 32 bytes
      expect(Buffer.from(k.x!, 'base64url')).toHaveLength(32);
    });
    // the x5c certificate parses independently and holds the same key
    const p = new px509.X509Certificate(Buffer.from(jwks.keys[0]!.x5c[0], 'base64'));
    expect(p.subject).toContain('CN=example.org CA');
  });

  it('JWKS of an RSA CA carries n and e', () => {
    const [k] = bundleJwks([rsa.cert], { sequence: 1, refreshHintSeconds: 60 }).keys;
    expect(Object.keys(k!)).toEqual(['kty', 'n', 'e', 'use', 'x5c']);
  });

  it('round-trips through JSON and parseJwksBundle', () => {
    const text = JSON.stringify(bundleJwks([a.cert, rsa.cert], { sequence: 3, refreshHintSeconds: 120 }));
    expect(parseJwksBundle(text)).toEqual({ certs: [a.cert, rsa.cert], sequence: 3, refreshHintSeconds: 120 });
    expect(parseJwksBundle(bundleJwks([], { sequence: 0, refreshHintSeconds: 1 })).certs).toEqual([]);
  });

  it('skips keys with another use, as the spec says', () => {
    const jwks = bundleJwks([a.cert], { sequence: 1, refreshHintSeconds: 60 });
    const jwt = { kty: 'EC', crv: 'P-256', x: jwks.keys[0]!.x, y: jwks.keys[0]!.y, use: 'jwt-svid', kid: 'k1' };
    expect(parseJwksBundle({ ...jwks, keys: [jwt, ...jwks.keys, { kty: 'oct', use: 'other' }] }).certs).toEqual([a.cert]);
  });

  it.each([
    ['not JSON', '{', 'json-syntax'],
    ['no keys array', { keys: 1 }, 'jwks-keys'],
    ['two x5c', { keys: [{ use: 'x509-svid', x5c: ['a', 'b'] }] }, 'x5c-count'],
    ['no x5c', { keys: [{ use: 'x509-svid' }] }, 'x5c-count'],
    ['a key that is not its certificate’s', null, 'key-mismatch'],
  ])('parseJwksBundle refuses %s', (_n, doc, rule) => {
    const input = doc ?? { keys: [{ ...bundleJwks([a.cert], { sequence: 1, refreshHintSeconds: 1 }).keys[0], x5c: [b.cert.toString('base64')] }] };
    expect(() => parseJwksBundle(input)).toThrow(new RegExp(`rule ${rule}`));
  });

  it('refuses a bad sequence or refresh hint', () => {
    expect(() => bundleJwks([a.cert], { sequence: -1, refreshHintSeconds: 1 })).toThrow(/sequence: .*rule spiffe-sequence/);
    expect(() => bundleJwks([a.cert], { sequence: 1, refreshHintSeconds: 0 })).toThrow(/refreshHintSeconds: .*rule spiffe-refresh-hint/);
    expect(() => bundleJwks([Buffer.from('junk')], { sequence: 1, refreshHintSeconds: 1 })).toThrow(/certs\[0\]: .*rule cert-parse/);
  });
});
