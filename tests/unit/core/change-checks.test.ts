/**
 * The checks validate runs on what a PR changes, called directly: file types, append-only
 * evidence, scope, which evidence to load, and the metric gate's report lines.
 */
import { describe, expect, it } from 'vitest';
import {
  checkAppendOnly,
  checkConfig,
  checkFileTypes,
  checkMetrics,
  checkScope,
  currentRun,
  evidencePaths,
  parseEvidence,
  pointerPaths,
  runChecks,
  type CiEvidence,
  type FileChange,
  type ValidateInput,
} from '../../../src/core/validate-checks.js';
import type { Config } from '../../../src/core/schemas.js';
import { buildEvidence, evidenceJson } from '../../helpers/evidence.js';
import { pointerJson, sampleConfig, sampleMeta } from '../../helpers/fixtures.js';

function config(minutes: Record<string, unknown> = {}): Config {
  const raw = sampleConfig('/data');
  Object.assign((raw.pointers as Record<string, Record<string, unknown>>).minutes!, minutes);
  return checkConfig(JSON.stringify(raw), 'promote.config.json').config!;
}

const tree = (files: Record<string, string>, notUtf8?: string[]) => ({
  get: (p: string) => files[p] ?? null,
  ...(notUtf8 ? { notUtf8: (p: string) => notUtf8.includes(p) } : {}),
});

function input(changes: FileChange[], notUtf8?: string[]): ValidateInput {
  return {
    config: config(),
    target: tree({}),
    merged: tree({}, notUtf8),
    changes,
    held: new Map(),
    now: new Date('2026-11-26T18:00:00Z'),
    toolVersion: '0.1.0',
  };
}

const POINTER = 'config/minutes_current_run.json';
const EVIDENCE = 'promotions/minutes/m2.json';

describe('file types', () => {
  it('count the pointer and evidence files changed, not other files or deleted ones', () => {
    expect(
      checkFileTypes(
        input([
          { status: 'M', path: POINTER, mode: '100644' },
          { status: 'A', path: EVIDENCE, mode: '100644' },
          { status: 'D', path: 'promotions/minutes/m0.json', mode: null },
          { status: 'M', path: 'src/pipeline.py', mode: '100755' },
        ]),
      ),
    ).toEqual([
      { name: 'file-type', ok: true, reason: '2 pointer or evidence files changed, all regular UTF-8 files' },
    ]);
    expect(checkFileTypes(input([{ status: 'A', path: EVIDENCE }]))[0]!.reason).toBe(
      '1 pointer or evidence file changed, all regular UTF-8 files',
    );
  });

  it('fail each irregular file by itself, naming an unknown mode by its number', () => {
    const results = checkFileTypes(
      input(
        [
          { status: 'M', path: POINTER, mode: '100664' },
          { status: 'A', path: EVIDENCE, mode: '100644' },
        ],
        [EVIDENCE],
      ),
    );
    expect(results).toEqual([
      {
        name: 'file-type',
        ok: false,
        reason: `${POINTER} is mode 100664, not a regular file`,
        file: POINTER,
        pointer: 'minutes',
      },
      {
        name: 'file-type',
        ok: false,
        reason: `${EVIDENCE} is not valid UTF-8`,
        file: EVIDENCE,
        pointer: 'minutes',
      },
    ]);
  });

  it('pass UTF-8 when the tree cannot tell (no notUtf8)', () => {
    expect(checkFileTypes(input([{ status: 'A', path: EVIDENCE, mode: '100644' }]))[0]!.ok).toBe(true);
  });
});

describe('append-only evidence', () => {
  it('counts what was added and deleted', () => {
    const changes: FileChange[] = [
      { status: 'A', path: EVIDENCE },
      { status: 'A', path: 'promotions/rates/r2.json' },
      { status: 'D', path: 'promotions/minutes/m0.json' },
      { status: 'M', path: POINTER },
    ];
    expect(checkAppendOnly(changes, new Map([['minutes', 'm2']]))).toEqual([
      {
        name: 'append-only',
        ok: true,
        reason: '2 evidence files added, 1 unreferenced deleted, none modified',
      },
    ]);
    expect(checkAppendOnly([{ status: 'A', path: EVIDENCE }], new Map())[0]!.reason).toBe(
      '1 evidence file added, 0 unreferenced deleted, none modified',
    );
  });

  it('fails a modified evidence file and says so only once', () => {
    expect(checkAppendOnly([{ status: 'M', path: EVIDENCE }], new Map())).toEqual([
      {
        name: 'append-only',
        ok: false,
        reason: 'evidence file modified: evidence is append-only, add a new file instead',
        file: EVIDENCE,
        pointer: 'minutes',
      },
    ]);
  });
});

describe('scope', () => {
  it('leaves a PR that changes nothing to a person, without an empty list', () => {
    expect(checkScope(input([]))).toEqual({
      name: 'scope',
      ok: true,
      review: true,
      reason: 'needs human review: changes no pointer or evidence file, so merge leaves it to a person',
    });
  });
});

