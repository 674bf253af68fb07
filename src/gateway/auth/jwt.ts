/**
 * AEP-64 bearer tokens: a compact JWS with `alg` ES256K (secp256k1 ECDSA, SHA-256, 64-byte r‖s over
 * the signing string) or ES256KADR36 (the same signature over the ADR-36 sign doc wrapping the
 * signing string, see adr36.ts). Every other `alg` — none, HS256, ES256 … — is refused before any
 * key is touched, so algorithm confusion is impossible. The key is the issuer's account key, and it
 * must hash to the issuer's address. Time claims get a bounded skew.
 *
 * Order: shape → header → claims → key → signature → time; so a forged token is reported as a bad
 * signature, never as expired.
 *
 * With a `cache`, a token that verified before is not verified again while the issuer's key is the
 * one it verified with: only the time claims are checked against the clock, on every request, as
 * they would be on the full path (token-cache.ts says what is kept and why).
 */
import { verify } from 'node:crypto';
import { isAkashAddress } from '../../akash/leaseId.ts';
import type { AccountKeys } from './account-keys.ts';
import { adr36SignBytes } from './adr36.ts';
import { ClaimsError, parseClaims, type Claims } from './claims.ts';
import { keyMatchesAddress, secp256k1PublicKey } from './secp256k1.ts';
import type { VerifiedTokens } from './token-cache.ts';

export const ALGORITHMS = ['ES256K', 'ES256KADR36'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** A bearer token is a few hundred bytes; this bounds the work spent on junk. */
export const MAX_TOKEN_LENGTH = 8192;

/** Why a token is refused; `code` is the stable code of the 401 response and the auth metric. */
export type TokenFailure = 'token_malformed' | 'token_alg' | 'token_claims' | 'unknown_issuer' | 'token_signature' | 'token_expired' | 'token_not_yet_valid';

export class TokenError extends Error {
  override name = 'TokenError';
  readonly code: TokenFailure;
  constructor(code: TokenFailure, message: string) {
    super(message);
    this.code = code;
  }
}

export interface VerifyOptions {
  keys: AccountKeys;
  /** Seconds since 1970. */
  now: number;
  skewSeconds: number;
  /** Tokens that verified before (exact string → claims); successes are added. */
  cache?: VerifiedTokens<VerifiedClaims>;
}

export type VerifiedClaims = Claims & { alg: Algorithm };

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJson(segment: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('token_malformed', `the JWT ${what} is not base64url-encoded JSON`);
  }
}

/** exp, nbf and iat against the clock, with the skew; throws TokenError. */
function checkTimes(claims: Claims, opts: Pick<VerifyOptions, 'now' | 'skewSeconds'>): void {
  const skew = opts.skewSeconds;
  if (opts.now > claims.exp + skew) throw new TokenError('token_expired', `the JWT expired at ${new Date(claims.exp * 1000).toISOString()}`);
  if (opts.now + skew < claims.nbf) throw new TokenError('token_not_yet_valid', `the JWT is not valid before ${new Date(claims.nbf * 1000).toISOString()}`);
  if (opts.now + skew < claims.iat) throw new TokenError('token_not_yet_valid', `the JWT is issued in the future (iat ${new Date(claims.iat * 1000).toISOString()})`);
}

/** The verified claims of `token`; throws TokenError. */
export async function verifyJwt(token: string, opts: VerifyOptions): Promise<VerifiedClaims> {
  const hit = opts.cache?.get(token);
  if (hit) {
    // The issuer's key is looked up again (its source has its own short cache): a tenant whose key
    // was removed is refused as soon as it would be without this cache.
    const key = await opts.keys.publicKey(hit.claims.iss);
    if (key !== undefined && key.equals(hit.key)) {
      try {
        checkTimes(hit.claims, opts);
      } catch (e) {
        opts.cache?.delete(token);
        throw e;
      }
      return hit.claims;
    }
    opts.cache?.delete(token); // the full path below says what is wrong now
  }
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('token_malformed', `the JWT is longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) {
    throw new TokenError('token_malformed', 'the JWT must be three base64url segments header.payload.signature');
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  const header = decodeJson(headerPart, 'header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new TokenError('token_malformed', 'the JWT header must be a JSON object');
  const alg = (header as Record<string, unknown>).alg;
  if (typeof alg !== 'string' || !(ALGORITHMS as readonly string[]).includes(alg)) {
    throw new TokenError('token_alg', `JWT alg ${JSON.stringify(alg ?? null)} is not accepted (ES256K or ES256KADR36)`);
  }
  // RFC 7515 §4.1.11: a critical extension we do not understand makes the token invalid.
  if ((header as Record<string, unknown>).crit !== undefined) throw new TokenError('token_alg', 'JWT header crit is not supported');

  let claims: Claims;
  try {
    claims = parseClaims(decodeJson(payloadPart, 'payload'), isAkashAddress);
  } catch (e) {
    if (e instanceof ClaimsError) throw new TokenError('token_claims', `JWT claims: ${e.message}`);
    throw e;
  }

  const keyBytes = await opts.keys.publicKey(claims.iss);
  if (keyBytes === undefined) throw new TokenError('unknown_issuer', `no public key is known for the issuer ${claims.iss}`);
  if (!keyMatchesAddress(keyBytes, claims.iss)) {
    throw new TokenError('unknown_issuer', `the public key registered for ${claims.iss} does not belong to that address`);
  }
  let key;
  try {
    key = secp256k1PublicKey(keyBytes);
  } catch (e) {
    throw new TokenError('unknown_issuer', `the public key registered for ${claims.iss} is unusable: ${(e as Error).message}`);
  }

  const signature = Buffer.from(signaturePart, 'base64url');
  if (signature.length !== 64) throw new TokenError('token_signature', `the JWT signature must be 64 bytes (r‖s), got ${signature.length}`);
  const signingInput = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  const signed = alg === 'ES256K' ? signingInput : adr36SignBytes(claims.iss, signingInput);
  // OpenSSL accepts high-S signatures too (Go's cosmos verifier would not for ADR-36; wallets emit low-S).
  if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) {
    throw new TokenError('token_signature', `the JWT signature does not verify with the key of ${claims.iss} (${alg})`);
  }

  checkTimes(claims, opts);
  const verified: VerifiedClaims = { ...claims, alg: alg as Algorithm };
  opts.cache?.set(token, { claims: verified, key: keyBytes });
  return verified;
}
