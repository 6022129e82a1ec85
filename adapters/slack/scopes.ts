/**
 * The Slack Web API methods keyless calls, each with the bot scope it needs (none for views.* and
 * auth.test). The paced client accepts only these method names, so a new call cannot be added
 * without naming its scope here, and the manifest test compares this list with the manifest.
 * Tiers: https://docs.slack.dev/apis/web-api/rate-limits (facts.md).
 */
export const METHODS = {
  'auth.test': { scope: undefined, tier: 'special' },
  'chat.postMessage': { scope: 'chat:write', tier: 'special' },
  'chat.update': { scope: 'chat:write', tier: 3 },
  'chat.postEphemeral': { scope: 'chat:write', tier: 4 },
  'views.open': { scope: undefined, tier: 4 },
  'views.update': { scope: undefined, tier: 4 },
  'views.publish': { scope: undefined, tier: 4 },
  'users.info': { scope: 'users:read', tier: 4 },
  'users.lookupByEmail': { scope: 'users:read.email', tier: 3 },
  'conversations.open': { scope: 'im:write', tier: 3 },
  // The upload flow of files.uploadV2 (the weekly posture chart, an auditor's export).
  'files.getUploadURLExternal': { scope: 'files:write', tier: 4 },
  'files.completeUploadExternal': { scope: 'files:write', tier: 4 },
  // Auditors by Slack user group (KEYLESS_AUDITORS=subteam:S… or @handle).
  'usergroups.users.list': { scope: 'usergroups:read', tier: 2 },
  'usergroups.list': { scope: 'usergroups:read', tier: 2 },
} as const satisfies Record<string, { scope: string | undefined; tier: 2 | 3 | 4 | 'special' }>;

export type SlackMethod = keyof typeof METHODS;

/**
 * Scopes that no single method call names: `commands` for the slash command, and `users:read.email`
 * because users.info returns `profile.email` only with it (the identity map reads it there).
 */
export const FEATURE_SCOPES = ['commands', 'users:read.email'] as const;

/**
 * Read-only scopes `keyless doctor` uses to see, with conversations.info, that the bot is a member
 * of the approvals and security channels: channels:read for a public channel, groups:read for a
 * private one (without membership chat.postMessage answers not_in_channel).
 */
export const DOCTOR_SCOPES = ['channels:read', 'groups:read'] as const;

/** Every bot scope the code needs, sorted. */
export function requiredBotScopes(): string[] {
  const scopes = new Set<string>([...FEATURE_SCOPES, ...DOCTOR_SCOPES]);
  for (const { scope } of Object.values(METHODS)) if (scope) scopes.add(scope);
  return [...scopes].sort();
}
