import { transitionKey, type AuditEvent, type Transition } from './audit';
import type { Actor } from './chat-user';
import { ErrorCodes, KeylessError } from './errors';
import { activityComplete, activityWritesLine, type ActivitySummary } from './grant-activity';
import type { Grant, GrantStatus, SessionCutNote } from './grant';
import { activationTerm, assertTerm, extendTerm, type ExtensionMode } from './grant-term';
import { applyTransition, type TransitionTable } from './transition-table';

export type GrantEvent =
  /** A scheduled grant's start instant came: it moves to provisioning (never before `startsAt`). */
  | { type: 'start_reached'; actor: Actor; at: number }
  | { type: 'assignment_confirmed'; actor: Actor; at: number }
  | { type: 'assignment_failed'; actor: Actor; at: number; code: string; message: string }
  | { type: 'expiry_reached'; actor: Actor; at: number }
  | { type: 'revoke_requested'; actor: Actor; at: number; reason: string }
  | {
      type: 'unassignment_confirmed';
      actor: Actor;
      at: number;
      sessionCut?: SessionCutNote;
      /** The assignment stays: another live grant (this one's successor) holds it. */
      keptBy?: string;
      /** When the first CloudTrail activity lookup is due (absent: no lookups for this grant). */
      activityDueAt?: number;
    }
  | { type: 'unassignment_failed'; actor: Actor; at: number; message: string }
  | {
      type: 'extended';
      actor: Actor;
      at: number;
      /** What the approved request asked for, and the maximum of the rule that approved it. */
      requestedSeconds: number;
      capSeconds: number;
      mode: ExtensionMode;
      requestId: string;
      reason?: string;
    }
  | { type: 'reminded'; actor: Actor; at: number }
  /** keyless's service control policy denying this grant's sessions issued before T was accepted. */
  | { type: 'sessions_cut'; actor: Actor; at: number; cutFrom: number; lagMs?: number }
  /**
   * A CloudTrail activity lookup of the ended grant's window was stored: `step` 1 (early) or 2
   * (final); `nextDueAt` is when the next one is due (absent after the final one).
   */
  | {
      type: 'activity_summarised';
      actor: Actor;
      at: number;
      step: 1 | 2;
      summary: ActivitySummary;
      nextDueAt?: number;
    };

/** Stores a lookup once, in order (a repeat, a step out of turn, or a grant without lookups changes nothing). */
const activitySummarised = (g: Grant, e: Extract<GrantEvent, { type: 'activity_summarised' }>): Grant | 'noop' =>
  g.activity === undefined || g.activity.step !== e.step - 1
    ? 'noop'
    : {
        ...g,
        activity: {
          step: e.step,
          summary: e.summary,
          ...(e.step === 1 && e.nextDueAt !== undefined ? { dueAt: e.nextDueAt } : {}),
        },
      };

/** Records the accepted cut once (a repeat, or a cut for a grant that has none, changes nothing). */
const sessionsCut = (g: Grant, e: Extract<GrantEvent, { type: 'sessions_cut' }>): Grant | 'noop' =>
  g.sessionsCutAt !== undefined ? 'noop' : { ...g, sessionsCutAt: e.at };

const revoke = (g: Grant, e: Extract<GrantEvent, { type: 'revoke_requested' }>): Grant => ({
  ...g,
  status: 'deprovisioning',
  endReason: 'revoked',
  endedBy: e.actor,
});

/**
 * An approved request for a live grant: the end moves to the later of the two ends (or by the time
 * asked, for `extend`), cut to the cap of the rule that approved it (grant-term.ts). A request that
 * does not move the end is still recorded, so it is applied once.
 */
const extend = (g: Grant, e: Extract<GrantEvent, { type: 'extended' }>): Grant => {
  const o = extendTerm(g, {
    at: e.at,
    requestedSeconds: e.requestedSeconds,
    capSeconds: e.capSeconds,
    mode: e.mode,
  });
  return {
    ...g,
    durationSeconds: o.durationSeconds,
    capSeconds: o.capSeconds,
    ...(o.windowStartAt !== undefined ? { windowStartAt: o.windowStartAt } : {}),
    ...(o.expiresAt !== undefined ? { expiresAt: o.expiresAt } : {}),
  };
};

/**
 * A scheduled grant reaches its start: provisioning from then on. Refused before `startsAt` on every
 * path (a timer, the sweep, a takeover), so access never starts early.
 */
const startReached = (g: Grant, e: Extract<GrantEvent, { type: 'start_reached' }>): Grant => {
  if (g.startsAt === undefined || e.at < g.startsAt) {
    throw new KeylessError(ErrorCodes.InvalidTransition, 'This grant has not reached its start yet.', {
      details: { grantId: g.id, startsAt: g.startsAt ?? -1, at: e.at },
    });
  }
  return { ...g, status: 'provisioning' };
};

