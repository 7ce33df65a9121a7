import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { validateConfig, pointerConfig } from '../../../src/core/config.js';
import { parseConfigText } from '../../../src/adapters/config-file.js';
import { configJsonSchemaText } from '../../../src/core/config-json-schema.js';
import { PromoteError } from '../../../src/core/errors.js';
import { sampleConfig } from '../../helpers/fixtures.js';

describe('config validation', () => {
  it('accepts the sample and fills defaults', () => {
    const { config, errors } = validateConfig(sampleConfig('/srv'));
    expect(errors).toEqual([]);
    expect(config?.pointers.minutes?.runField).toBe('run_id');
    expect(config?.agent.interval).toBe('30s');
    expect(config?.policy.mergeMethod).toBe('squash');
  });

  it('accepts the template shipped for init', () => {
    const text = readFileSync(new URL('../../../templates/promote.config.json', import.meta.url), 'utf8');
    expect(validateConfig(JSON.parse(text)).errors).toEqual([]);
  });

  it('keeps unknown keys', () => {
    const { config } = validateConfig({ ...sampleConfig('/srv'), team: 'models' });
    expect((config as Record<string, unknown>).team).toBe('models');
  });

  it('reports all five problems at once with their dot-paths', () => {
    const bad = sampleConfig('/srv', {
      repository: { remote: 'origin', branch: '-main', github: 'not a repo' },
      policy: { evidenceMaxAgeDays: -1, mergeMethod: 'yolo' },
    }) as { pointers: Record<string, Record<string, unknown>> };
    bad.pointers.minutes!.contract = 'not-semver';
    const { config, errors } = validateConfig(bad);
    expect(config).toBeNull();
    expect(errors).toHaveLength(5);
    expect(errors.map((e) => e.split(':')[0]).sort()).toEqual([
      'pointers.minutes.contract',
      'policy.evidenceMaxAgeDays',
      'policy.mergeMethod',
      'repository.branch',
      'repository.github',
    ]);
  });

  it('checks pointer entries', () => {
    const bad = sampleConfig('/srv') as { pointers: Record<string, Record<string, unknown>> };
    bad.pointers.minutes!.file = '../outside.json';
    bad.pointers.minutes!.artifacts = '/models/minutes';
    bad.pointers.rates!.file = 'config/minutes_current_run.json';
    bad.pointers.BadName = bad.pointers.rates!;
    const { errors } = validateConfig(bad);
    expect(errors).toEqual(
      expect.arrayContaining([
        'pointers.minutes.file: must be a path inside the repository',
        'pointers.minutes.artifacts: must contain {run_id}',
        'pointers.BadName: pointer names are lower-case words (a-z, 0-9, _, -)',
        'pointers.BadName.file: is the same file as pointer "rates"',
      ]),
    );
  });

  it('turns problems into one usage error (exit 2) listing every line', () => {
    let thrown: unknown;
    try {
      parseConfigText('{"pointers": {}, "policy": {"mergeMethod": 1}}', 'promote.config.json');
    } catch (err) {
      thrown = err;
    }
    const e = thrown as PromoteError;
    expect(e).toBeInstanceOf(PromoteError);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('promote.config.json has 2 problems:');
    expect(e.details).toHaveLength(2);
  });

  it('reports malformed JSON with its position', () => {
    expect(() => parseConfigText('{"pointers": ', 'promote.config.json')).toThrow(
      /promote.config.json is not valid JSON/,
    );
  });

  it('names the known pointers for an unknown one', () => {
    const { config } = validateConfig(sampleConfig('/srv'));
    expect(() => pointerConfig(config!, 'usage')).toThrow('unknown pointer "usage"');
  });
});

describe('shipped JSON Schema', () => {
  it('is in sync with the zod schema (run `npm run schema` after changing it)', () => {
    const shipped = readFileSync(
      new URL('../../../schema/promote.config.schema.json', import.meta.url),
      'utf8',
    );
    expect(shipped).toBe(configJsonSchemaText());
  });
});
