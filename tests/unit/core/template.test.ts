import { describe, expect, it } from 'vitest';
import { fillArgs, fillTemplate } from '../../../src/core/template.js';

describe('templates', () => {
  it('fills known placeholders and leaves unknown ones as written', () => {
    expect(fillTemplate('runs/{run_id}/{asset}/{other}', { run_id: 'r7', asset: 'minutes' })).toBe(
      'runs/r7/minutes/{other}',
    );
  });

  it('fills each argument of a command on its own', () => {
    expect(fillArgs(['score', '--run={run_id}', '{run_id} {x}'], { run_id: 'r7' })).toEqual([
      'score',
      '--run=r7',
      'r7 {x}',
    ]);
  });
});
