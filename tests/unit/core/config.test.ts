import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { evidenceMaxAge, validateConfig, pointerConfig } from '../../../src/core/config.js';
import { parseConfigText } from '../../../src/adapters/config-file.js';
import { configJsonSchemaText } from '../../../src/core/config-json-schema.js';
import { jsonErrorOffset } from '../../../src/core/json-syntax.js';
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

  it('refuses unknown keys at every level with their dot-path and a "did you mean"', () => {
    const bad = sampleConfig('/srv', {
      team: 'models',
      agent: { target: '/srv/target', requireSignedCommit: true },
    }) as { pointers: Record<string, Record<string, unknown>> };
    bad.pointers.minutes!.smoke = { command: ['score', '{run_id}'], expect: { colums: ['a'] } };
    bad.pointers.rates!.verfy = { asset: 'rates_scores' };
    const { config, errors } = validateConfig(bad);
    expect(config).toBeNull();
    expect(errors.sort()).toEqual([
      'agent.requireSignedCommit: unknown key; did you mean "requireSignedCommits"?',
      'pointers.minutes.smoke.expect.colums: unknown key; did you mean "columns"?',
      'pointers.rates.verfy: unknown key; did you mean "verify"?',
      expect.stringMatching(
        /^team: unknown key; known keys here: \$schema, minVersion, repository, pointers, /,
      ),
    ]);
  });

  it('leaves the free-form maps free: flow parameters take any key', () => {
    const config = sampleConfig('/srv', {
      flow: { prefect: { deployment: 'daily/live', parameters: { anything: { nested: 1 } } } },
    });
    expect(validateConfig(config).errors).toEqual([]);
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

  it('reports malformed JSON with its line and column', () => {
    expect(() => parseConfigText('{"pointers": ', 'promote.config.json')).toThrow(
      'promote.config.json is not valid JSON: line 1, column 14: unexpected end of input',
    );
    expect(() => parseConfigText('{\n  "a": 1,\n  "b": 2,\n}\n', 'promote.config.json')).toThrow(
      'promote.config.json is not valid JSON: line 4, column 1: unexpected "}"',
    );
  });

  it('finds a syntax error exactly where JSON.parse does not accept the text', () => {
    const text = readFileSync(new URL('../../../templates/promote.config.json', import.meta.url), 'utf8');
    // Every single-character deletion of the template: the scanner and JSON.parse agree on validity.
    for (let i = 0; i < text.length; i++) {
      const mutated = text.slice(0, i) + text.slice(i + 1);
      let valid = true;
      try {
        JSON.parse(mutated);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(mutated) === undefined, `deletion at ${i}`).toBe(valid);
    }
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

  it('closes every object of the config, so editors flag unknown keys', () => {
    const schema = JSON.parse(configJsonSchemaText()) as Record<string, unknown>;
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object' && n.properties && n.additionalProperties !== false) open.push(path);
      for (const [k, v] of Object.entries(n)) walk(v, `${path}/${k}`);
    };
    walk(schema, '#');
    expect(open).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('policy.evidenceMaxAge', () => {
  const policy = (p: Record<string, unknown>) => {
    const result = validateConfig(sampleConfig('/srv', { policy: p }));
    return result;
  };

  it('is {days: 3} by default, slates or days as given, and the deprecated key as days', () => {
    expect(evidenceMaxAge(policy({}).config!.policy)).toEqual({ days: 3 });
    expect(evidenceMaxAge(policy({ evidenceMaxAge: { slates: 3 } }).config!.policy)).toEqual({ slates: 3 });
    expect(evidenceMaxAge(policy({ evidenceMaxAge: { days: 5 } }).config!.policy)).toEqual({ days: 5 });
    const old = policy({ evidenceMaxAgeDays: 4 });
    expect(evidenceMaxAge(old.config!.policy)).toEqual({ days: 4 });
    expect(old.warnings).toContain(
      'policy.evidenceMaxAgeDays: deprecated; write "evidenceMaxAge": {"days": 4} (or {"slates": N})',
    );
  });

  it('wins over the deprecated evidenceMaxAgeDays, which is then reported as ignored', () => {
    const both = policy({ evidenceMaxAge: { slates: 3 }, evidenceMaxAgeDays: 1 });
    expect(evidenceMaxAge(both.config!.policy)).toEqual({ slates: 3 });
    expect(both.warnings).toContain(
      'policy.evidenceMaxAgeDays: deprecated and ignored, because policy.evidenceMaxAge is set; remove it',
    );
  });

  it('takes exactly one of slates or days, and no other key', () => {
    expect(policy({ evidenceMaxAge: { slates: 3, days: 3 } }).errors).toEqual([
      'policy.evidenceMaxAge: give exactly one of slates or days',
    ]);
    expect(policy({ evidenceMaxAge: {} }).errors).toEqual([
      'policy.evidenceMaxAge: give exactly one of slates or days',
    ]);
    expect(policy({ evidenceMaxAge: { slate: 3 } }).errors).toContain(
      'policy.evidenceMaxAge.slate: unknown key; did you mean "slates"?',
    );
  });
});
