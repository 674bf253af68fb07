/**
 * Go's strconv and numeric conversions, as Akash's Go SDL code and gopkg.in/yaml.v3 use them.
 * Each parser returns undefined where Go returns an error.
 */

/** strconv: underscores must separate digits (or a base prefix and a digit). */
function underscoreOK(s: string): boolean {
  let saw: '^' | '0' | '_' | '!' = '^';
  let i = 0;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseUint(s, base, 64) for base 0 or 10. */
export function parseGoUint(s: string, base: 0 | 10 | 2 | 8): bigint | undefined {
  if (s === '') return undefined;
  let digits = s;
  let b: number = base;
  if (base === 0) {
    b = 10;
    if (s[0] === '0') {
      if (s.length >= 3 && (s[1] === 'x' || s[1] === 'X')) [b, digits] = [16, s.slice(2)];
      else if (s.length >= 3 && (s[1] === 'o' || s[1] === 'O')) [b, digits] = [8, s.slice(2)];
      else if (s.length >= 3 && (s[1] === 'b' || s[1] === 'B')) [b, digits] = [2, s.slice(2)];
      else [b, digits] = [8, s.slice(1)];
    }
    if (s.includes('_')) {
      if (!underscoreOK(s)) return undefined;
      digits = digits.replaceAll('_', '');
    }
  }
  if (digits === '') return base === 0 && s === '0' ? 0n : undefined;
  const alphabet = '0123456789abcdef'.slice(0, b);
  let v = 0n;
  for (const c of digits.toLowerCase()) {
    const d = alphabet.indexOf(c);
    if (d < 0) return undefined;
    v = v * BigInt(b) + BigInt(d);
  }
  return v <= UINT64_MAX ? v : undefined;
}

/** strconv.ParseInt(s, base, 64). */
export function parseGoInt(s: string, base: 0 | 10 | 2 | 8): bigint | undefined {
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    body = s.slice(1);
  }
  const u = parseGoUint(body, base);
  if (u === undefined) return undefined;
  const v = neg ? -u : u;
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

const DECIMAL_FLOAT = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9]+)$/;
const SPECIAL = /^(?:([+-]?)(inf|infinity)|(nan))$/i;

/** strconv.ParseFloat(s, 64). Overflow (±Inf from finite text) is an error in Go. */
export function parseGoFloat(s: string): number | undefined {
  const special = SPECIAL.exec(s);
  if (special) {
    if (special[3] !== undefined) return NaN; // Go takes no sign before "nan"
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const hex = HEX_FLOAT.exec(s);
  if (hex) {
    if (s.includes('_') && !underscoreOK(s.slice(0, s.search(/[pP]/)))) return undefined;
    const intPart = hex[2]!.replaceAll('_', '');
    const frac = (hex[3] ?? '').replaceAll('_', '');
    if (intPart === '' && frac === '') return undefined;
    const mantissa = BigInt(`0x${intPart}${frac}` === '0x' ? '0' : `0x${intPart}${frac}`);
    const exp = Number(hex[4]) - 4 * frac.length;
    const v = Number(mantissa) * 2 ** exp;
    if (!Number.isFinite(v)) return undefined;
    return hex[1] === '-' ? -v : v;
  }
  if (!DECIMAL_FLOAT.test(s)) return undefined;
  if (s.includes('_') && !underscoreOK(s)) return undefined;
  const clean = s.replaceAll('_', '');
  if (!/[0-9]/.test(clean.split(/[eE]/)[0]!)) return undefined;
  const v = Number(clean);
  if (!Number.isFinite(v)) return undefined; // ErrRange
  return v;
}

/** strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

const TWO_63 = 2 ** 63;

/** uint64(f) as compiled for amd64 (the provider's platform): out of range gives 2^63. */
export function goFloatToUint64(f: number): bigint {
  if (Number.isNaN(f) || f >= TWO_63) return 1n << 63n;
  if (f < TWO_63 && f > -1) return BigInt(Math.trunc(f) || 0);
  // negative: int64 conversion, reinterpreted
  const i = f <= -TWO_63 ? -(1n << 63n) : BigInt(Math.trunc(f));
  return BigInt.asUintN(64, i);
}

/** uint32(f) as compiled for amd64: the low 32 bits of the int64 conversion. */
export function goFloatToUint32(f: number): number {
  if (Number.isNaN(f) || !Number.isFinite(f) || f >= TWO_63 || f < -TWO_63) return 0;
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(f))));
}
