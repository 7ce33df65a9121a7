/**
 * The data formats of git-promote, as zod schemas. The pipeline's files (pointer, meta, manifest)
 * and evidence are loose: unknown keys are kept, never dropped, so a file written back by
 * git-promote loses nothing the pipeline put there. The config is ours and strict (unknown-keys.ts).
 */
import { z } from 'zod';
import semver from 'semver';
import { runIdProblem } from './run-id.js';
import { MAX_INTERVAL_MS, MAX_TIMEOUT_MS, parseDuration } from './duration.js';
import { isGameDate } from './game-date.js';
import { metricRuleSchema } from './metric-gate.js';
import { HOST_NAME, STAGE_NAME, stagesProblems, stagesSchema } from './stage-config.js';

/** Where the pipeline writes each step's run manifest, under manifests.root. */
export const DEFAULT_MANIFEST_LAYOUT = '{asset}/game_date={game_date}/run={run_id}/manifest.json';

export const runIdSchema = z.string().superRefine((value, ctx) => {
  const problem = runIdProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid run id: ${problem}` });
});

const gameDateSchema = z.string().refine(isGameDate, 'must be a date YYYY-MM-DD');
const durationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== null, 'must be a duration such as 30s, 10m, 1h');
/** A duration of at most `max` (timers past 24.8 days overflow; nothing here needs that long). */
const durationAtMost = (maxMs: number, max: string) =>
  durationSchema.refine((s) => (parseDuration(s) ?? 0) <= maxMs, `must be at most ${max}`);
/** Timeouts: at most 24h. */
const timeoutSchema = durationAtMost(MAX_TIMEOUT_MS, '24h');
/** Intervals between passes or polls: at most 1d. */
const intervalSchema = durationAtMost(MAX_INTERVAL_MS, '1d');
const semverRangeSchema = z
  .string()
  .refine((s) => semver.validRange(s) !== null, 'must be a semver range such as ^2.0.0');
const semverSchema = z
  .string()
  .refine((s) => semver.valid(s) !== null, 'must be a semver version such as 2.1.0');
const relativePathSchema = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'),
    'must be a path inside the repository',
  );
export const POINTER_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export const smokeSchema = z.looseObject({
  command: z
    .array(z.string())
    .min(1, 'must name the program to run')
    .refine((c) => c.some((a) => a.includes('{run_id}')), 'must pass {run_id} to the smoke command'),
  timeout: timeoutSchema.default('10m'),
  cwd: z.string().optional(),
  expect: z
    .looseObject({
      columns: z.array(z.string()).default([]),
      rows: z
        .looseObject({
          min: z.number().int().nonnegative().optional(),
          max: z.number().int().positive().optional(),
        })
        .refine(
          (r) => r.min === undefined || r.max === undefined || r.min <= r.max,
          'min must not exceed max',
        )
        .default({}),
      output: z.string().optional(),
    })
    .default({ columns: [], rows: {} }),
});

export const pointerConfigSchema = z.looseObject({
  file: relativePathSchema.refine((p) => p.endsWith('.json'), 'must be a .json file'),
  runField: z.string().min(1).default('run_id'),
  artifacts: z.string().refine((s) => s.includes('{run_id}'), 'must contain {run_id}'),
  contract: semverRangeSchema.optional(),
  smoke: smokeSchema.optional(),
  verify: z.looseObject({ asset: z.string().min(1) }).optional(),
  /** The metric gate (metric-gate.ts): rules on the candidate's meta.json metrics. */
  metrics: z.record(z.string().min(1), metricRuleSchema).optional(),
});

const prefectSchema = z.looseObject({
  api: z.url().optional(),
  deployment: z.string().regex(/^[^/]+\/[^/]+$/, 'must be "flow-name/deployment-name"'),
  parameters: z.record(z.string(), z.unknown()).default({}),
  timeout: timeoutSchema.default('2h'),
});

export const configSchema = z
  .looseObject({
    $schema: z.string().optional(),
    repository: z
      .looseObject({
        remote: z
          .string()
          .regex(/^[A-Za-z0-9._-]+$/, 'must be a git remote name')
          .default('origin'),
        branch: z
          .string()
          .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'must be a branch name')
          .default('main'),
        github: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/repo"')
          .optional(),
      })
      .default({ remote: 'origin', branch: 'main' }),
    pointers: z.record(z.string(), pointerConfigSchema).superRefine((pointers, ctx) => {
      const names = Object.keys(pointers);
      if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'must define at least one pointer' });
      const files = new Map<string, string>();
      for (const name of names) {
        if (!POINTER_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'pointer names are lower-case words (a-z, 0-9, _, -)',
          });
        }
        const file = pointers[name]!.file;
        const other = files.get(file);
        if (other)
          ctx.addIssue({
            code: 'custom',
            path: [name, 'file'],
            message: `is the same file as pointer "${other}"`,
          });
        files.set(file, name);
      }
    }),
    manifests: z
      .looseObject({
        root: z.string().min(1),
        layout: z
          .string()
          .default(DEFAULT_MANIFEST_LAYOUT)
          .refine(
            (l) => ['{asset}', '{game_date}', '{run_id}'].every((p) => l.includes(p)),
            'must contain {asset}, {game_date} and {run_id}',
          ),
        steps: z.array(z.string()).optional(),
      })
      .optional(),
    flow: z
      .looseObject({
        prefect: prefectSchema.optional(),
        command: z.array(z.string()).min(1).optional(),
        timeout: timeoutSchema.default('2h'),
        // How often the state of a triggered flow run is polled.
        pollInterval: intervalSchema.default('5s'),
      })
      .optional(),
    agent: z
      .looseObject({
        target: z.string().min(1).optional(),
        interval: intervalSchema.default('30s'),
        state: z.string().optional(),
        // node_exporter textfile-collector file (*.prom) rewritten atomically after every pass.
        metricsFile: z
          .string()
          .min(1)
          .regex(/\.prom$/, 'must end with .prom (node_exporter reads only those)')
          .optional(),
        requireSignedCommits: z.boolean().default(false),
        // Who may sign the commits the agent applies (docs/security.md): OpenPGP fingerprints and/or
        // an ssh allowed-signers file (relative paths are from the config's directory).
        allowedSigners: z
          .looseObject({
            gpg: z
              .array(
                z.string().regex(/^(?:[0-9A-Fa-f]{4}\s?){10}$/, 'must be a 40-hex-digit OpenPGP fingerprint'),
              )
              .default([]),
            ssh: z.string().min(1).optional(),
          })
          .optional(),
        deployment: z
          .looseObject({ environment: z.string().optional(), enabled: z.boolean().default(true) })
          .optional(),
        // The stage this host runs (docs/stages.md): its pointer files, GitHub environment <stage>/<host>.
        stage: z.string().regex(STAGE_NAME, 'must name a stage').optional(),
        // This host's name in its GitHub environment (default: the machine's host name).
        host: z.string().regex(HOST_NAME, 'must be a host name (letters, digits, . _ -)').optional(),
      })
      .default({ interval: '30s', requireSignedCommits: false })
      .superRefine((agent, ctx) => {
        const signers = agent.allowedSigners;
        if (agent.requireSignedCommits && !signers?.gpg.length && !signers?.ssh)
          ctx.addIssue({
            code: 'custom',
            path: ['allowedSigners'],
            message:
              'requireSignedCommits needs allowed signers: OpenPGP fingerprints (gpg) or an ssh allowed-signers file (ssh)',
          });
      }),
    policy: z
      .looseObject({
        evidenceMaxAgeDays: z.number().int().positive().default(3),
        labels: z.array(z.string().min(1)).default(['promotion']),
        rollbackLabels: z.array(z.string().min(1)).default(['rollback']),
        mergeMethod: z.enum(['squash', 'merge', 'rebase']).default('squash'),
        // Accounts whose git-promote/validate status merge trusts (a GitHub App's is "<slug>[bot]").
        statusCreators: z.array(z.string().min(1)).min(1).default(['github-actions[bot]']),
        // How long merge waits for the branch's required checks on the head (and retries a base
        // moved by another merge) before giving up with exit 3.
        mergeWait: durationSchema.default('15m'),
        // How a validated promotion reaches the branch: merged by the merge job ("direct"), or
        // handed to GitHub's auto-merge / merge queue (docs/merging.md).
        merge: z.enum(['direct', 'auto-merge', 'merge-queue']).default('direct'),
      })
      .default({
        evidenceMaxAgeDays: 3,
        labels: ['promotion'],
        rollbackLabels: ['rollback'],
        mergeMethod: 'squash',
        statusCreators: ['github-actions[bot]'],
        mergeWait: '15m',
        merge: 'direct',
      }),
    // Ordered stages, each with its own pointer files (docs/stages.md); absent: one stage.
    stages: stagesSchema.optional(),
    // `git promote at --game-date D --as-of pretip`: the slate's pretip instant, an ET wall-clock time.
    asOf: z
      .looseObject({
        pretip: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be an ET wall-clock time HH:MM, e.g. "18:00"')
          .optional(),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    const problems = config.stages ? stagesProblems(config.stages, config.pointers) : [];
    for (const p of problems)
      ctx.addIssue({ code: 'custom', path: ['stages', ...p.path], message: p.message });
    const stage = config.agent.stage;
    if (stage !== undefined && !config.stages?.[stage])
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'stage'],
        message: config.stages
          ? `names no stage (stages: ${Object.keys(config.stages).join(', ')})`
          : 'is set but the config has no stages',
      });
    if (stage !== undefined && config.agent.deployment?.environment !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'deployment', 'environment'],
        message: 'with agent.stage the environment is <stage>/<host>; remove it',
      });
  });

export type Config = z.output<typeof configSchema>;
export type PointerConfig = z.output<typeof pointerConfigSchema>;

export const metaSchema = z.looseObject({
  run_id: runIdSchema,
  model: z.string().min(1),
  created_at: z.string().min(1),
  contract: semverSchema.optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  code_version: z.string().optional(),
});
export type Meta = z.output<typeof metaSchema>;

export const manifestSchema = z.looseObject({
  asset: z.string().min(1),
  game_date: gameDateSchema,
  run_id: runIdSchema,
  run_as_of_ts: z.string().min(1),
  step: z.string().optional(),
  status: z.enum(['success', 'failed', 'running', 'skipped']),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  duration_s: z.number().nonnegative().optional(),
  inputs: z
    .array(
      z.looseObject({
        name: z.string(),
        path: z.string().optional(),
        run_id: z.string().optional(),
        rows: z.number().optional(),
      }),
    )
    .optional(),
  outputs: z
    .array(
      z.looseObject({
        name: z.string(),
        path: z.string().optional(),
        rows: z.number().int().nonnegative().optional(),
        columns: z.array(z.string()).optional(),
        sha256: z.string().optional(),
      }),
    )
    .optional(),
  checks: z
    .array(
      z.looseObject({
        name: z.string(),
        status: z.enum(['pass', 'fail', 'warn']),
        detail: z.string().optional(),
      }),
    )
    .optional(),
  models: z.record(z.string(), z.string()).optional(),
  failure_reason: z.string().nullable().optional(),
});
export type Manifest = z.output<typeof manifestSchema>;

export const EVIDENCE_SCHEMA_ID = 'git-promote/evidence@1';

export const evidenceSchema = z.looseObject({
  schema: z.literal(EVIDENCE_SCHEMA_ID),
  pointer: z.string().regex(POINTER_NAME),
  run_id: runIdSchema,
  game_date: gameDateSchema,
  smoke: z.looseObject({
    command: z.array(z.string()),
    exit_code: z.number().int(),
    started_at: z.string(),
    finished_at: z.string(),
    duration_ms: z.number().nonnegative(),
    published: z.literal(false),
  }),
  manifest: manifestSchema,
  meta: metaSchema,
  meta_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256'),
  checks: z.array(z.looseObject({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
});
export type Evidence = z.output<typeof evidenceSchema>;

/** Render zod issues as "dot.path: message" lines. */
export function issueLines(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path || '(root)'}: ${issue.message}`;
  });
}
