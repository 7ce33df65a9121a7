/** The benchmarks' process sampler measures CPU time of the process tree, not wall time. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processCpu } from '../../bench/process-cpu.js';
import { tempDir } from '../helpers/git-repo.js';

const node = (code: string) => processCpu({ command: process.execPath, args: ['-e', code] });

describe('processCpu', () => {
  it('counts a busy process and its children, not time spent waiting', async () => {
    const busy = 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 150_000);';
    expect(await node(busy)()).toBeGreaterThanOrEqual(145);
    // A child's CPU counts once the parent waited for it.
    const child = `require('node:child_process').execFileSync(process.execPath, ['-e', ${JSON.stringify(busy)}])`;
    expect(await node(child)()).toBeGreaterThanOrEqual(145);
    const start = performance.now();
    const sleeping = await node('setTimeout(() => {}, 400)')();
    expect(performance.now() - start).toBeGreaterThanOrEqual(400);
    expect(sleeping).toBeLessThan(200);
  });

  it("counts nothing of the shell's own start-up files", async () => {
    // bash sources ~/.bashrc when its stdin is a socket (it takes that for a remote shell):
    // a costly one must not be counted as the command's CPU.
    const home = tempDir();
    try {
      writeFileSync(
        join(home, '.bashrc'),
        `${JSON.stringify(process.execPath)} -e "const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300000);"\n`,
      );
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };
      expect(await processCpu({ command: 'git', args: ['--version'], env })()).toBeLessThan(100);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('fails on a non-zero exit, with the command and its stderr', () => {
    expect(() => node("console.error('boom'); process.exit(3)")()).toThrow(/exited 3: boom/);
  });
});
