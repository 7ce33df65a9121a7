#!/usr/bin/env node
import { withGhToken } from '../adapters/gh-token.js';
import { runCli } from './program.js';
import { redactingWriter } from './output.js';
import { installInterruptHandler } from './interrupts.js';

// GITHUB_TOKEN, else GH_TOKEN, else `gh auth token`: resolved before the output filter is built,
// so a token from gh is removed from output like the others.
const env = withGhToken(process.env);
const stderr = redactingWriter(process.stderr, env);
const interrupts = installInterruptHandler(process, stderr);

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env,
  now: () => new Date(),
  fetch: globalThis.fetch,
  stdout: redactingWriter(process.stdout, env),
  stderr,
  isTTY: Boolean(process.stdout.isTTY),
  signal: interrupts.signal,
});
process.exitCode = interrupts.exitCode(code);
