/** The Forge for commands running with a GitHub token (placeholder until the octokit adapter lands). */
import type { Forge } from '../core/forge.js';
import type { Context } from './context.js';

export async function forgeFromEnv(_ctx: Context): Promise<Forge | null> {
  return null;
}
