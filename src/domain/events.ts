import type { GroupRef } from './group-target';
import type { AccessRequest } from './access-request';
import type { Actor } from './chat-user';
import type { Grant } from './grant';
import type { ActivitySummary } from './grant-activity';
import type { AssignmentKey } from './ids';

/**
 * What the engine tells the world. Notifiers render these for Slack and Teams; the engine never
 * knows how. Each carries the whole record as it is after the change, so a renderer needs no read.
 */
export type DomainEvent =
  /** A new request waits for approval: post it to approvers, confirm to the requester. */
  | { type: 'request_submitted'; request: AccessRequest; approverEmails: string[]; channels?: ChannelOverride }
  /** An approval, a denial, a cancel or a timeout: update every copy of the approval message. */
  | { type: 'request_updated'; request: AccessRequest; actor: Actor }
  /**
   * A pending request nobody answered: `remind` (its approvers are reminded) or `escalate` (the
   * second approver set may approve now, and is asked). Every copy of the approval message shows the
   * step; `approverEmails` are the people to tell (for `escalate`, the new set only).
   */
  | {
      type: 'request_escalated';
      step: 'remind' | 'escalate';
      request: AccessRequest;
      approverEmails: string[];
      channels?: ChannelOverride;
    }
  /** Approved at once because the requester is on call: said loudly in the approvals channel. */
  | { type: 'on_call_auto_approved'; request: AccessRequest; channels?: ChannelOverride }
  | { type: 'grant_activated'; grant: Grant; request: AccessRequest }
  /**
   * An approved request for access that starts later: the grant is `scheduled` until
   * `grant.startsAt`. The requester and every copy of the approval message are told when it starts.
   */
  | { type: 'grant_scheduled'; grant: Grant; request: AccessRequest }
  | { type: 'grant_failed'; grant: Grant }
  /**
   * An approved request moved (or did not need to move) a live grant's end. `grant.expiresAt` is the
   * real end (absent while provisioning: `grant.durationSeconds` from activation); `addSeconds` is what
   * was really added (0 when the grant already ended later), `capped` says the rule's cap cut the ask.
   */
  | {
      type: 'grant_extended';
      grant: Grant;
      actor: Actor;
      addSeconds: number;
      requestedSeconds: number;
      capped: boolean;
      previousExpiresAt?: number;
    }
  | { type: 'grant_expiring'; grant: Grant }
  | { type: 'grant_ended'; grant: Grant }
  /**
   * What an ended grant did (its CloudTrail activity, issue 18): `first` for the early lookup (posted
   * as new messages), false for the final one (the same places updated once more). `grant.activity`
   * holds the same summary. `changed`: the first, or the numbers differ from the early one (a final
   * lookup that found nothing new updates the approval message in place and posts nothing new).
   */
  | { type: 'grant_activity'; grant: Grant; summary: ActivitySummary; first: boolean; changed: boolean }
  /** Break-glass: access already given, loudly announced. */
  | { type: 'break_glass_used'; grant: Grant; request: AccessRequest }
  /** Identity Center and the grants disagree (design §6). */
  | { type: 'assignment_drift'; drift: AssignmentDrift }
  /** A revocation keeps failing: a person must look. */
  | { type: 'revocation_stuck'; grant: Grant; attempts: number; message: string }
  /**
   * keyless's service control policy now denies the grant's sessions issued before
   * `grant.sessionCut.from` (AWS accepted the update; it reaches every account within minutes).
   * `lagSeconds` runs from the assignment's removal to that acceptance.
   */
  | { type: 'sessions_cut'; grant: Grant; lagSeconds: number }
  /**
   * The live session cuts could not be written (no room left in the policies, or AWS refused):
   * every cut stays recorded and is retried; a person must look.
   */
  | { type: 'session_cut_failed'; code: string; message: string; people: number }
  /** A changed policy was refused (every problem listed); the policy in force stays. */
  | { type: 'policy_refused'; source: string; problems: string[] }
  /**
   * A request for several accounts (bundle.ts) was filed: one approval message lists its accounts
   * (`requests`, in order, and the ones the policy refused up front, in `requests[0].bundle`);
   * `approverEmails` are everyone who may approve at least one of them. Its requests publish no
   * `request_submitted` of their own; their later events carry `request.bundle` / `grant.bundleId`.
   */
  | { type: 'bundle_submitted'; requests: AccessRequest[]; approverEmails: string[]; channels?: ChannelOverride };

export interface ChannelOverride {
  slack?: { approvals?: string | undefined; security?: string | undefined } | undefined;
  teams?: { approvals?: string | undefined; security?: string | undefined } | undefined;
}

export interface AssignmentDrift {
  kind: 'unknown_assignment' | 'outlived_grant' | 'vanished_assignment';
  assignment: AssignmentKey;
  /**
   * Set for a group membership (then `assignment` is its slot: the group id in `accountId`, see
   * group-target.ts): `unknown_assignment` is a membership of a governed group no grant explains.
   */
  group?: GroupRef;
  grantId?: string;
  removed: boolean;
  detectedAt: number;
}

export type DomainEventType = DomainEvent['type'];
