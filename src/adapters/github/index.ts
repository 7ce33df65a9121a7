/** The GitHub adapter: import lazily (`await import(...)`) so commands that don't need it start fast. */
export {
  createForge,
  forgeFromEnv,
  tokenFromEnv,
  parseRepo,
  toPullRequest,
  type CreateForgeOptions,
} from './forge.js';
export { createGitHubClient, isLoopback, type GitHubClientOptions } from './client.js';
export { toForgeError, githubMessage } from './errors.js';
