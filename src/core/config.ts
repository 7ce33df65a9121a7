import type * as z from 'zod/v4';
import { configSchema, issueLines, type Config, type PointerConfig } from './schemas.js';
import { UsageError } from './errors.js';
import { unknownKeyProblems } from './unknown-keys.js';
import { minVersionError } from './versions.js';

interface ConfigResult {
  config: Config | null;
  errors: string[];
  warnings: string[];
  /** Set when `minVersion` excludes this release: the one error that matters (exit 2). */
  versionError?: UsageError;
}

/**
 * Validate parsed config, reporting every problem at once with its dot-path. The config is strict:
 * a key the schema does not declare is an error (with a "did you mean"), never ignored. With
 * `toolVersion`, `minVersion` is checked first: a config for a newer release says so instead of
 * listing the keys this release does not know.
 */
export function validateConfig(data: unknown, options: { toolVersion?: string } = {}): ConfigResult {
  const versionError = options.toolVersion ? minVersionError(data, options.toolVersion) : null;
  if (versionError) return { config: null, errors: [versionError.message], warnings: [], versionError };
  // jitless: zod would otherwise generate and compile a parser for each object schema on its first
  // parse, which costs more than the one parse a command makes (about 10 ms of every start).
  const result = configSchema.safeParse(data, { jitless: true });
  const unknown = unknownKeyProblems(configSchema, data);
  if (!result.success || unknown.length > 0) {
    const invalid = result.success ? [] : issueLines(result.error as z.ZodError);
    return { config: null, errors: [...unknown, ...invalid], warnings: [] };
  }
  const config = result.data;
  const warnings: string[] = [];
  for (const [name, pointer] of Object.entries(config.pointers)) {
    if (!pointer.smoke) warnings.push(`pointers.${name}.smoke: not set, so propose needs --evidence`);
    if (!pointer.contract)
      warnings.push(`pointers.${name}.contract: not set, so any model contract is accepted`);
  }
  if (!config.repository.github)
    warnings.push('repository.github: not set, so pull requests cannot be opened');
  const deprecated = deprecationWarning(config.policy);
  if (deprecated) warnings.push(deprecated);
  return { config, errors: [], warnings };
}

export type EvidenceMaxAge = { slates: number } | { days: number };

/**
 * The evidence age limit: `policy.evidenceMaxAge` when set (it wins), else the deprecated
 * `policy.evidenceMaxAgeDays` as days, else 3 days.
 */
export function evidenceMaxAge(policy: Config['policy']): EvidenceMaxAge {
  const age = policy.evidenceMaxAge;
  if (age?.slates !== undefined) return { slates: age.slates };
  if (age?.days !== undefined) return { days: age.days };
  return { days: policy.evidenceMaxAgeDays ?? 3 };
}

/** The warning for the deprecated `policy.evidenceMaxAgeDays`, or null when it is not used. */
export function deprecationWarning(policy: Config['policy']): string | null {
  const days = policy.evidenceMaxAgeDays;
  if (days === undefined) return null;
  return policy.evidenceMaxAge
    ? 'policy.evidenceMaxAgeDays: deprecated and ignored, because policy.evidenceMaxAge is set; remove it'
    : `policy.evidenceMaxAgeDays: deprecated; write "evidenceMaxAge": {"days": ${days}} (or {"slates": N})`;
}

export function pointerConfig(config: Config, name: string): PointerConfig {
  const pointer = config.pointers[name];
  if (!pointer) {
    const known = Object.keys(config.pointers).join(', ');
    throw new UsageError(
      `unknown pointer "${name}"`,
      `Use one of the pointers in promote.config.json: ${known}.`,
    );
  }
  return pointer;
}
