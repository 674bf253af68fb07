import { describe, expect, it } from 'vitest';
import { base32HexLower, leaseIdString, leaseNamespace, staticIngressHost } from './namespace.ts';

// reference/akash.md §4.1 (verified against a real cluster in akash-network/support#33) and §4.2.
const ID = {
  owner: 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev',
  dseq: '6194991',
  gseq: 1,
  oseq: 1,
  provider: 'akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0',
};

describe('lease names', () => {
  it('lease id string is owner/dseq/gseq/oseq/provider', () => {
    expect(leaseIdString(ID)).toBe('akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev/6194991/1/1/akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0');
    expect(leaseIdString({ ...ID, dseq: 18446744073709551615n })).toContain('/18446744073709551615/');
  });

  it('namespace matches the Akash test vector', () => {
    expect(leaseNamespace(ID)).toBe('i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4');
    expect(leaseNamespace({ ...ID, dseq: 6194991 })).toBe('i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4');
  });

  it('namespace differs per order and is always a 45-character DNS label', () => {
    const a = leaseNamespace(ID);
    const b = leaseNamespace({ ...ID, oseq: 2 });
    expect(a).not.toBe(b);
    for (const ns of [a, b]) expect(ns).toMatch(/^[0-9a-v]{45}$/);
  });

  it('namespace stays right past its memo\'s bound (the memo empties itself and fills again)', () => {
    const want = leaseNamespace(ID);
    for (let dseq = 1; dseq <= 9000; dseq++) leaseNamespace({ ...ID, dseq });
    expect(leaseNamespace(ID)).toBe(want);
    expect(leaseNamespace({ ...ID, dseq: 6194991n })).toBe('i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4');
  });

  it('static ingress host matches the Go provider', () => {
    expect(staticIngressHost(ID, 'web', 'ingress.example.com')).toBe('7m3t84m6idb217f1bcciffrdls.ingress.example.com');
  });

  it.each([
    ['', ''],
    ['f', 'co'],
    ['fo', 'cpng'],
    ['foo', 'cpnmu'],
    ['foob', 'cpnmuog'],
    ['fooba', 'cpnmuoj1'],
    ['foobar', 'cpnmuoj1e8'],
  ])('base32hex of %j is %j (RFC 4648 vectors, lowercase, unpadded)', (input, want) => {
    expect(base32HexLower(Buffer.from(input))).toBe(want);
  });
});
