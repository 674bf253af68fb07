/**
 * Turns the three projected files of a pod's SVID Secret into what the Workload API sends. Every
 * check here guards against serving something a client would reject or, worse, accept wrongly:
 * a file caught mid-update, a key that does not match the certificate, a chain that does not
 * lead to the bundle. A failure names the file and the rule, so the agent's log says why it kept
 * the previous SVID.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { pemBlocks, pemCertificates } from '../pem.ts';
import { svidSpiffeId } from './spiffe-id.ts';

/** File names inside the projected directory (the Secret's keys). */
export const SVID_FILE = 'svid.pem';
export const KEY_FILE = 'svid_key.pem';
export const BUNDLE_FILE = 'bundle.pem';

export interface SvidFileTexts {
  svid: string;
  key: string;
  bundle: string;
}

/** One verified X509-SVID, ready for the wire. */
export interface X509Identity {
  spiffeId: string;
  trustDomain: string;
  /** Leaf first, then intermediates, concatenated DER (`X509SVID.x509_svid`). */
  svidDer: Buffer;
  /** Unencrypted PKCS#8 DER (`X509SVID.x509_svid_key`). */
  keyDer: Buffer;
  /** The trust domain's CA certificates, concatenated DER (`X509SVID.bundle`). */
  bundleDer: Buffer;
  /** Upper-case hex, as node:crypto and Go print it. */
  serial: string;
  notAfter: Date;
  /** Of all three files: equal hashes mean nothing to send. */
  hash: string;
  /** Of the bundle alone: FetchX509Bundles streams only when this changes. */
  bundleHash: string;
}

/** A content hash of the three files, length-prefixed so moving bytes between files changes it. */
export function hashFiles(t: SvidFileTexts): string {
  const h = createHash('sha256');
  for (const s of [t.svid, t.key, t.bundle]) h.update(`${Buffer.byteLength(s)}:`).update(s);
  return h.digest('hex');
}

function parseCert(der: Buffer, where: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (e) {
    throw new Error(`${where}: not a DER X.509 certificate (${(e as Error).message})`, { cause: e });
  }
}

/** True when `child` names `parent` as issuer and carries a signature made by its key. */
function signedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

/**
 * Validates and converts the files. `dir` only labels errors. `now` decides expiry: an expired
 * SVID is refused, since every peer would refuse it too.
 */
export function parseSvidFiles(t: SvidFileTexts, dir: string, now: Date = new Date()): X509Identity {
  const at = (f: string) => `${dir}/${f}`;
  const chain = pemCertificates(t.svid, at(SVID_FILE)).map((der, i) => parseCert(der, `${at(SVID_FILE)} certificate ${i + 1}`));
  const leaf = chain[0]!;
  let id;
  try {
    id = svidSpiffeId(leaf);
  } catch (e) {
    throw new Error(`${at(SVID_FILE)}: ${(e as Error).message}`, { cause: e });
  }
  if (leaf.ca) throw new Error(`${at(SVID_FILE)}: the leaf certificate is a CA (cA=true); an X509-SVID leaf must not be`);
  for (let i = 1; i < chain.length; i++) {
    if (!chain[i]!.ca) throw new Error(`${at(SVID_FILE)}: certificate ${i + 1} follows the leaf but is not a CA`);
    if (!signedBy(chain[i - 1]!, chain[i]!)) throw new Error(`${at(SVID_FILE)}: certificate ${i} is not signed by certificate ${i + 1}; the chain must be leaf first, then its issuers in order`);
  }
  if (leaf.validToDate.getTime() <= now.getTime()) throw new Error(`${at(SVID_FILE)}: the SVID expired at ${leaf.validToDate.toISOString()}`);

  const bundle = pemCertificates(t.bundle, at(BUNDLE_FILE)).map((der, i) => parseCert(der, `${at(BUNDLE_FILE)} certificate ${i + 1}`));
  bundle.forEach((c, i) => {
    if (!c.ca) throw new Error(`${at(BUNDLE_FILE)}: certificate ${i + 1} is not a CA (cA=false)`);
  });
  const top = chain[chain.length - 1]!;
  if (!bundle.some((ca) => signedBy(top, ca))) {
    throw new Error(`${at(SVID_FILE)}: the chain does not lead to any CA in ${at(BUNDLE_FILE)} (issuer '${top.issuer.replace(/\n/g, ', ')}')`);
  }

  const keyBlocks = pemBlocks(t.key, at(KEY_FILE));
  if (keyBlocks.length !== 1) throw new Error(`${at(KEY_FILE)}: holds ${keyBlocks.length} PEM blocks, expected one private key`);
  let key;
  try {
    key = createPrivateKey(t.key);
  } catch (e) {
    throw new Error(`${at(KEY_FILE)}: not an unencrypted private key (${(e as Error).message})`, { cause: e });
  }
  if (!leaf.checkPrivateKey(key)) throw new Error(`${at(KEY_FILE)}: the key does not match the certificate in ${at(SVID_FILE)}`);

  const bundleDer = Buffer.concat(bundle.map((c) => c.raw));
  return {
    spiffeId: id.id,
    trustDomain: id.trustDomain,
    svidDer: Buffer.concat(chain.map((c) => c.raw)),
    keyDer: key.export({ type: 'pkcs8', format: 'der' }),
    bundleDer,
    serial: leaf.serialNumber.toUpperCase(),
    notAfter: leaf.validToDate,
    hash: hashFiles(t),
    bundleHash: createHash('sha256').update(bundleDer).digest('hex'),
  };
}
