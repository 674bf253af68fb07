// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Pki {
  dir: string;
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  saPublic: string;
  saPrivate: string;
  /** PEM contents, for kubeconfigs. */
  caPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

async function keyPair(): Promise<crypto.webcrypto.CryptoKeyPair> {
  return crypto.webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<crypto.webcrypto.CryptoKeyPair>;
}

async function privatePem(key: crypto.webcrypto.CryptoKey): Promise<string> {
  const der = await crypto.webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serial(): string {
  // Positive 16-byte serial (top bit cleared), as RFC 5280 asks.
  const b = crypto.randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

/**
 * A throwaway PKI for one test cluster: one CA signs the apiserver's serving certificate and the
 * admin client certificate (CN=admin, O=system:masters); an RSA key pair signs service-account tokens.
 */
export async function createPki(dir: string): Promise<Pki> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 7 * 24 * 3600_000);

  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=akash-operator-test-ca',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const leaf = async (subject: string, usage: string, sans: x509.JsonGeneralName[]) => {
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
        ...(sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await privatePem(keys.privateKey) };
  };

  const serving = await leaf('CN=kube-apiserver', x509.ExtendedKeyUsage.serverAuth, [
    { type: 'ip', value: '127.0.0.1' },
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '10.96.0.1' },
    { type: 'dns', value: 'kubernetes.default.svc' },
  ]);
  const admin = await leaf('CN=admin, O=system:masters', x509.ExtendedKeyUsage.clientAuth, []);
  const sa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

  const files = {
    caCert: ['ca.crt', ca.toString('pem')],
    servingCert: ['serving.crt', serving.certPem],
    servingKey: ['serving.key', serving.keyPem],
    adminCert: ['admin.crt', admin.certPem],
    adminKey: ['admin.key', admin.keyPem],
    saPublic: ['sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    saPrivate: ['sa.key', sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
  } as const;
  const paths = {} as Record<keyof typeof files, string>;
  for (const [k, [name, pem]] of Object.entries(files) as [keyof typeof files, readonly [string, string]][]) {
    paths[k] = path.join(dir, name);
    fs.writeFileSync(paths[k], pem, { mode: 0o600 });
  }
  return { dir, ...paths, caPem: ca.toString('pem'), adminCertPem: admin.certPem, adminKeyPem: admin.keyPem };
}
