import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimsFor, nowSeconds, signJwt, tamper, tenantKey } from '../testing.ts';
import { StaticAccountKeys } from './account-keys.ts';
import { verifyJwt, type TokenFailure } from './jwt.ts';
import { bech32Encode } from '../../akash/bech32.ts';
import { accountBytes, keyMatchesAddress, secp256k1PublicKey } from './secp256k1.ts';

const alice = tenantKey();
const mallory = tenantKey();
const keys = new StaticAccountKeys({ [alice.address]: alice.publicKey, [mallory.address]: mallory.publicKey });
const verify = (token: string, now = nowSeconds(), k = keys) => verifyJwt(token, { keys: k, now, skewSeconds: 30 });
const refused = async (token: string, code: TokenFailure, message?: RegExp, now?: number, k?: StaticAccountKeys) => {
  const err = await verify(token, now, k).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(err, 'the token must be refused').toBeDefined();
  expect(err!.code).toBe(code);
  if (message) expect(err!.message).toMatch(message);
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('verifyJwt', () => {
  it('accepts ES256K and ES256KADR36 tokens of the issuer', async () => {
    for (const alg of ['ES256K', 'ES256KADR36'] as const) {
      const claims = await verify(signJwt(alice, claimsFor(alice.address), alg));
      expect(claims).toMatchObject({ iss: alice.address, alg, version: 'v1', leases: { access: 'full' } });
    }
  });

  it('refuses a tampered payload (widened scope, other issuer)', async () => {
    const token = signJwt(alice, claimsFor(alice.address, { leases: { access: 'scoped', scope: ['status'] } }));
    await refused(tamper(token, claimsFor(alice.address)), 'token_signature', /does not verify/);
    // Mallory re-labels her own token as Alice's: checked against Alice's key, it fails.
    await refused(tamper(signJwt(mallory, claimsFor(mallory.address)), claimsFor(alice.address)), 'token_signature');
  });

  it('refuses expired tokens, with the skew as the only grace', async () => {
    const now = nowSeconds();
    const token = signJwt(alice, claimsFor(alice.address, { iat: now - 600, nbf: now - 600, exp: now - 60 }));
    await refused(token, 'token_expired', /expired at/);
    await expect(verify(token, now - 40)).resolves.toBeDefined(); // 20 s past exp, within 30 s
  });

  it('refuses tokens without exp, iat or nbf, and with the wrong version', async () => {
    for (const claim of ['exp', 'iat', 'nbf']) {
      const c = claimsFor(alice.address);
      delete c[claim];
      await refused(signJwt(alice, c), 'token_claims', new RegExp(`claim ${claim} is required`));
    }
    await refused(signJwt(alice, claimsFor(alice.address, { exp: '2030-01-01' })), 'token_claims', /claim exp must be/);
    await refused(signJwt(alice, claimsFor(alice.address, { version: 'v2' })), 'token_claims', /version must be "v1"/);
  });

  it('refuses tokens not yet valid beyond the skew', async () => {
    const now = nowSeconds();
    await refused(signJwt(alice, claimsFor(alice.address, { nbf: now + 120, iat: now })), 'token_not_yet_valid', /not valid before/);
    await refused(signJwt(alice, claimsFor(alice.address, { iat: now + 120, nbf: now })), 'token_not_yet_valid', /issued in the future/);
    await expect(verify(signJwt(alice, claimsFor(alice.address, { nbf: now + 20, iat: now + 20 })))).resolves.toBeDefined();
  });

  it("refuses alg none, HS256, ES256 and a missing alg before touching a key", async () => {
    const claims = claimsFor(alice.address);
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, 'token_malformed');
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.AAAA`, 'token_alg', /alg "none" is not accepted/);
    // HS256 with the public key as the HMAC secret: the classic confusion attack.
    const { createHmac } = await import('node:crypto');
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    await refused(`${input}.${createHmac('sha256', alice.publicKey).update(input).digest('base64url')}`, 'token_alg', /HS256/);
    await refused(signJwt(alice, claims, 'ES256K', { alg: 'ES256' }), 'token_alg', /ES256/);
    await refused(`${b64({ typ: 'JWT' })}.${b64(claims)}.AAAA`, 'token_alg', /null/);
    await refused(signJwt(alice, claims, 'ES256K', { crit: ['exp'] }), 'token_alg', /crit/);
  });

  it('refuses malformed tokens with a message naming the part', async () => {
    await refused('abc', 'token_malformed', /three base64url segments/);
    await refused('a.b.c.d', 'token_malformed');
    await refused(`${Buffer.from('{not json').toString('base64url')}.${b64({})}.AAAA`, 'token_malformed', /header is not base64url-encoded JSON/);
    await refused(`${b64({ alg: 'ES256K' })}.${Buffer.from('[').toString('base64url')}.AAAA`, 'token_malformed', /payload/);
    await refused(`${b64({ alg: 'ES256K' })}.${b64([1])}.AAAA`, 'token_claims', /payload must be a JSON object/);
    await refused('x'.repeat(9000), 'token_malformed', /longer than/);
    const token = signJwt(alice, claimsFor(alice.address));
    await refused(`${token.slice(0, token.lastIndexOf('.'))}.${Buffer.alloc(70).toString('base64url')}`, 'token_signature', /64 bytes/);
  });

  it('refuses an unknown issuer, and a key filed under an address it does not hash to', async () => {
    const stranger = tenantKey();
    await refused(signJwt(stranger, claimsFor(stranger.address)), 'unknown_issuer', /no public key is known/);
    // An admin typo files Mallory's key under Alice's address: Mallory must not become Alice.
    const wrong = new StaticAccountKeys({ [alice.address]: mallory.publicKey });
    await refused(signJwt(mallory, claimsFor(alice.address)), 'unknown_issuer', /does not belong to that address/, undefined, wrong);
    const junk = new StaticAccountKeys({ [alice.address]: Buffer.alloc(33, 2) });
    await refused(signJwt(alice, claimsFor(alice.address)), 'unknown_issuer', undefined, undefined, junk);
  });

  it('accepts a high-S signature (low-S is not required to verify)', async () => {
    const N = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
    const input = `${b64({ alg: 'ES256K', typ: 'JWT' })}.${b64(claimsFor(alice.address))}`;
    const sig = sign('sha256', Buffer.from(input), { key: alice.privateKey, dsaEncoding: 'ieee-p1363' });
    const s = BigInt(`0x${sig.subarray(32).toString('hex')}`);
    const flipped = Buffer.concat([sig.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')]);
    await expect(verify(`${input}.${sig.toString('base64url')}`)).resolves.toBeDefined();
    await expect(verify(`${input}.${flipped.toString('base64url')}`)).resolves.toBeDefined();
  });
});

describe('secp256k1 keys', () => {
  it('binds a key to its address only', () => {
    expect(keyMatchesAddress(alice.publicKey, alice.address)).toBe(true);
    expect(keyMatchesAddress(alice.publicKey, mallory.address)).toBe(false);
    expect(keyMatchesAddress(alice.publicKey, bech32Encode('cosmos', accountBytes(alice.publicKey)))).toBe(false);
  });

  it('refuses keys that are not compressed points on the curve', () => {
    expect(() => secp256k1PublicKey(Buffer.alloc(32))).toThrow(/33 bytes/);
    expect(() => secp256k1PublicKey(Buffer.concat([Buffer.from([4]), alice.publicKey.subarray(1)]))).toThrow(/0x02 or 0x03/);
    expect(() => secp256k1PublicKey(Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 0xff)]))).toThrow(/not a point/);
  });
});
