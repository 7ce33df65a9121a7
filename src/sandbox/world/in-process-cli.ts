import type { Context } from '../../commands/context.js';

/** The CLI the sandbox runs its commands through: given by src/cli in the Context, never imported. */
export function inProcessCli(ctx: Context): NonNullable<Context['runCli']> {
  if (!ctx.runCli)
    throw new Error('the sandbox runs git-promote in-process: its Context needs runCli (src/cli sets it)');
  return ctx.runCli;
}
