/**
 * Interoperability with the tenant tooling, byte for byte: tokens made by the chain-sdk's own
 * `JwtTokenManager` (what Akash Console and the TS SDK use) with a cosmjs wallet — the same code
 * path as Keplr/Leap `signArbitrary` — verify with our verifier, and the ADR-36 sign doc the wallet
 * is asked to sign is exactly the bytes `adr36SignBytes` rebuilds on the provider side.
 */
import { JwtTokenManager } from '@akashnetwork/chain-sdk';
import { Secp256k1Wallet, serializeSignDoc, type AminoSignResponse, type StdSignDoc } from '@cosmjs/amino';
import { Secp256k1, sha256 } from '@cosmjs/crypto';
import { describe, expect, it } from 'vitest';
import { tenantKey, tenantKeyFromBytes } from '../testing.ts';
import { StaticAccountKeys } from './account-keys.ts';
import { adr36SignBytes } from './adr36.ts';
import { verifyJwt } from './jwt.ts';
import { akashAddress } from './secp256k1.ts';

const now = () => Math.floor(Date.now() / 1000);

async function sdkWallet() {
  const key = tenantKey();
  const wallet = await Secp256k1Wallet.fromKey(key.privateBytes, 'akash');
  const [account] = await wallet.getAccounts();
  return { key, wallet, account: account! };
}

describe('chain-sdk tokens', () => {
  it('derives the same address and key as cosmjs', async () => {
    const { key, account } = await sdkWallet();
    expect(account.address).toBe(key.address);
    expect(Buffer.from(account.pubkey)).toEqual(key.publicKey);
    // a fixed vector: the secp256k1 generator point's account (private key 1)
    const one = tenantKeyFromBytes(Buffer.from('00'.repeat(31) + '01', 'hex'));
    expect(one.publicKey.toString('hex')).toBe('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
    const w = await Secp256k1Wallet.fromKey(one.privateBytes, 'akash');
    expect(akashAddress(one.publicKey)).toBe((await w.getAccounts())[0]!.address);
  });

  it('signs, as ES256KADR36, exactly the sign doc bytes we rebuild', async () => {
    const { wallet, account } = await sdkWallet();
    const signed: { doc: Buffer; signer: string }[] = [];
    // The SDK wraps any amino signer with its ADR-36 `signArbitrary`; record what it asks to sign.
    const recording = {
      getAccounts: () => wallet.getAccounts(),
      signAmino: async (signer: string, doc: StdSignDoc): Promise<AminoSignResponse> => {
        signed.push({ doc: Buffer.from(serializeSignDoc(doc)), signer });
        return wallet.signAmino(signer, doc);
      },
    };
    const token = await new JwtTokenManager(recording).generateToken({ version: 'v1', iss: account.address, leases: { access: 'scoped', scope: ['send-manifest', 'status'] } });
    const [header, payload] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'ES256KADR36', typ: 'JWT' });
    expect(signed).toHaveLength(1);
    expect(signed[0]!.signer).toBe(account.address);
    const ours = adr36SignBytes(account.address, Buffer.from(`${header}.${payload}`));
    expect(ours.toString('utf8')).toBe(signed[0]!.doc.toString('utf8'));
    expect(ours.equals(signed[0]!.doc)).toBe(true);

    const keys = new StaticAccountKeys({ [account.address]: account.pubkey });
    const claims = await verifyJwt(token, { keys, now: now(), skewSeconds: 30 });
    expect(claims).toMatchObject({ iss: account.address, alg: 'ES256KADR36', leases: { access: 'scoped', scope: ['send-manifest', 'status'] } });
  });

  it('verifies an ES256K token made by the SDK with a raw-signing signer', async () => {
    const { key, account } = await sdkWallet();
    const signer = {
      algorithm: 'ES256K' as const,
      signArbitrary: async (_signer: string, data: string | Uint8Array) => {
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        const sig = await Secp256k1.createSignature(sha256(bytes), key.privateBytes);
        const rs = Buffer.concat([sig.r(32), sig.s(32)]);
        return { pub_key: { type: 'tendermint/PubKeySecp256k1', value: key.publicKey.toString('base64') }, signature: rs.toString('base64') };
      },
    };
    const token = await new JwtTokenManager(signer).generateToken({ version: 'v1', iss: account.address, leases: { access: 'full' } });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'ES256K' });
    const keys = new StaticAccountKeys({ [account.address]: key.publicKey });
    await expect(verifyJwt(token, { keys, now: now(), skewSeconds: 30 })).resolves.toMatchObject({ alg: 'ES256K', iss: account.address });
  });

  it('refuses an SDK token whose payload was changed, and one verified against another key', async () => {
    const { wallet, account } = await sdkWallet();
    const token = await new JwtTokenManager(wallet).generateToken({ version: 'v1', iss: account.address, leases: { access: 'scoped', scope: ['status'] } });
    const keys = new StaticAccountKeys({ [account.address]: account.pubkey });
    const [h, p, s] = token.split('.');
    const widened = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    widened.leases = { access: 'full' };
    const forged = `${h}.${Buffer.from(JSON.stringify(widened)).toString('base64url')}.${s}`;
    await expect(verifyJwt(forged, { keys, now: now(), skewSeconds: 30 })).rejects.toMatchObject({ code: 'token_signature' });
    // The signature over the ADR-36 doc is not a valid ES256K signature of the raw signing string.
    const relabeled = `${Buffer.from(JSON.stringify({ alg: 'ES256K', typ: 'JWT' })).toString('base64url')}.${p}.${s}`;
    await expect(verifyJwt(relabeled, { keys, now: now(), skewSeconds: 30 })).rejects.toMatchObject({ code: 'token_signature' });
  });
});
