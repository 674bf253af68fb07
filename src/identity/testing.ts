/**
 * Test support for the identity module: an independent parser (@peculiar/x509) and the OpenSSL CLI
 * as a third implementation of RFC 5280 path validation. Not imported by production code.
 */
import 'reflect-metadata';
import * as px509 from '@peculiar/x509';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { certificatesToPem } from './pem.ts';

px509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof px509.cryptoProvider.set>[0]);
export { px509 };

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

export interface OpensslVerifyInput {
  roots: readonly Buffer[];
  leaf: Buffer;
  untrusted?: readonly Buffer[];
  purpose: 'sslclient' | 'sslserver';
  /** verification time; default now */
  at?: Date;
}

/** `openssl verify -x509_strict -CAfile … -purpose …`; returns the exit status and output. */
export function opensslVerify(input: OpensslVerifyInput): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'svid-verify-'));
  try {
    const file = (name: string, ders: readonly Buffer[]) => {
      const p = path.join(dir, name);
      writeFileSync(p, certificatesToPem(ders));
      return p;
    };
    const args = ['verify', '-x509_strict', '-CAfile', file('roots.pem', input.roots), '-purpose', input.purpose];
    if (input.untrusted !== undefined && input.untrusted.length > 0) args.push('-untrusted', file('untrusted.pem', input.untrusted));
    if (input.at !== undefined) args.push('-attime', String(Math.floor(input.at.getTime() / 1000)));
    args.push(file('leaf.pem', [input.leaf]));
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs openssl with args in a fresh directory (for building upstream PKIs); returns that directory. */
export function openssl(dir: string, ...args: string[]): string {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface UpstreamPki {
  root: string;
  /** upstream intermediate, signed by root */
  mid: string;
  /** our signing intermediate, signed by mid */
  signing: string;
  signingKey: string;
  rootKey: string;
}

/** root (P-256) → mid (P-256) → signing (`keyAlg`), with the extensions a CA needs; PEM texts. */
export function makeUpstreamPki(dirs: string[], keyAlg: string[], signingExt: string): UpstreamPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'upstream-pki-'));
  dirs.push(dir);
  const ca = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
  writeFileSync(path.join(dir, 'ca.cnf'), ca);
  writeFileSync(path.join(dir, 'signing.cnf'), `${ca}${signingExt}`);
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key');
  openssl(dir, 'req', '-x509', '-new', '-key', 'root.key', '-subj', '/C=US/O=Upstream/CN=Upstream Root', '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem');
  openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'mid.key');
  openssl(dir, 'req', '-new', '-key', 'mid.key', '-subj', '/O=Upstream/CN=Upstream Issuing', '-out', 'mid.csr');
  openssl(dir, 'x509', '-req', '-in', 'mid.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '2', '-days', '3000', '-extfile', 'ca.cnf', '-out', 'mid.pem');
  openssl(dir, 'genpkey', ...keyAlg, '-out', 'signing.key');
  openssl(dir, 'req', '-new', '-key', 'signing.key', '-subj', '/C=US/O=Provider/CN=Provider SPIFFE', '-out', 'signing.csr');
  openssl(dir, 'x509', '-req', '-in', 'signing.csr', '-CA', 'mid.pem', '-CAkey', 'mid.key', '-set_serial', '3', '-days', '365', '-extfile', 'signing.cnf', '-out', 'signing.pem');
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return { root: read('root.pem'), mid: read('mid.pem'), signing: read('signing.pem'), signingKey: read('signing.key'), rootKey: read('root.key') };
}
