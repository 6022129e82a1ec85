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
