/**
 * Tokens that verified, keyed by the exact token string, so a tenant's repeated requests with the
 * same bearer token (clients reuse one for its 15-minute lifetime) skip the secp256k1 verify. Any
 * change to a token — a tampered payload, another signature — is another string, so it can only
 * miss. The verifier still re-checks the time claims and the issuer's key on every hit (jwt.ts);
 * this class only remembers.
 *
 * Only successes go in. A flood of bad tokens therefore cannot evict good entries nor grow the
 * cache; once an address has used its allowance on failures, the server refuses its unknown tokens
 * before verifying them (server.ts). Caching failures would not help: an attacker varies the token
 * for free.
 *
 * Bounded twice, least recently used out first: by entries, and by the characters of the tokens
 * held (a token may be up to MAX_TOKEN_LENGTH long; 10k of those would be 80 MB).
 */
import type { Claims } from './claims.ts';

export interface VerifiedToken<C extends Claims = Claims> {
  claims: C;
  /** The issuer key the signature verified with; a hit is used only while it is still the key. */
  key: Buffer;
}

export interface TokenCacheOptions {
  /** Most tokens kept. Default 10,000. */
  maxEntries?: number;
  /** Most token characters kept, summed. Default 4 MiB (10k tokens of ~400 characters fit). */
  maxChars?: number;
}

export class VerifiedTokens<C extends Claims = Claims> {
  private readonly maxEntries: number;
  private readonly maxChars: number;
  // Map order is insertion order: re-inserting on a hit keeps the least recently used first.
  private readonly entries = new Map<string, VerifiedToken<C>>();
  private chars = 0;

  constructor(opts: TokenCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxChars = opts.maxChars ?? 4 << 20;
    if (!(this.maxEntries >= 1) || !(this.maxChars >= 1)) throw new Error(`VerifiedTokens: maxEntries and maxChars must be >= 1, got ${this.maxEntries}, ${this.maxChars}`);
  }

  get(token: string): VerifiedToken<C> | undefined {
    const hit = this.entries.get(token);
    if (hit) {
      this.entries.delete(token);
      this.entries.set(token, hit);
    }
    return hit;
  }

  /** Whether `token` verified before, without touching its recency. */
  has(token: string): boolean {
    return this.entries.has(token);
  }

  set(token: string, entry: VerifiedToken<C>): void {
    if (token.length > this.maxChars) return;
    this.delete(token);
    this.entries.set(token, { claims: deepFreeze(entry.claims), key: Buffer.from(entry.key) });
    this.chars += token.length;
    while (this.entries.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(token: string): void {
    if (this.entries.delete(token)) this.chars -= token.length;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Cached claims are handed to every request with that token: none of them may change them. */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
