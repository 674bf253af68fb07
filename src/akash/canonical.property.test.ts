/**
 * Properties of the received-manifest hash, over real manifests (the awesome-akash SDLs through our
 * Go-exact SDL port) and generated ones: noise Go's decoder ignores never changes the hash; changing
 * any value always does; the JSON.parse fast path and the Go-semantics parser always agree.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalManifestJson, canonicalizeWireManifest } from './canonical.ts';
import { sdlToManifest } from './sdl/sdl.ts';
import { Rng, leaves, noisyJson, randomManifest } from './testing.ts';
import { decodeWireManifestSlow } from './wireManifest.ts';

const RUNS = Number(process.env.AKASH_PROPERTY_RUNS ?? 300);
const testdata = new URL('./testdata/', import.meta.url);

function realManifests(): string[] {
  const out: string[] = [];
  const dir = new URL('awesome-akash/', testdata);
  for (const app of readdirSync(dir)) {
    for (const file of readdirSync(new URL(`${app}/`, dir))) {
      try {
        out.push(sdlToManifest(readFileSync(new URL(`${app}/${file}`, dir), 'utf8')).canonical);
      } catch {
        // refused SDLs have no manifest
      }
    }
  }
  return out;
}

/** Changes the leaf at `path` to another value of the same kind, one Go keeps distinct. */
function mutateLeaf(root: unknown, path: (string | number)[]): boolean {
  if (path.length === 0) return false;
  let parent = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const v = parent[key];
  if (typeof v === 'string') parent[key] = key === 'val' ? `${v}1` : `${v}x`;
  else if (typeof v === 'number') parent[key] = key === 'kind' ? (v === 1 ? 2 : 1) : v === 4294967295 ? v - 1 : v + 1;
  else if (typeof v === 'boolean') parent[key] = !v;
  else if (v === null) parent[key] = key === 'credentials' ? {} : [];
  else if (Array.isArray(v) && v.length === 0) parent[key] = null;
  else return false;
  return true;
}

describe('received-manifest hash properties', () => {
  const real = realManifests();
  const corpus = (rng: Rng): string => (rng.bool(0.5) ? rng.pick(real) : randomManifest(rng));

  it('has a real corpus', () => expect(real.length).toBeGreaterThan(150));

  it(`reordering keys, adding unknown fields, white space and key case variants never change the hash (${RUNS} runs)`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const rng = new Rng(seed);
      const canonical = corpus(rng);
      const noisy = noisyJson(rng, JSON.parse(canonical), { unknownKeys: true, caseVariants: true });
      const got = canonicalizeWireManifest(noisy);
      expect(got.canonical, `seed ${seed}`).toBe(canonical);
      expect(canonicalManifestJson(decodeWireManifestSlow(new TextEncoder().encode(noisy))), `seed ${seed} (slow path)`).toBe(canonical);
    }
  });

  it(`changing any value changes the hash (${RUNS} runs)`, () => {
    let mutated = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const rng = new Rng(seed);
      const canonical = corpus(rng);
      const before = canonicalizeWireManifest(canonical).hash;
      const value = JSON.parse(canonical) as unknown;
      const paths = leaves(value);
      const path = rng.pick(paths);
      if (!mutateLeaf(value, path)) continue;
      mutated++;
      const noisy = noisyJson(rng, value, { unknownKeys: false, caseVariants: false });
      expect(canonicalizeWireManifest(noisy).hash, `seed ${seed} at ${path.join('.')}`).not.toBe(before);
    }
    expect(mutated).toBeGreaterThan(RUNS * 0.8);
  });

  it('the canonical bytes are a fixed point', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const canonical = corpus(new Rng(seed));
      expect(canonicalizeWireManifest(canonical).canonical).toBe(canonical);
    }
  });
});
