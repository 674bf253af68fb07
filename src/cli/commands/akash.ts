/**
 * `akash-operator sdl …`, `manifest …`, `lease …`: the Akash domain on the command line. Output is
 * made for scripts: one value per line, and for hash commands the last line is only the hex.
 * FILE may be `-` for standard input.
 */
import { readFileSync } from 'node:fs';
import { canonicalizeWireManifest } from '../../akash/canonical.ts';
import { type Problem, ValidationError } from '../../akash/errors.ts';
import { parseLeaseId } from '../../akash/leaseId.ts';
import { validateManifest } from '../../akash/manifestValidate.ts';
import { leaseNamespace } from '../../akash/namespace.ts';
import { sdlToManifest } from '../../akash/sdl/sdl.ts';
import { CliError } from '../errors.ts';

export { akashUsage } from './akash-usage.ts';

function readInput(file: string | undefined, what: string): Buffer {
  if (file === undefined) throw new CliError(`${what}: FILE is required (or - for standard input)`, 2);
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** `FILE:LINE: path: message [rule]`, like a compiler. */
function formatProblem(file: string, p: Problem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}`;
  return `${where}: ${p.path === '' ? '' : `${p.path}: `}${p.message} [${p.rule}]\n`;
}

function report(file: string, problems: readonly Problem[], out: NodeJS.WritableStream): never {
  for (const p of problems) out.write(formatProblem(file, p));
  throw new CliError(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
}

/** Runs fn, turning bad input into a one-line CliError (exit 1). */
function guarded<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ValidationError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

export async function sdlCommand(argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const [sub, file] = argv;
  switch (sub) {
    case 'manifest': {
      const text = readInput(file, 'sdl manifest').toString('utf8');
      out.write(`${guarded(file!, () => sdlToManifest(text)).canonical}\n`);
      return;
    }
    case 'hash': {
      const text = readInput(file, 'sdl hash').toString('utf8');
      out.write(`${guarded(file!, () => sdlToManifest(text)).hash}\n`);
      return;
    }
    case 'validate': {
      const text = readInput(file, 'sdl validate').toString('utf8');
      try {
        const r = sdlToManifest(text);
        const services = r.manifest.reduce((n, g) => n + (g.services?.length ?? 0), 0);
        out.write(`ok ${file}: SDL ${r.version}, ${r.manifest.length} group${r.manifest.length === 1 ? '' : 's'}, ${services} service${services === 1 ? '' : 's'}\n`);
      } catch (e) {
        if (e instanceof ValidationError) report(file!, e.problems, out);
        throw e;
      }
      return;
    }
    default:
      throw new CliError(`sdl: unknown subcommand '${sub ?? ''}' (manifest, hash or validate)`, 2);
  }
}

export async function manifestCommand(argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const [sub, file] = argv;
  switch (sub) {
    case 'hash': {
      const body = readInput(file, 'manifest hash');
      out.write(`${guarded(file!, () => canonicalizeWireManifest(body)).hash}\n`);
      return;
    }
    case 'canonical': {
      const body = readInput(file, 'manifest canonical');
      out.write(`${guarded(file!, () => canonicalizeWireManifest(body)).canonical}\n`);
      return;
    }
    case 'validate': {
      const body = readInput(file, 'manifest validate');
      let problems: Problem[];
      let hash = '';
      try {
        const c = canonicalizeWireManifest(body);
        hash = c.hash;
        problems = validateManifest(c.manifest);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        problems = [...e.problems];
      }
      if (problems.length > 0) report(file!, problems, out);
      out.write(`ok ${file}: ${hash}\n`);
      return;
    }
    default:
      throw new CliError(`manifest: unknown subcommand '${sub ?? ''}' (hash, canonical or validate)`, 2);
  }
}

export async function leaseCommand(argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const [sub, id] = argv;
  if (sub !== 'namespace') throw new CliError(`lease: unknown subcommand '${sub ?? ''}' (namespace)`, 2);
  if (id === undefined) throw new CliError('lease namespace: OWNER/DSEQ/GSEQ/OSEQ/PROVIDER is required', 2);
  out.write(`${leaseNamespace(guarded(id, () => parseLeaseId(id)))}\n`);
}
