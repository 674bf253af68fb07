/**
 * A minimal DER encoder (X.690) for the handful of types an X.509 certificate needs. Every function
 * returns a complete TLV as a Buffer, so a certificate is built by concatenating buffers; values that
 * never change per CA are encoded once and reused (see issuer.ts).
 */
import { fail } from './errors.ts';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** The length octets: short form below 128, else 0x80|n followed by n big-endian bytes (minimal). */
export function encodeLength(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) fail('length', 'der-length', `must be a non-negative integer, got ${n}`);
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-octet tag (all tags used here are low-tag-number form). */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  let len = 0;
  for (const c of content) len += c.length;
  const head = len < 0x80 ? Buffer.from([tag, len]) : Buffer.concat([Buffer.from([tag]), encodeLength(len)]);
  return Buffer.concat([head, ...content], head.length + len);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(TAG.SEQUENCE, ...items);

/** SET OF: DER orders the elements by their encodings (X.690 §11.6). */
export const set = (...items: Uint8Array[]): Buffer => tlv(TAG.SET, ...[...items].sort((a, b) => Buffer.compare(a, b)));

export const boolean = (v: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 1, v ? 0xff : 0x00]);

export const nullValue = (): Buffer => Buffer.from([TAG.NULL, 0]);

/**
 * INTEGER from an unsigned big-endian magnitude: leading zero octets are dropped (DER is minimal) and
 * one 0x00 is prepended when the top bit is set, so the value stays positive.
 */
export function integerFromBytes(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.subarray(i);
  if (body.length === 0) return Buffer.from([TAG.INTEGER, 1, 0]);
  return (body[0]! & 0x80) !== 0 ? tlv(TAG.INTEGER, Buffer.from([0]), body) : tlv(TAG.INTEGER, body);
}

/** INTEGER from a non-negative safe integer (versions, path lengths). */
export function integer(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) fail('integer', 'der-integer', `must be a non-negative safe integer, got ${n}`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return integerFromBytes(Uint8Array.from(bytes));
}

/** OBJECT IDENTIFIER from dotted form: first two arcs packed as 40·a+b, then base-128 arcs. */
export function oid(dotted: string): Buffer {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(dotted)) fail('oid', 'oid-syntax', `must be dotted decimal with at least two arcs, got ${JSON.stringify(dotted)}`);
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [a, b] = arcs as [bigint, bigint];
  if (a < 2n && b > 39n) fail('oid', 'oid-syntax', `second arc must be ≤ 39 under arc ${a}, got ${dotted}`);
  const out: number[] = [];
  for (const arc of [a * 40n + b, ...arcs.slice(2)]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

export const octetString = (bytes: Uint8Array): Buffer => tlv(TAG.OCTET_STRING, bytes);

/** BIT STRING of whole octets (keys, signatures): the unused-bits octet is 0. */
export const bitString = (bytes: Uint8Array): Buffer => tlv(TAG.BIT_STRING, Buffer.from([0]), bytes);

/**
 * BIT STRING for a NamedBitList (KeyUsage): bit 0 is the most significant bit of the first octet, and
 * DER drops trailing zero bits (X.690 §11.2.2), recording how many bits of the last octet are unused.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.some((b) => !Number.isInteger(b) || b < 0 || b > 63)) fail('bits', 'der-bit', `named bits must be integers in 0..63, got ${bits.join(',')}`);
  if (bits.length === 0) return Buffer.from([TAG.BIT_STRING, 1, 0]);
  const highest = Math.max(...bits);
  const octets = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) octets[b >> 3]! |= 0x80 >> (b & 7);
  return tlv(TAG.BIT_STRING, Buffer.from([7 - (highest & 7)]), octets);
}

export const utf8String = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));

export const ia5String = (s: string): Buffer => {
  if (!/^\p{ASCII}*$/u.test(s)) fail('ia5String', 'der-charset', `must be ASCII, got ${JSON.stringify(s)}`);
  return tlv(TAG.IA5_STRING, Buffer.from(s, 'latin1'));
};

/** PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ? only (X.680 §41.4). */
export const printableString = (s: string): Buffer => {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) fail('printableString', 'der-charset', `PrintableString allows A-Z a-z 0-9 space ' ( ) + , - . / : = ?, got ${JSON.stringify(s)}`);
  return tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
};

/** Context-specific constructed tag [n] wrapping complete TLVs (EXPLICIT tagging). */
export const explicit = (n: number, ...inner: Uint8Array[]): Buffer => tlv(0xa0 | contextNumber(n), ...inner);

/** Context-specific primitive tag [n] over raw content octets (IMPLICIT tagging of a primitive type). */
export const implicitPrimitive = (n: number, content: Uint8Array): Buffer => tlv(0x80 | contextNumber(n), content);

function contextNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) fail('tag', 'der-tag', `context tag number must be 0..30, got ${n}`);
  return n;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * A certificate time per RFC 5280 §4.1.2.5: UTCTime (YYMMDDHHMMSSZ) for 1950–2049, GeneralizedTime
 * (YYYYMMDDHHMMSSZ) otherwise; always UTC, always seconds, never fractions — so milliseconds are
 * truncated (callers wanting exact round trips pass whole seconds).
 */
export function time(d: Date, field = 'time'): Buffer {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) fail(field, 'time-invalid', 'must be a valid date');
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) fail(field, 'time-range', `year must be 0..9999, got ${y}`);
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${pad2(y % 100)}${rest}`, 'latin1'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${String(y).padStart(4, '0')}${rest}`, 'latin1'));
}
