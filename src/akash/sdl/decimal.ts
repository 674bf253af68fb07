/**
 * cosmos LegacyDec (18 decimal places) as Akash's SDL code parses prices, and sdk.ValidateDenom.
 * A LegacyDec is held as a bigint of 10^-18 units.
 */

export type LegacyDec = bigint;

const PRECISION = 18;
const UPPER = (1n << 256n) * 10n ** 18n - 1n;

/** math.LegacyNewDecFromStr; undefined where Go returns an error. */
export function parseLegacyDec(input: string): LegacyDec | undefined {
  let str = input;
  let neg = false;
  if (str[0] === '-') {
    neg = true;
    str = str.slice(1);
  }
  if (str === '') return undefined;
  const parts = str.split('.');
  if (parts.length > 2) return undefined;
  let combined = parts[0]!;
  let decimals = 0;
  if (parts.length === 2) {
    decimals = parts[1]!.length;
    if (decimals === 0 || combined.length === 0) return undefined;
    combined += parts[1]!;
  }
  if (decimals > PRECISION) return undefined;
  combined += '0'.repeat(PRECISION - decimals);
  // big.Int.SetString(combined, 10): an optional sign, then decimal digits only
  const m = /^([+-]?)([0-9]+)$/.exec(combined);
  if (!m) return undefined;
  let v = BigInt(m[2]!);
  if (m[1] === '-') v = -v;
  if (neg) v = -v;
  if (v > UPPER || v < -UPPER) return undefined;
  return v;
}

/** LegacyDec.String(): always 18 decimals. */
export function formatLegacyDec(v: LegacyDec): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(PRECISION + 1, '0');
  const text = `${digits.slice(0, -PRECISION)}.${digits.slice(-PRECISION)}`;
  return neg ? `-${text}` : text;
}

const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;

/** sdk.ValidateDenom. */
export const isValidDenom = (denom: string): boolean => DENOM.test(denom);
