import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it returns a value other than undefined, or until `timeoutMs` passes.
 * Returns the value, or undefined on timeout; the caller turns that into its own sentence.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  opts: { intervalMs?: number; abort?: () => Error | undefined } = {},
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  const interval = opts.intervalMs ?? 200;
  for (;;) {
    const stop = opts.abort?.();
    if (stop) throw stop;
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not ready yet: connection refused, 5xx, half-written file …
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(interval);
  }
}
