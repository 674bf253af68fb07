/**
 * The operator's version, from its package.json. The file sits one level above this module in a
 * checkout (src/version.ts) and beside the bundle in dist/ (scripts/build-dist.sh copies it there),
 * so it is looked up in both places and recognised by its name, not by a fixed relative path.
 */
import { readFileSync } from 'node:fs';

const PACKAGE_NAME = 'akash-operator';
const CANDIDATES = ['./package.json', '../package.json'];

let cached: string | undefined;

export function operatorVersion(): string {
  cached ??= findVersion(import.meta.url);
  return cached;
}

/** The version in the first candidate package.json near `base` that is ours; throws naming where it looked. */
export function findVersion(base: string | URL, read: (url: URL) => string = (u) => readFileSync(u, 'utf8')): string {
  const tried: string[] = [];
  for (const rel of CANDIDATES) {
    const url = new URL(rel, base);
    tried.push(url.pathname);
    let pkg: { name?: unknown; version?: unknown };
    try {
      pkg = JSON.parse(read(url)) as typeof pkg;
    } catch {
      continue;
    }
    if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
  }
  throw new Error(`no package.json of ${PACKAGE_NAME} with a version at ${tried.join(' or ')}`);
}
