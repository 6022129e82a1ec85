/** The Slack adapter's public surface, for the composition root. */
export { createSlackAdapter, type SlackAdapter, type SlackAdapterConfig, type SlackAdapterDeps } from './slack-app';
export { COMMAND, EVENTS_PATH, BOT_EVENTS } from './ids';
export { requiredBotScopes } from './scopes';
