import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificatesToPem, pemBlocks, pemCertificates, toPem } from './pem.ts';
import { createSelfSignedCa } from './x509.ts';

const ca = createSelfSignedCa({ trustDomain: 'example.org', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') });

describe('PEM', () => {
  it('writes what OpenSSL writes (64-column lines) and reads it back', () => {
    const pem = toPem(ca.cert, 'CERTIFICATE');
    expect(pem).toBe(new X509Certificate(ca.cert).toString());
    expect(pem.split('\n').every((l) => l.length <= 64)).toBe(true);
    expect(pemBlocks(pem)).toEqual([{ label: 'CERTIFICATE', der: ca.cert }]);
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const der = key.export({ type: 'pkcs8', format: 'der' });
    expect(toPem(der, 'PRIVATE KEY')).toBe(key.export({ type: 'pkcs8', format: 'pem' }));
  });

  it('reads several blocks, ignoring text around them and CRLF line ends', () => {
    const text = `subject=...\r\n${certificatesToPem([ca.cert, ca.cert]).replace(/\n/g, '\r\n')}trailing words\n`;
    expect(pemCertificates(text)).toEqual([ca.cert, ca.cert]);
  });

  it.each([
    ['a BEGIN without END', '-----BEGIN CERTIFICATE-----\nAAAA\n', 'pem-truncated'],
    ['mismatched labels', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n', 'pem-label'],
    ['bad base64', '-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----\n', 'pem-base64'],
    ['short base64', '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n', 'pem-base64'],
  ])('refuses %s', (_n, text, rule) => expect(() => pemBlocks(text, 'tls.crt')).toThrow(new RegExp(`^tls\\.crt: .*rule ${rule}`)));

  it('pemCertificates wants at least one block and only certificates', () => {
    expect(() => pemCertificates('', 'ca.crt')).toThrow(/ca\.crt: .*rule pem-empty/);
    expect(() => pemCertificates(toPem(Buffer.from('x'), 'PRIVATE KEY'))).toThrow(/block 1 is "PRIVATE KEY".*rule pem-label/);
    expect(() => toPem(Buffer.from('x'), 'bad label')).toThrow(/rule pem-label/);
  });
});
