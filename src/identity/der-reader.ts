/**
 * A tiny DER reader: enough to take a certificate apart into the raw slices an issuer needs (subject
 * name, validity, public key, extensions) without re-encoding anything — an issuer name must be copied
 * byte-for-byte or path building breaks on names that differ only in string type.
 */
import { fail } from './errors.ts';
import { TAG } from './der.ts';

export interface Tlv {
  tag: number;
  /** offset of the tag octet */
  start: number;
  /** offset of the first content octet */
  contentStart: number;
  /** offset just past the content */
  end: number;
}

/** Reads one TLV at `offset`; definite lengths only (DER), at most 4 length octets. */
export function readTlv(buf: Uint8Array, offset: number, field = 'der'): Tlv {
  if (offset + 2 > buf.length) fail(field, 'der-truncated', `TLV header at ${offset} runs past the end (${buf.length} bytes)`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) fail(field, 'der-tag', `high-tag-number form at ${offset} is not supported`);
  const first = buf[offset + 1]!;
  let len = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0) fail(field, 'der-length', `indefinite length at ${offset} is not DER`);
    if (n > 4) fail(field, 'der-length', `length of ${n} octets at ${offset} is too large`);
    if (contentStart + n > buf.length) fail(field, 'der-truncated', `length octets at ${offset} run past the end`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[contentStart + i]!;
    contentStart += n;
    if (len < 0x80 || (n > 1 && buf[offset + 2] === 0)) fail(field, 'der-length', `non-minimal length at ${offset}`);
  }
  const end = contentStart + len;
  if (end > buf.length) fail(field, 'der-truncated', `content at ${offset} (${len} bytes) runs past the end (${buf.length} bytes)`);
  return { tag, start: offset, contentStart, end };
}

/** The TLVs directly inside a constructed TLV, in order. */
export function children(buf: Uint8Array, parent: Tlv, field = 'der'): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const t = readTlv(buf, at, field);
    if (t.end > parent.end) fail(field, 'der-truncated', `child at ${at} runs past its parent`);
    out.push(t);
    at = t.end;
  }
  return out;
}

const expectTag = (t: Tlv | undefined, tag: number, field: string, what: string): Tlv => {
  if (t === undefined || t.tag !== tag) fail(field, 'der-structure', `expected ${what} (tag 0x${tag.toString(16)}), got ${t === undefined ? 'nothing' : `tag 0x${t.tag.toString(16)}`}`);
  return t;
};

/** OID content octets → dotted string. */
export function decodeOid(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of content) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

export interface CertificateParts {
  /** the whole TBSCertificate TLV (what the signature covers) */
  tbs: Buffer;
  serial: Buffer;
  /** the issuer Name TLV, byte-exact */
  issuer: Buffer;
  /** the subject Name TLV, byte-exact */
  subject: Buffer;
  /** the SubjectPublicKeyInfo TLV */
  spki: Buffer;
  /** the subjectPublicKey BIT STRING content without its unused-bits octet (what SKI hashes) */
  publicKeyBits: Buffer;
  extensions: { oid: string; critical: boolean; value: Buffer }[];
}

/** Splits a DER certificate into its parts (RFC 5280 §4.1). Slices share memory with `der`. */
export function certificateParts(der: Uint8Array, field = 'certificate'): CertificateParts {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const cert = expectTag(readTlv(buf, 0, field), TAG.SEQUENCE, field, 'Certificate SEQUENCE');
  if (cert.end !== buf.length) fail(field, 'der-trailing', `${buf.length - cert.end} bytes after the certificate`);
  const tbsTlv = expectTag(children(buf, cert, field)[0], TAG.SEQUENCE, field, 'TBSCertificate SEQUENCE');
  const items = children(buf, tbsTlv, field);
  let i = items[0]?.tag === 0xa0 ? 1 : 0; // version is optional (v1)
  const slice = (t: Tlv): Buffer => buf.subarray(t.start, t.end);
  const serial = expectTag(items[i++], TAG.INTEGER, field, 'serialNumber');
  i++; // signature AlgorithmIdentifier
  const issuer = expectTag(items[i++], TAG.SEQUENCE, field, 'issuer Name');
  i++; // validity
  const subject = expectTag(items[i++], TAG.SEQUENCE, field, 'subject Name');
  const spki = expectTag(items[i++], TAG.SEQUENCE, field, 'SubjectPublicKeyInfo');
  const keyBits = expectTag(children(buf, spki, field)[1], TAG.BIT_STRING, field, 'subjectPublicKey');
  const extensions: CertificateParts['extensions'] = [];
  const extsTagged = items.slice(i).find((t) => t.tag === 0xa3);
  if (extsTagged !== undefined) {
    const list = expectTag(children(buf, extsTagged, field)[0], TAG.SEQUENCE, field, 'Extensions SEQUENCE');
    for (const ext of children(buf, list, field)) {
      const [id, second, third] = children(buf, expectTag(ext, TAG.SEQUENCE, field, 'Extension'), field);
      const oidTlv = expectTag(id, TAG.OID, field, 'extnID');
      const critical = second?.tag === TAG.BOOLEAN && buf[second.contentStart] === 0xff;
      const value = expectTag(second?.tag === TAG.BOOLEAN ? third : second, TAG.OCTET_STRING, field, 'extnValue');
      extensions.push({ oid: decodeOid(buf.subarray(oidTlv.contentStart, oidTlv.end)), critical, value: buf.subarray(value.contentStart, value.end) });
    }
  }
  return {
    tbs: slice(tbsTlv),
    serial: slice(serial),
    issuer: slice(issuer),
    subject: slice(subject),
    spki: slice(spki),
    publicKeyBits: buf.subarray(keyBits.contentStart + 1, keyBits.end),
    extensions,
  };
}

/** The subjectPublicKey bits of a SubjectPublicKeyInfo (for the RFC 5280 §4.2.1.2 key identifier). */
export function spkiPublicKeyBits(spki: Uint8Array, field = 'publicKey'): Buffer {
  const buf = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength);
  const outer = expectTag(readTlv(buf, 0, field), TAG.SEQUENCE, field, 'SubjectPublicKeyInfo');
  if (outer.end !== buf.length) fail(field, 'der-trailing', `${buf.length - outer.end} bytes after the SubjectPublicKeyInfo`);
  const bits = expectTag(children(buf, outer, field)[1], TAG.BIT_STRING, field, 'subjectPublicKey');
  return buf.subarray(bits.contentStart + 1, bits.end);
}
