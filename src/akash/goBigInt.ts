/**
 * cosmos `math.Int` text parsing as Go does it: big.Int.UnmarshalText is SetString(s, 0), so a
 * ResourceValue `"val"` may carry a sign, a base prefix (0b, 0o, 0x, or a leading 0 for octal) and
 * `_` separators between digits; the whole text must be consumed; more than 256 bits overflows.
 */

const MAX_BITS = 256n;
const LIMIT = 1n << MAX_BITS; // |value| must be < 2^256

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
}

/** big.Int.SetString(s, 0); undefined when Go refuses the text. */
export function parseGoBigInt(s: string): bigint | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  // nat.scan with base 0
  let base = 10;
  let prefix = '';
  let prev: '.' | '0' | '_' = '.';
  let count = 0;
  if (s[i] === '0') {
    prev = '0';
    count = 1;
    i++;
    if (i < s.length) {
      const c = s[i];
      if (c === 'b' || c === 'B') [base, prefix] = [2, 'b'];
      else if (c === 'o' || c === 'O') [base, prefix] = [8, 'o'];
      else if (c === 'x' || c === 'X') [base, prefix] = [16, 'x'];
      else [base, prefix] = [8, '0'];
      count = 0;
      if (prefix !== '0') i++;
    }
  }
  let invalidSeparator = false;
  let digits = '';
  for (; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x5f /* _ */) {
      if (prev !== '0') invalidSeparator = true;
      prev = '_';
      continue;
    }
    if (digitValue(ch) >= base) break; // not part of the number: must be the end, checked below
    prev = '0';
    count++;
    digits += s[i];
  }
  if (i !== s.length) return undefined; // trailing characters
  if (invalidSeparator || prev === '_') return undefined;
  let value: bigint;
  if (count === 0) {
    if (prefix !== '0') return undefined; // no digits ("", "+", "0x")
    value = 0n; // just the octal prefix "0"
  } else if (digits === '') {
    value = 0n; // a lone "0"
  } else {
    value = BigInt(base === 10 ? digits : `0${prefix === '0' ? 'o' : prefix}${digits}`);
  }
  if (value >= LIMIT) return undefined; // bigIntOverflows: BitLen > 256
  return neg ? -value : value;
}
