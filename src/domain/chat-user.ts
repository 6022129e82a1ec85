/** Where a person talks to keyless. `local` is the built-in playground and tests. */
export type ChatPlatform = 'slack' | 'teams';

/**
 * A person as a chat platform verified them. `email` is set only when it comes from the platform's
 * directory (Slack users.info, the Teams roster), never from text the person typed.
 */
export interface ChatUser {
  platform: ChatPlatform;
  /** The platform's id: a Slack user id (U…/W…) or a Teams aadObjectId. */
  id: string;
  displayName: string;
  email?: string;
  /** IANA time zone for showing local times, for example Europe/Paris. */
  timeZone?: string;
  /** The Slack team or Teams tenant. */
  workspaceId?: string;
  /**
   * The person's id in the identity provider behind the chat platform, when the platform verified it:
   * on Teams the Entra ID object id (aadObjectId). Identity Center users provisioned from Entra ID
   * by SCIM carry it as their external id, so it identifies them without an email.
   */
  directoryId?: string;
}

/**
 * The one form of an email address that keyless compares, caches and looks up: trimmed and wholly
 * lower-cased (the local part too). Identity Center may match `emails.value` and `userName`
 * case-sensitively, so keyless asks it for this form only, whatever case the chat platform used:
 * the answer then depends on the address alone, never on what was looked up before. Addresses in
 * Identity Center must therefore be stored in lower case (README, "Identity mapping").
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Whether two addresses are the same person's under {@link normalizeEmail}. */
export function sameEmail(a: string, b: string): boolean {
  return normalizeEmail(a) === normalizeEmail(b);
}

/** What a chat platform verified about a person, to find them in Identity Center. */
export interface VerifiedIdentity {
  /** The verified email, normalised with {@link normalizeEmail}. */
  email?: string;
  /** The identity provider's id for the person (Teams: the Entra ID object id). */
  externalId?: string;
}

/** The verified facts of a chat user, or undefined when the platform verified nothing usable. */
export function verifiedIdentityOf(user: ChatUser): VerifiedIdentity | undefined {
  const email = user.email?.trim() ? normalizeEmail(user.email) : undefined;
  const externalId = user.directoryId?.trim() || undefined;
  if (!email && !externalId) return undefined;
  return { ...(email ? { email } : {}), ...(externalId ? { externalId } : {}) };
}

export function chatUserKey(user: Pick<ChatUser, 'platform' | 'id'>): string {
  return `${user.platform}:${user.id}`;
}

export function sameChatUser(a: Pick<ChatUser, 'platform' | 'id'>, b: Pick<ChatUser, 'platform' | 'id'>): boolean {
  return a.platform === b.platform && a.id === b.id;
}

/** A resolved Identity Center user: who a chat user is in AWS, and the groups that policy reads. */
export interface Principal {
  principalId: string;
  userName: string;
  email: string;
  displayName: string;
  groups: string[];
}

/** Who did something, as written in audit events. */
export interface Actor {
  kind: 'user' | 'system';
  /** `slack:U123`, `teams:…`, or a system component such as `expiry-scheduler`. */
  id: string;
  name: string;
  email?: string;
}

export function userActor(user: ChatUser): Actor {
  return {
    kind: 'user',
    id: `${user.platform}:${user.id}`,
    name: user.displayName,
    ...(user.email ? { email: user.email } : {}),
  };
}

export function systemActor(component: string): Actor {
  return { kind: 'system', id: component, name: component };
}
