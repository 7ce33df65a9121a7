/**
 * How the config on the branch differs from the host's own config, in the parts the agent acts
 * on. The agent never takes these from a fetched commit (docs/security.md): a difference is only
 * reported, for a person to review and copy into the host config.
 */
import canonicalize from 'canonicalize';
import { validateConfig } from './config.js';
import type { Config } from './schemas.js';

export const CONFIG_CHANGED_HINT = 'config changed on the branch, review and update the host config';

const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);

/** Dot-paths of what differs (pointers one by one, flow, manifests); [] when the same or absent. */
export function configDifferences(host: Config, tipText: string | null): string[] {
  if (tipText === null) return [];
  let tip: Config | null;
  try {
    tip = validateConfig(JSON.parse(tipText)).config;
  } catch {
    tip = null;
  }
  if (!tip) return ['(the config on the branch does not validate)'];
  const out: string[] = [];
  for (const name of new Set([...Object.keys(host.pointers), ...Object.keys(tip.pointers)])) {
    const h = host.pointers[name];
    const t = tip.pointers[name];
    if (!h) out.push(`pointers.${name} (added on the branch)`);
    else if (!t) out.push(`pointers.${name} (removed on the branch)`);
    else if (!same(h, t)) out.push(`pointers.${name}`);
  }
  if (!same(host.flow, tip.flow)) out.push('flow');
  if (!same(host.manifests, tip.manifests)) out.push('manifests');
  if (!same(host.stages, tip.stages)) out.push('stages');
  return out;
}
