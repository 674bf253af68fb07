import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import { bech32Decode } from './bech32.ts';
import { type LeaseId, formatLeaseId, isAkashAddress, parseLeaseId } from './leaseId.ts';
import { base32HexLower, leaseNamespace, staticIngressHost } from './namespace.ts';

const OWNER = 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev';
const PROVIDER = 'akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0';
const VECTOR = `${OWNER}/6194991/1/1/${PROVIDER}`;

describe('lease namespace', () => {
  it('matches the namespace a real Go provider created (support#33)', () => {
    expect(leaseNamespace(parseLeaseId(VECTOR))).toBe('i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4');
  });

  it('is a 45-character DNS-1123 label', () => {
    const ns = leaseNamespace(parseLeaseId(VECTOR));
    expect(ns).toHaveLength(45);
    expect(ns).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('depends on every part of the id but not on bseq', () => {
    const base = parseLeaseId(VECTOR);
    const names = new Set([base, { ...base, dseq: 6194992n }, { ...base, gseq: 2 }, { ...base, oseq: 2 }].map(leaseNamespace));
    expect(names.size).toBe(4);
    const withBseq: LeaseId = { ...base, bseq: 3 };
    expect(leaseNamespace(withBseq)).toBe(leaseNamespace(base));
  });
});

describe('lease ids', () => {
  it('round-trips and normalizes leading zeros as Go prints numbers', () => {
    expect(formatLeaseId(parseLeaseId(VECTOR))).toBe(VECTOR);
    expect(formatLeaseId(parseLeaseId(`${OWNER}/0006194991/01/1/${PROVIDER}`))).toBe(VECTOR);
  });

  it.each([
    [`${OWNER}/0/1/1/${PROVIDER}`, 'dseq'],
    [`${OWNER}/1/0/1/${PROVIDER}`, 'gseq'],
    [`${OWNER}/1/1/0/${PROVIDER}`, 'oseq'],
    [`${OWNER}/1/4294967296/1/${PROVIDER}`, 'gseq'],
    [`${OWNER}/18446744073709551616/1/1/${PROVIDER}`, 'dseq'],
    [`${OWNER}/-1/1/1/${PROVIDER}`, 'dseq'],
    [`${OWNER}/1e3/1/1/${PROVIDER}`, 'dseq'],
    [`${OWNER}/1/1/1/${OWNER}`, 'provider'],
    [`cosmos1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev/1/1/1/${PROVIDER}`, 'owner'],
    [`${OWNER.slice(0, -1)}x/1/1/1/${PROVIDER}`, 'owner'],
    [`${OWNER}/1/1/1/${PROVIDER.toUpperCase().slice(0, 10)}${PROVIDER.slice(10)}`, 'provider'],
  ])('refuses %s (%s)', (text, path) => {
    try {
      parseLeaseId(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).problems.map((p) => p.path)).toContain(path);
    }
  });

  it('refuses a wrong number of parts', () => {
    expect(() => parseLeaseId(`${OWNER}/1/1/1`)).toThrow(/OWNER\/DSEQ\/GSEQ\/OSEQ\/PROVIDER/);
  });

});

describe('bech32', () => {
  it('decodes 20-byte account addresses, upper case too', () => {
    expect(bech32Decode(OWNER)?.bytes).toHaveLength(20);
    expect(isAkashAddress(OWNER.toUpperCase())).toBe(true);
  });

  it('refuses a bad checksum, mixed case and a bad character', () => {
    expect(isAkashAddress(`${OWNER.slice(0, -1)}${OWNER.endsWith('v') ? 'w' : 'v'}`)).toBe(false);
    expect(isAkashAddress(`A${OWNER.slice(1)}`)).toBe(false);
    expect(isAkashAddress(OWNER.replace('n', 'b'))).toBe(false);
  });
});

describe('static ingress host', () => {
  it('is the base32hex of a UUID v5 over the lease id and service name', () => {
    expect(staticIngressHost(parseLeaseId(VECTOR), 'web', 'ingress.example.com')).toBe('7m3t84m6idb217f1bcciffrdls.ingress.example.com');
  });

  it('encodes base32hex without padding', () => {
    expect(base32HexLower(new Uint8Array([]))).toBe('');
    expect(base32HexLower(new TextEncoder().encode('foobar'))).toBe('cpnmuoj1e8'); // RFC 4648 §10: CPNMUOJ1E8======
  });
});
