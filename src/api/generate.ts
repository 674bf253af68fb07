/**
 * Writes `crds/<plural>.<group>.yaml` from the schemas: `node src/api/generate.ts`.
 * A build script beside the schemas, so it (with crd-files.ts) alone in api/ uses the file system
 * and `yaml`; nothing imports it except tests, so no bundle carries its `import.meta.main` block.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { GROUP } from './common.ts';
import { renderCrdFiles } from './crd-files.ts';

/** The `crds/` folder of this checkout. */
export const CRDS_DIR = new URL('../../crds/', import.meta.url);

/** Replaces the generated files in `dir`, removing ours of kinds that no longer exist. */
export function writeCrdFiles(dir: URL = CRDS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const files = renderCrdFiles();
  for (const name of readdirSync(dir)) {
    if (name.endsWith(`.${GROUP}.yaml`) && !files.has(name)) rmSync(new URL(name, dir));
  }
  for (const [name, text] of files) writeFileSync(new URL(name, dir), text);
  return [...files.keys()];
}

if (import.meta.main) {
  for (const name of writeCrdFiles()) process.stdout.write(`wrote crds/${name}\n`);
}
