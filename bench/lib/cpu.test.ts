import { describe, expect, it } from 'vitest';
import { cpuDelta, cpuSeconds, parseStatTicks } from './cpu.ts';

describe('parseStatTicks', () => {
  it('adds utime and stime (fields 14 and 15)', () => {
    const line = '4242 (kube-apiserver) S 1 4242 4242 0 -1 4194560 90000 0 0 0 21800 3100 0 0 20 0 14 0 100 2000000 30000';
    expect(parseStatTicks(line)).toBe(24900);
  });
  it('counts fields after the last parenthesis, whatever the command name holds', () => {
    const line = '77 (a (b) c) R 1 77 77 0 -1 0 0 0 0 0 5 7 0 0 20 0 1 0 1 1 1';
    expect(parseStatTicks(line)).toBe(12);
  });
  it('refuses a line without those fields', () => {
    expect(() => parseStatTicks('1 (x) S 1')).toThrow(/unexpected \/proc stat line/);
  });
});

describe('cpuSeconds', () => {
  it('reads this process, and grows with work', () => {
    const a = cpuSeconds(process.pid);
    const until = Date.now() + 60;
    while (Date.now() < until);
    expect(cpuSeconds(process.pid)).toBeGreaterThan(a);
  });
});

describe('cpuDelta', () => {
  it('subtracts per name and counts a new name from zero', () => {
    const d = cpuDelta(new Map([['etcd', 2]]), new Map([['etcd', 5], ['operator', 1.5]]));
    expect(Object.fromEntries(d)).toEqual({ etcd: 3, operator: 1.5 });
  });
});