describe('paths to load', () => {
  it('names each pointer file', () => {
    expect(pointerPaths(config())).toEqual([
      'config/minutes_current_run.json',
      'config/rates_current_run.json',
    ]);
  });

  it('skip a pointer without a run, deleted evidence and files that are not evidence', () => {
    const changes: FileChange[] = [
      { status: 'D', path: 'promotions/minutes/m0.json' },
      { status: 'M', path: POINTER },
      { status: 'A', path: 'src/pipeline.py' },
    ];
    const runs = new Map<string, string | null>([
      ['minutes', 'm2'],
      ['rates', null],
    ]);
    expect(evidencePaths(config(), runs, changes)).toEqual([EVIDENCE]);
  });

  it('add the run every moved pointer replaces (the metric gate and the predecessor warning read it)', () => {
    const gated = config({ metrics: { mae: { better: 'lower', maxRegression: '2%' } } });
    const merged = new Map<string, string | null>([
      ['minutes', 'm2'],
      ['rates', 'r2'],
    ]);
    const sameRun = new Map<string, string | null>([
      ['minutes', 'm2'],
      ['rates', 'r1'],
    ]);
    expect(evidencePaths(gated, merged, [], sameRun).sort()).toEqual([
      EVIDENCE,
      'promotions/rates/r1.json',
      'promotions/rates/r2.json',
    ]);
    const fromM1 = new Map<string, string | null>([
      ['minutes', 'm1'],
      ['rates', 'r1'],
    ]);
    expect(evidencePaths(gated, merged, [], fromM1).sort()).toEqual([
      'promotions/minutes/m1.json',
      EVIDENCE,
      'promotions/rates/r1.json',
      'promotions/rates/r2.json',
    ]);
    const unknown = new Map<string, string | null>([['retired', 'x1']]);
    expect(evidencePaths(gated, merged, [], unknown).sort()).toEqual([EVIDENCE, 'promotions/rates/r2.json']);
    const noneBefore = new Map<string, string | null>([['minutes', null]]);
    expect(evidencePaths(gated, merged, [], noneBefore).sort()).toEqual([
      EVIDENCE,
      'promotions/rates/r2.json',
    ]);
  });
});

describe('metric gate results', () => {
  const rules = { mae: { better: 'lower', maxRegression: '2%' }, coverage: { min: 0.8 } };
  const gatedPointer = () => config({ metrics: rules }).pointers.minutes!;
  const candidate = (metrics: Record<string, number>): CiEvidence => {
    const parsed = parseEvidence(
      JSON.stringify(buildEvidence('minutes', 'm2', { meta: sampleMeta('m2', '2.1.0', metrics) })),
      '0.1.0',
    );
    if ('problems' in parsed || !parsed.evidence) throw new Error('not smoke evidence');
    return parsed.evidence;
  };

  it('give nothing for a pointer with no rules, even an empty set', () => {
    const ev = candidate({ mae: 4 });
    expect(
      checkMetrics(
        ev,
        config().pointers.minutes!,
        () => ({ run: 'm1', metrics: { mae: 1 } }),
        'minutes',
        EVIDENCE,
      ),
    ).toEqual([]);
    const empty = config({ metrics: {} }).pointers.minutes!;
    expect(checkMetrics(ev, empty, () => ({ run: 'm1', metrics: { mae: 1 } }), 'minutes', EVIDENCE)).toEqual(
      [],
    );
  });

  it('count the rules passed, and say when there was no current run to compare with', () => {
    const [passed] = checkMetrics(
      candidate({ mae: 4, coverage: 0.9 }),
      gatedPointer(),
      () => ({ run: null, metrics: null }),
      'minutes',
      EVIDENCE,
    );
    expect(passed).toMatchObject({
      name: 'metrics',
      ok: true,
      reason: '2 metric rules passed with no current run to compare',
      file: EVIDENCE,
      pointer: 'minutes',
    });
    expect(passed!.table!.rows).toHaveLength(2);
    const one = config({ metrics: { coverage: { min: 0.8 } } }).pointers.minutes!;
    expect(
      checkMetrics(
        candidate({ coverage: 0.9 }),
        one,
        () => ({ run: 'm1', metrics: { coverage: 0.85 } }),
        'minutes',
        EVIDENCE,
      )[0]!.reason,
    ).toBe('1 metric rule passed against m1');
  });

  it('list every failed rule in one result, with the table', () => {
    const [failed] = checkMetrics(
      candidate({ mae: 5, coverage: 0.5 }),
      gatedPointer(),
      () => ({ run: 'm1', metrics: { mae: 4, coverage: 0.9 } }),
      'minutes',
      EVIDENCE,
    );
    expect(failed).toMatchObject({ name: 'metrics', ok: false, file: EVIDENCE, pointer: 'minutes' });
    expect(failed!.reason).toMatch(/^coverage .*; mae .* \(against m1\)$/);
    expect(failed!.table!.rows.map((r) => r.at(-1))).toEqual(['FAIL', 'FAIL']);
  });

  it('fail, naming the file, when the current run cannot be read', () => {
    expect(
      checkMetrics(
        candidate({ mae: 4 }),
        gatedPointer(),
        () => ({ run: 'm1', metrics: null, problem: 'unreadable' }),
        'minutes',
        EVIDENCE,
      ),
    ).toEqual([{ name: 'metrics', ok: false, reason: 'unreadable', file: EVIDENCE, pointer: 'minutes' }]);
  });
});

