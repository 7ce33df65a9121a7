/** Text for a terminal: escape sequences from git, GitHub or a child process are shown, not obeyed. */
import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from '../../../src/core/terminal-text.js';
import { priorityPrefix, PRIORITY } from '../../../src/core/log-priority.js';

describe('terminal text', () => {
  it('escapes control characters but keeps newlines and tabs', () => {
    expect(terminalSafe('Ann\u001b]0;pwned\u0007\n\tnext\r\u009b2J\u007f')).toBe(
      'Ann\\u001b]0;pwned\\u0007\n\tnext\\u000d\\u009b2J\\u007f',
    );
  });

  it('escapes in JSON what JSON.stringify leaves raw: DEL, C1 controls and line separators', () => {
    const json = JSON.stringify({ author: 'a\u007fb\u009bc\u2028d\u2029e\u0001' });
    expect(terminalSafeJson(json)).toBe('{"author":"a\\u007fb\\u009bc\\u2028d\\u2029e\\u0001"}');
    expect(JSON.parse(terminalSafeJson(json))).toEqual(JSON.parse(json));
  });

  it('prefixes journal lines with their syslog priority', () => {
    expect(priorityPrefix(PRIORITY.err)).toBe('<3>');
  });
});
