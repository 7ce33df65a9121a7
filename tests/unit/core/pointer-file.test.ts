import { describe, expect, it } from 'vitest';
import { newPointerFile, readPointerRun, setPointerRun } from '../../../src/core/pointer-file.js';
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

  it.each([
    ['{"run_id": ', 'not valid JSON'],
    ['[1,2]', 'must hold a JSON object'],
    ['{"run_id": 7}', 'has no string "run_id"'],
    ['{"run_id": "../../etc"}', 'not a valid run id'],
  ])('refuses %j with one clear line', (content, message) => {
    let thrown: unknown;
    try {
      readPointerRun(content, 'run_id', 'config/minutes_current_run.json');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PromoteError);
    expect((thrown as PromoteError).message).toContain(message);
    expect((thrown as PromoteError).message).toContain('config/minutes_current_run.json');
    expect((thrown as PromoteError).exitCode).toBe(1);
  });

  it('does not edit malformed content', () => {
    expect(() => setPointerRun('run_id', 'r')('{broken')).toThrow(/not valid JSON/);
  });
});
