import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure and fast; `integration` uses real git, real processes and
// loopback HTTP servers (and the built CLI in tests/e2e), so it needs `npm run build` first.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          // The GitHub stand-in's traffic is checked against @octokit/openapi after every test.
          setupFiles: ['tests/setup/github-traffic.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
