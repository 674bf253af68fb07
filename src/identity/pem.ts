/** PEM (RFC 7468): the textual form of DER certificates and keys, as Secrets and files carry them. */
import { fail } from './errors.ts';

export interface PemBlock {
  label: string;
  der: Buffer;
}

/** `-----BEGIN <label>-----`, base64 in 64-character lines, `-----END <label>-----`, newline-terminated. */
export function toPem(der: Uint8Array, label: string): string {
  if (!/^[A-Z0-9]+( [A-Z0-9]+)*$/.test(label)) fail('label', 'pem-label', `must be upper-case words such as CERTIFICATE or PRIVATE KEY, got ${JSON.stringify(label)}`);
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The blocks of a PEM text, in order; text between blocks (explanatory comments) is ignored, as RFC
 * 7468 allows. Mismatched labels, a BEGIN without END, or bad base64 are errors rather than silently
 * shorter lists, because that is what a half-written or corrupted file looks like.
 */
export function pemBlocks(text: string, field = 'pem'): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [, begin, body, end] = m as unknown as [string, string, string, string];
    const n = blocks.length + 1;
    if (begin !== end) fail(field, 'pem-label', `block ${n} begins with ${JSON.stringify(begin)} but ends with ${JSON.stringify(end)}`);
    const b64 = body.replace(/\s+/g, '');
    if (!BASE64.test(b64) || b64.length % 4 !== 0) fail(field, 'pem-base64', `block ${n} (${begin}) is not valid base64`);
    blocks.push({ label: begin, der: Buffer.from(b64, 'base64') });
  }
  const begins = text.match(/-----BEGIN /g)?.length ?? 0;
  if (begins !== blocks.length) fail(field, 'pem-truncated', `${begins - blocks.length} of ${begins} PEM blocks have no matching END line`);
  return blocks;
}

/** The DER certificates of a PEM text: at least one, and nothing but CERTIFICATE blocks. */
export function pemCertificates(text: string, field = 'pem'): Buffer[] {
  const blocks = pemBlocks(text, field);
  if (blocks.length === 0) fail(field, 'pem-empty', 'no CERTIFICATE block found');
  return blocks.map((b, i) => {
    if (b.label !== 'CERTIFICATE') fail(field, 'pem-label', `block ${i + 1} is ${JSON.stringify(b.label)}, expected "CERTIFICATE"`);
    return b.der;
  });
}

/** Concatenated PEM of several DER certificates (a chain or a bundle). */
export const certificatesToPem = (ders: readonly Uint8Array[]): string => ders.map((d) => toPem(d, 'CERTIFICATE')).join('');
