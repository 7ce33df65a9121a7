import { describe, expect, it } from 'vitest';
import { classifyChange, runsHeld } from '../../../src/core/change-kind.js';

describe('kinds of change', () => {
  it('is a rollback only when the new run was held before', () => {
    expect(classifyChange('B', 'A', new Set(['A']))).toBe('rollback');
    expect(classifyChange('B', 'C', new Set(['A']))).toBe('promotion');
    expect(classifyChange('B', 'B', new Set(['B']))).toBe('manual edit');
    expect(classifyChange('B', null, new Set(['A']))).toBe('manual edit');
  });

  it('counts every run a pointer moved from or to as held, and no missing one', () => {
    const held = runsHeld([
      { from: null, to: 'A' },
      { from: 'A', to: 'B' },
      { from: 'X', to: null },
    ]);
    expect([...held].sort()).toEqual(['A', 'B', 'X']);
  });
});
