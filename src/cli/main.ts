#!/usr/bin/env node
import { runCli } from './program.js';
import { redactingWriter } from './output.js';
import { journalStreams } from './journal-stream.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`received ${sig}: stopping cleanly (send it again to force)\n`);
    controller.abort(new Error(`received ${sig}`));
  });
}

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  now: () => new Date(),
  fetch: globalThis.fetch,
  stdout: redactingWriter(process.stdout, process.env),
  stderr: redactingWriter(process.stderr, process.env),
  isTTY: Boolean(process.stdout.isTTY),
  journal: journalStreams(process.env),
  signal: controller.signal,
});
process.exitCode = code;