describe('current run of a gated pointer', () => {
  const minutesPointer = () => config().pointers.minutes!;

  it('is none when the target has no pointer file', () => {
    expect(currentRun(tree({}), minutesPointer(), 'minutes', '0.1.0')).toEqual({ run: null, metrics: null });
  });

  it("carries the metrics of the run's evidence", () => {
    const target = tree({
      [POINTER]: pointerJson('m1'),
      'promotions/minutes/m1.json': evidenceJson('minutes', 'm1', {
        meta: sampleMeta('m1', '2.1.0', { mae: 3 }),
      }),
    });
    expect(currentRun(target, minutesPointer(), 'minutes', '0.1.0')).toEqual({
      run: 'm1',
      metrics: { mae: 3 },
    });
  });

  it('says when that evidence is not valid', () => {
    const target = tree({ [POINTER]: pointerJson('m1'), 'promotions/minutes/m1.json': '{"schema": 1}' });
    expect(currentRun(target, minutesPointer(), 'minutes', '0.1.0')).toEqual({
      run: 'm1',
      metrics: null,
      problem:
        'the metric gate compares against the current run m1, but promotions/minutes/m1.json on the target branch is not valid evidence',
    });
  });
});

describe('pointer runs in the report', () => {
  it('say which run each pointer points at and that its evidence is in the tree', () => {
    const files = {
      [POINTER]: pointerJson('m1'),
      'promotions/minutes/m1.json': evidenceJson('minutes', 'm1'),
      'config/rates_current_run.json': pointerJson('r1'),
      'promotions/rates/r1.json': evidenceJson('rates', 'r1', { contract: '1.2.0' }),
    };
    const results = runChecks({ ...input([]), target: tree(files), merged: tree(files) });
    expect(
      results.filter(
        (r) => r.pointer === 'minutes' && ['pointer-file', 'invariant', 'evidence-schema'].includes(r.name),
      ),
    ).toEqual([
      { name: 'pointer-file', ok: true, reason: 'minutes points at m1', file: POINTER, pointer: 'minutes' },
      {
        name: 'invariant',
        ok: true,
        reason: 'evidence for m1 is in the tree',
        file: 'promotions/minutes/m1.json',
        pointer: 'minutes',
      },
      {
        name: 'evidence-schema',
        ok: true,
        reason: 'promotions/minutes/m1.json is valid evidence',
        file: 'promotions/minutes/m1.json',
        pointer: 'minutes',
      },
    ]);
  });

  it('list every schema problem of evidence on one line', () => {
    const files = {
      [POINTER]: pointerJson('m1'),
      'promotions/minutes/m1.json': JSON.stringify({
        ...JSON.parse(evidenceJson('minutes', 'm1')),
        schema: 'x',
        tool: 1,
      }),
    };
    const bad = runChecks({ ...input([]), target: tree(files), merged: tree(files) }).find(
      (r) => r.name === 'evidence-schema' && r.pointer === 'minutes',
    )!;
    expect(bad.ok).toBe(false);
    expect(bad.reason).toMatch(/^promotions\/minutes\/m1\.json: schema: .*; tool: /);
  });

  it('call a return to a run held before a rollback even when the target has no pointer file now', () => {
    const merged = {
      [POINTER]: pointerJson('m1'),
      'promotions/minutes/m1.json': evidenceJson('minutes', 'm1'),
    };
    const results = runChecks({
      ...input([{ status: 'A', path: POINTER, mode: '100644' }]),
      merged: tree(merged),
      held: new Map([['minutes', new Set(['m1'])]]),
    });
    expect(results.find((r) => r.name === 'rollback')?.reason).toBe(
      'minutes returns (none) -> m1, a run it selected before on the target branch',
    );
  });
});

describe('evidence deleted while referenced', () => {
  it('is refused, naming the file and the pointer', () => {
    expect(checkAppendOnly([{ status: 'D', path: EVIDENCE }], new Map([['minutes', 'm2']]))).toEqual([
      {
        name: 'append-only',
        ok: false,
        reason: 'evidence deleted while minutes still points at m2',
        file: EVIDENCE,
        pointer: 'minutes',
      },
    ]);
  });
});
