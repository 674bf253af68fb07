/**
 * Per-client token buckets: `ratePerSecond` refill, `burst` capacity, one bucket per key (a tenant
 * address once authenticated, else the client IP). The map is bounded: a flood of distinct keys
 * (spoofed issuers cannot get here, but many IPs can) first drops buckets that have refilled —
 * those are indistinguishable from new ones — then the oldest.
 */

export interface TokenBucketsOptions {
  ratePerSecond: number;
  burst: number;
  /** Most buckets kept at once. */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: TokenBucketsOptions) {
    if (!(opts.ratePerSecond > 0) || !(opts.burst >= 1)) throw new Error(`TokenBuckets: ratePerSecond must be > 0 and burst >= 1, got ${opts.ratePerSecond}, ${opts.burst}`);
    this.rate = opts.ratePerSecond;
    this.burst = opts.burst;
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds until one is available (Retry-After). */
  take(key: string): number {
    const now = this.now();
    const b = this.refill(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rate));
  }

  /** Seconds until `key` has a token, without taking one (0: it has one now). */
  wait(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const tokens = Math.min(this.burst, b.tokens + ((this.now() - b.at) / 1000) * this.rate);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.rate));
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
      b.at = now;
      // Map order is insertion order: re-insert so the oldest-used bucket is first.
      this.buckets.delete(key);
      this.buckets.set(key, b);
      return b;
    }
    if (this.buckets.size >= this.maxKeys) this.evict(now);
    b = { tokens: this.burst, at: now };
    this.buckets.set(key, b);
    return b;
  }

  private evict(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.rate >= this.burst) this.buckets.delete(k);
    }
    // Make room for a tenth at once, so a full map does not cost a scan per new key.
    while (this.buckets.size > Math.floor(this.maxKeys * 0.9)) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }
}
