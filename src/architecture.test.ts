/**
 * DESIGN §4 dependency rules, checked on the import graph of src/:
 * - akash/, workloads/ and tenancy/ are pure: no I/O modules; client-node only as types;
 * - runtime/ is generic: nothing from the domain folders;
 * - controllers/ never import chain/, gateway/ or bidding/ (they meet through CRs);
 * - api/ imports only TypeBox and itself (its generator script aside);
 * - client-node only as types anywhere: loading it costs ~85 MB of RSS (its generated API client),
 *   and runtime/ has its own kubeconfig reader and transport.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));

interface Import {
  file: string;
  spec: string;
  typeOnly: boolean;
  /** The import resolved to a path under src/ ('' for packages and node: modules). */
  target: string;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return f === 'testdata' ? [] : files(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

function importsOf(folder: string): Import[] {
  return files(path.join(SRC, folder)).flatMap((abs) => {
    const text = readFileSync(abs, 'utf8');
    return [...text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => {
      const spec = m.length === 3 ? m[2]! : m[1]!;
      const target = spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(abs), spec)) : '';
      return { file: path.relative(SRC, abs), spec, typeOnly: m.length === 3 && m[1] !== undefined, target };
    });
  });
}

const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|tls|dns|worker_threads)$/;
const under = (target: string, ...folders: string[]) => folders.some((f) => target.startsWith(`${f}/`));

describe('dependency rules', () => {
  it.each(['akash', 'workloads', 'tenancy'])('%s/ is pure', (folder) => {
    const bad = importsOf(folder).filter(
      (i) =>
        IO_MODULES.test(i.spec) ||
        (i.spec === '@kubernetes/client-node' && !i.typeOnly) ||
        (i.target !== '' && !under(i.target, 'akash', 'workloads', 'api', 'tenancy')) ||
        i.target === 'api/generate.ts' ||
        i.target === 'api/crd-files.ts',
    );
    expect(bad).toEqual([]);
  });

  it('runtime/ knows no domain folder', () => {
    const bad = importsOf('runtime').filter((i) => i.target !== '' && !under(i.target, 'runtime'));
    expect(bad).toEqual([]);
  });

  it('controllers/ never import chain/, gateway/ or bidding/', () => {
    const bad = importsOf('controllers').filter((i) => under(i.target, 'chain', 'gateway', 'bidding'));
    expect(bad).toEqual([]);
  });

  it('api/ imports only TypeBox and itself (generate.ts, a script, and crd-files.ts, its YAML, aside)', () => {
    const bad = importsOf('api').filter((i) => !['api/generate.ts', 'api/crd-files.ts'].includes(i.file) && !i.spec.startsWith('@sinclair/typebox') && !under(i.target, 'api'));
    expect(bad).toEqual([]);
  });

  it('client-node is imported only as types', () => {
    const bad = importsOf('.').filter((i) => i.spec.startsWith('@kubernetes/client-node') && !i.typeOnly);
    expect(bad).toEqual([]);
  });

  it('finds the imports it checks (the rules above cannot pass vacuously)', () => {
    expect(importsOf('workloads').some((i) => i.target === 'akash/namespace.ts')).toBe(true);
    expect(importsOf('workloads').some((i) => i.spec === '@kubernetes/client-node' && i.typeOnly)).toBe(true);
  });
});
