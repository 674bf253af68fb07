import { describe, expect, it } from 'vitest';
import { committedRequest, cpuQuantity, decimalQuantity } from './quantity.ts';

describe('committedRequest', () => {
  it.each([
    // limit, overcommit %, request
    [1000n, 0, 1000n],
    [1000n, 100, 500n],
    // 50 % is the case the Go provider's integer division turns into "no overcommit".
    [1000n, 50, 667n],
    [1500n, 50, 1000n],
    [1n, 300, 1n], // never 0 for a non-zero limit
    [0n, 50, 0n],
    [3n, 100, 2n], // 1.5 rounds half up
    // Above 2^53 a float would lose the last digits.
    [9007199254740993n * 2n, 100, 9007199254740993n],
    [(2n ** 63n - 1n), 25, 7378697629483820646n],
  ])('limit %s at %i %% → %s', (limit, pct, want) => {
    expect(committedRequest(limit, pct)).toBe(want);
  });

  it('refuses a negative or fractional percent', () => {
    expect(() => committedRequest(1n, -1)).toThrow(RangeError);
    expect(() => committedRequest(1n, 1.5)).toThrow(RangeError);
  });
});

describe('canonical quantities', () => {
  it.each([
    [0n, '0'],
    [999n, '999'],
    [1000n, '1k'],
    [1500n, '1500'],
    [1500000n, '1500k'],
    [1073741824n, '1073741824'],
    [5000000000n, '5G'],
    [10n ** 21n, '1000E'],
  ])('decimal %s → %s', (v, want) => {
    expect(decimalQuantity(v)).toBe(want);
  });

  it.each([
    [500n, '500m'],
    [1000n, '1'],
    [1500n, '1500m'],
    [2000000n, '2k'],
    [1n, '1m'],
  ])('cpu %s millicores → %s', (v, want) => {
    expect(cpuQuantity(v)).toBe(want);
  });
});