/** Cancelling access that has not started: it ends at once, with nothing in AWS to undo. */
const cancelScheduled = (g: Grant, e: Extract<GrantEvent, { type: 'revoke_requested' }>): Grant => ({
  ...g,
  status: 'revoked',
  endReason: 'revoked',
  endedBy: e.actor,
  endedAt: e.at,
});

/** True when a transition moved what bounds the grant's access in time. */
function termMoved(before: Grant, after: Grant): boolean {
  return (
    before.expiresAt !== after.expiresAt ||
    before.durationSeconds !== after.durationSeconds ||
    before.capSeconds !== after.capSeconds ||
    before.windowStartAt !== after.windowStartAt ||
    before.activatedAt !== after.activatedAt
  );
}

/**
 * The grant machine (design §4), kept apart from the request:
 *
 * | from \ event   | confirmed | failed | expiry reached  | revoke requested | unassigned          | unassign failed |
 * |----------------|-----------|--------|-----------------|------------------|---------------------|-----------------|
 * | provisioning   | active    | failed | —               | deprovisioning   | —                   | —               |
 * | active         | —         | —      | deprovisioning  | deprovisioning   | —                   | —               |
 * | deprovisioning | —         | —      | —               | —                | expired or revoked  | deprovisioning  |
 *
 * A `scheduled` grant (access that starts later) takes `start_reached` at or after its `startsAt`
 * (→ provisioning) or `revoke_requested` (→ revoked at once: no assignment exists yet).
 *
 * `extended` moves an active grant's expiry (or lengthens a provisioning one); `reminded` marks the
 * pre-expiry reminder as sent; `sessions_cut` (deprovisioning, expired, revoked) records once that the
 * policy ending the sessions already open was accepted. A repeat of the event that led to a state is
 * a no-op there. `activity_summarised` (expired, revoked) stores the CloudTrail activity lookups of a
 * grant that was active, each step once and in order (issue 18).
 */
export const grantTable: TransitionTable<GrantStatus, GrantEvent, Grant> = {
  scheduled: {
    on: {
      start_reached: startReached,
      revoke_requested: cancelScheduled,
    },
  },
  provisioning: {
    on: {
      assignment_confirmed: (g, e) => ({ ...g, status: 'active', ...activationTerm(g, e.at) }),
      assignment_failed: (g, e) => ({
        ...g,
        status: 'failed',
        endedAt: e.at,
        failure: { code: e.code, message: e.message },
      }),
      revoke_requested: revoke,
      extended: extend,
    },
    repeatable: ['start_reached'],
  },
  active: {
    on: {
      expiry_reached: (g, e) => {
        if (g.expiresAt === undefined || e.at < g.expiresAt) {
          // Never revoke early: an extension may have moved the expiry after a timer was set.
          throw new KeylessError(ErrorCodes.InvalidTransition, 'This grant has not reached its expiry yet.', {
            details: { grantId: g.id, expiresAt: g.expiresAt ?? -1, at: e.at },
          });
        }
        return { ...g, status: 'deprovisioning', endReason: 'expired' };
      },
      revoke_requested: revoke,
      extended: extend,
      reminded: (g, e) => (g.remindedAt ? 'noop' : { ...g, remindedAt: e.at }),
    },
    repeatable: ['assignment_confirmed', 'start_reached'],
  },
  deprovisioning: {
    on: {
      unassignment_confirmed: (g, e) => ({
        ...g,
        status: g.endReason === 'revoked' ? 'revoked' : 'expired',
        endedAt: e.at,
        ...(e.keptBy === undefined ? { assignmentRemovedAt: e.at } : {}),
        ...(e.sessionCut ? { sessionCut: e.sessionCut } : {}),
        // Only a grant that was active can have done anything worth looking up.
        ...(e.activityDueAt !== undefined && g.activatedAt !== undefined
          ? { activity: { step: 0 as const, dueAt: e.activityDueAt } }
          : {}),
      }),
      unassignment_failed: (g) => ({ ...g, deprovisionAttempts: g.deprovisionAttempts + 1 }),
      sessions_cut: sessionsCut,
    },
    repeatable: ['expiry_reached', 'revoke_requested', 'reminded', 'start_reached'],
  },
  expired: {
    on: { sessions_cut: sessionsCut, activity_summarised: activitySummarised },
    repeatable: ['expiry_reached', 'revoke_requested', 'unassignment_confirmed', 'reminded', 'start_reached'],
  },
  revoked: {
    on: { sessions_cut: sessionsCut, activity_summarised: activitySummarised },
    repeatable: ['expiry_reached', 'revoke_requested', 'unassignment_confirmed', 'reminded', 'start_reached'],
  },
  failed: { on: {}, repeatable: ['assignment_failed', 'revoke_requested', 'start_reached'] },
};

