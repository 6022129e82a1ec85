import type { AuditEvent } from './audit';
import type { Actor, ChatPlatform, ChatUser } from './chat-user';
import type { GrantActivity } from './grant-activity';
import type { GroupRef, MembershipKey } from './group-target';
import type { AccountId, AssignmentKey, GrantId, PermissionSetArn, PrincipalId, RequestId } from './ids';

export const GRANT_STATUSES = [
  'provisioning',
  'active',
  'deprovisioning',
  'expired',
  'revoked',
  'failed',
  'scheduled',
] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];
export const LIVE_GRANT_STATUSES: readonly GrantStatus[] = ['provisioning', 'active', 'deprovisioning'];

/** The provisioning side of access: one Identity Center account assignment with an end. */
export interface Grant {
  id: GrantId;
  version: number;
  status: GrantStatus;
  requestId: RequestId;
  requester: ChatUser;
  principalId: PrincipalId;
  principalName: string;
  accountId: AccountId;
  accountName: string;
  permissionSetArn: PermissionSetArn;
  permissionSetName: string;
  /**
   * Set when the grant is a membership of this Identity Center group instead of an account
   * assignment (see group-target.ts for what the account fields then hold).
   */
  group?: GroupRef;
  rule: string;
  breakGlass: boolean;
  /**
   * How long the grant lasts once active (an approved request may lengthen it while provisioning,
   * never past `capSeconds`); once active, `expiresAt − activatedAt`.
   */
  durationSeconds: number;
  /**
   * The maximum of the rule that approved the request behind the current end (break-glass: its own
   * cap), in seconds. The end is never more than this after `windowStartAt` (see grant-term.ts).
   */
  capSeconds: number;
  createdAt: number;
  /**
   * Access that starts later (status `scheduled` until then): the assignment is requested at this
   * instant (epoch ms), never before. The duration counts from the activation, so from the start.
   */
  startsAt?: number;
  activatedAt?: number;
  /** When the current window began: activation, or the last approved request that moved the end. */
  windowStartAt?: number;
  /** Epoch ms; set when the assignment is confirmed. */
  expiresAt?: number;
  /** Why the grant is ending or ended. */
  endReason?: 'expired' | 'revoked';
  endedBy?: Actor;
  endedAt?: number;
  failure?: { code: string; message: string };
  deprovisionAttempts: number;
  /** When Identity Center confirmed the assignment removed (epoch ms). */
  assignmentRemovedAt?: number;
  /**
   * Ending the sessions already open (README "Security model"): `from` is T, credentials issued
   * before it are denied by keyless's service control policy; `skipped` says why none is written
   * (service control policies do not reach the management account).
   */
  sessionCut?: SessionCutNote;
  /** When the service control policy holding this grant's cut was accepted by AWS (epoch ms). */
  sessionsCutAt?: number;
  /** Set once the pre-expiry reminder went out. */
  remindedAt?: number;
  /** The bundle of the request behind the grant, when it asked for several accounts (bundle.ts). */
  bundleId?: string;
  /**
   * What the grant did (CloudTrail activity summary, issue 18): set when a grant that was active
   * ends with the lookups on; the early summary and the final one are stored here in turn.
   */
  activity?: GrantActivity;
  /** Every accepted transition, written atomically with the state (see AccessRequest.history). */
  history: AuditEvent[];
  /**
   * The chat messages of this grant's request, per platform, as that platform's notifier recorded
   * them once the grant was active (issue 13): the notices of its end or extension update them
   * without reading them first. Not part of the versioned record: the store keeps them apart, and
   * the engine's writes never change them. Absent for a platform: not known, read them.
   */
  chatCopies?: GrantChatCopies;
}

/** One chat message of a grant's request (a MessageRef without its platform). */
export interface GrantChatCopy {
  /** The channel or conversation id. */
  channel: string;
  /** Slack `ts` or Teams activity id. */
  messageId: string;
  role: 'approvals' | 'approver_dm' | 'requester_dm' | 'grant_dm' | 'security';
}

export type GrantChatCopies = Partial<Record<ChatPlatform, GrantChatCopy[]>>;

export type SessionCutNote = { from: number } | { skipped: 'management_account' };

export function isLiveGrant(g: Pick<Grant, 'status'>): boolean {
  return LIVE_GRANT_STATUSES.includes(g.status);
}

export function isFinalGrant(g: Pick<Grant, 'status'>): boolean {
  return !isLiveGrant(g) && !isScheduledGrant(g);
}

/** Approved access that has not started: no assignment exists, nothing in AWS to undo. */
export function isScheduledGrant(g: Pick<Grant, 'status'>): boolean {
  return g.status === 'scheduled';
}

/**
 * True when two spans of access overlap in time (epoch ms, end exclusive). A grant's span runs from
 * its start (or activation, or now) to its end (or start + duration while it has no end).
 */
export function spansOverlap(a: { from: number; to: number }, b: { from: number; to: number }): boolean {
  return a.from < b.to && b.from < a.to;
}

/** The span a live or scheduled grant holds its (user, account, permission set), as far as known at `now`. */
export function grantSpan(
  g: Pick<Grant, 'status' | 'startsAt' | 'activatedAt' | 'expiresAt' | 'durationSeconds'>,
  now: number,
): { from: number; to: number } {
  const from = g.status === 'scheduled' ? (g.startsAt ?? now) : (g.activatedAt ?? now);
  const to = g.expiresAt ?? Math.max(from, now) + g.durationSeconds * 1000;
  return { from, to };
}

export function grantAssignment(g: Pick<Grant, 'principalId' | 'accountId' | 'permissionSetArn'>): AssignmentKey {
  return { principalId: g.principalId, accountId: g.accountId, permissionSetArn: g.permissionSetArn };
}

/** The membership a group grant creates and removes (undefined for an account assignment). */
export function grantMembership(g: Pick<Grant, 'principalId' | 'group'>): MembershipKey | undefined {
  return g.group ? { principalId: g.principalId, groupId: g.group.id } : undefined;
}
