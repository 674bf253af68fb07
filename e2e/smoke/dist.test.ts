/**
 * The build the image runs (scripts/build-dist.sh): a bundle that works from a directory with no
 * node_modules anywhere above it, as in the image's final stage. The operator (`run`) and the
 * SPIFFE agent are exercised from this build by e2e/chart and e2e/identity; here the commands
 * that need no cluster.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderCrdStream } from '../../src/api/crd-files.ts';
import { repoRoot } from '../harness/binaries.ts';
import { compiledOperatorEntry } from '../support/operator.ts';

const execFileP = promisify(execFile);

async function runBuilt(args: string[]) {
  const entry = compiledOperatorEntry();
  return execFileP(process.execPath, [entry, ...args], { cwd: path.dirname(entry), maxBuffer: 16 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** Whether a node_modules folder is in `dir` or any folder above it (where Node would resolve packages). */
function nodeModulesAbove(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

describe('the built dist/', () => {
  it('is self-contained: no node_modules where its files could find one', () => {
    expect(nodeModulesAbove(path.dirname(compiledOperatorEntry()))).toBeUndefined();
  });

  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await runBuilt(['version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints the same CRDs as the sources', async () => {
    const out = await runBuilt(['crds']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(renderCrdStream());
  });

  it('refuses `dev` in one sentence: the dev cluster runs from a checkout', async () => {
    const out = await runBuilt(['dev', 'up']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('akash-operator: dev: the dev cluster runs from a checkout of akash-operator (bin/akash-operator dev up); this build leaves it out\n');
  });

  it('computes the Go version hash of an SDL (the Akash code paths are in the bundle)', async () => {
    const sdl = path.join(repoRoot, 'src/akash/testdata/sdl-go-fixtures/input/v2.0/simple/input.yaml');
    // The hash Go computes for that fixture (src/cli/commands/akash.test.ts checks the sources).
    const out = await runBuilt(['sdl', 'hash', sdl]);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n').at(-1)).toBe('8f8bac7161953993f3288189e3e76093a51d33f9cdff1c8242eb9ab506981737');
  });
});
