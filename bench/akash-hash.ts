/**
 * Benchmarks of the Akash manifest paths, on one core, over the awesome-akash corpus
 * (src/akash/testdata). Prints one JSON line per figure:
 *
 *   manifest_hash_per_s   wire JSON → Go-exact decoding → Go-canonical bytes → SHA-256
 *                         (the path every received manifest takes)
 *   sdl_manifest_per_s    SDL YAML → manifest → Go-canonical bytes → SHA-256
 *
 * and, for context, the naive parse → sort keys → stringify → SHA-256 on the same inputs
 * (`manifest_hash_naive_per_s`). Run: node bench/akash-hash.ts [--seconds N]
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { canonicalizeWireManifest } from '../src/akash/canonical.ts';
import { sdlToManifest } from '../src/akash/sdl/sdl.ts';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;
const corpusDir = new URL('../src/akash/testdata/awesome-akash/', import.meta.url);

function sdlFiles(dir: URL): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sdlFiles(new URL(`${e.name}/`, dir)) : /\.ya?ml$/.test(e.name) ? [readFileSync(new URL(e.name, dir), 'utf8')] : [],
  );
}

const sdls: string[] = [];
const wires: Buffer[] = [];
for (const text of sdlFiles(corpusDir)) {
  try {
    const { canonical } = sdlToManifest(text);
    sdls.push(text);
    wires.push(Buffer.from(canonical, 'utf8'));
  } catch {
    // SDLs Go refuses are not part of the corpus
  }
}

/** Runs `op` over the corpus round after round for `seconds`; returns operations per second. */
function measure<T>(inputs: T[], op: (input: T) => unknown, seconds: number): number {
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) for (const x of inputs) op(x);
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (const x of inputs) op(x);
    n += inputs.length;
  }
  return n / ((performance.now() - start) / 1000);
}

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;

const avgBytes = Math.round(wires.reduce((n, w) => n + w.length, 0) / wires.length);
const context = { corpus: 'awesome-akash', inputs: wires.length, avg_canonical_bytes: avgBytes, node: process.version, seconds: SECONDS };

const print = (bench: string, value: number, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ bench, value: Math.round(value), unit: 'ops/s', ...context, ...extra })}\n`);
};

print('manifest_hash_per_s', measure(wires, (w) => canonicalizeWireManifest(w).hash, SECONDS), { path: 'wire JSON → Go-exact decode → canonical bytes → SHA-256' });
print(
  'manifest_hash_naive_per_s',
  measure(wires, (w) => createHash('sha256').update(JSON.stringify(sortKeys(JSON.parse(w.toString('utf8'))))).digest('hex'), SECONDS),
  { path: 'JSON.parse → sort keys → JSON.stringify → SHA-256 (not Go-exact; for comparison)' },
);
print('sdl_manifest_per_s', measure(sdls, (s) => sdlToManifest(s).hash, SECONDS), { path: 'SDL YAML → manifest → canonical bytes → SHA-256' });
