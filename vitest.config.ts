import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // a single fork keeps the 2-core CI machine responsive; suites are CPU-light
    pool: 'forks',
  },
});
