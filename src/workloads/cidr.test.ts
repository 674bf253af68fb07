import { describe, expect, it } from 'vitest';
import { parseCidr } from './cidr.ts';

describe('parseCidr', () => {
  it.each([
    ['10.244.0.0/16', 4],
    [' 10.96.0.0/12 ', 4],
    ['0.0.0.0/0', 4],
    ['fd00:10:244::/56', 6],
    ['::/0', 6],
    ['2001:db8::1/128', 6],
    ['1:2:3:4:5:6:7:8/64', 6],
  ])('%j is IPv%i', (text, family) => {
    expect(parseCidr(text)?.family).toBe(family);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', 'fd00::/129', '1:2:3:4:5:6:7:8:9/64', 'fd00:::1/64', 'example.com/8', '10.0.0.0/a'])('%j is not a CIDR', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});
