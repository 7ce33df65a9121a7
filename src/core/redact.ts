/** Environment variables whose values are secrets and must never appear in output. */
export const SECRET_ENV_VARS = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'PREFECT_API_AUTH_STRING',
  'PREFECT_API_KEY',
] as const;

const MASK = '***';
// Token shapes that must be masked even when they did not come from the environment.
const TOKEN_PATTERNS: [RegExp, string][] = [
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, MASK],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, MASK],
  [/\bpn[ub]_[A-Za-z0-9]{20,}\b/g, MASK], // Prefect Cloud API keys (user and service account)
  [/\/\/[^/@\s:]+:[^/@\s]+@/g, `//${MASK}@`], // credentials in URLs: https://user:secret@host
];

export type Redactor = (text: string) => string;

/** Build the one output filter: removes every secret value (plain, URL-encoded, base64) from text. */
export function createRedactor(env: Record<string, string | undefined>): Redactor {
  const secrets = new Set<string>();
  for (const name of SECRET_ENV_VARS) {
    const value = env[name];
    if (!value || value.length < 4) continue;
    secrets.add(value);
    secrets.add(encodeURIComponent(value));
    secrets.add(Buffer.from(value).toString('base64'));
  }
  // Longest first, so a secret containing another is masked whole.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const s of ordered) out = out.split(s).join(MASK);
    for (const [re, mask] of TOKEN_PATTERNS) out = out.replace(re, mask);
    return out;
  };
}
