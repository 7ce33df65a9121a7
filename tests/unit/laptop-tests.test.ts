/**
 * CI's macOS job (`laptop` in .github/workflows/ci.yml) runs `npm run test:laptop`, which cannot
 * run here. vitest takes its file arguments as filters: a misspelt or moved path would silently
 * run fewer tests on macOS, so every path it names must be a test file that exists, the laptop
 * commands must each be covered, and a test that needs Linux must say so and skip elsewhere.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The commands data scientists run from a laptop (the issue, and the job's comment). */
const LAPTOP_COMMANDS = ['propose', 'smoke', 'validate', 'status', 'history', 'rollback'];

/** What marks a test as needing Linux: /proc, strace, systemd, the abstract-socket lock guard. */
const NEEDS_LINUX =
  /\/proc\/|\bstrace\b|systemd-analyze|abstract[- ]socket|processStart\(|leftoverProcesses\(/;
/** How such a test skips elsewhere, with the reason (tests/helpers/platform.ts, tests/helpers/strace.ts). */
const SKIPS_ELSEWHERE = /\blinuxOnly\(|\bstraceAvailable\(/;

/** The steps of the script and the files its integration run names. */
export function laptopRun(script: string): { steps: string[]; files: string[] } {
  const steps = script.split('&&').map((s) => s.trim());
  const run = steps.find((s) => s.startsWith('vitest run --project integration '));
  if (!run) throw new Error('test:laptop has no `vitest run --project integration <files>` step');
  return { steps, files: run.split(/\s+/).slice(4) };
}

describe('npm run test:laptop (the macOS job)', () => {
  const { steps, files } = laptopRun(pkg.scripts['test:laptop']!);

  it('builds, runs the whole unit project, then the integration files it names', () => {
    expect(steps.slice(0, 2)).toEqual(['npm run build', 'vitest run --project unit']);
    expect(steps).toHaveLength(3);
  });

  it('names only test files that exist, each once, in the integration project', () => {
    const wrong = files.filter(
      (f) =>
        !/^tests\/(integration|e2e)\/[\w/-]+\.test\.ts$/.test(f) ||
        !existsSync(join(ROOT, f)) ||
        !statSync(join(ROOT, f)).isFile(),
    );
    expect(wrong, 'paths that are not existing test files').toEqual([]);
    expect(new Set(files).size).toBe(files.length);
  });

  it('covers every laptop command, and the install from a tarball', () => {
    for (const command of LAPTOP_COMMANDS)
      expect(
        files.some((f) => f.startsWith(`tests/integration/${command}`)),
        command,
      ).toBe(true);
    expect(files).toContain('tests/e2e/install.test.ts');
  });

  it('holds no test that needs Linux unless it skips elsewhere with the reason', () => {
    const unguarded = files.filter((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return NEEDS_LINUX.test(text) && !SKIPS_ELSEWHERE.test(text);
    });
    expect(unguarded).toEqual([]);
  });

  it('is what the laptop job runs, on macOS', () => {
    const ci = yaml.load(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as {
      jobs: Record<string, { 'runs-on': string; steps: { run?: string }[] }>;
    };
    expect(ci.jobs.laptop!['runs-on']).toMatch(/^macos-/);
    expect(ci.jobs.laptop!.steps.map((s) => s.run).filter(Boolean)).toEqual([
      'npm ci',
      'npm run test:laptop',
    ]);
  });
});

describe('the checks of the laptop list', () => {
  it('refuse a script without its integration run', () => {
    expect(() => laptopRun('npm run build && vitest run --project unit')).toThrow(/no `vitest run --project/);
  });

  it('recognise the tests that need Linux and how they skip elsewhere', () => {
    for (const f of ['tests/integration/lock.test.ts', 'tests/e2e/durability-order.test.ts']) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(NEEDS_LINUX.test(text), f).toBe(true);
      expect(SKIPS_ELSEWHERE.test(text), f).toBe(true);
    }
  });
});
