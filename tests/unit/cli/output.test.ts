import { describe, expect, it } from 'vitest';
import { colourWriter, useColour } from '../../../src/cli/output.js';

describe('colour', () => {
  it('follows NO_COLOR, FORCE_COLOR, the terminal and TERM=dumb', () => {
    expect(useColour({}, true)).toBe(true);
    expect(useColour({}, false)).toBe(false);
    expect(useColour({ TERM: 'dumb' }, true)).toBe(false);
    expect(useColour({ NO_COLOR: '1' }, true)).toBe(false);
    expect(useColour({ NO_COLOR: '' }, true)).toBe(true);
    expect(useColour({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(useColour({ FORCE_COLOR: '0' }, false)).toBe(false);
    expect(useColour({ FORCE_COLOR: '1', NO_COLOR: 'yes' }, true)).toBe(false);
  });

  it('colours only line starts', () => {
    let out = '';
    colourWriter({ write: (t: string) => (out += t) }, true).write(
      'error: x\n  a hint: y\nhint: z\n✓ done\n',
    );
    expect(out).toBe(
      '\x1b[31merror:\x1b[39m x\n  a hint: y\n\x1b[36mhint:\x1b[39m z\n\x1b[32m✓\x1b[39m done\n',
    );
  });
});