export function transitionGrant(grant: Grant, event: GrantEvent): Transition<Grant> | undefined {
  const result = applyTransition('grant', grantTable, grant, event);
  if (result === 'noop') return undefined;
  // The duration invariant, on every path that moves an end (ending a grant is never blocked).
  const moved = termMoved(grant, result);
  if (moved) assertTerm(result);
  const ext =
    event.type === 'extended'
      ? extendTerm(grant, {
          at: event.at,
          requestedSeconds: event.requestedSeconds,
          capSeconds: event.capSeconds,
          mode: event.mode,
        })
      : undefined;
  const version = grant.version + 1;
  const reason =
    event.type === 'revoke_requested' || (event.type === 'extended' && event.reason)
      ? { reason: (event as { reason: string }).reason }
      : event.type === 'assignment_failed' || event.type === 'unassignment_failed'
        ? { reason: event.message }
        : {};
  const audit: AuditEvent = {
    subject: { kind: 'grant', id: grant.id },
    key: transitionKey(version),
    version,
    event: event.type,
    from: grant.status,
    to: result.status,
    actor: event.actor,
    at: event.at,
    ...reason,
    details: {
      ...(result.expiresAt !== undefined ? { expiresAt: result.expiresAt } : {}),
      ...(event.type === 'start_reached' && grant.startsAt !== undefined
        ? { startsAt: grant.startsAt, lagMs: event.at - grant.startsAt }
        : {}),
      ...(event.type === 'extended'
        ? {
            requestId: event.requestId,
            requestedSeconds: event.requestedSeconds,
            capSeconds: event.capSeconds,
            mode: event.mode,
            moved,
            addedSeconds: ext?.addedSeconds ?? 0,
            capped: ext?.capped ?? false,
            ...(grant.expiresAt !== undefined ? { previousExpiresAt: grant.expiresAt } : {}),
            durationSeconds: result.durationSeconds,
          }
        : {}),
      ...(event.type === 'unassignment_failed' ? { attempts: result.deprovisionAttempts } : {}),
      ...(event.type === 'unassignment_confirmed'
        ? event.keptBy === undefined
          ? { assignmentRemovedAt: event.at }
          : { assignmentKeptBy: event.keptBy }
        : {}),
      ...(event.type === 'unassignment_confirmed' && event.sessionCut && 'from' in event.sessionCut
        ? { sessionCutFrom: event.sessionCut.from }
        : {}),
      ...(event.type === 'unassignment_confirmed' && event.sessionCut && 'skipped' in event.sessionCut
        ? { sessionCut: 'sessions in the management account are not ended' }
        : {}),
      ...(event.type === 'unassignment_confirmed' && result.activity?.dueAt !== undefined
        ? { activityDueAt: result.activity.dueAt }
        : {}),
      ...(event.type === 'activity_summarised'
        ? {
            activityStep: event.step,
            calls: event.summary.calls,
            writes: event.summary.writes,
            errors: event.summary.errors,
            accessDenied: event.summary.accessDenied,
            truncated: event.summary.truncated,
            // The rest of the summary, for the archive (the Athena table) and every export.
            writeActions: activityWritesLine(event.summary),
            regions: event.summary.activeRegions.map((r) => r.region).join('; '),
            complete: activityComplete(event.summary),
          }
        : {}),
      ...(event.type === 'sessions_cut'
        ? {
            sessionsCutAt: event.at,
            sessionCutFrom: event.cutFrom,
            ...(event.lagMs !== undefined ? { lagSeconds: event.lagMs / 1000 } : {}),
          }
        : {}),
    },
  };
  return { next: { ...result, version, history: [...grant.history, audit] }, audit };
}

/**
 * A new grant, in provisioning. `capSeconds` is the maximum of the rule that approved it; absent, the
 * grant is capped at the duration asked. A grant that would outlast its cap is refused.
 */
export function grantCreated(
  input: Omit<Grant, 'version' | 'history' | 'capSeconds'> & { capSeconds?: number },
  actor: Actor,
): Transition<Grant> {
  const grant: Omit<Grant, 'version' | 'history'> = { ...input, capSeconds: input.capSeconds ?? input.durationSeconds };
  if (grant.status === 'scheduled' && grant.startsAt === undefined) {
    // Access that starts later always knows its start.
    throw new KeylessError(ErrorCodes.InvalidTransition, 'A scheduled grant needs a start time.', {
      details: { grantId: grant.id, status: grant.status },
    });
  }
  // A new grant is provisioning: its end is set on activation, from a duration within the cap.
  assertTerm({
    id: grant.id,
    status: grant.status,
    durationSeconds: grant.durationSeconds,
    capSeconds: grant.capSeconds,
  });
  const audit: AuditEvent = {
    subject: { kind: 'grant', id: grant.id },
    key: transitionKey(1),
    version: 1,
    event: 'create',
    from: 'none',
    to: grant.status,
    actor,
    at: grant.createdAt,
    details: {
      requestId: grant.requestId,
      durationSeconds: grant.durationSeconds,
      capSeconds: grant.capSeconds,
      ...(grant.startsAt !== undefined ? { startsAt: grant.startsAt } : {}),
    },
  };
  return { next: { ...grant, version: 1, history: [audit] }, audit };
}
