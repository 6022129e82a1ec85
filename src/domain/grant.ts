import type { AuditEvent } from './audit';
import type { Actor, ChatPlatform, ChatUser } from './chat-user';
import type { AccountId, AssignmentKey, GrantId, PermissionSetArn, PrincipalId, RequestId } from './ids';

export const GRANT_STATUSES = ['provisioning', 'active', 'deprovisioning', 'expired', 'revoked', 'failed'] as const;
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
  return !isLiveGrant(g);
}

export function grantAssignment(g: Pick<Grant, 'principalId' | 'accountId' | 'permissionSetArn'>): AssignmentKey {
  return { principalId: g.principalId, accountId: g.accountId, permissionSetArn: g.permissionSetArn };
}
