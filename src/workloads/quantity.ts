/**
 * Exact resource arithmetic on integers (millicores, bytes, counts) with BigInt, and the canonical
 * Kubernetes quantity text for them. Floats never touch a resource value: the Go provider's
 * overcommit bug (reference/akash.md §6) was integer division in the wrong place, and float
 * rounding of byte counts above 2^53 is the next one waiting.
 */

/** requests = limit × 100 / (100 + pct), rounded half up, never 0 for a non-zero limit. */
export function committedRequest(limit: bigint, overcommitPct: number): bigint {
  if (!Number.isSafeInteger(overcommitPct) || overcommitPct < 0) {
    throw new RangeError(`overcommit percent must be a non-negative integer, got ${overcommitPct}`);
  }
  if (overcommitPct === 0 || limit === 0n) return limit;
  const denominator = BigInt(100 + overcommitPct);
  const rounded = (limit * 200n + denominator) / (2n * denominator);
  return rounded === 0n ? 1n : rounded;
}

const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * The canonical form the API server stores a DecimalSI quantity in (an integer mantissa and the
 * largest exponent that is a multiple of 3), so an applied object reads back identical: 1000 → 1k,
 * 1073741824 → 1073741824, 5000000000 → 5G.
 */
export function decimalQuantity(value: bigint): string {
  if (value < 0n) throw new RangeError(`quantity must not be negative, got ${value}`);
  if (value === 0n) return '0';
  let mantissa = value;
  let exp = 0;
  while (exp < DECIMAL_SUFFIXES.length - 1 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exp++;
  }
  return `${mantissa}${DECIMAL_SUFFIXES[exp]}`;
}

/** Millicores as a canonical CPU quantity: 500 → 500m, 2000 → 2. */
export function cpuQuantity(millis: bigint): string {
  return millis % 1000n === 0n ? decimalQuantity(millis / 1000n) : `${millis}m`;
}

/** The largest value a Kubernetes quantity holds exactly (int64). */
export const MAX_QUANTITY = 2n ** 63n - 1n;
