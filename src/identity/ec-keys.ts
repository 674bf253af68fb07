/**
 * EC P-256 key pairs for leaves, encoded without OpenSSL's encoder framework: in Node 24 / OpenSSL 3
 * exporting a key as SPKI or PKCS#8 DER costs as much as generating it and more than signing a
 * certificate, while the JWK export hands over the raw numbers cheaply. For P-256 both DER forms
 * are fixed templates around those numbers (RFC 5480 SPKI, RFC 5208 PKCS#8 wrapping RFC 5915
 * ECPrivateKey), byte-identical to what `KeyObject.export` writes (checked in ec-keys.test.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { fail } from './errors.ts';

// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) 04‖x‖y }
const SPKI_HEAD = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
// SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { SEQUENCE { INTEGER 1, OCTET STRING d, …
const PKCS8_HEAD = Buffer.from('308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420', 'hex');
// … [1] { BIT STRING 04‖x‖y } } }
const PKCS8_PUB = Buffer.from('a144034200', 'hex');
const UNCOMPRESSED = Buffer.from([0x04]);

export interface P256KeyPair {
  /** SubjectPublicKeyInfo DER */
  spki: Buffer;
  /** unencrypted PKCS#8 DER */
  pkcs8: Buffer;
  /** the uncompressed point 04‖x‖y: the subjectPublicKey bits, what the key identifier hashes */
  point: Buffer;
}

function coordinate(b64url: unknown, name: string): Buffer {
  const b = typeof b64url === 'string' ? Buffer.from(b64url, 'base64url') : Buffer.alloc(0);
  // JWK (RFC 7518 §6.2.1.2/§6.2.2.1) pads every P-256 number to 32 octets
  if (b.length !== 32) fail('key', 'key-encoding', `P-256 JWK member ${name} must be 32 octets, got ${b.length}`);
  return b;
}

/** Whether `spki` has the exact shape of an uncompressed P-256 SubjectPublicKeyInfo (the point itself is not checked). */
export const isP256SpkiShape = (spki: Uint8Array): boolean =>
  spki.length === 91 && spki[26] === 0x04 && Buffer.from(spki.buffer, spki.byteOffset, 26).equals(SPKI_HEAD);

/** A fresh P-256 key pair as SPKI and PKCS#8 DER. */
export function generateP256(): P256KeyPair {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const point = Buffer.concat([UNCOMPRESSED, coordinate(jwk.x, 'x'), coordinate(jwk.y, 'y')], 65);
  return {
    spki: Buffer.concat([SPKI_HEAD, point], 91),
    pkcs8: Buffer.concat([PKCS8_HEAD, coordinate(jwk.d, 'd'), PKCS8_PUB, point], 138),
    point,
  };
}
