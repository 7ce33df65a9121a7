/**
 * action.yml at the repository root is what the Action's code reads and writes: the inputs it
 * declares are the ones src/action reads, the outputs the ones it sets, it runs on node24 and
 * its `main` is the committed bundle. (@action-validator/core rejects node24, so not used here.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUTS, ACTION_OUTPUTS } from '../../src/action/run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
type ActionYml = {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: Record<string, string>;
};
const action = load(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

describe('action.yml', () => {
  it('declares exactly the inputs src/action reads and the outputs it sets, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...ACTION_INPUTS].sort());
    expect(Object.keys(action.outputs).sort()).toEqual([...ACTION_OUTPUTS].sort());
    for (const [name, input] of Object.entries({ ...action.inputs, ...action.outputs }))
      expect(input.description, name).toMatch(/\S/);
  });

  it('reads inputs only through ACTION_INPUTS (no getInput of a name action.yml does not declare)', () => {
    for (const file of ['main.ts', 'index.ts', 'run.ts']) {
      const text = readFileSync(join(ROOT, 'src/action', file), 'utf8');
      expect([...text.matchAll(/getInput\(\s*['"`]/g)], file).toEqual([]);
    }
    expect(readFileSync(join(ROOT, 'src/action/main.ts'), 'utf8')).toContain(
      'ACTION_INPUTS.map((name) => [name, core.getInput(name)])',
    );
  });

  it('requires command and defaults the token to the job token', () => {
    expect(action.inputs.command!.required).toBe(true);
    expect(action.inputs.token!.default).toBe('${{ github.token }}');
  });

  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist-action/index.js' });
    expect(existsSync(join(ROOT, action.runs.main!))).toBe(true);
    expect(readFileSync(join(ROOT, 'scripts/bundle.mjs'), 'utf8')).toContain("outdir: 'dist-action'");
  });
});
