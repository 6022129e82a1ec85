import type { AuditEvent } from './audit';
import type { Actor, ChatUser } from './chat-user';
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
  /** How long the grant lasts once active (extensions add to it while provisioning). */
  durationSeconds: number;
  createdAt: number;
  activatedAt?: number;
  /** Epoch ms; set when the assignment is confirmed. */
  expiresAt?: number;
  /** Why the grant is ending or ended. */
  endReason?: 'expired' | 'revoked';
  endedBy?: Actor;
  endedAt?: number;
  failure?: { code: string; message: string };
  deprovisionAttempts: number;
  /** Set once the pre-expiry reminder went out. */
  remindedAt?: number;
  /** Every accepted transition, written atomically with the state (see AccessRequest.history). */
  history: AuditEvent[];
}

export function isLiveGrant(g: Pick<Grant, 'status'>): boolean {
  return LIVE_GRANT_STATUSES.includes(g.status);
}

export function isFinalGrant(g: Pick<Grant, 'status'>): boolean {
  return !isLiveGrant(g);
}

export function grantAssignment(g: Pick<Grant, 'principalId' | 'accountId' | 'permissionSetArn'>): AssignmentKey {
  return { principalId: g.principalId, accountId: g.accountId, permissionSetArn: g.permissionSetArn };
}
