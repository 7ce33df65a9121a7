export {
  startGitHubStandIn,
  secondaryRateLimit,
  primaryRateLimit,
  type Fault,
  type GitHubStandIn,
  type GitHubStandInOptions,
  type LoggedRequest,
} from './stand-in.js';
export { ROUTES, type Route } from './routes.js';
export type { PullRecord, RepoState } from './resources.js';
