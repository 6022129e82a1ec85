export { startSlackWorkspace, type RunningSlackWorkspace, type SlackWorkspaceOptions } from './server';
export {
  LOCAL_SLACK_TEAM_ID,
  SlackWorkspaceState,
  WorkspaceError,
  type WorkspaceUser,
  type WorkspaceChannel,
  type WorkspaceUserGroup,
} from './workspace';
export {
  WorkspaceClient,
  type BotAnswer,
  type RawDelivery,
  type Delivery,
  type DeliveryOptions,
  type EnvelopeType,
} from './client';
// Types only: the Socket Mode server (and `ws`) loads when a workspace is given an app token.
export type { SocketModeServer, SocketModeConnection } from './socket-mode';
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
