import { defineConfig } from 'vitest/config';

// The tests StrykerJS runs against each mutant (`npm run mutation`): only tests that call
// src/core and src/adapters/fs in process. Tests that spawn the built CLI never see a mutant, and
// the slow in-process git worlds would make each mutant cost seconds (see bench/MUTATION.md); the
// lock race test needs dist/, which the Stryker sandbox does not copy.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/write-set.test.ts'],
    setupFiles: ['tests/helpers/temp-dir-guard.ts'],
    testTimeout: 60_000,
  },
});
