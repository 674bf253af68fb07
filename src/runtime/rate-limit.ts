/**
 * Rate limiters for retries, after client-go's `util/workqueue/default_rate_limiters.go`: a per-key
 * exponential backoff and a global token bucket, combined by taking the longer delay.
 */

export interface RateLimiter {
  /** Delay in ms before `key` may be retried; counts one more failure for it. */
  when(key: string): number;
  /** Clears the failure history of `key` (after a success). */
  forget(key: string): void;
  /** Failures counted for `key` since the last `forget`. */
  retries(key: string): number;
}

/** base · 2^failures, capped (client-go: 5 ms → 1000 s). */
export class ItemExponentialBackoff implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(baseMs = 5, maxMs = 1_000_000) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after the cap applies; min() keeps the result finite.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A global token bucket (client-go's BucketRateLimiter: 10 qps, burst 100). Each call reserves a token;
 * once the bucket is empty the reservation lies in the future, so a storm of failures is spread out.
 */
export class TokenBucket implements RateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private last: number;

  constructor(qps = 10, burst = 100, now: () => number = Date.now) {
    if (qps <= 0 || burst < 1) throw new Error(`TokenBucket: qps must be > 0 and burst >= 1, got ${qps}, ${burst}`);
    this.qps = qps;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.last = now();
  }

  when(_key: string): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(_key: string): void {}

  retries(_key: string): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  retries(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.retries(key)));
  }
}

/** client-go's DefaultControllerRateLimiter: per-key 5 ms → 1000 s, and 10 qps / burst 100 overall. */
export function defaultControllerRateLimiter(now?: () => number): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialBackoff(5, 1_000_000), new TokenBucket(10, 100, now));
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Spread each delay by ±jitter (0.2 = ±20 %) so many informers do not reconnect in lockstep. */
  jitter: number;
}

/** Delay before restart number `attempt` (1-based): initial · 2^(attempt-1), capped, jittered. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(opts.initialMs * 2 ** Math.max(0, attempt - 1), opts.maxMs);
  return Math.round(base * (1 - opts.jitter + 2 * opts.jitter * random()));
}
