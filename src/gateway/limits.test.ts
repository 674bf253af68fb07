import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './limits.ts';

describe('TokenBuckets', () => {
  it('allows a burst, then the rate, per key', () => {
    let t = 0;
    const b = new TokenBuckets({ ratePerSecond: 2, burst: 3, now: () => t });
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    expect(b.take('a')).toBe(1); // 1 token at 2/s: within a second
    expect(b.take('b')).toBe(0); // another tenant is not affected
    t += 500;
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBeGreaterThan(0);
  });

  it('says how long to wait, rounded up to whole seconds', () => {
    let t = 0;
    const b = new TokenBuckets({ ratePerSecond: 0.1, burst: 1, now: () => t });
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBe(10);
    t += 9_000;
    expect(b.take('a')).toBe(1);
  });

  it('keeps at most maxKeys buckets, dropping refilled ones first', () => {
    let t = 0;
    const b = new TokenBuckets({ ratePerSecond: 1, burst: 2, maxKeys: 10, now: () => t });
    for (let i = 0; i < 10; i++) b.take(`k${i}`);
    b.take('busy');
    b.take('busy');
    t += 60_000;
    b.take('busy'); // refills, then spends: not full
    for (let i = 0; i < 100; i++) b.take(`new${i}`);
    expect(b.size).toBeLessThanOrEqual(10);
  });

  it('refuses a rate or burst that would block everyone', () => {
    expect(() => new TokenBuckets({ ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond must be > 0/);
    expect(() => new TokenBuckets({ ratePerSecond: 1, burst: 0 })).toThrow(/burst >= 1/);
  });
});

describe('TokenBuckets.wait', () => {
  it('tells how long until a token without taking one', () => {
    let t = 0;
    const b = new TokenBuckets({ ratePerSecond: 0.5, burst: 2, now: () => t });
    expect(b.wait('k')).toBe(0); // unknown key: a full bucket
    b.take('k');
    b.take('k');
    expect(b.wait('k')).toBe(2);
    expect(b.wait('k')).toBe(2); // asking takes nothing
    t = 2000;
    expect(b.wait('k')).toBe(0);
    expect(b.take('k')).toBe(0);
  });
});
