import type { Context } from '../../commands/context.js';
import { inProcessCli } from './in-process-cli.js';

/** Write the evidence of `run` to `out` with the real `smoke` command, run in the clone `work`. */
export async function smokeEvidence(
  ctx: Context,
  work: string,
  env: Record<string, string | undefined>,
  pointer: string,
  run: string,
  out: string,
): Promise<void> {
  let err = '';
  const code = await inProcessCli(ctx)(['smoke', pointer, run, '--out', out], {
    ...ctx,
    cwd: work,
    env,
    isTTY: false,
    stdout: { write: () => undefined },
    stderr: { write: (s) => void (err += s) },
  });
  if (code !== 0) throw new Error(`smoke ${pointer} ${run} failed: ${err.trim()}`);
}
