import type * as z from 'zod/v4';
import { configSchema, issueLines, type Config, type PointerConfig } from './schemas.js';
import { UsageError } from './errors.js';
import { unknownKeyProblems } from './unknown-keys.js';

export interface ConfigResult {
  config: Config | null;
  errors: string[];
  warnings: string[];
}

/**
 * Validate parsed config, reporting every problem at once with its dot-path. The config is strict:
 * a key the schema does not declare is an error (with a "did you mean"), never ignored.
 */
export function validateConfig(data: unknown): ConfigResult {
  const result = configSchema.safeParse(data);
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
  return { config, errors: [], warnings };
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
