import { defineConfig } from 'vitest/config';

// The tests StrykerJS runs against each mutant (`npm run mutation`): only tests that call
// src/core and src/adapters/fs in process. Tests that spawn the built CLI never see a mutant, and
// the slow in-process git worlds would make each mutant cost seconds (see bench/MUTATION.md). The
// lock race test skips itself here: its contenders load dist/, where no mutant is.
export default defineConfig({
  test: {
    include: [
      'tests/unit/**/*.test.ts',
      'tests/integration/write-set.test.ts',
      'tests/integration/artifact.test.ts',
      'tests/integration/lock.test.ts',
      'tests/integration/failed-writes.test.ts',
      'tests/integration/pass-stats.test.ts',
      'tests/integration/contained-dirs.test.ts',
    ],
    setupFiles: ['tests/helpers/temp-dir-guard.ts'],
    env: { GIT_PROMOTE_MUTATION_RUN: '1' },
    testTimeout: 60_000,
  },
});
