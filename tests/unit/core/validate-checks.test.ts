import { describe, expect, it } from 'vitest';
import {
  checkConfig,
  checkConfigChange,
  parseEvidence,
  evidencePaths,
  pointerRuns,
  runChecks,
  type CheckResult,
  type FileChange,
} from '../../../src/core/validate-checks.js';
import {
  adoptedEvidence,
  adoptedEvidenceJson,
  buildEvidence,
  evidenceFile,
  evidenceJson,
} from '../../helpers/evidence.js';
import { UsageError } from '../../../src/core/errors.js';
import { pointerJson, sampleConfig, sampleMeta } from '../../helpers/fixtures.js';
import { canonicalSha256 } from '../../../src/core/meta-hash.js';

const NOW = new Date('2026-11-26T18:00:00Z'); // ET slate date 2026-11-26

function configText(overrides: Record<string, unknown> = {}): string {
  const config = sampleConfig('/data');
  const pointers = config.pointers as Record<string, Record<string, unknown>>;
  pointers.minutes!.smoke = {
    command: ['python', '-m', 'score', '--run-id', '{run_id}'],
    expect: { columns: ['player_id', 'game_id', 'minutes_p50'], rows: { min: 100, max: 1000 } },
  };
  return JSON.stringify({ ...config, ...overrides }, null, 2);
}

type Files = Record<string, string>;

