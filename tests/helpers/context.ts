/** An in-memory Context for calling commands in-process (adapters stay real). */
import { runCli } from '../../src/cli/program.js';
import type { Context } from '../../src/commands/context.js';
import { testEnv } from './git-repo.js';

export interface TestContext extends Context {
  out(): string;
  err(): string;
}

export function testContext(overrides: Partial<Context> = {}): TestContext {
  let out = '';
  let err = '';
  return {
    cwd: process.cwd(),
    env: testEnv(),
    now: () => new Date('2026-11-26T18:00:00Z'),
    fetch: globalThis.fetch,
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
    isTTY: false,
    // The sandbox world runs the CLI in-process through this, as src/cli gives it.
    runCli,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}
