import type { AuditEvent } from './audit';
import type { Actor, ChatUser } from './chat-user';
import type { GroupRef } from './group-target';
import type { AccountId, GrantId, PermissionSetArn, PrincipalId, RequestId } from './ids';
import type { ApproverSpec } from './policy';
import type { SessionOutlives } from './session-outlives';

export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'cancelled', 'timed_out'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** `grant`: new access; `extension`: more time on a live grant; `break_glass`: emergency access. */
export type RequestKind = 'grant' | 'extension' | 'break_glass';

export interface Approval {
  actor: Actor;
  principalId: PrincipalId;
  at: number;
  /** The on-call schedule that made this person an approver at the click, when it was one. */
  via?: string;
}

/**
 * The reminder and escalation of a pending request, fixed when it is made (a later policy change
 * does not move them). Each step happens once: `remindedAt` / `escalatedAt` are set by a conditional
 * write of the request (events `remind` / `escalate`), so no second replica or restart repeats it.
 */
export interface RequestEscalation {
  /** When the approvers are reminded (epoch ms). */
  remindAt?: number;
  /** When `to` is asked and may approve too (epoch ms). */
  escalateAt?: number;
  to?: Omit<ApproverSpec, 'count'>;
}

/** The business decision about access: who asked, for what, and who said yes or no. */
export interface AccessRequest {
  id: RequestId;
  version: number;
  status: RequestStatus;
  kind: RequestKind;
  requester: ChatUser;
  principalId: PrincipalId;
  principalName: string;
  accountId: AccountId;
  accountName: string;
  permissionSetArn: PermissionSetArn;
  permissionSetName: string;
  /** Set when the request is for a membership of this Identity Center group (see group-target.ts). */
  group?: GroupRef;
  durationSeconds: number;
  reason: string;
  ticket?: string;
  rule: string;
  /** Who may approve and how many must; absent for auto-approval and break-glass. */
  approvers?: ApproverSpec;
  approvalsRequired: number;
  selfApproval: boolean;
  approvals: Approval[];
  denial?: { actor: Actor; at: number; reason: string };
  /** For an extension: the live grant it asks more time for. */
  extendsGrantId?: GrantId;
  /**
   * The maximum of the rule that decided (break-glass: its cap), in seconds: the grant this request
   * creates or extends never lasts longer than this from when the request is applied.
   */
  capSeconds?: number;
  /**
   * True for `extend`: the time asked is added to the grant's end. Otherwise a request for a live
   * (user, account, permission set) ends the grant at the later of the two ends. Both are cut to the cap.
   */
  addsTime?: boolean;
  /** Auto-approved because the requester was on call on this schedule when asking. */
  onCallSchedule?: string;
  escalation?: RequestEscalation;
  /**
   * Set when the permission set's sessions last longer than the grant asked for: the requester and
   * the approvers are told (`sessionOutlivesText`) whether sessions outlive it or are ended at expiry.
   */
  sessionOutlives?: SessionOutlives;
  /** When the reminder went out (set once by `remind`). */
  remindedAt?: number;
  /** When the request escalated to `escalation.to` (set once by `escalate`). */
  escalatedAt?: number;
  /**
   * One of several accounts asked for in one request (see bundle.ts): every request of the bundle
   * is a whole request (its own policy decision, approvals, grant and revocation), tied by this.
   */
  bundle?: RequestBundle;
  /**
   * Access that starts later (`--from`): the grant is created scheduled and its assignment requested
   * at this instant (epoch ms). The duration counts from the start.
   */
  startsAt?: number;
  /** Once approved and fulfilled: the grant created or extended (set once, by `link_grant`). */
  grantId?: GrantId;
  createdAt: number;
  /** A pending request times out at this instant (epoch ms). */
  decideBy: number;
  decidedAt?: number;
  /**
   * Every accepted transition, written in the same conditional write as the state it led to, so that
   * no state change can exist without its audit event (or the other way round).
   */
  history: AuditEvent[];
}

/** The accounts of one multi-account request, in the order asked (see bundle.ts). */
export interface RequestBundle {
  /** The bundle's id (the chat messages about the bundle are kept under it). */
  id: string;
  /** The requests of the bundle, one per account the policy allowed, in the order asked. */
  requestIds: RequestId[];
  /** The accounts the policy refused up front, each with why (no request exists for them). */
  refused: BundleRefusal[];
}

export interface BundleRefusal {
  accountId: AccountId;
  accountName: string;
  why: string;
}

export function isOpenRequest(r: Pick<AccessRequest, 'status'>): boolean {
  return r.status === 'pending';
}

export function approvalProgress(r: Pick<AccessRequest, 'approvals' | 'approvalsRequired'>): string {
  return `${r.approvals.length} of ${r.approvalsRequired}`;
}

/** The approver sets that may decide now: the rule's, and after an escalation the set it escalated to. */
export function currentApproverSets(
  r: Pick<AccessRequest, 'approvers' | 'escalation' | 'escalatedAt' | 'approvalsRequired'>,
): ApproverSpec[] {
  const sets: ApproverSpec[] = r.approvers ? [r.approvers] : [];
  if (r.escalatedAt !== undefined && r.escalation?.to) sets.push({ ...r.escalation.to, count: r.approvalsRequired });
  return sets;
}

/** The next reminder or escalation step of a pending request, if one is still to come. */
export function nextEscalationStep(
  r: Pick<AccessRequest, 'status' | 'escalation' | 'remindedAt' | 'escalatedAt' | 'decideBy'>,
): { step: 'remind' | 'escalate'; at: number } | undefined {
  if (r.status !== 'pending' || !r.escalation) return undefined;
  const steps: { step: 'remind' | 'escalate'; at: number }[] = [];
  if (r.escalation.remindAt !== undefined && r.remindedAt === undefined && r.escalatedAt === undefined) {
    steps.push({ step: 'remind', at: r.escalation.remindAt });
  }
  if (r.escalation.escalateAt !== undefined && r.escalation.to && r.escalatedAt === undefined) {
    steps.push({ step: 'escalate', at: r.escalation.escalateAt });
  }
  return steps.filter((s) => s.at < r.decideBy).sort((a, b) => a.at - b.at)[0];
}
