/** "owner/repo" from a git remote URL of GitHub (or GitHub Enterprise), or null for anything else. */
export function githubRepoFromUrl(url: string): string | null {
  const text = url.trim();
  // scp-like: git@github.com:owner/repo.git
  const scp = /^[\w.-]+@[\w.-]+:([^/][^:]*)$/.exec(text);
  let path: string | null = scp ? scp[1]! : null;
  if (!path) {
    try {
      const u = new URL(text);
      if (!['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol) || !u.hostname) return null;
      path = decodeURIComponent(u.pathname);
    } catch {
      return null;
    }
  }
  const parts = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (parts.length < 2) return null;
  const repo = `${parts.at(-2)}/${parts.at(-1)}`;
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo) ? repo : null;
}
