import { defineConfig } from 'vitest/config';

// Files that run an operator process. Each operator reconciles every (cluster-scoped) Lease, so two
// at once would fight over the same objects: these files run one at a time, after the others.
// e2e/faults starts a cluster of its own (it restarts the API server and etcd) but runs here too,
// so that its load does not skew the parallel group's timings.
const OPERATOR_FILES = ['e2e/operator/**/*.test.ts', 'e2e/chart/rbac.test.ts', 'e2e/chart/leader-election.test.ts', 'e2e/chart/crd-gate.test.ts', 'e2e/faults/**/*.test.ts', 'e2e/identity/operator-identity.test.ts', 'e2e/registry/**/*.test.ts'];
const common = { testTimeout: 120_000, hookTimeout: 120_000 };

// e2e: real control plane (or E2E_KUBECONFIG), one cluster per run, one namespace per test.
export default defineConfig({
  test: {
    // Runs once, for the root project; the projects below do not extend it (each would start a
    // cluster of its own) and read its kubeconfig through inject().
    globalSetup: ['e2e/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'cluster',
          include: ['e2e/**/*.test.ts'],
          // The harness's own tests are unit tests (make unit): they start no cluster.
          exclude: ['e2e/harness/**', ...OPERATOR_FILES],
          ...common,
          // Two cores: a few files at once keeps the apiserver busy without starving it.
          maxWorkers: 2,
        },
      },
      {
        // One worker: vitest runs a single-worker project's files one after another, after the
        // parallel group above.
        test: { name: 'operator', include: OPERATOR_FILES, ...common, maxWorkers: 1 },
      },
    ],
  },
});
