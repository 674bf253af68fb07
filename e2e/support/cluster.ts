import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';
import { binaryPath } from '../harness/binaries.ts';
import { pollUntil } from '../harness/wait.ts';

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
