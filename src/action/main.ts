/**
 * The Action's logic entry point: inputs from @actions/core, then runAction. @github/local-action
 * runs this file (it stubs @actions/core); the bundle's src/action/index.ts calls `run`.
 */
import * as core from '@actions/core';
import { ACTION_INPUTS, runAction, type ActionInputs } from './run.js';

export async function run(): Promise<void> {
  const inputs = Object.fromEntries(ACTION_INPUTS.map((name) => [name, core.getInput(name)])) as ActionInputs;
  const code = await runAction(inputs, core, {
    // The runner starts a JavaScript action in GITHUB_WORKSPACE; local runners may not chdir there.
    cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
    env: process.env,
    now: () => new Date(),
    fetch: globalThis.fetch,
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    isTTY: false,
  });
  if (code !== 0) process.exitCode = code;
}
