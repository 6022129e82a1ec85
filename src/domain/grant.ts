import type { AuditEvent } from './audit';
import type { Actor, ChatUser } from './chat-user';
import type { GroupRef, MembershipKey } from './group-target';
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
}

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

/** The membership a group grant creates and removes (undefined for an account assignment). */
export function grantMembership(g: Pick<Grant, 'principalId' | 'group'>): MembershipKey | undefined {
  return g.group ? { principalId: g.principalId, groupId: g.group.id } : undefined;
}
