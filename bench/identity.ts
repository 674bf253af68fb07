/**
 * X.509-SVID issuance on one core. Prints one JSON line per figure:
 *
 *   svid_issued_per_s            EC P-256 keygen → DER TBSCertificate from the issuer template →
 *                                crypto.sign → PEM of certificate and PKCS#8 key (src/identity)
 *   svid_issued_peculiar_per_s   the same certificate content with @peculiar/x509 on WebCrypto
 *                                (keygen, build, sign, PEM export), awaited one at a time
 *
 * and, for context, the parts of ours alone: keygen with DER encodings (svid_keygen_per_s) and the
 * CSR flow, where the workload's SPKI DER is given and checked (svid_sign_only_per_s).
 * Run: node bench/identity.ts [--seconds N]
 */
import 'reflect-metadata';
import * as px509 from '@peculiar/x509';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { createSelfSignedCa, issueSvid, issueSvidWithKey, issuerFromCa } from '../src/identity/x509.ts';
import { toPem } from '../src/identity/pem.ts';
import { generateP256 } from '../src/identity/ec-keys.ts';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;
const TD = 'provider.example';
const ID = `spiffe://${TD}/lease/akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63/123456/1/1/web`;
const context = { node: process.version, seconds: SECONDS, key: 'EC P-256', ttl_s: 3600 };

const print = (bench: string, value: number, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ bench, value: Math.round(value), unit: 'ops/s', ...context, ...extra })}\n`);
};

/** Runs `op` for half a second to warm up, then for `seconds`; returns operations per second. */
function measure(op: () => unknown, seconds: number): number {
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) op();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    op();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

async function measureAsync(op: () => Promise<unknown>, seconds: number): Promise<number> {
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) await op();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await op();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const now = new Date();
const ca = createSelfSignedCa({ trustDomain: TD, notBefore: now, notAfter: new Date(now.getTime() + 24 * 3_600_000) });
const issuer = issuerFromCa(ca);

let bytes = 0;
print(
  'svid_issued_per_s',
  measure(() => {
    const s = issueSvidWithKey(issuer, ID, 3600, now);
    const pem = toPem(s.certDer, 'CERTIFICATE') + toPem(s.keyPkcs8Der, 'PRIVATE KEY');
    bytes = s.certDer.length;
    return pem;
  }, SECONDS),
  { path: 'keygen → DER TBS from template → crypto.sign → DER + PEM (cert, PKCS#8 key)' },
);
const cert_der_bytes = bytes;

print('svid_keygen_per_s', measure(generateP256, SECONDS), { path: 'EC P-256 keygen → SPKI + PKCS#8 DER only (for context)' });
const fixed = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
print('svid_sign_only_per_s', measure(() => issueSvid(issuer, { spiffeId: ID, publicKey: fixed, notBefore: now, notAfter: new Date(now.getTime() + 3_600_000) }), SECONDS), {
  path: 'CSR flow: given SPKI DER → DER certificate (no keygen, no PEM)',
  cert_der_bytes,
});

// --- @peculiar/x509 baseline: the same extensions, WebCrypto keys, PEM out ---------------------------
px509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof px509.cryptoProvider.set>[0]);
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
const caCert = await px509.X509CertificateGenerator.createSelfSigned({
  name: `O=Akash Provider, CN=${TD} CA`,
  notBefore: now,
  notAfter: new Date(now.getTime() + 24 * 3_600_000),
  keys: caKeys,
  signingAlgorithm: alg,
  extensions: [new px509.BasicConstraintsExtension(true, undefined, true), new px509.KeyUsagesExtension(px509.KeyUsageFlags.keyCertSign | px509.KeyUsageFlags.cRLSign, true)],
});
const caSki = await px509.SubjectKeyIdentifierExtension.create(caCert.publicKey);
const fixedExtensions = [
  new px509.KeyUsagesExtension(px509.KeyUsageFlags.digitalSignature | px509.KeyUsageFlags.keyEncipherment | px509.KeyUsageFlags.keyAgreement, true),
  new px509.ExtendedKeyUsageExtension([px509.ExtendedKeyUsage.serverAuth, px509.ExtendedKeyUsage.clientAuth]),
  new px509.BasicConstraintsExtension(false, undefined, true),
  new px509.AuthorityKeyIdentifierExtension(caSki.keyId),
];
print(
  'svid_issued_peculiar_per_s',
  await measureAsync(async () => {
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await px509.X509CertificateGenerator.create({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)).map((b, i) => (i === 0 ? (b & 0x7f) | 1 : b))).toString('hex'),
      issuer: caCert.subject,
      subject: '',
      notBefore: now,
      notAfter: new Date(now.getTime() + 3_600_000),
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: alg,
      extensions: [...fixedExtensions, await px509.SubjectKeyIdentifierExtension.create(keys.publicKey), new px509.SubjectAlternativeNameExtension([{ type: 'url', value: ID }], true)],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    return cert.toString('pem') + toPem(pkcs8, 'PRIVATE KEY');
  }, SECONDS),
  { path: '@peculiar/x509 2.2.0 on WebCrypto: keygen → build → sign → PEM (cert, PKCS#8 key), serial awaits' },
);