const BASE: Files = {
  'promote.config.json': configText(),
  'config/minutes_current_run.json': pointerJson('m1'),
  'config/rates_current_run.json': pointerJson('r1'),
  [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1', { gameDate: '2026-10-01' }),
  [evidenceFile('rates', 'r1')]: evidenceJson('rates', 'r1', { gameDate: '2026-10-01', contract: '1.2.0' }),
  'src/pipeline.py': 'print(1)\n',
};

/** A promotion of minutes to m2 with fresh evidence, plus any further edits (null deletes). */
function promote(edits: Record<string, string | null> = {}): Files {
  return apply(
    {
      ...BASE,
      'config/minutes_current_run.json': pointerJson('m2'),
      [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2'),
    },
    edits,
  );
}

function apply(files: Files, edits: Record<string, string | null>): Files {
  const out = { ...files };
  for (const [k, v] of Object.entries(edits)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function diff(base: Files, head: Files): FileChange[] {
  const changes: FileChange[] = [];
  for (const path of new Set([...Object.keys(base), ...Object.keys(head)])) {
    if (!(path in head)) changes.push({ status: 'D', path });
    else if (!(path in base)) changes.push({ status: 'A', path });
    else if (base[path] !== head[path]) changes.push({ status: 'M', path });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

const tree = (files: Files, notUtf8: string[] = []) => ({
  get: (p: string) => files[p] ?? null,
  notUtf8: (p: string) => notUtf8.includes(p),
});

interface Options {
  /** The target branch tip (its config judges the PR). */
  base?: Files;
  /** The PR's merge base with the target (default: the target tip). */
  from?: Files;
  /** Runs each pointer held before on the target branch (default: only its current run). */
  held?: Record<string, string[]>;
  /** Git modes of changed paths at head (default 100644). */
  modes?: Record<string, string>;
  notUtf8?: string[];
  now?: Date;
  /** Run each pointer held where an adopted evidence file landed (by evidence path). */
  landing?: Record<string, string | null>;
}

function validate(head: Files, options: Options = {}): CheckResult[] {
  const base = options.base ?? BASE;
  const { result, config } = checkConfig(base['promote.config.json'] ?? null, 'promote.config.json');
  if (!config) return [result];
  const baseRuns = pointerRuns(config, tree(base));
  const held = new Map(
    [...baseRuns].map(([name, run]) => [
      name,
      new Set([...(run ? [run] : []), ...(options.held?.[name] ?? [])]),
    ]),
  );
  const changes = diff(options.from ?? base, head).map((c) => ({
    ...c,
    mode: c.status === 'D' ? null : (options.modes?.[c.path] ?? '100644'),
  }));
  return [
    result,
    ...runChecks({
      config,
      target: tree(base),
      merged: tree(head, options.notUtf8),
      changes,
      held,
      adoptionLanding: new Map(Object.entries(options.landing ?? {})),
      now: options.now ?? NOW,
      toolVersion: '0.1.0',
    }),
  ];
}

const failed = (results: CheckResult[]) => results.filter((r) => !r.ok);
const failedNames = (results: CheckResult[]) => [...new Set(failed(results).map((r) => r.name))].sort();

describe('validate checks', () => {
  it('passes a good promotion, running every check by name', () => {
    const results = validate(promote());
    expect(failed(results)).toEqual([]);
    const minutes = results.filter((r) => r.pointer === 'minutes').map((r) => r.name);
    expect(minutes).toEqual([
      'pointer-file',
      'invariant',
      'evidence-schema',
      'evidence-match',
      'meta-sha256',
      'smoke',
      'manifest',
      'columns',
      'rows',
      'evidence-age',
      'contract',
    ]);
    // The unchanged pointer is checked for the invariant only, not smoke again.
    expect(results.filter((r) => r.pointer === 'rates').map((r) => r.name)).toEqual([
      'pointer-file',
      'invariant',
      'evidence-schema',
      'evidence-match',
      'meta-sha256',
    ]);
    expect(results.map((r) => r.name)).toEqual(
      expect.arrayContaining(['config', 'file-type', 'append-only', 'scope']),
    );
    expect(results.find((r) => r.name === 'scope')).toMatchObject({
      ok: true,
      reason: 'changes only declared pointer files and their evidence',
    });
    expect(results.find((r) => r.name === 'scope')?.review).toBeUndefined();
  });

  it('passes a change to no pointer as "needs human review", never as a promotion', () => {
    const results = validate(apply(BASE, { 'src/pipeline.py': 'print(2)\n' }));
    expect(failed(results)).toEqual([]);
    expect(results.find((r) => r.name === 'scope')).toMatchObject({
      ok: true,
      review: true,
      reason: expect.stringMatching(
        /^needs human review: changes no pointer or evidence file \(src\/pipeline\.py\)/,
      ),
    });
  });

  const evidenceCases: [string, Parameters<typeof buildEvidence>[2], string, RegExp][] = [
    ['smoke exit code', { smoke: { exit_code: 2 } }, 'smoke', /smoke exited 2/],
    ['smoke published', { smoke: { published: true } }, 'smoke', /published/],
    ['a failed smoke check', { checks: [{ name: 'rows', ok: false }] }, 'smoke', /smoke checks failed: rows/],
    ['manifest status', { manifest: { status: 'failed' } }, 'manifest', /status is failed/],
    [
      'manifest run',
      { manifest: { run_id: 'other' } },
      'manifest',
      /manifest scored with "other", expected "m2"/,
    ],
    [
      'manifest models',
      { manifest: { run_id: 'flow-run-7', models: { minutes: 'm1' } } },
      'manifest',
      /scored with "m1" \(models\.minutes\)/,
    ],
    [
      'manifest date',
      { manifest: { game_date: '2026-11-20' } },
      'manifest',
      /differs from evidence game_date/,
    ],
    [
      'missing columns',
      { columns: ['player_id'] },
      'columns',
      /missing required columns: game_id, minutes_p50/,
    ],
    ['too few rows', { rows: 12 }, 'rows', /12 rows, outside \[100, 1000\]/],
    ['too many rows', { rows: 5000 }, 'rows', /5000 rows, outside/],
    [
      'no row count',
      { manifest: { outputs: [{ name: 'x', columns: ['player_id', 'game_id', 'minutes_p50'] }] } },
      'rows',
      /no row count/,
    ],
    ['old game date', { gameDate: '2026-11-20' }, 'evidence-age', /6 days old \(at most 3\)/],
    ['future game date', { gameDate: '2026-12-01' }, 'evidence-age', /in the future/],
    ['contract', { contract: '3.0.0' }, 'contract', /3\.0\.0 does not satisfy \^2\.0\.0/],
    [
      'no contract',
      { meta: { run_id: 'm2', model: 'x', created_at: '2026-11-20T00:00:00Z' } },
      'contract',
      /meta has no contract/,
    ],
    ['meta hash', { metaSha256: 'a'.repeat(64) }, 'meta-sha256', /embedded meta hashes to/],
    ['evidence pointer', { extra: { pointer: 'rates' } }, 'evidence-match', /pointer is "rates"/],
    ['evidence run', { extra: { run_id: 'm3' } }, 'evidence-match', /run_id is "m3"/],
    ['schema', { extra: { schema: 'other@2' } }, 'evidence-schema', /schema/],
    ['tool missing', { extra: { tool: undefined } }, 'evidence-schema', /tool/],
  ];
  for (const [label, options, name, reason] of evidenceCases) {
    it(`fails ${name} for ${label}`, () => {
      const results = validate(
        promote({ [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2', options) }),
      );
      expect(failedNames(results)).toEqual([name]);
      const bad = failed(results)[0]!;
      expect(bad).toMatchObject({ pointer: 'minutes', file: evidenceFile('minutes', 'm2') });
      expect(bad.reason).toMatch(reason);
    });
  }

  it('takes the scored run from manifest.models when the pipeline records it', () => {
    const ev = evidenceJson('minutes', 'm2', {
      manifest: { run_id: 'flow-run-7', models: { minutes: 'm2' } },
    });
    expect(failed(validate(promote({ [evidenceFile('minutes', 'm2')]: ev })))).toEqual([]);
  });

  it('accepts a game date one day ahead and exactly at the age limit', () => {
    for (const gameDate of ['2026-11-27', '2026-11-23']) {
      const results = validate(
        promote({ [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2', { gameDate }) }),
      );
      expect(failed(results)).toEqual([]);
    }
  });

  it('uses the ET slate date: 02:00 UTC is still the previous day in New York', () => {
    const gameDate = '2026-11-22';
    const head = promote({ [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2', { gameDate }) });
    expect(failed(validate(head, { now: new Date('2026-11-26T02:00:00Z') }))).toEqual([]);
    expect(failedNames(validate(head, { now: new Date('2026-11-26T06:00:00Z') }))).toEqual(['evidence-age']);
  });

  it('hashes the meta as committed, whatever its key order', () => {
    const meta = {
      model: 'lgbm',
      run_id: 'm2',
      created_at: '2026-11-20T10:00:00Z',
      contract: '2.0.1',
      extra: { b: 1, a: 2 },
    };
    const ev = buildEvidence('minutes', 'm2', { meta, metaSha256: canonicalSha256({ ...meta }) });
    expect(failed(validate(promote({ [evidenceFile('minutes', 'm2')]: JSON.stringify(ev) })))).toEqual([]);
  });

  it('fails evidence that is not JSON', () => {
    const results = validate(promote({ [evidenceFile('minutes', 'm2')]: '{ nope' }));
    expect(failedNames(results)).toEqual(['evidence-schema']);
    expect(failed(results)[0]!.reason).toMatch(/not valid JSON/);
  });

  it('fails the invariant when the pointer names a run without evidence', () => {
    const results = validate(promote({ [evidenceFile('minutes', 'm2')]: null }));
    expect(failedNames(results)).toEqual(['invariant']);
    expect(failed(results)[0]).toMatchObject({ pointer: 'minutes', file: 'config/minutes_current_run.json' });
    expect(failed(results)[0]!.reason).toMatch(/no evidence for minutes=m2 at promotions\/minutes\/m2\.json/);
  });

  it('fails the invariant for an unchanged pointer whose evidence is deleted', () => {
    const results = validate(apply(promote(), { [evidenceFile('rates', 'r1')]: null }));
    expect(failedNames(results)).toEqual(['append-only', 'invariant']);
    expect(failed(results).find((r) => r.name === 'append-only')!.reason).toMatch(/still points at r1/);
  });

  it('fails pointer files that are missing, not JSON or name an invalid run', () => {
    for (const [content, reason] of [
      [null, /missing/],
      ['{ bad', /not valid JSON/],
      [pointerJson('../../etc'), /not a valid run id/],
      ['{"other": 1}\n', /no string "run_id"/],
    ] as const) {
      const results = validate(promote({ 'config/rates_current_run.json': content }));
      expect(failedNames(results)).toEqual(['pointer-file']);
      expect(failed(results)[0]).toMatchObject({ pointer: 'rates', file: 'config/rates_current_run.json' });
      expect(failed(results)[0]!.reason).toMatch(reason);
    }
  });

  it('fails the config check alone when the target branch config is missing or invalid', () => {
    expect(validate(promote(), { base: apply(BASE, { 'promote.config.json': null }) })).toEqual([
      {
        name: 'config',
        ok: false,
        reason: 'promote.config.json is missing at head',
        file: 'promote.config.json',
      },
    ]);
    const invalid = validate(promote(), { base: apply(BASE, { 'promote.config.json': '{"pointers": {}}' }) });
    expect(failedNames(invalid)).toEqual(['config']);
    expect(invalid[0]!.reason).toMatch(/pointers/);
  });

  it('never judges by the PR config: a promotion that also changes it fails scope', () => {
    const head = promote({ 'promote.config.json': '{' });
    const results = validate(head);
    expect(failedNames(results)).toEqual(['scope']);
    expect(failed(results)[0]!.reason).toMatch(/this also changes promote\.config\.json/);
  });

  it('fails a modified evidence file (append-only)', () => {
    const head = promote({ [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1', { rows: 999 }) });
    const results = validate(head);
    expect(failedNames(results)).toEqual(['append-only']);
    expect(failed(results)[0]).toMatchObject({ file: 'promotions/minutes/m1.json', pointer: 'minutes' });
    expect(failed(results)[0]!.reason).toMatch(/modified/);
  });

  it('allows deleting evidence no pointer references', () => {
    const results = validate(promote({ [evidenceFile('minutes', 'm1')]: null }));
    expect(failed(results)).toEqual([]);
    expect(results.find((r) => r.name === 'append-only')!.reason).toBe(
      '1 evidence file added, 1 unreferenced deleted, none modified',
    );
  });

  it('checks evidence added for a run no pointer selects', () => {
    const ok = validate(
      promote({ [evidenceFile('rates', 'r9')]: evidenceJson('rates', 'r9', { contract: '1.0.0' }) }),
    );
    expect(failed(ok)).toEqual([]);
    expect(ok.filter((r) => r.file === 'promotions/rates/r9.json').map((r) => r.name)).toEqual([
      'evidence-schema',
      'evidence-match',
      'meta-sha256',
      'smoke',
      'manifest',
      'columns',
      'rows',
      'evidence-age',
      'contract',
    ]);
    const bad = validate(promote({ [evidenceFile('rates', 'r9')]: evidenceJson('rates', 'r8') }));
    expect(failedNames(bad)).toEqual(['evidence-match']);
    expect(failed(bad)[0]).toMatchObject({ file: 'promotions/rates/r9.json', pointer: 'rates' });
  });

  it('gives evidence added on its own every smoke check (no failed smoke parked for a later "rollback")', () => {
    const failedSmoke = evidenceJson('minutes', 'm9', {
      gameDate: '2024-11-01',
      rows: 5,
      smoke: { exit_code: 3 },
      manifest: { status: 'failed' },
    });
    const results = validate(apply(BASE, { [evidenceFile('minutes', 'm9')]: failedSmoke }));
    expect(failedNames(results)).toEqual(['evidence-age', 'manifest', 'rows', 'smoke']);
  });

  it('classifies by the target branch history: a run never selected there is a promotion', () => {
    // m9's evidence is already on the target branch, but minutes never selected m9: full checks.
    const base = apply(BASE, {
      [evidenceFile('minutes', 'm9')]: evidenceJson('minutes', 'm9', { gameDate: '2024-11-01' }),
    });
    const head = apply(base, { 'config/minutes_current_run.json': pointerJson('m9') });
    const results = validate(head, { base });
    expect(failedNames(results)).toEqual(['evidence-age']);
    expect(results.some((r) => r.name === 'rollback')).toBe(false);
  });

  it('needs human review when a promotion also changes other files', () => {
    const results = validate(promote({ 'src/pipeline.py': 'print(2)\n', 'README.md': 'x' }));
    expect(failedNames(results)).toEqual(['scope']);
    expect(failed(results)[0]!.reason).toMatch(/^needs human review: .*README\.md, src\/pipeline\.py$/);
    expect(failed(results)[0]!.file).toBe('README.md');
  });

  it('treats files outside the config directory as out of scope', () => {
    const { config } = checkConfig(configText(), 'promote.config.json');
    const head = promote();
    const results = runChecks({
      config: config!,
      target: tree(BASE),
      merged: tree(head),
      changes: [...diff(BASE, head), { status: 'M', path: 'other/app.py', outside: true }],
      held: new Map(),
      now: NOW,
      toolVersion: '0.1.0',
    });
    expect(failedNames(results)).toEqual(['scope']);
  });

  it('fails scope for files under promotions/ that are not declared evidence', () => {
    for (const path of [
      'promotions/.gitattributes',
      'promotions/minutes/.gitattributes',
      'promotions/minutes/m2.sh',
      'promotions/ghost/g1.json',
      'promotions.sh',
      'promotions-old/x.json',
    ]) {
      const results = validate(promote({ [path]: '* filter=x\n' }));
      expect(failedNames(results), path).toEqual(['scope']);
      expect(failed(results)[0]!.reason).toContain(path);
    }
  });

  it('treats a file outside the config directory as out of scope even when its path looks in scope', () => {
    // Relative to the repository top, `promotions/...` or `config/...` outside the config folder is
    // another project's file, not this config's evidence or pointer.
    const { config } = checkConfig(configText(), 'promote.config.json');
    const head = promote();
    const outside: FileChange[] = [
      { status: 'A', path: 'promotions/minutes/m2.json', outside: true },
      { status: 'M', path: 'config/minutes_current_run.json', outside: true },
    ];
    const results = runChecks({
      config: config!,
      target: tree(BASE),
      merged: tree(head),
      changes: [...diff(BASE, head), ...outside],
      held: new Map(),
      now: NOW,
      toolVersion: '0.1.0',
    });
    expect(failedNames(results)).toEqual(['scope']);
    expect(failed(results)[0]!.reason).toContain(
      'promotions/minutes/m2.json, config/minutes_current_run.json',
    );
  });

  it('fails scope for a pointer the PR declares in its own config (the config as a pointer)', () => {
    const config = JSON.parse(configText()) as { pointers: Record<string, unknown> };
    config.pointers.evil = { file: 'promote.config.json', artifacts: '/tmp/{run_id}' };
    const head = promote({ 'promote.config.json': JSON.stringify(config), 'package.json': '{"run_id":"x"}' });
    const results = validate(head);
    expect(failedNames(results)).toEqual(['scope']);
    expect(results.some((r) => r.pointer === 'evil')).toBe(false);
  });

  it('fails pointer and evidence files that are symlinks, executable, submodules or not UTF-8', () => {
    const cases: [Options, RegExp][] = [
      [
        { modes: { 'config/minutes_current_run.json': '120000' } },
        /minutes_current_run\.json is a symbolic link/,
      ],
      [{ modes: { 'promotions/minutes/m2.json': '100755' } }, /m2\.json is an executable file/],
      [{ modes: { 'promotions/minutes/m2.json': '160000' } }, /a submodule/],
      [{ notUtf8: ['config/minutes_current_run.json'] }, /is not valid UTF-8/],
    ];
    for (const [options, reason] of cases) {
      const results = validate(promote(), options);
      expect(failedNames(results)).toEqual(['file-type']);
      expect(failed(results)[0]!.reason).toMatch(reason);
    }
  });

  it('judges by the target policy: a PR cannot relax evidenceMaxAgeDays for itself', () => {
    const relaxed = configText({
      policy: { evidenceMaxAgeDays: 30, labels: ['promotion'], mergeMethod: 'squash' },
    });
    const head = promote({
      'promote.config.json': relaxed,
      [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2', { gameDate: '2026-11-10' }),
    });
    expect(failedNames(validate(head))).toEqual(['evidence-age', 'scope']);
  });

  it('judges an old branch by the rules on the target tip, not those at its branch point', () => {
    const tightened = apply(BASE, {
      'promote.config.json': configText({
        pointers: {
          ...(JSON.parse(configText()) as { pointers: Record<string, Record<string, unknown>> }).pointers,
          rates: {
            file: 'config/rates_current_run.json',
            artifacts: '/data/rates/run={run_id}',
            contract: '^9.0.0',
          },
        },
      }),
    });
    const head = apply(BASE, {
      'config/rates_current_run.json': pointerJson('r2'),
      [evidenceFile('rates', 'r2')]: evidenceJson('rates', 'r2', { contract: '1.3.0' }),
    });
    expect(failedNames(validate(head))).toEqual([]);
    expect(failedNames(validate(head, { base: tightened, from: BASE }))).toEqual(['contract']);
  });

  it('passes a rollback to a run whose evidence exists at base without new smoke', () => {
    // Base has m2 promoted (evidence already old); the PR returns minutes to m1.
    const base = promote({
      [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2', { gameDate: '2026-11-01' }),
    });
    const head = apply(base, { 'config/minutes_current_run.json': pointerJson('m1') });
    const results = validate(head, { base, held: { minutes: ['m1'] } });
    expect(failed(results)).toEqual([]);
    const minutes = results.filter((r) => r.pointer === 'minutes').map((r) => r.name);
    expect(minutes).toContain('rollback');
    expect(minutes).not.toContain('smoke');
    expect(minutes).not.toContain('evidence-age');
    expect(results.find((r) => r.name === 'rollback')!.reason).toMatch(/returns m2 -> m1/);
  });

  it('still fails a rollback whose old evidence is broken or was modified', () => {
    const base = promote();
    const rollback = apply(base, {
      'config/minutes_current_run.json': pointerJson('m1'),
      [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1', { metaSha256: 'b'.repeat(64) }),
    });
    expect(failedNames(validate(rollback, { base, held: { minutes: ['m1'] } }))).toEqual([
      'append-only',
      'meta-sha256',
    ]);
  });

  describe('the metric gate (pointers.<name>.metrics)', () => {
    const gated = (metrics: Record<string, unknown>): Files => {
      const config = JSON.parse(configText()) as { pointers: Record<string, Record<string, unknown>> };
      config.pointers.minutes!.metrics = metrics;
      return { ...BASE, 'promote.config.json': JSON.stringify(config) };
    };
    const withMae = (run: string, mae: number, extra: Record<string, number> = {}) =>
      evidenceJson('minutes', run, { meta: sampleMeta(run, '2.1.0', { mae, ...extra }) });
    const maeRule = { mae: { better: 'lower', maxRegression: '2%' } };
    /** The target promotes minutes from m1 to m2 with these files changed on top. */
    const promoteOn = (base: Files, edits: Record<string, string | null>) =>
      apply(base, { 'config/minutes_current_run.json': pointerJson('m2'), ...edits });

    it('fails a regression past the limit with a table of metric, change and limit', () => {
      const base = gated(maeRule);
      base[evidenceFile('minutes', 'm1')] = withMae('m1', 4.0);
      const head = promoteOn(base, { [evidenceFile('minutes', 'm2')]: withMae('m2', 4.2) });
      const results = validate(head, { base });
      expect(failedNames(results)).toEqual(['metrics']);
      const metrics = results.find((r) => r.name === 'metrics')!;
      expect(metrics.reason).toBe(
        'mae worsened by 0.2 (lower is better), more than the allowed 0.08 (against m1)',
      );
      expect(metrics.table!.rows).toEqual([['mae', '4', '4.2', '+0.2 (+5.0%)', 'change ≤ +2%', 'FAIL']]);
    });

    it('passes within the limit and is judged by the target tip, not the PR, config', () => {
      const base = gated(maeRule);
      base[evidenceFile('minutes', 'm1')] = withMae('m1', 4.0);
      const head = promoteOn(base, { [evidenceFile('minutes', 'm2')]: withMae('m2', 4.05) });
      expect(failedNames(validate(head, { base }))).toEqual([]);
      // A PR that drops the rule from the config is still judged by it.
      const loosened = promoteOn(base, {
        'promote.config.json': configText(),
        [evidenceFile('minutes', 'm2')]: withMae('m2', 9),
      });
      expect(failedNames(validate(loosened, { base }))).toContain('metrics');
    });

    it('fails a metric the candidate lacks, and a current run without evidence to compare with', () => {
      const base = gated({ ...maeRule, coverage_p90: { min: 0.85 } });
      base[evidenceFile('minutes', 'm1')] = withMae('m1', 4.0, { coverage_p90: 0.9 });
      const head = promoteOn(base, { [evidenceFile('minutes', 'm2')]: withMae('m2', 4.0) });
      const metrics = validate(head, { base }).find((r) => r.name === 'metrics')!;
      expect(metrics.ok).toBe(false);
      expect(metrics.reason).toMatch(/has no metric "coverage_p90"/);

      const noEvidence = gated(maeRule);
      delete noEvidence[evidenceFile('minutes', 'm1')];
      const results = validate(
        promoteOn(noEvidence, { [evidenceFile('minutes', 'm2')]: withMae('m2', 4.0) }),
        {
          base: noEvidence,
        },
      );
      expect(results.find((r) => r.name === 'metrics')!.reason).toMatch(
        /compares against the current run m1, but promotions\/minutes\/m1.json on the target branch is missing/,
      );
    });

    it('exempts a rollback, however much worse its metrics are', () => {
      const base = gated(maeRule);
      base['config/minutes_current_run.json'] = pointerJson('m2');
      base[evidenceFile('minutes', 'm1')] = withMae('m1', 9.0);
      base[evidenceFile('minutes', 'm2')] = withMae('m2', 4.0);
      const head = apply(base, { 'config/minutes_current_run.json': pointerJson('m1') });
      const results = validate(head, { base, held: { minutes: ['m1'] } });
      expect(failed(results)).toEqual([]);
      expect(results.some((r) => r.name === 'metrics')).toBe(false);
    });

    it('reads no file of the target that evidencePaths does not name, with or without rules', () => {
      for (const base of [{ ...BASE }, gated(maeRule)]) {
        base[evidenceFile('minutes', 'm1')] = withMae('m1', 4.0);
        const head = promoteOn(base, { [evidenceFile('minutes', 'm2')]: withMae('m2', 4.0) });
        const { config } = checkConfig(base['promote.config.json']!, 'promote.config.json');
        const targetRuns = pointerRuns(config!, tree(base));
        const changes = diff(base, head).map((c) => ({ ...c, mode: '100644' }));
        const loaded = new Set([
          'promote.config.json',
          ...Object.values(config!.pointers).map((p) => p.file),
          ...evidencePaths(config!, pointerRuns(config!, tree(head)), changes, targetRuns),
        ]);
        // What validate's trees do: a path read before it was loaded is a bug, not a missing file.
        const strict = (files: Files) => ({
          get: (path: string) => {
            if (!loaded.has(path)) throw new Error(`read ${path} before loading it`);
            return files[path] ?? null;
          },
        });
        const results = runChecks({
          config: config!,
          target: strict(base),
          merged: strict(head),
          changes,
          held: new Map([['minutes', new Set(['m1'])]]),
          now: NOW,
          toolVersion: '0.1.0',
        });
        expect(failed(results)).toEqual([]);
      }
    });

    it("reads the current run's evidence as well as the candidate's", () => {
      const base = gated(maeRule);
      const head = promoteOn(base, { [evidenceFile('minutes', 'm2')]: withMae('m2', 4.0) });
      const { config } = checkConfig(base['promote.config.json']!, 'promote.config.json');
      const paths = evidencePaths(
        config!,
        pointerRuns(config!, tree(head)),
        diff(base, head),
        pointerRuns(config!, tree(base)),
      );
      expect(paths).toContain('promotions/minutes/m1.json');
    });
  });

  it('names the evidence paths to read: each pointer run and every changed evidence file', () => {
    const head = promote({ [evidenceFile('rates', 'r9')]: evidenceJson('rates', 'r9') });
    const { config } = checkConfig(BASE['promote.config.json']!, 'promote.config.json');
    const paths = evidencePaths(config!, pointerRuns(config!, tree(head)), diff(BASE, head));
    expect(paths.sort()).toEqual([
      'promotions/minutes/m2.json',
      'promotions/rates/r1.json',
      'promotions/rates/r9.json',
    ]);
  });
});

describe('rollback readiness of a promotion (predecessor evidence)', () => {
  const warnings = (results: CheckResult[]) => results.filter((r) => r.ok && r.warning);

  it('warns, without failing, when the run a promotion replaces has no evidence on the branch', () => {
    const base = apply(BASE, { [evidenceFile('minutes', 'm1')]: null });
    const results = validate(promote({ [evidenceFile('minutes', 'm1')]: null }), { base });
    expect(failed(results)).toEqual([]);
    expect(warnings(results)).toEqual([
      expect.objectContaining({
        name: 'predecessor',
        pointer: 'minutes',
        file: 'promotions/minutes/m1.json',
        reason: expect.stringMatching(
          /no evidence for m1, the run this promotion replaces.*would not pass validation/,
        ),
      }),
    ]);
  });

  it('warns when the promotion itself deletes the predecessor evidence', () => {
    const results = validate(promote({ [evidenceFile('minutes', 'm1')]: null }));
    expect(warnings(results).map((r) => r.name)).toEqual(['predecessor']);
  });

  it('says nothing when the predecessor evidence is there, or for a rollback', () => {
    expect(warnings(validate(promote()))).toEqual([]);
    const base = promote();
    const back = apply(base, {
      'config/minutes_current_run.json': pointerJson('m1'),
      [evidenceFile('minutes', 'm2')]: null,
    });
    expect(warnings(validate(back, { base, held: { minutes: ['m1'] } }))).toEqual([]);
  });

  it('names the predecessor evidence among the paths to read', () => {
    const head = promote();
    const { config } = checkConfig(BASE['promote.config.json']!, 'promote.config.json');
    const paths = evidencePaths(
      config!,
      pointerRuns(config!, tree(head)),
      diff(BASE, head),
      pointerRuns(config!, tree(BASE)),
    );
    expect(paths).toContain('promotions/minutes/m1.json');
    expect(paths).not.toContain('promotions/rates/r0.json');
  });
});

describe('JSON syntax in what validate reads', () => {
  it('names line and column for the config and for evidence', () => {
    expect(checkConfig('{\n  "pointers": {}\n  "x": 1\n}\n', 'promote.config.json').result.reason).toBe(
      'promote.config.json at head is not valid JSON: line 3, column 3: unexpected "\\""',
    );
    expect(parseEvidence('{"schema": ', '0.1.0')).toEqual({
      problems: ['not valid JSON: line 1, column 12: unexpected end of input'],
    });
  });
});

describe('adopted evidence', () => {
  // A repository adopting git-promote: pointers and no evidence for minutes yet.
  const UNADOPTED = apply(BASE, { [evidenceFile('minutes', 'm1')]: null });
  const adoptM1 = apply(UNADOPTED, { [evidenceFile('minutes', 'm1')]: adoptedEvidenceJson('minutes', 'm1') });

  it('passes an adoption of the run the pointer holds, with no smoke or age checks', () => {
    expect(failedNames(validate(UNADOPTED, { base: UNADOPTED }))).toEqual(['invariant']);
    const results = validate(adoptM1, { base: UNADOPTED });
    expect(failed(results)).toEqual([]);
    const minutes = results.filter((r) => r.pointer === 'minutes').map((r) => r.name);
    expect(minutes).toEqual(expect.arrayContaining(['adoption', 'contract', 'meta-sha256']));
    expect(minutes).not.toContain('smoke');
    expect(minutes).not.toContain('evidence-age');
    expect(results.find((r) => r.name === 'adoption')!.reason).toContain('holds m1 on the target branch');
  });

  it('names adopt in the invariant failure of a run the branch already held', () => {
    const reason = validate(UNADOPTED, { base: UNADOPTED }).find((r) => r.name === 'invariant')!.reason;
    expect(reason).toContain('run git promote adopt');
  });

  it('refuses adopted evidence for a run the pointer does not hold (it would mint a rollback target)', () => {
    const head = apply(UNADOPTED, { [evidenceFile('minutes', 'm9')]: adoptedEvidenceJson('minutes', 'm9') });
    const results = validate(head, { base: UNADOPTED });
    expect(failedNames(results)).toEqual(['adoption', 'invariant']);
    expect(results.find((r) => r.name === 'adoption')!.reason).toMatch(
      /adopted evidence for m9, but minutes holds m1 on the target branch: .*git promote propose/,
    );
  });

  it('refuses adopted evidence as a promotion: a new run needs a smoke run', () => {
    const head = apply(BASE, {
      'config/minutes_current_run.json': pointerJson('m2'),
      [evidenceFile('minutes', 'm2')]: adoptedEvidenceJson('minutes', 'm2'),
    });
    const results = validate(head);
    expect(failedNames(results)).toEqual(['adoption']);
    expect(results.find((r) => r.name === 'adoption')!.reason).toContain(
      'minutes holds m1 on the target branch and m2 after this PR',
    );
  });

  it('refuses adopted evidence for a run held long ago: only the run held where it lands counts', () => {
    // minutes held m0 before m1: an adoption of m0 now is refused although m0 is a past run.
    const head = apply(BASE, {
      'config/minutes_current_run.json': pointerJson('m0'),
      [evidenceFile('minutes', 'm0')]: adoptedEvidenceJson('minutes', 'm0'),
    });
    expect(failedNames(validate(head, { held: { minutes: ['m0'] } }))).toEqual(['adoption']);
  });

  it('returns to an adopted run only when it is the run the pointer held where the adoption landed', () => {
    const base = apply(adoptM1, {
      'config/minutes_current_run.json': pointerJson('m2'),
      [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2'),
    });
    const rollback = apply(base, { 'config/minutes_current_run.json': pointerJson('m1') });
    const file = evidenceFile('minutes', 'm1');
    const ok = validate(rollback, { base, held: { minutes: ['m1'] }, landing: { [file]: 'm1' } });
    expect(failed(ok)).toEqual([]);
    expect(ok.find((r) => r.name === 'adoption')!.reason).toContain(
      'the run it held where its adoption landed',
    );

    const elsewhere = validate(rollback, { base, held: { minutes: ['m1'] }, landing: { [file]: 'm2' } });
    expect(failedNames(elsewhere)).toEqual(['adoption']);
    expect(elsewhere.find((r) => r.name === 'adoption')!.reason).toContain(
      'was adopted where minutes held m2',
    );
    expect(failedNames(validate(rollback, { base, held: { minutes: ['m1'] } }))).toEqual(['adoption']);
  });

  it("checks an adoption against the target tip's contract", () => {
    const head = apply(UNADOPTED, {
      [evidenceFile('minutes', 'm1')]: adoptedEvidenceJson('minutes', 'm1', { contract: '1.0.0' }),
    });
    expect(failedNames(validate(head, { base: UNADOPTED }))).toEqual(['contract']);
  });

  it('fails adopted evidence whose hash or run does not match', () => {
    const bad = adoptedEvidence('minutes', 'm1', { extra: { meta_sha256: 'a'.repeat(64) } });
    const head = apply(UNADOPTED, { [evidenceFile('minutes', 'm1')]: JSON.stringify(bad) });
    expect(failedNames(validate(head, { base: UNADOPTED }))).toEqual(['meta-sha256']);
    const noBy = adoptedEvidence('minutes', 'm1', { extra: { adopted: { at: 'now' } } });
    const schema = validate(apply(UNADOPTED, { [evidenceFile('minutes', 'm1')]: JSON.stringify(noBy) }), {
      base: UNADOPTED,
    });
    expect(failedNames(schema)).toEqual(['evidence-schema']);
  });
});

describe('minVersion in the PR config', () => {
  it('fails config-change when the PR config needs another release than the one validating it', () => {
    const raised = configText({ minVersion: '>=99' });
    const result = checkConfigChange(raised, 'promote.config.json', '0.1.0');
    expect(result).toMatchObject({ name: 'config-change', ok: false });
    expect(result.reason).toContain('this config needs git-promote >=99; you have 0.1.0');
    expect(checkConfigChange(configText({ minVersion: '>=0.1.0' }), 'promote.config.json', '0.1.0').ok).toBe(
      true,
    );
  });
});

describe('evidence schema versions', () => {
  it('refuses evidence of a newer schema with the release that wrote it (exit 2)', () => {
    const newer = buildEvidence('minutes', 'm2', {
      extra: { schema: 'git-promote/evidence@3', tool: { name: 'git-promote', version: '0.7.0' } },
    });
    let error: unknown;
    try {
      validate(promote({ [evidenceFile('minutes', 'm2')]: JSON.stringify(newer) }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      'promotions/minutes/m2.json: this evidence needs git-promote 0.7.0 (evidence schema 3); you have 0.1.0',
    );
  });

  it('reads smoke evidence written as schema 2 like schema 1', () => {
    const v2 = buildEvidence('minutes', 'm2', { extra: { schema: 'git-promote/evidence@2', kind: 'smoke' } });
    expect(failed(validate(promote({ [evidenceFile('minutes', 'm2')]: JSON.stringify(v2) })))).toEqual([]);
  });
});
