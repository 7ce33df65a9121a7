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

type Redactor = (text: string) => string;

/** JSON string content of `text`: once, twice (JSON inside JSON) and with \\uXXXX for non-ASCII. */
function jsonForms(text: string): string[] {
  const once = JSON.stringify(text).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  const ascii = once.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return [once, twice, ascii];
}

/** Every form in which a secret value can reach output once something has escaped it. */
function secretForms(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
    ...jsonForms(value),
    // GitHub Actions workflow commands (::error::...) escape %, CR and LF.
    value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'),
  ];
}

/**
 * Build the one output filter: removes every secret value from text, in each form in which
 * output can carry it (plain, URL-encoded, base64, JSON-escaped, workflow-command-escaped).
 */
export function createRedactor(env: Record<string, string | undefined>): Redactor {
  const secrets = new Set<string>();
  for (const name of SECRET_ENV_VARS) {
    const value = env[name];
    if (!value || value.length < 4) continue;
    for (const form of secretForms(value)) secrets.add(form);
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
