/** Tests that depend on Linux say so: elsewhere they are skipped with the reason in the report. */
import type { TestContext } from 'vitest';

export const LINUX = process.platform === 'linux';

export function linuxOnly(ctx: TestContext, why: string): void {
  ctx.skip(!LINUX, `Linux only: ${why}`);
}
