/**
 * Fuzzing of the two parsers that read untrusted input: wire manifests (JSON bodies from tenants)
 * and SDLs (YAML). Generated and mutated inputs must give a result or a ValidationError, never
 * another exception, and each must take under 100 ms. For wire manifests, the JSON.parse fast path
 * and the Go-semantics parser must agree on every input.
 *
 * The unit suite runs AKASH_FUZZ_RUNS inputs of each kind (default 1500); the full campaign is
 * `AKASH_FUZZ_RUNS=50000 vitest run src/akash/fuzz.test.ts` (100,000 inputs in all).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalManifestJson, canonicalizeWireManifest } from './canonical.ts';
import { ValidationError } from './errors.ts';
import { sdlToManifest } from './sdl/sdl.ts';
import { Rng, mutateBytes, mutateSdl, noisyJson, randomJson, randomManifest } from './testing.ts';
import { decodeWireManifestSlow } from './wireManifest.ts';

const RUNS = Number(process.env.AKASH_FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.AKASH_FUZZ_SEED ?? 1);
const MAX_MS = 100;
const TIMEOUT = Math.max(30_000, RUNS * 10); // the full campaign takes minutes
const testdata = new URL('./testdata/', import.meta.url);

function sdlCorpus(): string[] {
  const walk = (dir: URL): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(new URL(`${e.name}/`, dir)) : /\.ya?ml$/.test(e.name) ? [readFileSync(new URL(e.name, dir), 'utf8')] : [],
    );
  return [...walk(new URL('awesome-akash/', testdata)), ...walk(new URL('sdl-edge-cases/', testdata))];
}

type Outcome = { ok: true; value: string } | { ok: false };

function outcome(fn: () => string): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false };
    throw e;
  }
}

/**
 * Runs fn and checks it took under MAX_MS. A slow run is repeated and the fastest counts: the bound
 * is about inputs that make the code hang, not about a GC pause or a busy machine.
 */
function timed<T>(what: string, fn: () => T): T {
  let best = Infinity;
  let r!: T;
  for (let attempt = 0; attempt < 3 && best > MAX_MS; attempt++) {
    const t0 = performance.now();
    r = fn();
    best = Math.min(best, performance.now() - t0);
  }
  if (best > MAX_MS) throw new Error(`${what} took ${best.toFixed(1)} ms`);
  return r;
}

describe('fuzzing', () => {
  it(`wire manifests: ${RUNS} generated and mutated bodies; only typed errors, fast, both parsers agree`, () => {
    const rng = new Rng(SEED);
    let accepted = 0;
    for (let i = 0; i < RUNS; i++) {
      let body: Uint8Array;
      const seed = randomManifest(rng);
      switch (rng.int(4)) {
        case 0:
          body = mutateBytes(rng, new TextEncoder().encode(seed));
          break;
        case 1:
          body = mutateBytes(rng, new TextEncoder().encode(noisyJson(rng, JSON.parse(seed), { unknownKeys: true, caseVariants: true })));
          break;
        case 2:
          body = new TextEncoder().encode(JSON.stringify(randomJson(rng)));
          break;
        default:
          body = new TextEncoder().encode(noisyJson(rng, [JSON.parse(seed)[0], randomJson(rng)], { unknownKeys: true, caseVariants: false }));
      }
      const fast = timed(`input ${i}`, () => outcome(() => canonicalizeWireManifest(body).canonical));
      const slow = timed(`input ${i} (slow path)`, () => outcome(() => canonicalManifestJson(decodeWireManifestSlow(body))));
      expect(fast, `input ${i}: ${Buffer.from(body).toString('base64')}`).toEqual(slow);
      if (fast.ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(RUNS / 10); // the mutations do not only produce garbage
  }, TIMEOUT);

  it(`SDLs: ${RUNS} mutated SDLs; only typed errors, each under ${MAX_MS} ms, accepted ones hash consistently`, () => {
    const corpus = sdlCorpus();
    const rng = new Rng(SEED + 1);
    sdlToManifest(corpus[0]!); // warm up
    let accepted = 0;
    for (let i = 0; i < RUNS; i++) {
      const text = mutateSdl(rng, rng.pick(corpus));
      const r = timed(`SDL ${i}`, () => outcome(() => sdlToManifest(text).canonical));
      if (r.ok) {
        accepted++;
        expect(canonicalizeWireManifest(r.value).canonical).toBe(r.value);
      }
    }
    expect(accepted).toBeGreaterThan(RUNS / 10);
  }, TIMEOUT);

  it('a YAML alias bomb and deep nesting are refused in milliseconds', () => {
    const bomb = readFileSync(new URL('sdl-edge-cases/alias-bomb.yaml', testdata), 'utf8');
    for (const text of [bomb, `version: "2.0"\nservices: ${'['.repeat(5000)}`, `version: "2.0"\nservices:\n${'  - '.repeat(3000)}x\n`]) {
      const t0 = performance.now();
      expect(() => sdlToManifest(text)).toThrow(ValidationError);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('deeply nested JSON bodies are refused (Go: max depth 10000) without a stack overflow', () => {
    const deep = new TextEncoder().encode(`[{"x":${'['.repeat(200000)}`);
    expect(() => canonicalizeWireManifest(deep)).toThrow(ValidationError);
  });
});
