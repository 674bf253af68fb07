import { defineConfig } from 'vitest/config';

// Unit tests: colocated *.test.ts beside the code, no cluster needed.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/harness/**/*.test.ts', 'bench/lib/**/*.test.ts'],
    testTimeout: 30_000,
    environment: 'node',
  },
});
