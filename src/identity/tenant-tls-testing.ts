/**
 * Test support for tenant TLS key pairs: real certificates from a throwaway root → intermediate →
 * leaf chain (or a self-signed leaf), as PEM, for unit and controller tests. Not used in production.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = crypto.webcrypto.CryptoKeyPair;
type CryptoKey = crypto.webcrypto.CryptoKey;
type Algorithm = crypto.webcrypto.Algorithm;
type EcdsaParams = crypto.webcrypto.EcdsaParams;
type RsaHashedKeyGenParams = crypto.webcrypto.RsaHashedKeyGenParams;
type EcKeyGenParams = crypto.webcrypto.EcKeyGenParams;

export type TestKeyType = 'rsa2048' | 'rsa1024' | 'rsa3072' | 'ec-p256' | 'ec-p384' | 'ed25519';

export interface MakeChainOptions {
  /** DNS names of the leaf's subjectAltName; [] leaves the extension out (a CN-only certificate). */
  hosts: string[];
  /** The leaf's key (default `ec-p256`); the root and intermediate are always EC P-256. */
  keyType?: TestKeyType;
  /** The leaf's validity; defaults: an hour ago, 90 days from now. */
  notBefore?: Date;
  notAfter?: Date;
  /** The leaf's subject CN (default the first host, else `tenant.example`). */
  commonName?: string;
  /** Give the leaf BasicConstraints cA=true. */
  leafIsCa?: boolean;
  /** The hash the intermediate signs the leaf with (default SHA-256). */
  leafSignatureHash?: 'SHA-256' | 'SHA-1';
  /** The intermediate's validity (defaults: a day ago, a year from now). */
  intermediateNotBefore?: Date;
  intermediateNotAfter?: Date;
}

export interface TestChain {
  /** The leaf alone. */
  leafPem: string;
  /** The leaf's private key, unencrypted PKCS#8 PEM. */
  keyPem: string;
  intermediatePem: string;
  intermediateKeyPem: string;
  rootPem: string;
  rootKeyPem: string;
  /** Leaf then intermediate: what a CA hands out and a server sends. */
  fullchainPem: string;
  /** Leaf, intermediate, root. */
  bundlePem: string;
}

export interface TestSelfSigned {
  certPem: string;
  keyPem: string;
}

const EC_SIGN = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

