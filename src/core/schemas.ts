/**
 * The data formats of git-promote, as zod schemas. The pipeline's files (pointer, meta, manifest)
 * and evidence are loose: unknown keys are kept, never dropped, so a file written back by
 * git-promote loses nothing the pipeline put there. The config is ours and strict (unknown-keys.ts).
 */
import * as z from 'zod/v4';
import { semver } from './semver.js';
import { runIdProblem } from './run-id.js';
import { MAX_INTERVAL_MS, MAX_TIMEOUT_MS, parseDuration } from './duration.js';
import { isGameDate } from './game-date.js';
import { evidenceSchemaId } from './versions.js';
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
const etTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be an ET wall-clock time HH:MM, e.g. "18:00"');

/** A freeze window: from `start` to `end`, ET wall-clock times; an end before the start ends the next day. */
export const freezeWindowSchema = z
  .looseObject({
    name: z.string().min(1).max(60).optional(),
    start: etTimeSchema,
    end: etTimeSchema,
  })
  .refine((w) => w.start !== w.end, { message: 'start and end must differ', path: ['end'] });
export type FreezeWindowConfig = z.output<typeof freezeWindowSchema>;

export const POINTER_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

const smokeSchema = z.looseObject({
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

const pointerConfigSchema = z.looseObject({
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

/** Evidence age: counted in slates (game dates with manifests) or in calendar days; exactly one. */
export const evidenceMaxAgeSchema = z
  .looseObject({
    slates: z.number().int().positive().optional(),
    days: z.number().int().positive().optional(),
  })
  .refine((a) => (a.slates === undefined) !== (a.days === undefined), 'give exactly one of slates or days');

export const configSchema = z
  .looseObject({
    $schema: z.string().optional(),
    // The git-promote releases this config is written for, checked before anything else reads it
    // (docs/versions-and-slates.md).
    minVersion: semverRangeSchema.optional(),
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
        // A file that exists while the flow runs (flow.command sites): the agent does not write
        // pointer files while it is there (docs/switching-safely.md). Relative to the config's directory.
        lockFile: z.string().min(1).optional(),
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
        // How long a pass waits for a flow run in progress to end before it writes (the quiet
        // window); after that it writes nothing and says so (docs/switching-safely.md).
        quietWait: timeoutSchema.default('2h'),
        // ET time ranges during which only rollbacks are applied; promotions wait for the end.
        freeze: z.array(freezeWindowSchema).default([]),
      })
      .default({ interval: '30s', requireSignedCommits: false, quietWait: '2h', freeze: [] })
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
        // How old the smoke's game date may be; default {days: 3}.
        evidenceMaxAge: evidenceMaxAgeSchema.optional(),
        // Deprecated: {days: N} of evidenceMaxAge. Ignored when evidenceMaxAge is set.
        evidenceMaxAgeDays: z.number().int().positive().optional().meta({
          deprecated: true,
          description: 'Deprecated: use "evidenceMaxAge": {"days": N}; ignored when evidenceMaxAge is set.',
        }),
        labels: z.array(z.string().min(1)).default(['promotion']),
        rollbackLabels: z.array(z.string().min(1)).default(['rollback']),
        // When the flow fails after an apply or the manifests show another run: "propose" opens a
        // rollback PR for the change, once; "off" only reports (docs/auto-rollback.md).
        autoRollback: z.enum(['propose', 'off']).default('off'),
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
        labels: ['promotion'],
        rollbackLabels: ['rollback'],
        autoRollback: 'off',
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
        pretip: etTimeSchema.optional(),
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

/** What smoke evidence is written as: the oldest schema that expresses it (see versions.ts). */
export const EVIDENCE_SCHEMA_ID = evidenceSchemaId(1);
/** Adopted evidence (no smoke run) is new in schema 2. */
export const ADOPTED_EVIDENCE_SCHEMA_ID = evidenceSchemaId(2);

/**
 * The slates the smoke run saw after its game date: game dates with manifests, up to `through`
 * (the ET date it ran), so evidence age can be counted in slates (docs/versions-and-slates.md).
 */
const slatesSchema = z.looseObject({
  asset: z.string().optional(),
  through: gameDateSchema,
  after: z.array(gameDateSchema).max(1000),
});

/** Smoke evidence: schema 1, or 2 with `kind` "smoke" (or no kind). */
export const evidenceSchema = z.looseObject({
  schema: z.enum([EVIDENCE_SCHEMA_ID, ADOPTED_EVIDENCE_SCHEMA_ID]),
  kind: z.literal('smoke').optional(),
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
  slates: slatesSchema.optional(),
});
export type Evidence = z.output<typeof evidenceSchema>;

/**
 * Evidence of a run that was already in production when git-promote was adopted: the meta.json
 * hash from the artifact on disk, who adopted it and when; no smoke run. validate accepts it only
 * for the run its pointer held where the adoption landed.
 */
export const adoptedEvidenceSchema = z.looseObject({
  schema: z.literal(ADOPTED_EVIDENCE_SCHEMA_ID),
  kind: z.literal('adopted'),
  pointer: z.string().regex(POINTER_NAME),
  run_id: runIdSchema,
  adopted: z.looseObject({
    by: z.string().min(1),
    at: z.string().min(1),
    base: z.string().optional(),
  }),
  meta: metaSchema,
  meta_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256'),
  checks: z.array(z.looseObject({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
});
export type AdoptedEvidence = z.output<typeof adoptedEvidenceSchema>;
export type AnyEvidence = Evidence | AdoptedEvidence;

/** True when raw evidence data says it is adopted evidence (its schema then decides the rest). */
export function isAdoptedData(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'adopted';
}

/** Render zod issues as "dot.path: message" lines. */
export function issueLines(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path || '(root)'}: ${issue.message}`;
  });
}
