import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                MASTER_KEY: 'sk-test-master',
                HOSTED_VLLM_API_BASE: inject<string>('simUrl'),
                // Referenced as os.environ/SIM_UPSTREAM_KEY by deployments in the tests.
                SIM_UPSTREAM_KEY: 'upstream-secret-value',
                // Batch lanes start a new alarm invocation every 7 lines (default 1,000): every batch test crosses
                // invocation boundaries, as long production batches do.
                BATCH_LINES_PER_RUN: '7',
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          testTimeout: 30_000,
          include: ['test/**/*.test.ts'],
          exclude: ['test/sim/**', 'test/e2e/**', 'test/browser/**', 'test/node/**'],
          globalSetup: ['./test/global-setup.ts'],
        },
      },
      {
        test: {
          // The simulator's own tests, and pure modules checked against Node-only references.
          name: 'node',
          include: ['test/sim/**/*.test.ts', 'test/node/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/global-setup.ts'],
        },
      },
      {
        test: {
          // Black-box: one `wrangler dev` of the gateway (started by its global setup) driven with the openai SDK.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          globalSetup: ['./test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
