import { describe, expect, it } from 'vitest';
import { IdentityError } from './errors.ts';
import { caSpiffeId, formatSpiffeId, parseServiceSpiffeId, parseSpiffeId, serviceSpiffeId, validateTrustDomain } from './spiffe-id.ts';

// a valid bech32 akash address (checksum verified by src/akash/leaseId.ts)
const OWNER = 'akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63';

const ruleOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof IdentityError) return e.rule;
    throw e;
  }
  return 'accepted';
};

describe('parseSpiffeId', () => {
  it.each([
    ['spiffe://example.org', { trustDomain: 'example.org', path: '' }],
    ['spiffe://example.org/a/b-c/d_e/F.g', { trustDomain: 'example.org', path: '/a/b-c/d_e/F.g' }],
    ['spiffe://10.0.0.1/x', { trustDomain: '10.0.0.1', path: '/x' }],
    ['spiffe://a_b-c.d/..a/.b', { trustDomain: 'a_b-c.d', path: '/..a/.b' }],
  ])('accepts %s', (s, want) => {
    expect(parseSpiffeId(s)).toEqual(want);
    expect(formatSpiffeId(want)).toBe(s);
  });

  it.each([
    ['', 'empty'],
    ['http://example.org/a', 'scheme'],
    ['SPIFFE://example.org/a', 'scheme'],
    ['spiffe:/example.org', 'scheme'],
    ['spiffe://', 'trust-domain-missing'],
    ['spiffe:///path', 'trust-domain-missing'],
    ['spiffe://Example.org', 'trust-domain-lowercase'],
    ['spiffe://exa$mple.org', 'trust-domain-charset'],
    ['spiffe://example.org:8443/a', 'port'],
    ['spiffe://user@example.org/a', 'userinfo'],
    ['spiffe://[::1]/a', 'trust-domain-ipv6'],
    ['spiffe://ex%41mple.org', 'percent-encoding'],
    ['spiffe://example.org/a?x=1', 'query'],
    ['spiffe://example.org/a#frag', 'fragment'],
    ['spiffe://example.org/', 'path-trailing-slash'],
    ['spiffe://example.org/a/', 'path-trailing-slash'],
    ['spiffe://example.org//a', 'path-empty-segment'],
    ['spiffe://example.org/a/./b', 'path-dot-segment'],
    ['spiffe://example.org/a/..', 'path-dot-segment'],
    ['spiffe://example.org/a%2Fb', 'percent-encoding'],
    ['spiffe://example.org/a b', 'path-charset'],
    ['spiffe://example.org/ä', 'path-charset'],
    [`spiffe://${'a'.repeat(256)}`, 'trust-domain-length'],
    [`spiffe://example.org/${'a'.repeat(2048)}`, 'length'],
  ])('refuses %j with rule %s', (s, rule) => {
    expect(ruleOf(() => parseSpiffeId(s))).toBe(rule);
  });

  it('accepts exactly 2048 bytes and a 255-byte trust domain', () => {
    const td = 'a'.repeat(255);
    const head = `spiffe://${td}/`;
    const id = head + 'b'.repeat(2048 - head.length);
    expect(Buffer.byteLength(id)).toBe(2048);
    expect(parseSpiffeId(id).trustDomain).toBe(td);
    expect(ruleOf(() => parseSpiffeId(`${id}b`))).toBe('length');
  });

  it('names the field in the message', () => {
    expect(() => parseSpiffeId('spiffe://x/a//b', 'status.spiffeId')).toThrow(/^status\.spiffeId: path must not contain empty segments \(rule path-empty-segment\)$/);
    expect(() => validateTrustDomain('A')).toThrow(/^trustDomain: /);
  });
});

describe('caSpiffeId', () => {
  it('is the trust domain with no path', () => {
    expect(caSpiffeId('example.org')).toBe('spiffe://example.org');
    expect(ruleOf(() => caSpiffeId('bad/td'))).toBe('trust-domain-charset');
  });
});

describe('serviceSpiffeId', () => {
  const lease = { owner: OWNER, dseq: '18446744073709551615', gseq: 1, oseq: 4294967295 };

  it('formats spiffe://<td>/lease/<owner>/<dseq>/<gseq>/<oseq>/<service> and parses back', () => {
    const id = serviceSpiffeId('provider.example', lease, 'web');
    expect(id).toBe(`spiffe://provider.example/lease/${OWNER}/18446744073709551615/1/4294967295/web`);
    expect(parseServiceSpiffeId(id)).toEqual({ trustDomain: 'provider.example', lease, service: 'web' });
    expect(serviceSpiffeId('provider.example', { ...lease, dseq: 18446744073709551615n }, 'web')).toBe(id);
  });

  it.each([
    ['owner not bech32', { owner: 'akash1notvalid' }, 'web', 'owner', 'address'],
    ['owner with another prefix', { owner: 'cosmos1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63' }, 'web', 'owner', 'address'],
    ['dseq 0', { dseq: '0' }, 'web', 'dseq', 'sequence'],
    ['dseq with leading zero', { dseq: '042' }, 'web', 'dseq', 'sequence'],
    ['dseq over uint64', { dseq: '18446744073709551616' }, 'web', 'dseq', 'sequence'],
    ['dseq not decimal', { dseq: '0x10' }, 'web', 'dseq', 'sequence'],
    ['gseq 0', { gseq: 0 }, 'web', 'gseq', 'sequence'],
    ['oseq over uint32', { oseq: 4294967296 }, 'web', 'oseq', 'sequence'],
    ['oseq fractional', { oseq: 1.5 }, 'web', 'oseq', 'sequence'],
    ['service with a slash', {}, 'a/b', 'service', 'path-charset'],
    ['empty service', {}, '', 'service', 'path-empty-segment'],
    ['dot service', {}, '..', 'service', 'path-dot-segment'],
  ])('refuses %s', (_name, change, service, field, rule) => {
    try {
      serviceSpiffeId('provider.example', { ...lease, ...change }, service);
      expect.unreachable('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(IdentityError);
      expect([(e as IdentityError).field, (e as IdentityError).rule]).toEqual([field, rule]);
    }
  });

  it.each([
    'spiffe://td/lease/x/1/1/1',
    'spiffe://td/other/akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63/1/1/1/web',
    'spiffe://td/lease/akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63/01/1/1/web',
  ])('parseServiceSpiffeId refuses %s', (id) => {
    expect(() => parseServiceSpiffeId(id)).toThrow(IdentityError);
  });
});
