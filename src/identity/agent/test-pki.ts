/**
 * Test-only PKI for the Workload API agent: a CA, SVIDs signed by it, and a writer that lays files
 * out the way the kubelet projects a Secret volume. Kept apart from the real issuer (src/identity)
 * on purpose: the agent's tests must not pass or fail with the issuer's choices.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface TestCa {
  trustDomain: string;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  pem: string;
}

export interface TestSvid {
  spiffeId: string;
  /** Hex, as node:crypto and Go print it (upper case). */
  serial: string;
  certPem: string;
  keyPem: string;
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}

function randomSerial(): string {
  // A positive 16-byte serial: the top bit clear, so DER needs no leading zero byte.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x10;
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** A self-signed root for `trustDomain` with a path-less SPIFFE ID, as X509-SVID §3.2 asks. */
export async function newTestCa(trustDomain: string): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=test CA ${trustDomain}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${trustDomain}` }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { trustDomain, cert, keys, pem: cert.toString('pem') + '\n' };
}

export interface SvidOptions {
  /** URI SANs; default `[spiffeId]`. Lets tests build an SVID with zero or two. */
  uris?: string[];
  notAfter?: Date;
  /** Sign with this key pair's private key but certify `keyFor`'s public key (a mismatched key file). */
  keyFor?: CryptoKeyPair;
}

/** A leaf X509-SVID (X509-SVID §4: cA=false, critical KU digitalSignature, EKU server+client). */
export async function issueTestSvid(ca: TestCa, spiffeId: string, opts: SvidOptions = {}): Promise<TestSvid> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const serial = randomSerial();
  const uris = opts.uris ?? [spiffeId];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: 'O=SPIFFE',
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: opts.notAfter ?? new Date(Date.now() + 3600_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ...(uris.length > 0 ? [new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value })))] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  const keyPem = await pkcs8Pem((opts.keyFor ?? keys).privateKey);
  return { spiffeId, serial, certPem: cert.toString('pem') + '\n', keyPem };
}

/** The three files of an SVID Secret, as the agent reads them. */
export function svidFiles(svid: TestSvid, ca: TestCa): Record<string, string> {
  return { 'svid.pem': svid.certPem, 'svid_key.pem': svid.keyPem, 'bundle.pem': ca.pem };
}

let generation = 0;

/**
 * Writes `files` into `dir` as the kubelet's atomic writer does for a Secret volume: the data goes
 * into a fresh `..<timestamp>` directory, `..data_tmp` → that directory is renamed over `..data`
 * (the one atomic step), each visible name is a symlink through `..data`, and the previous
 * timestamped directory is removed afterwards.
 */
export function writeKubeletDir(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  const dataLink = path.join(dir, '..data');
  let previous: string | undefined;
  try {
    previous = fs.readlinkSync(dataLink);
  } catch {
    previous = undefined;
  }
  const stamp = `..${new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '')}.${process.pid}${++generation}`;
  fs.mkdirSync(path.join(dir, stamp));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, stamp, name), text, { mode: 0o644 });
  fs.symlinkSync(stamp, path.join(dir, '..data_tmp'));
  fs.renameSync(path.join(dir, '..data_tmp'), dataLink);
  for (const name of Object.keys(files)) {
    if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(path.join('..data', name), path.join(dir, name));
  }
  if (previous !== undefined && previous !== stamp) fs.rmSync(path.join(dir, previous), { recursive: true, force: true });
}
