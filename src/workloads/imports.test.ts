/**
 * DESIGN §4 dependency rules for the folders this code owns: `workloads/` is pure (client-node
 * only as types, no I/O modules) and `api/` imports only TypeBox (its generator script aside).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../', import.meta.url);

function imports(folder: string): { file: string; spec: string; typeOnly: boolean }[] {
  const dir = new URL(`${folder}/`, SRC);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'test-fixtures.ts')
    .flatMap((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      return [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map((m) => ({ file: `${folder}/${file}`, spec: m[2]!, typeOnly: m[1] !== undefined }));
    });
}

describe('dependency rules', () => {
  it('workloads/ imports only our pure modules, and client-node only as types', () => {
    const bad = imports('workloads').filter(({ spec, typeOnly }) => {
      if (spec === '@kubernetes/client-node') return !typeOnly;
      const pureModule = /^\.\/[\w-]+\.ts$/.test(spec) || /^\.\.\/(api|akash)\/[\w-]+\.ts$/.test(spec);
      return !pureModule || spec === '../api/generate.ts';
    });
    expect(bad).toEqual([]);
  });

  it('api/ imports only TypeBox and itself (generate.ts, a script, aside)', () => {
    const bad = imports('api').filter(({ file, spec }) => file !== 'api/generate.ts' && !spec.startsWith('@sinclair/typebox') && !/^\.\/[\w-]+\.ts$/.test(spec));
    expect(bad).toEqual([]);
  });
});
