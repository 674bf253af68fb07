/**
 * Who is calling: a bearer JWT (AEP-64) or a TLS client certificate (the legacy mTLS scheme), never
 * both (Go's ErrAuthAmbiguous). mTLS needs the on-chain certificate registry (x/cert), which only
 * the chain layer can query: `ClientCertificates` is its interface, and without an implementation
 * a certificate-only request is refused with a message saying so.
 */
import type { PeerCertificate } from 'node:tls';
import type { AccountKeys } from './account-keys.ts';
import type { Claims } from './claims.ts';
import { TokenError, verifyJwt, type TokenFailure, type VerifiedClaims } from './jwt.ts';
import type { VerifiedTokens } from './token-cache.ts';

/** The on-chain certificate check (chain-sdk `go/util/tls/verify.go`), for the chain layer to provide. */
export interface ClientCertificates {
  /**
   * The claims of a valid, unrevoked certificate of its owner (`{iss: owner, leases: {access: full}}`
   * with a short lifetime); throws AuthError when it is not.
   */
  authenticate(peer: PeerCertificate): Promise<Claims>;
}

export type AuthFailure = TokenFailure | 'unauthenticated' | 'auth_header' | 'auth_ambiguous' | 'mtls_unavailable' | 'mtls_invalid';

export class AuthError extends Error {
  override name = 'AuthError';
  readonly code: AuthFailure;
  constructor(code: AuthFailure, message: string) {
    super(message);
    this.code = code;
  }
}

export interface Identity {
  claims: Claims;
  via: 'jwt' | 'mtls';
}

export interface AuthenticateOptions {
  keys: AccountKeys;
  certificates: ClientCertificates | undefined;
  /** Seconds since 1970. */
  now: number;
  skewSeconds: number;
  /** Bearer tokens that verified before (see token-cache.ts). */
  cache?: VerifiedTokens<VerifiedClaims>;
}

/** Go's AuthHeaderTokenExtractor: `Bearer <token>`, scheme case-insensitive; undefined without a header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const parts = header.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0]!.toLowerCase() !== 'bearer') throw new AuthError('auth_header', 'the Authorization header must be "Bearer <jwt>"');
  return parts[1];
}

/** True when the TLS peer presented a certificate (node returns {} when it did not). */
export function hasPeerCertificate(peer: PeerCertificate | undefined): peer is PeerCertificate {
  return peer !== undefined && peer !== null && Object.keys(peer).length > 0 && peer.raw !== undefined;
}

export async function authenticate(authorization: string | undefined, peer: PeerCertificate | undefined, opts: AuthenticateOptions): Promise<Identity> {
  const token = bearerToken(authorization);
  const cert = hasPeerCertificate(peer);
  if (token !== undefined && cert) {
    throw new AuthError('auth_ambiguous', 'both a TLS client certificate and a bearer token were presented: use one of them');
  }
  if (token !== undefined) {
    try {
      return { claims: await verifyJwt(token, opts), via: 'jwt' };
    } catch (e) {
      if (e instanceof TokenError) throw new AuthError(e.code, e.message);
      throw e;
    }
  }
  if (cert) {
    if (!opts.certificates) {
      throw new AuthError('mtls_unavailable', 'TLS client certificates are checked against the on-chain certificate registry, which this provider cannot query yet: authenticate with a bearer JWT (AEP-64)');
    }
    return { claims: await opts.certificates.authenticate(peer), via: 'mtls' };
  }
  throw new AuthError('unauthenticated', 'authentication required: send "Authorization: Bearer <jwt>" (AEP-64)');
}
