export { startSlackWorkspace, type RunningSlackWorkspace, type SlackWorkspaceOptions } from './server';
export { SlackWorkspaceState, WorkspaceError, type WorkspaceUser, type WorkspaceChannel } from './workspace';
export { WorkspaceClient, type BotAnswer, type RawDelivery } from './client';
export { DEMO_USERS, DEMO_CHANNELS } from './demo-users';
export {
  slackSignature,
  elementsOf,
  type WireView,
  type SlackMessageRecord,
  type EphemeralRecord,
  type Block,
} from './wire';
export type { RateLimits } from './web-api';
