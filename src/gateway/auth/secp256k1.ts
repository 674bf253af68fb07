/**
 * secp256k1 account keys as the Cosmos SDK uses them: a 33-byte compressed point, and the account
 * address bech32('akash', RIPEMD-160(SHA-256(key))). node:crypto does the curve work (OpenSSL); a
 * compressed point is wrapped in a SubjectPublicKeyInfo so OpenSSL checks it is on the curve.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode } from '../../akash/bech32.ts';

// SEQUENCE { SEQUENCE { id-ecPublicKey, secp256k1 }, BIT STRING (0 unused bits) } for a 33-byte point.
const SPKI_PREFIX = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');

/** The KeyObject of a compressed secp256k1 public key; throws an Error naming the rule it breaks. */
export function secp256k1PublicKey(compressed: Uint8Array): KeyObject {
  if (compressed.length !== 33) throw new Error(`a secp256k1 public key must be 33 bytes (compressed), got ${compressed.length}`);
  if (compressed[0] !== 0x02 && compressed[0] !== 0x03) throw new Error('a compressed secp256k1 public key must start with 0x02 or 0x03');
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, compressed]), format: 'der', type: 'spki' });
  } catch {
    throw new Error('the public key is not a point on secp256k1');
  }
}

/** RIPEMD-160(SHA-256(key)): the 20 address bytes of a secp256k1 account. */
export function accountBytes(compressed: Uint8Array): Buffer {
  return createHash('ripemd160').update(createHash('sha256').update(compressed).digest()).digest();
}

/**
 * Whether `address` is the account of `compressed` (prefix `akash`). A key registered under another
 * account's address must never verify that account's tokens.
 */
export function keyMatchesAddress(compressed: Uint8Array, address: string): boolean {
  const decoded = bech32Decode(address);
  return decoded !== undefined && decoded.prefix === 'akash' && Buffer.from(decoded.bytes).equals(accountBytes(compressed));
}

/** The `akash1…` address of a compressed secp256k1 public key. */
export function akashAddress(compressed: Uint8Array): string {
  return bech32Encode('akash', accountBytes(compressed));
}
