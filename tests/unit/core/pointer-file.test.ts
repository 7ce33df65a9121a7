import { describe, expect, it } from 'vitest';
import {
  newPointerFile,
  readPointerRun,
  readPointerRunOr,
  setPointerRun,
} from '../../../src/core/pointer-file.js';
import { PromoteError } from '../../../src/core/errors.js';

describe('pointer file edits', () => {
  it('changes only the run field and keeps other keys and their order', () => {
    const before = '{"updated_by": "daniel", "run_id": "old", "notes": {"a": 1}, "z": [1, 2]}';
    const after = setPointerRun('run_id', 'new')(before);
    expect(Object.keys(JSON.parse(after))).toEqual(['updated_by', 'run_id', 'notes', 'z']);
    expect(JSON.parse(after)).toEqual({ updated_by: 'daniel', run_id: 'new', notes: { a: 1 }, z: [1, 2] });
    expect(after.endsWith('}\n')).toBe(true);
    expect(after).toContain('\n  "run_id": "new",\n');
  });

  it('uses the configured run field and appends it when missing', () => {
    const after = setPointerRun('model_run', 'r2')('{"owner": "x"}');
    expect(after).toBe('{\n  "owner": "x",\n  "model_run": "r2"\n}\n');
    expect(readPointerRun(after, 'model_run', 'p.json')).toBe('r2');
  });

  it('is idempotent', () => {
    const once = setPointerRun('run_id', 'r')('{"run_id":"a","k":1}');
    expect(setPointerRun('run_id', 'r')(once)).toBe(once);
  });

  it('writes a new pointer file', () => {
    expect(newPointerFile('run_id', 'r1')).toBe('{\n  "run_id": "r1"\n}\n');
  });

  const label = 'config/minutes_current_run.json';
  it.each([
    ['{"run_id": ', 'not valid JSON', `Fix the JSON syntax in ${label}`],
    ['[1,2]', 'must hold a JSON object', `Write ${label} as {"run_id": "<run>"}.`],
    ['"run-7"', 'must hold a JSON object', `Write ${label} as {"run_id": "<run>"}.`],
    ['null', 'must hold a JSON object', `Write ${label} as {"run_id": "<run>"}.`],
    [
      '{"run_id": 7}',
      'has no string "run_id"',
      `Set "run_id" in ${label} to the run id of the current model.`,
    ],
    ['{"run_id": "../../etc"}', 'not a valid run id', `Point ${label} at a real run id.`],
  ])('refuses %j with one clear line and what to do', (content, message, remedy) => {
    let thrown: unknown;
    try {
      readPointerRun(content, 'run_id', label);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PromoteError);
    expect((thrown as PromoteError).message).toContain(message);
    expect((thrown as PromoteError).message).toContain(label);
    expect((thrown as PromoteError).remedy).toContain(remedy);
    expect((thrown as PromoteError).exitCode).toBe(1);
  });

  it('reads the run of a pointer version, null when the file is absent or unreadable (saying why)', () => {
    const problems: string[] = [];
    expect(readPointerRunOr('{"run_id": "r1"}', 'run_id', label, problems)).toBe('r1');
    expect(readPointerRunOr(null, 'run_id', label, problems)).toBeNull();
    expect(problems).toEqual([]);
    expect(readPointerRunOr('{"run_id": 7}', 'run_id', label, problems)).toBeNull();
    expect(problems).toEqual([`${label} has no string "run_id"`]);
  });

  it('writes an empty or blank pointer file as a new one', () => {
    expect(setPointerRun('run_id', 'r1')('')).toBe(newPointerFile('run_id', 'r1'));
    expect(setPointerRun('run_id', 'r1')('\n  \n')).toBe(newPointerFile('run_id', 'r1'));
  });

  it('does not edit malformed content', () => {
    expect(() => setPointerRun('run_id', 'r')('{broken')).toThrow(/^pointer file is not valid JSON/);
    expect(() => setPointerRun('run_id', 'r', 'p.json')('[]')).toThrow(/^p\.json must hold a JSON object/);
  });
});
