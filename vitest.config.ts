import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure and fast; `integration` uses real git, real processes and
// loopback HTTP servers (and the built CLI in tests/e2e), so it needs `npm run build` first.
export default defineConfig({
  test: {
    // Two test files at a time, also on 2 cores (the default there is one): most of an integration
    // test's time is spent waiting for git, child processes and loopback servers (3.5 min, not 6).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['tests/helpers/temp-dir-guard.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          // The GitHub stand-in's traffic is checked against @octokit/openapi after every test, and
          // every test file must remove the temp directories it made (fails the file otherwise).
          setupFiles: ['tests/setup/github-traffic.ts', 'tests/helpers/temp-dir-guard.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
