#!/usr/bin/env node
import { withGhToken } from '../adapters/gh-token.js';
import { runCli } from './program.js';
import { colourWriter, redactingWriter, useColour } from './output.js';
import { installInterruptHandler } from './interrupts.js';
import { journalStreams } from './journal-stream.js';

// GITHUB_TOKEN, else GH_TOKEN, else `gh auth token`: resolved before the output filter is built,
// so a token from gh is removed from output like the others.
const env = withGhToken(process.env);
// Secrets are removed first, then line starts are coloured (on a terminal, as NO_COLOR and
// FORCE_COLOR say).
const stderr = redactingWriter(colourWriter(process.stderr, useColour(env, process.stderr.isTTY)), env);
const interrupts = installInterruptHandler(process, stderr);

// No top-level await: the installed bin runs this bundled as one CommonJS script (scripts/bin.cjs).
void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env,
  now: () => new Date(),
  fetch: globalThis.fetch,
  stdout: redactingWriter(colourWriter(process.stdout, useColour(env, process.stdout.isTTY)), env),
  stderr,
  isTTY: Boolean(process.stdout.isTTY),
  journal: journalStreams(process.env),
  signal: interrupts.signal,
}).then((code) => {
  process.exitCode = interrupts.exitCode(code);
});
