import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from './errors.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type BinaryName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl' | 'kwok' | 'helm';

/** The pinned versions, read from the one file that holds them. */
export function pinnedVersions(): Record<string, string> {
  const text = fs.readFileSync(path.join(repoRoot, 'tools/versions.env'), 'utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(\S+)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function cacheDir(): string {
  return process.env.AKASH_OPERATOR_CACHE ?? path.join(os.homedir(), '.cache/akash-operator');
}

/**
 * Where a test binary is: TEST_ASSET_<NAME> (as controller-runtime's envtest reads it), else the
 * directory in K8S_TEST_BIN or KUBEBUILDER_ASSETS, else the cache that scripts/test-bins.sh fills.
 */
export function binaryPath(name: BinaryName): string {
  const envName = `TEST_ASSET_${name.toUpperCase().replaceAll('-', '_')}`;
  const explicit = process.env[envName];
  const dir = process.env.K8S_TEST_BIN ?? process.env.KUBEBUILDER_ASSETS ?? path.join(cacheDir(), 'bin/current');
  const p = explicit ?? path.join(dir, name);
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    throw new HarnessError(`The test binary ${name} is missing at ${p}: run 'make test-bins' to build it (needs Go 1.26).`);
  }
  return p;
}

/** The kwok stage configuration copied from the kwok module by scripts/test-bins.sh. */
export function kwokStagesPath(): string {
  const p = path.join(path.dirname(fs.realpathSync(binaryPath('kwok'))), 'stages.yaml');
  if (!fs.existsSync(p)) throw new HarnessError(`The kwok stage configuration is missing at ${p}: run 'make test-bins' to build it.`);
  return p;
}
