/**
 * The Action's logic entry point: inputs from @actions/core, then runAction. @github/local-action
 * runs this file (it stubs @actions/core); the bundle's src/action/index.ts calls `run`.
 */
import * as core from '@actions/core';
import { ACTION_INPUTS, runAction, type ActionInputs, type ActionIO } from './run.js';

const io: ActionIO = {
  setSecret: (value) => core.setSecret(value),
  setOutput: (name, value) => core.setOutput(name, value),
  setFailed: (message) => core.setFailed(message),
  annotate: ({ kind, props, message }) =>
    core[kind](message, {
      ...(props.title !== undefined ? { title: props.title } : {}),
      ...(props.file !== undefined ? { file: props.file } : {}),
      ...(props.line !== undefined ? { startLine: props.line } : {}),
    }),
  summary: async (markdown) => {
    if (!process.env.GITHUB_STEP_SUMMARY) return false;
    await core.summary.addRaw(markdown).write();
    return true;
  },
};

export async function run(): Promise<void> {
  const inputs = Object.fromEntries(ACTION_INPUTS.map((name) => [name, core.getInput(name)])) as ActionInputs;
  const code = await runAction(inputs, io, {
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
