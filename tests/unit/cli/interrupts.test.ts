import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installInterruptHandler } from '../../../src/cli/interrupts.js';

function fakeProcess() {
  const events = new EventEmitter();
  const exits: number[] = [];
  return {
    proc: { on: events.on.bind(events), exit: (code: number) => void exits.push(code) } as never,
    emit: (sig: string) => events.emit(sig),
    exits,
  };
}

describe('the interrupt handler', () => {
  it('treats the copy of a Ctrl-C that git forwards as the same interrupt', () => {
    let now = 1000;
    const p = fakeProcess();
    let err = '';
    const h = installInterruptHandler(p.proc, { write: (t: string) => (err += t) }, { now: () => now });
    p.emit('SIGINT');
    now += 3;
    p.emit('SIGINT');
    expect(h.signal.aborted).toBe(true);
    expect(p.exits).toEqual([]);
    expect(err.match(/received SIGINT/g)).toHaveLength(1);
    expect(h.exitCode(3)).toBe(130);
    expect(h.exitCode(0)).toBe(0);
    now += 2000;
    p.emit('SIGINT');
    expect(p.exits).toEqual([130]);
  });

  it('leaves exit codes alone without a signal, and uses 143 after SIGTERM', () => {
    const quiet = installInterruptHandler(fakeProcess().proc, { write: () => undefined });
    expect(quiet.exitCode(4)).toBe(4);
    const p = fakeProcess();
    const h = installInterruptHandler(p.proc, { write: () => undefined });
    p.emit('SIGTERM');
    expect(h.exitCode(1)).toBe(143);
  });
});
