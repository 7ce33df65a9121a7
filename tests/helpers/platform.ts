/** Tests that depend on Linux say so: elsewhere they are skipped with the reason in the report. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'vitest';

export const LINUX = process.platform === 'linux';

export function linuxOnly(ctx: TestContext, why: string): void {
  ctx.skip(!LINUX, `Linux only: ${why}`);
}

/** Skip with the reason when a program the test runs is not installed (`.ci/run` installs it). */
export function needsProgram(ctx: TestContext, program: string, why: string): void {
  const found = (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(join(dir, program)));
  ctx.skip(!found, `${program} is not installed: ${why}`);
}
