/** What a valid config is warned about, unknown pointers, and how the branch's config differs from the host's. */
import { describe, expect, it } from 'vitest';
import { pointerConfig, validateConfig } from '../../../src/core/config.js';
import { configDifferences } from '../../../src/core/config-diff.js';
import { sampleConfig } from '../../helpers/fixtures.js';

type Raw = Record<string, unknown> & {
  repository: Record<string, unknown>;
  pointers: Record<string, Record<string, unknown>>;
};
/** The sample config with today's keys (its `evidenceMaxAgeDays` is deprecated and warned about). */
const raw = () => {
  const config = sampleConfig('/srv') as Raw;
  config.policy = { evidenceMaxAge: { days: 3 }, labels: ['promotion'], mergeMethod: 'squash' };
  return config;
};

describe('config warnings', () => {
  it('name each pointer without smoke or contract, and a repository without github', () => {
    const config = raw();
    config.pointers.minutes!.smoke = { command: ['score', '{run_id}'] };
    delete config.pointers.rates!.contract;
    delete config.repository.github;
    expect(validateConfig(config).warnings).toEqual([
      'pointers.rates.smoke: not set, so propose needs --evidence',
      'pointers.rates.contract: not set, so any model contract is accepted',
      'repository.github: not set, so pull requests cannot be opened',
    ]);
  });

  it('are none for a complete config, and no config comes with errors only', () => {
    const config = raw();
    for (const p of Object.values(config.pointers)) p.smoke = { command: ['score', '{run_id}'] };
    expect(validateConfig(config)).toMatchObject({ errors: [], warnings: [] });
    expect(validateConfig({ ...config, colour: 1 })).toMatchObject({ config: null, warnings: [] });
  });

  it('name the known pointers for an unknown one', () => {
    const config = validateConfig(raw()).config!;
    expect(pointerConfig(config, 'rates')).toBe(config.pointers.rates);
    expect(() => pointerConfig(config, 'usage')).toThrow(
      expect.objectContaining({
        message: 'unknown pointer "usage"',
        remedy: 'Use one of the pointers in promote.config.json: minutes, rates.',
      }),
    );
  });
});

describe('config differences', () => {
  const host = () => validateConfig(raw()).config!;
  const tip = (edit: (c: Raw) => void) => {
    const c = raw();
    edit(c);
    return JSON.stringify(c);
  };

  it('are none when the branch has no config or the same one, whatever its layout or defaults', () => {
    expect(configDifferences(host(), null)).toEqual([]);
    expect(configDifferences(host(), JSON.stringify(raw(), null, 4))).toEqual([]);
    expect(
      configDifferences(
        host(),
        tip((c) => (c.pointers.minutes!.runField = 'run_id')),
      ),
    ).toEqual([]);
  });

  it('name each pointer added, removed or changed, then flow and manifests', () => {
    const text = tip((c) => {
      c.pointers.lineups = { ...c.pointers.rates!, file: 'config/lineups.json' };
      delete c.pointers.rates;
      c.pointers.minutes!.contract = '^3.0.0';
      c.flow = { command: ['run'] };
      (c.manifests as Record<string, unknown>).root = '/elsewhere';
    });
    expect(configDifferences(host(), text)).toEqual([
      'pointers.minutes',
      'pointers.rates (removed on the branch)',
      'pointers.lineups (added on the branch)',
      'flow',
      'manifests',
    ]);
  });

  it('say when the branch config does not validate or is not JSON', () => {
    expect(configDifferences(host(), '{')).toEqual(['(the config on the branch does not validate)']);
    expect(configDifferences(host(), '{"pointers": {}}')).toEqual([
      '(the config on the branch does not validate)',
    ]);
  });
});
