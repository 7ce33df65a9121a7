import { readRegularFile, readTextOr } from './read-text.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { validateConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { describeJsonError } from '../core/json-syntax.js';
import type { Config } from '../core/schemas.js';
import { minVersionError } from '../core/versions.js';
import { packageVersion } from '../version.js';

export const CONFIG_FILE = 'promote.config.json';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file. */
  path: string;
  /** The directory holding it: the pipeline repository root. */
  root: string;
  warnings: string[];
}

/** Where the config is: --config, then PROMOTE_CONFIG, then the nearest promote.config.json upwards. */
export function findConfigPath(
  cwd: string,
  env: Record<string, string | undefined>,
  explicit?: string,
): string {
  const given = explicit ?? env.PROMOTE_CONFIG;
  if (given) return resolve(cwd, given);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(
    `no ${CONFIG_FILE} found in ${resolve(cwd)} or any parent directory`,
    'Run `git promote init` in the pipeline repository, or pass --config FILE.',
  );
}

/**
 * Parse and validate config text; every problem is reported at once (exit 2). A `minVersion` this
 * release does not satisfy is reported first and alone.
 */
export function parseConfigText(text: string, label: string): { config: Config; warnings: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(
      `${label} is not valid JSON: ${describeJsonError(text)}`,
      `Fix the JSON syntax in ${label}.`,
    );
  }
  const { config, errors, warnings, versionError } = validateConfig(data, { toolVersion: packageVersion() });
  if (versionError) throw versionError;
  if (!config) {
    throw new UsageError(
      `${label} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:`,
      `Fix ${errors.length === 1 ? 'it' : 'them'} in ${label}; the JSON Schema in its "$schema" lets an editor show them.`,
      { details: errors },
    );
  }
  return { config, warnings };
}

/**
 * Before a command does anything, even parse its arguments: stop when the config it will read
 * needs another release (`minVersion`, exit 2). A missing or unreadable config is left to the
 * command, which says so in its own words.
 */
export async function checkConfigVersion(
  cwd: string,
  env: Record<string, string | undefined>,
  explicit?: string,
): Promise<void> {
  let data: unknown;
  try {
    data = JSON.parse(await readRegularFile(findConfigPath(cwd, env, explicit)));
  } catch {
    return;
  }
  const error = minVersionError(data, packageVersion());
  if (error) throw error;
}

export async function loadConfig(
  cwd: string,
  env: Record<string, string | undefined>,
  explicit?: string,
): Promise<LoadedConfig> {
  const path = findConfigPath(cwd, env, explicit);
  const text = await readTextOr(
    path,
    () =>
      new UsageError(`config file ${path} does not exist`, 'Run `git promote init`, or pass --config FILE.'),
  );
  const { config, warnings } = parseConfigText(text, path);
  return { config, path, root: dirname(path), warnings };
}
