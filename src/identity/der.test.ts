/** DER encodings checked against hand-computed X.690 vectors, and read back by the DER reader. */
import { describe, expect, it } from 'vitest';
import { bitString, boolean, encodeLength, explicit, implicitPrimitive, integer, integerFromBytes, namedBits, octetString, oid, printableString, sequence, set, time, tlv, utf8String } from './der.ts';
import { certificateParts, children, decodeOid, readTlv } from './der-reader.ts';

const hex = (b: Buffer): string => b.toString('hex');
const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('DER encoder', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, '8180'],
    [255, '81ff'],
    [256, '820100'],
    [65535, '82ffff'],
    [65536, '83010000'],
  ])('length %i → %s', (n, want) => expect(hex(encodeLength(n))).toBe(want));

  it('wraps long content with a long-form length', () => {
    const t = tlv(0x04, Buffer.alloc(200, 1));
    expect(hex(t.subarray(0, 3))).toBe('0481c8');
    expect(t.length).toBe(203);
  });

  it.each([
    [[], '020100'],
    [[0], '020100'],
    [[0, 0, 0], '020100'],
    [[1], '020101'],
    [[0x7f], '02017f'],
    [[0x80], '02020080'],
    [[0, 0, 0x80], '02020080'],
    [[0, 0x7f, 0xff], '02027fff'],
    [[0xff, 0xff], '020300ffff'],
  ])('integerFromBytes %j → %s', (bytes, want) => expect(hex(integerFromBytes(Uint8Array.from(bytes)))).toBe(want));

  it('integer(n)', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(65536))).toBe('0203010000');
    expect(() => integer(-1)).toThrow(/rule der-integer/);
  });

  it.each([
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'],
    ['1.2.840.113549.1.1.11', '06092a864886f70d01010b'],
    ['2.5.29.19', '0603551d13'],
    ['1.3.6.1.5.5.7.3.1', '06082b06010505070301'],
    ['2.999.3', '0603883703'],
    ['0.0', '060100'],
  ])('oid %s', (dotted, want) => {
    const der = oid(dotted);
    expect(hex(der)).toBe(want);
    expect(decodeOid(der.subarray(2))).toBe(dotted);
  });

  it.each(['1', '3.1', '1.40', '1.2.03', '1..2', ''])('refuses OID %j', (s) => expect(() => oid(s)).toThrow(/rule oid-syntax/));

  it.each([
    [[], '030100'],
    [[0], '03020780'],
    [[0, 2, 4], '030203a8'],
    [[5, 6], '03020106'],
    [[7], '03020001'],
    [[8], '0303070080'],
    [[0, 15], '0303008001'],
  ])('namedBits %j → %s (trailing zero bits dropped)', (bits, want) => expect(hex(namedBits(bits))).toBe(want));

  it('primitives', () => {
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(boolean(false))).toBe('010100');
    expect(hex(octetString(h('abcd')))).toBe('0402abcd');
    expect(hex(bitString(h('abcd')))).toBe('030300abcd');
    expect(hex(utf8String('é'))).toBe('0c02c3a9');
    expect(hex(printableString('US'))).toBe('13025553');
    expect(() => printableString('a_b')).toThrow(/rule der-charset/);
    expect(hex(explicit(0, integer(2)))).toBe('a003020102');
    expect(hex(implicitPrimitive(6, Buffer.from('a')))).toBe('860161');
    expect(hex(sequence())).toBe('3000');
  });

  it('SET OF sorts its elements by encoding', () => {
    expect(hex(set(h('0201ff'), h('020101'), h('0101ff')))).toBe('31090101ff0201010201ff');
  });

  it.each([
    ['2026-03-01T12:34:56Z', '170d3236303330313132333435365a'],
    ['1950-01-01T00:00:00Z', '170d3530303130313030303030305a'],
    ['2049-12-31T23:59:59Z', '170d3439313233313233353935395a'],
    ['2050-01-01T00:00:00Z', '180f32303530303130313030303030305a'],
    ['1949-12-31T23:59:59Z', '180f31393439313233313233353935395a'],
    ['9999-12-31T23:59:59Z', '180f39393939313233313233353935395a'],
  ])('time %s: UTCTime before 2050, GeneralizedTime otherwise', (iso, want) => expect(hex(time(new Date(iso)))).toBe(want));

  it('time truncates milliseconds and refuses invalid dates', () => {
    expect(hex(time(new Date('2026-03-01T12:34:56.999Z')))).toBe(hex(time(new Date('2026-03-01T12:34:56Z'))));
    expect(() => time(new Date(NaN), 'notAfter')).toThrow(/^notAfter: .*rule time-invalid/);
    expect(() => time(new Date('+010000-01-01T00:00:00Z'))).toThrow(/rule time-range/);
  });
});

describe('DER reader', () => {
  it('reads nested TLVs back', () => {
    const der = sequence(integer(5), sequence(oid('2.5.29.19'), boolean(true)), octetString(Buffer.alloc(300)));
    const top = readTlv(der, 0);
    expect(top.end).toBe(der.length);
    const kids = children(der, top);
    expect(kids.map((k) => k.tag)).toEqual([0x02, 0x30, 0x04]);
    expect(kids[2]!.end - kids[2]!.contentStart).toBe(300);
  });

  it.each([
    ['truncated header', '30', 'der-truncated'],
    ['content past the end', '3005020101', 'der-truncated'],
    ['indefinite length', '3080', 'der-length'],
    ['non-minimal long form', '30810100', 'der-length'],
    ['leading zero length octet', '3082000100', 'der-length'],
    ['high tag number', '1f0100', 'der-tag'],
  ])('refuses %s', (_n, bytes, rule) => expect(() => readTlv(h(bytes), 0)).toThrow(new RegExp(`rule ${rule}`)));

  it('refuses trailing bytes and non-certificates', () => {
    expect(() => certificateParts(h('3000ff'))).toThrow(/rule der-trailing/);
    expect(() => certificateParts(h('0400'))).toThrow(/rule der-structure/);
  });
});
