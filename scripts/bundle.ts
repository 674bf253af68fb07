/**
 * Bundles the CLI (src/cli/main.ts and everything it imports, node_modules included) into OUT_DIR
 * with rolldown: what the image runs. Why a bundle (ADR 0007): the same code as ~560 separate ES
 * modules costs ~17 MB more RSS per process (module records, per-module scopes and sources), in the
 * operator and in every SPIFFE agent sidecar. Not minified: stack traces keep their names.
 *
 * Each command's dynamic import stays its own chunk, so `spiffe-agent` loads none of the operator.
 * The dev cluster harness is left out (it runs from a checkout). An import that cannot be resolved
 * fails the build instead of becoming a run-time error.
 * Usage: node scripts/bundle.ts OUT_DIR (scripts/build-dist.sh calls it).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type RolldownLog } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node scripts/bundle.ts OUT_DIR\n');
  process.exit(2);
}
const devModule = path.join(root, 'src/cli/dev.ts');

const failures: string[] = [];
await build({
  input: { main: path.join(root, 'src/cli/main.ts') },
  platform: 'node',
  cwd: root,
  // No facade chunk: the entry module itself is main.js, where `import.meta.main` is true.
  preserveEntrySignatures: false,
  // `./dev.ts` stays an import; src/cli/main.ts turns its absence into a one-line error.
  external: (id, importer) => importer !== undefined && path.resolve(path.dirname(importer), id) === devModule,
  onLog(level, log: RolldownLog, handler) {
    if (level === 'warn' && (log.code === 'UNRESOLVED_IMPORT' || log.code === 'MISSING_EXPORT')) failures.push(log.message);
    else handler(level, log);
  },
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
  },
});
if (failures.length > 0) {
  process.stderr.write(`bundle: ${failures.length} unresolved import(s):\n${failures.join('\n')}\n`);
  process.exit(1);
}
