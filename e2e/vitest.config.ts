import { defineConfig } from 'vitest/config';

// e2e: real control plane (or E2E_KUBECONFIG), one cluster per run, one namespace per test.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    // The harness's own tests are unit tests (make unit): they start no cluster.
    exclude: ['e2e/harness/**'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: a few files at once keeps the apiserver busy without starving it.
    maxWorkers: 2,
  },
});