type Alg = { generate: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm; sign: Algorithm | EcdsaParams };
const RSA = (bits: number): Alg => ({
  generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams,
  sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm,
});
const ALGS: Record<TestKeyType, Alg> = {
  rsa1024: RSA(1024),
  rsa2048: RSA(2048),
  rsa3072: RSA(3072),
  'ec-p256': { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
  'ec-p384': { generate: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams },
  ed25519: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
};

async function keyPair(type: TestKeyType): Promise<CryptoKeyPair> {
  return (await crypto.webcrypto.subtle.generateKey(ALGS[type].generate, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privatePem(key: CryptoKey): Promise<string> {
  const der = await crypto.webcrypto.subtle.exportKey('pkcs8', key);
  return crypto.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function serial(): string {
  const b = crypto.randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function caExtensions(keys: CryptoKeyPair): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
}

async function leafExtensions(keyType: TestKeyType, keys: CryptoKeyPair, hosts: string[], isCa: boolean): Promise<x509.Extension[]> {
  const usage = keyType.startsWith('rsa') ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.digitalSignature;
  return [
    new x509.BasicConstraintsExtension(isCa, undefined, true),
    new x509.KeyUsagesExtension(isCa ? usage | x509.KeyUsageFlags.keyCertSign : usage, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ...(hosts.length > 0 ? [new x509.SubjectAlternativeNameExtension(hosts.map((value) => ({ type: 'dns' as const, value })))] : []),
  ];
}

/** A root → intermediate → leaf chain; the leaf covers `hosts`. */
export async function makeChain(opts: MakeChainOptions): Promise<TestChain> {
  const now = Date.now();
  const keyType = opts.keyType ?? 'ec-p256';
  const [rootKeys, intKeys, leafKeys] = await Promise.all([keyPair('ec-p256'), keyPair('ec-p256'), keyPair(keyType)]);

  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Tenant Test Root CA, O=akash-operator tests',
    notBefore: new Date(now - 2 * DAY),
    notAfter: new Date(now + 3650 * DAY),
    keys: rootKeys,
    signingAlgorithm: EC_SIGN,
    extensions: await caExtensions(rootKeys),
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=Tenant Test Intermediate CA, O=akash-operator tests',
    issuer: root.subject,
    notBefore: opts.intermediateNotBefore ?? new Date(now - DAY),
    notAfter: opts.intermediateNotAfter ?? new Date(now + 365 * DAY),
    publicKey: intKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_SIGN,
    extensions: [...(await caExtensions(intKeys)), await x509.AuthorityKeyIdentifierExtension.create(root)],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${opts.commonName ?? opts.hosts[0] ?? 'tenant.example'}`,
    issuer: intermediate.subject,
    notBefore: opts.notBefore ?? new Date(now - 3600_000),
    notAfter: opts.notAfter ?? new Date(now + 90 * DAY),
    publicKey: leafKeys.publicKey,
    signingKey: intKeys.privateKey,
    signingAlgorithm: { ...EC_SIGN, hash: opts.leafSignatureHash ?? 'SHA-256' },
    extensions: [...(await leafExtensions(keyType, leafKeys, opts.hosts, opts.leafIsCa ?? false)), await x509.AuthorityKeyIdentifierExtension.create(intermediate)],
  });

  const leafPem = pemOf(leaf);
  const intermediatePem = pemOf(intermediate);
  const rootPem = pemOf(root);
  return {
    leafPem,
    keyPem: await privatePem(leafKeys.privateKey),
    intermediatePem,
    intermediateKeyPem: await privatePem(intKeys.privateKey),
    rootPem,
    rootKeyPem: await privatePem(rootKeys.privateKey),
    fullchainPem: leafPem + intermediatePem,
    bundlePem: leafPem + intermediatePem + rootPem,
  };
}

/** A self-signed leaf (cA=false, no keyCertSign) covering `hosts`. */
export async function makeSelfSigned(opts: Pick<MakeChainOptions, 'hosts' | 'keyType' | 'notBefore' | 'notAfter' | 'commonName'>): Promise<TestSelfSigned> {
  const now = Date.now();
  const keyType = opts.keyType ?? 'ec-p256';
  const keys = await keyPair(keyType);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${opts.commonName ?? opts.hosts[0] ?? 'tenant.example'}`,
    notBefore: opts.notBefore ?? new Date(now - 3600_000),
    notAfter: opts.notAfter ?? new Date(now + 90 * DAY),
    keys,
    signingAlgorithm: ALGS[keyType].sign,
    extensions: await leafExtensions(keyType, keys, opts.hosts, false),
  });
  return { certPem: pemOf(cert), keyPem: await privatePem(keys.privateKey) };
}

/** Re-encodes a PEM private key: encrypted PKCS#8 (default), or legacy OpenSSL-encrypted PKCS#1/SEC1. */
export function encryptKeyPem(keyPem: string, passphrase: string, type: 'pkcs8' | 'pkcs1' | 'sec1' = 'pkcs8'): string {
  return crypto.createPrivateKey(keyPem).export({ type, format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
}

/** Re-encodes a PEM private key unencrypted as PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`). */
export function reencodeKeyPem(keyPem: string, type: 'pkcs1' | 'sec1'): string {
  return crypto.createPrivateKey(keyPem).export({ type, format: 'pem' }).toString();
}

function pemOf(cert: x509.X509Certificate): string {
  // Node's own encoding (LF, 64 columns), like files written by openssl.
  return new crypto.X509Certificate(Buffer.from(cert.rawData)).toString();
}
