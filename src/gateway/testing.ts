/**
 * Test support for the gateway (unit and e2e tests import it; shipped code does not): tenant key
 * pairs on secp256k1, tokens signed the AEP-64 way with node:crypto, a throwaway TLS certificate,
 * and an HTTPS client that shows exactly what the server answered.
 */
import 'reflect-metadata';
import { ECDH, createECDH, createPrivateKey, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { leaseNamespace } from '../akash/namespace.ts';
import { adr36SignBytes } from './auth/adr36.ts';
import { HttpError } from './errors.ts';
import { akashAddress } from './auth/secp256k1.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface TenantKey {
  privateKey: KeyObject;
  /** The raw 32-byte private scalar (for cosmjs wallets). */
  privateBytes: Buffer;
  /** Compressed, 33 bytes. */
  publicKey: Buffer;
  address: string;
}

export function tenantKey(): TenantKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  return tenantKeyFrom(privateKey);
}

export function tenantKeyFrom(privateKey: KeyObject): TenantKey {
  const jwk = privateKey.export({ format: 'jwk' });
  const uncompressed = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const publicKey = ECDH.convertKey(uncompressed, 'secp256k1', undefined, undefined, 'compressed') as Buffer;
  return { privateKey, privateBytes: Buffer.from(jwk.d!, 'base64url'), publicKey, address: akashAddress(publicKey) };
}

/** A tenant key from a fixed 32-byte scalar (deterministic tests). */
export function tenantKeyFromBytes(d: Uint8Array): TenantKey {
  // node cannot import a bare scalar: derive the public point with ECDH, then import it as a JWK.
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(Buffer.from(d));
  const pub = ecdh.getPublicKey();
  const jwk = { kty: 'EC', crv: 'secp256k1', d: Buffer.from(d).toString('base64url'), x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') };
  return tenantKeyFrom(createPrivateKey({ format: 'jwk', key: jwk }));
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** AEP-64 claims with `full` access, valid for 15 minutes from now. */
export function claimsFor(iss: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { iss, iat: now, nbf: now, exp: now + 900, version: 'v1', leases: { access: 'full' }, ...over };
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A token signed with `key`: ES256K (raw signing string) or ES256KADR36 (our ADR-36 sign doc). */
export function signJwt(key: TenantKey, claims: Record<string, unknown>, alg: 'ES256K' | 'ES256KADR36' = 'ES256K', header: Record<string, unknown> = {}): string {
  const signingInput = `${b64url({ alg, typ: 'JWT', ...header })}.${b64url(claims)}`;
  const data = alg === 'ES256K' ? Buffer.from(signingInput) : adr36SignBytes(String(claims.iss), Buffer.from(signingInput));
  return `${signingInput}.${sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** Replaces the payload of a signed token (the signature no longer matches). */
export function tamper(token: string, claims: Record<string, unknown>): string {
  const [h, , s] = token.split('.');
  return `${h}.${b64url(claims)}.${s}`;
}

export interface CertFiles {
  dir: string;
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

/** A self-signed P-256 certificate for 127.0.0.1/localhost, written to a temp directory. */
export async function selfSignedCert(cn = 'akash-gateway-test', dir?: string): Promise<CertFiles> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: `CN=${cn}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
  const certPem = cert.toString('pem') + '\n';
  const where = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-cert-'));
  const certFile = path.join(where, `${cn}.crt`);
  const keyFile = path.join(where, `${cn}.key`);
  fs.writeFileSync(certFile, certPem);
  fs.writeFileSync(keyFile, keyPem, { mode: 0o600 });
  return { dir: where, certFile, keyFile, certPem, keyPem };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A client certificate (mTLS). */
  clientCert?: { cert: string; key: string };
  /** TLS version bounds of the client (to prove the server refuses older versions). */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Send this many bytes of zeros as the body, in 64 KiB chunks, without a content-length. */
  chunkedBytes?: number;
}

/** One HTTPS request (server certificate not checked: tests use self-signed ones). */
export function call(base: string, urlPath: string, opts: CallOptions = {}): Promise<Answer> {
  const url = new URL(urlPath, base);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers,
        rejectUnauthorized: false,
        agent: false,
        ...(opts.clientCert ? { cert: opts.clientCert.cert, key: opts.clientCert.key } : {}),
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413, 401) and close before the upload ends: that is the point.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    if (opts.chunkedBytes !== undefined) {
      let left = opts.chunkedBytes;
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('close', () => (left = 0));
      pump();
    } else {
      req.end(opts.body);
    }
  });
}

// --- manifests and leases -------------------------------------------------------------------------

export interface WireServiceOptions {
  name?: string;
  image?: string;
  /** Registry credentials (the password is what tests look for where it must not be). */
  password?: string;
  count?: number;
  /** The expose's accept list (`hosts`). */
  hosts?: string[];
}

/** A wire manifest (what `provider-services send-manifest` PUTs) with one group. */
export function wireManifest(services: WireServiceOptions[] = [{}], group = 'akash'): string {
  return JSON.stringify([
    {
      name: group,
      services: services.map((s, i) => ({
        name: s.name ?? `app${i}`,
        image: s.image ?? 'registry.example.com/private/app:1.0',
        command: null,
        args: null,
        env: ['GREETING=hello'],
        resources: {
          id: 1,
          cpu: { units: { val: '500' } },
          memory: { size: { val: '268435456' } },
          storage: [{ name: 'default', size: { val: '1073741824' } }],
          gpu: { units: { val: '0' } },
          endpoints: [{ sequence_number: 0 }],
        },
        count: s.count ?? 1,
        expose: [
          {
            port: 8080,
            externalPort: 80,
            proto: 'TCP',
            service: '',
            global: true,
            hosts: s.hosts ?? null,
            httpOptions: { maxBodySize: 1048576, readTimeout: 60000, sendTimeout: 60000, nextTries: 3, nextTimeout: 0, nextCases: ['error', 'timeout'] },
            ip: '',
            endpointSequenceNumber: 0,
          },
        ],
        credentials: s.password === undefined ? null : { host: 'registry.example.com', email: 'dev@example.com', username: 'deployer', password: s.password },
      })),
    },
  ]);
}

/** A Lease CR as the chain sync (or an admin) writes it. */
export function leaseObject(id: { owner: string; dseq: string; gseq?: number; oseq?: number; provider: string }, deploymentHash: string, state: 'active' | 'closed' = 'active') {
  const full = { gseq: 1, oseq: 1, ...id };
  return {
    apiVersion: 'provider.akash.network/v1alpha1',
    kind: 'Lease',
    metadata: { name: leaseNamespace(full) },
    spec: { id: full, price: { denom: 'uact', amount: '1.0' }, deploymentHash, state, source: 'manual' as const },
  };
}

/** The HttpError `f` throws; fails the test when it throws something else or nothing. */
export function refusal(f: () => unknown): HttpError {
  try {
    f();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
