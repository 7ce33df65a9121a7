#!/usr/bin/env node
import { runCli } from './program.js';
import { redactingWriter } from './output.js';
import { installInterruptHandler } from './interrupts.js';

const stderr = redactingWriter(process.stderr, process.env);
const interrupts = installInterruptHandler(process, stderr);

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  now: () => new Date(),
  fetch: globalThis.fetch,
  stdout: redactingWriter(process.stdout, process.env),
  stderr,
  isTTY: Boolean(process.stdout.isTTY),
  signal: interrupts.signal,
});
process.exitCode = interrupts.exitCode(code);
