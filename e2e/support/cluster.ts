import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';
import { binaryPath } from '../harness/binaries.ts';
import { pollUntil } from '../harness/wait.ts';
import { loadKubeconfigFile, type ClusterAccess } from '../../src/runtime/kubeconfig.ts';

/** The test cluster's admin access as the operator's transport takes it. */
export function clusterAccess(): ClusterAccess {
  return loadKubeconfigFile(inject('kubeconfig'));
}

export function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(inject('kubeconfig'));
  return kc;
}

/** Creates a namespace of its own for the test file and deletes it afterwards. */
export function useNamespace(prefix: string): { readonly name: string } {
  const ns = { name: `${prefix}-${randomBytes(3).toString('hex')}` };
  const core = () => kubeConfig().makeApiClient(k8s.CoreV1Api);
  beforeAll(async () => {
    await core().createNamespace({ body: { metadata: { name: ns.name, labels: { 'e2e.akash-operator/test': 'true' } } } });
  });
  afterAll(async () => {
    await core().deleteNamespace({ name: ns.name }).catch(() => undefined);
  });
  return ns;
}

const execFileP = promisify(execFile);

/** Runs kubectl or helm against the test cluster. */
export async function runTool(tool: 'kubectl' | 'helm', args: string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileP(binaryPath(tool), args, { env: { ...process.env, KUBECONFIG: inject('kubeconfig') }, maxBuffer: 16 << 20 });
}

/** Waits for `probe` to give a value; fails the test with `what` when it does not within ms. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const v = await pollUntil(probe, ms, { intervalMs: 250 });
  if (v === undefined) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  return v;
}

/** `kubectl apply -f -` of a YAML or JSON document stream. */
export async function kubectlApply(doc: string): Promise<string> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const p = spawn(binaryPath('kubectl'), ['apply', '--server-side', '--field-manager=e2e-admin', '-f', '-'], {
      env: { ...process.env, KUBECONFIG: inject('kubeconfig') },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl apply failed (${code}): ${err}`))));
    p.stdin.end(doc);
  });
}
