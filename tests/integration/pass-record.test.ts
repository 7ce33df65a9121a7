/** How a pass is recorded in passes.json when its follow-up fails, with the agent's hooks injected. */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAgent } from '../../src/agent/loop.js';
import type { AfterApplyHook } from '../../src/core/apply-result.js';
import { TransientError } from '../../src/core/errors.js';
import { createAgentWorld, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

const passes = (w: AgentWorld) =>
  JSON.parse(readFileSync(join(w.state, 'passes.json'), 'utf8')) as {
    lastSuccessAt: string | null;
    errors: Record<string, number>;
  };

describe('the pass record', () => {
  it('counts a pass whose follow-up fails at once (Prefect down) as failed, however often it resumes', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    let prefectUp = false;
    const flow: AfterApplyHook = {
      name: 'flow',
      async run() {
        if (!prefectUp)
          throw new TransientError('Prefect at http://127.0.0.1:4200/api is unreachable', 'later');
        return { ok: true };
      },
    };
    const agent = makeAgent({ afterApply: [flow] });
    const once = (iso: string) =>
      agent([], { once: true }, testContext({ cwd: w.cwd, now: () => new Date(iso) }));

    w.promote({ minutes: 'm2' });
    expect((await once('2026-11-26T18:00:00Z')).exitCode).toBe(3);
    expect(w.runInTarget('minutes')).toBe('m2'); // applied; only the follow-up is pending
    expect(passes(w)).toMatchObject({ lastSuccessAt: null, errors: { transient: 1 } });
    expect((await once('2026-11-26T18:00:30Z')).exitCode).toBe(3);
    expect(passes(w)).toMatchObject({ lastSuccessAt: null, errors: { transient: 2 } });

    prefectUp = true;
    expect((await once('2026-11-26T18:01:00Z')).exitCode).toBe(0);
    expect(passes(w)).toMatchObject({ lastSuccessAt: '2026-11-26T18:01:00.000Z', errors: { transient: 2 } });
  });
});
