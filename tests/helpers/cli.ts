/** Run the built CLI (dist/) as a real child process. `npm run build` must have run. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnv } from './git-repo.js';

export const CLI = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/src/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCliProcess(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    input?: string;
    timeoutMs?: number;
    /** Another script to run with node (the Action's bundle); default the built CLI. */
    script?: string;
  },
): Promise<CliResult> {
  const script = options.script ?? CLI;
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: testEnv(options.env) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A command that exits before reading stdin (a usage error) closes the pipe: EPIPE is no failure.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(options.input ?? '');
  });
}
