// No imports: adapters/main/config.ts reads KEYLESS_AUDITORS with these (without loading the Slack SDK).

/**
 * A Slack user group as KEYLESS_AUDITORS names it: `subteam:S0123ABC` (its id) or `@security-auditors`
 * (its handle, found with usergroups.list).
 */
export type SlackUserGroupRef = { id: string; label: string } | { handle: string; label: string };

const SUBTEAM = /^subteam:(S[A-Z0-9]{2,})$/;
const HANDLE = /^@([a-z0-9][a-z0-9._-]{0,79})$/;

/** Whether a KEYLESS_AUDITORS entry names a Slack user group (rather than a person's email). */
export function isSlackUserGroupEntry(entry: string): boolean {
  return entry.startsWith('subteam:') || entry.startsWith('@');
}

/** `subteam:S…` or `@handle` → the group; anything else undefined. Handles are lower case in Slack. */
export function parseSlackUserGroup(entry: string): SlackUserGroupRef | undefined {
  const text = entry.trim();
  const id = SUBTEAM.exec(text)?.[1];
  if (id) return { id, label: `subteam:${id}` };
  const handle = HANDLE.exec(text.toLowerCase())?.[1];
  if (handle) return { handle, label: `@${handle}` };
  return undefined;
}
