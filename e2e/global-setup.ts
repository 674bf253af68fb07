import type { TestProject } from 'vitest/node';
import { startCluster, type Cluster } from './harness/cluster.ts';
import { describeFailure } from './harness/errors.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    /** The pinned server version when the harness started the cluster; empty for E2E_KUBECONFIG. */
    pinnedServerVersion: string;
  }
}

let cluster: Cluster | undefined;

async function teardown(): Promise<void> {
  const c = cluster;
  cluster = undefined;
  await c?.stop();
}

/**
 * One real control plane for the whole e2e run, shared by every test file (each test works in its
 * own namespace). E2E_KUBECONFIG points the suite at an existing cluster instead (e.g. kind).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.E2E_KUBECONFIG;
  if (existing) {
    project.provide('kubeconfig', existing);
    project.provide('pinnedServerVersion', '');
    return async () => {};
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      void teardown().finally(() => process.exit(130));
    });
  }
  try {
    cluster = await startCluster({ log: (m) => process.stderr.write(`[cluster] ${m}\n`) });
  } catch (err) {
    // An environment fault is one sentence, not a stack trace.
    process.stderr.write(`\ne2e: ${describeFailure(err)}\n`);
    process.exit(1);
  }
  project.provide('kubeconfig', cluster.kubeconfigPath);
  project.provide('pinnedServerVersion', cluster.version);
  return teardown;
}
