import { describe, expect, it } from 'vitest';
import { claimsFor, nowSeconds, signJwt, tamper, tenantKey } from '../testing.ts';
import { StaticAccountKeys } from './account-keys.ts';
import { verifyJwt, type VerifiedClaims } from './jwt.ts';
import { VerifiedTokens } from './token-cache.ts';

const alice = tenantKey();
const mallory = tenantKey();

function setup() {
  const keys = new StaticAccountKeys({ [alice.address]: alice.publicKey, [mallory.address]: mallory.publicKey });
  const cache = new VerifiedTokens<VerifiedClaims>();
  const verify = (token: string, now = nowSeconds()) => verifyJwt(token, { keys, now, skewSeconds: 30, cache });
  const refusal = (token: string, now?: number) => verify(token, now).then(() => 'accepted', (e: { code: string }) => e.code);
  return { keys, cache, verify, refusal };
}

describe('verified token cache', () => {
  it('answers a repeated token from the cache, without verifying its signature again', async () => {
    const { cache, verify } = setup();
    const token = signJwt(alice, claimsFor(alice.address));
    const first = await verify(token);
    expect(cache.size).toBe(1);
    expect(await verify(token)).toBe(first); // the cached claims object itself
    // Proof that a hit skips the signature: an entry planted for a token signed by nobody is used.
    const unsigned = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    cache.set(unsigned, { claims: first, key: alice.publicKey });
    await expect(verify(unsigned)).resolves.toBe(first);
  });

  it('never hits with a tampered token: any change is another string, verified in full', async () => {
    const { cache, refusal } = setup();
    const token = signJwt(alice, claimsFor(alice.address, { leases: { access: 'scoped', scope: ['status'] } }));
    expect(await refusal(token)).toBe('accepted');
    expect(await refusal(tamper(token, claimsFor(alice.address)))).toBe('token_signature');
    expect(await refusal(`${token}x`)).toBe('token_signature');
    // Mallory's token relabelled as Alice's.
    expect(await refusal(tamper(signJwt(mallory, claimsFor(mallory.address)), claimsFor(alice.address)))).toBe('token_signature');
    expect(cache.size).toBe(1); // failures are not remembered
  });

  it('re-checks exp and nbf against the clock on every hit, and drops an expired entry', async () => {
    const { cache, refusal } = setup();
    const now = nowSeconds();
    const token = signJwt(alice, claimsFor(alice.address, { iat: now, nbf: now, exp: now + 900 }));
    expect(await refusal(token, now)).toBe('accepted');
    expect(await refusal(token, now + 900 + 30)).toBe('accepted'); // within the skew
    expect(await refusal(token, now - 31)).toBe('token_not_yet_valid'); // the clock went back
    expect(cache.size).toBe(0);
    expect(await refusal(token, now)).toBe('accepted'); // verified in full again, and cached again
    expect(cache.size).toBe(1);
    expect(await refusal(token, now + 900 + 31)).toBe('token_expired');
    expect(cache.size).toBe(0);
    expect(await refusal(token, now + 900 + 31)).toBe('token_expired'); // and the full path agrees
  });

  it('stops answering from the cache once the issuer key is no longer registered', async () => {
    const { keys, cache, refusal } = setup();
    const token = signJwt(alice, claimsFor(alice.address));
    expect(await refusal(token)).toBe('accepted');
    keys.set(alice.address, mallory.publicKey); // a wrong entry: not alice's key any more
    expect(await refusal(token)).toBe('unknown_issuer');
    expect(cache.size).toBe(0);
  });

  it('hands out frozen claims: a request cannot change what the next one sees', async () => {
    const { verify } = setup();
    const claims = await verify(signJwt(alice, claimsFor(alice.address, { leases: { access: 'scoped', scope: ['status'] } })));
    expect(() => ((claims as { iss: string }).iss = mallory.address)).toThrow(TypeError);
    expect(() => (claims.leases as { scope: string[] }).scope.push('shell')).toThrow(TypeError);
  });
});

describe('VerifiedTokens bounds', () => {
  const entry = (iss: string) => ({ claims: { iss, iat: 0, nbf: 0, exp: 1, version: 'v1' as const, leases: { access: 'full' as const } }, key: Buffer.alloc(33) });

  it('evicts the least recently used entry when full', () => {
    const cache = new VerifiedTokens({ maxEntries: 2 });
    cache.set('a', entry('a'));
    cache.set('b', entry('b'));
    expect(cache.get('a')?.claims.iss).toBe('a'); // a is now the most recent
    cache.set('c', entry('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.claims.iss).toBe('a');
    expect(cache.get('c')?.claims.iss).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('bounds the characters held, and keeps no token larger than the whole budget', () => {
    const cache = new VerifiedTokens({ maxEntries: 100, maxChars: 10 });
    cache.set('aaaa', entry('a'));
    cache.set('bbbb', entry('b'));
    cache.set('cccc', entry('c')); // 12 characters: the oldest goes
    expect([cache.get('aaaa'), cache.get('bbbb'), cache.get('cccc')].map((e) => e?.claims.iss)).toEqual([undefined, 'b', 'c']);
    cache.set('x'.repeat(11), entry('x'));
    expect(cache.get('x'.repeat(11))).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});
