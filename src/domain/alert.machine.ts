import type {
  Alert,
  AlertAuditEntry,
  AlertMessageRef,
  AlertStatus,
  Finding,
  KeyDeletion,
  KeyRotation,
  Remediation,
  RemediationStatus,
} from './alert';
import type { Actor } from './chat-user';
import { isRotationActive } from './key-rotation';
import { ErrorCodes, KeylessError } from './errors';
import { applyTransition, type TransitionTable } from './transition-table';

export type AlertTransition =
  /** The same finding again, within the incident: counted, evidence refreshed. */
  | { type: 'seen'; actor: Actor; at: number; finding: Finding }
  /** The finding again after its incident ended (or after it was resolved): a new message. */
  | { type: 'new_incident'; actor: Actor; at: number; finding: Finding }
  | { type: 'acknowledge'; actor: Actor; at: number }
  | { type: 'snooze'; actor: Actor; at: number; until: number; reason: string }
  | { type: 'snooze_ended'; actor: Actor; at: number }
  /** The next scan no longer sees it. */
  | { type: 'resolve'; actor: Actor; at: number; reason: string }
  /** Where it was posted (or listed in a digest). */
  | { type: 'posted'; actor: Actor; at: number; messages: AlertMessageRef[]; digestId?: string }
  /** Root use announced (`root-window`) for the time of this alert: labelled, still shown. */
  | { type: 'expected_marked'; actor: Actor; at: number; expected: NonNullable<Finding['expected']> }
  | RemediationEvent
  | RotationEvent;

/** The rotation assistant's events (key-rotation.ts): its state, its message, and Delete. */
export type RotationEvent =
  | { type: 'rotation_started'; actor: Actor; at: number; rotation: KeyRotation }
  | { type: 'rotation_observed'; actor: Actor; at: number; rotation: KeyRotation }
  | { type: 'rotation_posted'; actor: Actor; at: number; messages: AlertMessageRef[] }
  | { type: 'deletion_requested'; actor: Actor; at: number }
  | { type: 'deletion_approved'; actor: Actor; at: number }
  | { type: 'deletion_denied'; actor: Actor; at: number; reason: string }
  | { type: 'key_deleted'; actor: Actor; at: number }
  | { type: 'deletion_failed'; actor: Actor; at: number; message: string };

const ROTATION_EVENTS: ReadonlySet<string> = new Set([
  'rotation_started',
  'rotation_observed',
  'rotation_posted',
  'deletion_requested',
  'deletion_approved',
  'deletion_denied',
  'key_deleted',
  'deletion_failed',
]);

const refuse = (message: string): never => {
  throw new KeylessError(ErrorCodes.InvalidTransition, message);
};

/**
 * The rotation's changes. Delete is offered only once the old key is inactive and was not used for
 * the whole waiting period (step ready_to_delete); it needs a request and an approval, and once done
 * nothing undoes it.
 *
 * | deletion \ event | requested        | approved | denied | key deleted | failed |
 * |------------------|------------------|----------|--------|-------------|--------|
 * | none             | pending_approval | —        | —      | —           | —      |
 * | pending_approval | (no-op)          | approved | denied | —           | —      |
 * | approved         | —                | (no-op)  | —      | done        | failed |
 * | done             | —                | (no-op)  | —      | (no-op)     | —      |
 * | denied, failed   | pending_approval | —        | —      | —           | —      |
 */
function applyRotation(a: Alert, e: RotationEvent): Alert | 'noop' {
  if (e.type === 'rotation_started') return a.rotation ? 'noop' : { ...a, rotation: e.rotation };
  const r = a.rotation;
  if (!r) return refuse('This alert has no key rotation.');
  const d = r.deletion;
  const withDeletion = (deletion: KeyDeletion, extra: Partial<KeyRotation> = {}): Alert => ({
    ...a,
    rotation: { ...r, ...extra, deletion },
  });
  switch (e.type) {
    case 'rotation_observed':
      return r.step === 'deleted' ? 'noop' : { ...a, rotation: { ...e.rotation, deletion: d, messages: r.messages } };
    case 'rotation_posted':
      return { ...a, rotation: { ...r, messages: [...r.messages, ...e.messages] } };
    case 'deletion_requested':
      if (d.status === 'pending_approval') return 'noop';
      if (r.step !== 'ready_to_delete' || !['none', 'denied', 'failed'].includes(d.status))
        return refuse('The old key can be deleted only once it was inactive and unused for the whole waiting period.');
      return withDeletion({ status: 'pending_approval', requestedBy: e.actor, requestedAt: e.at });
    case 'deletion_approved':
      if (d.status === 'approved' || d.status === 'done') return 'noop';
      if (d.status !== 'pending_approval') return refuse('There is no deletion waiting for approval here.');
      return withDeletion({ ...d, status: 'approved', decidedBy: e.actor, decidedAt: e.at });
    case 'deletion_denied':
      if (d.status !== 'pending_approval') return refuse('There is no deletion waiting for approval here.');
      return withDeletion({ ...d, status: 'denied', decidedBy: e.actor, decidedAt: e.at, reason: e.reason });
    case 'key_deleted':
      if (d.status === 'done') return 'noop';
      if (d.status !== 'approved') return refuse('A key is deleted only after an approval.');
      return withDeletion({ ...d, status: 'done', doneAt: e.at }, { step: 'deleted' });
    case 'deletion_failed':
      if (d.status !== 'approved') return refuse('There is no approved deletion here.');
      return withDeletion({ ...d, status: 'failed', failure: e.message });
  }
}

export type RemediationEvent =
  | {
      type: 'deactivation_requested';
      actor: Actor;
      at: number;
      accessKeyId: string;
      userName: string;
      checked: NonNullable<Remediation['checked']>;
    }
  | { type: 'deactivation_approved'; actor: Actor; at: number }
  | { type: 'deactivation_denied'; actor: Actor; at: number; reason: string }
  | { type: 'deactivated'; actor: Actor; at: number; reversibleUntil: number }
  | { type: 'deactivation_failed'; actor: Actor; at: number; message: string }
  | { type: 'reactivated'; actor: Actor; at: number };

const REMEDIATION_EVENTS: ReadonlySet<string> = new Set([
  'deactivation_requested',
  'deactivation_approved',
  'deactivation_denied',
  'deactivated',
  'deactivation_failed',
  'reactivated',
]);

type Rem = Remediation;
/** A new request starts a clean record: an earlier denial or failure stays in the audit trail. */
const request = (_r: Rem, e: Extract<RemediationEvent, { type: 'deactivation_requested' }>): Rem => ({
  status: 'pending_approval',
  accessKeyId: e.accessKeyId,
  userName: e.userName,
  requestedBy: e.actor,
  requestedAt: e.at,
  checked: e.checked,
});

/**
 * Deactivate key, as a table. It is never deleted: Inactive is reversible (Reactivate) until
 * `reversibleUntil`.
 *
 * | from \ event      | requested        | approved | denied | deactivated | failed | reactivated |
 * |-------------------|------------------|----------|--------|-------------|--------|-------------|
 * | none              | pending_approval | —        | —      | —           | —      | —           |
 * | pending_approval  | (no-op)          | approved | denied | —           | —      | —           |
 * | approved          | —                | (no-op)  | —      | done        | failed | —           |
 * | done              | —                | —        | —      | (no-op)     | —      | reverted    |
 * | failed, denied    | pending_approval | —        | —      | —           | —      | —           |
 * | reverted          | pending_approval | —        | —      | —           | —      | (no-op)     |
 */
export const remediationTable: TransitionTable<RemediationStatus, RemediationEvent, Rem> = {
  none: { on: { deactivation_requested: request } },
  pending_approval: {
    on: {
      deactivation_approved: (r, e) => ({ ...r, status: 'approved', decidedBy: e.actor, decidedAt: e.at }),
      deactivation_denied: (r, e) => ({
        ...r,
        status: 'denied',
        decidedBy: e.actor,
        decidedAt: e.at,
        reason: e.reason,
      }),
    },
    repeatable: ['deactivation_requested'],
  },
  approved: {
    on: {
      deactivated: (r, e) => ({ ...r, status: 'done', doneAt: e.at, reversibleUntil: e.reversibleUntil }),
      deactivation_failed: (r, e) => ({ ...r, status: 'failed', failure: e.message }),
    },
    repeatable: ['deactivation_approved'],
  },
  done: {
    on: {
      reactivated: (r, e) => {
        if (r.reversibleUntil !== undefined && e.at > r.reversibleUntil) {
          throw new KeylessError(
            ErrorCodes.InvalidTransition,
            'This key was deactivated too long ago to be reactivated from here.',
            {
              hint: 'Reactivate it in the IAM console if it is still needed.',
              details: { reversibleUntil: r.reversibleUntil, at: e.at },
            },
          );
        }
        return { ...r, status: 'reverted', revertedBy: e.actor, revertedAt: e.at };
      },
    },
    repeatable: ['deactivated', 'deactivation_approved'],
  },
  failed: { on: { deactivation_requested: request } },
  denied: { on: { deactivation_requested: request } },
  reverted: { on: { deactivation_requested: request }, repeatable: ['reactivated'] },
};

const none = (a: Alert): Rem =>
  a.remediation ?? {
    status: 'none',
    accessKeyId: a.finding.accessKeyId ?? '',
    userName: a.finding.userName ?? '',
  };

type StatusEvent = Exclude<AlertTransition, RemediationEvent | RotationEvent>;

const seen = (a: Alert, e: Extract<AlertTransition, { type: 'seen' }>): Alert => ({
  ...a,
  finding: { ...e.finding, observedAt: e.at },
  lastSeenAt: e.at,
  occurrences: a.occurrences + 1,
});

const newIncident = (a: Alert, e: Extract<AlertTransition, { type: 'new_incident' }>): Alert => {
  const { acknowledged: _ack, snoozed: _snz, resolvedAt: _res, digestId: _dig, ...rest } = a;
  return {
    ...rest,
    status: 'open',
    finding: e.finding,
    incident: a.incident + 1,
    firstSeenAt: e.at,
    lastSeenAt: e.at,
    occurrences: 1,
    messages: [],
  };
};

const acknowledge = (a: Alert, e: Extract<AlertTransition, { type: 'acknowledge' }>): Alert => {
  const { snoozed: _s, ...rest } = a;
  return { ...rest, status: 'acknowledged', acknowledged: { by: e.actor, at: e.at } };
};

const snooze = (a: Alert, e: Extract<AlertTransition, { type: 'snooze' }>): Alert => ({
  ...a,
  status: 'snoozed',
  snoozed: { by: e.actor, at: e.at, until: e.until, reason: e.reason },
});

const resolve = (a: Alert, e: Extract<AlertTransition, { type: 'resolve' }>): Alert => ({
  ...a,
  status: 'resolved',
  resolvedAt: e.at,
});

const expectedMarked = (a: Alert, e: Extract<AlertTransition, { type: 'expected_marked' }>): Alert => ({
  ...a,
  finding: { ...a.finding, expected: e.expected },
});

const posted = (a: Alert, e: Extract<AlertTransition, { type: 'posted' }>): Alert => ({
  ...a,
  messages: [...a.messages, ...e.messages],
  ...(e.digestId !== undefined ? { digestId: e.digestId } : {}),
});

/**
 * The alert machine:
 *
 * | from \ event  | seen     | new incident | acknowledge   | snooze  | snooze ended | resolve  | posted, expected marked |
 * |---------------|----------|--------------|---------------|---------|--------------|----------|-------------------------|
 * | open          | open     | open         | acknowledged  | snoozed | (no-op)      | resolved | open                    |
 * | acknowledged  | ack.     | open         | (no-op)       | snoozed | (no-op)      | resolved | acknowledged            |
 * | snoozed       | snoozed  | open         | acknowledged  | snoozed | open / ack.  | resolved | snoozed                 |
 * | resolved      | (no-op)  | open         | —             | —       | (no-op)      | (no-op)  | resolved                |
 *
 * Remediation events (Deactivate key) are accepted in every state but resolved-without-remediation,
 * and go through `remediationTable`.
 */
export const alertTable: TransitionTable<AlertStatus, StatusEvent, Alert> = {
  open: {
    on: { seen, new_incident: newIncident, acknowledge, snooze, resolve, posted, expected_marked: expectedMarked },
    repeatable: ['snooze_ended'],
  },
  acknowledged: {
    on: { seen, new_incident: newIncident, snooze, resolve, posted, expected_marked: expectedMarked },
    repeatable: ['acknowledge', 'snooze_ended'],
  },
  snoozed: {
    on: {
      seen,
      new_incident: newIncident,
      acknowledge,
      snooze,
      snooze_ended: (a) => {
        const { snoozed: _s, ...rest } = a;
        return { ...rest, status: a.acknowledged ? 'acknowledged' : 'open' };
      },
      resolve,
      posted,
      expected_marked: expectedMarked,
    },
  },
  resolved: {
    on: { new_incident: newIncident, posted, expected_marked: expectedMarked },
    repeatable: ['resolve', 'snooze_ended', 'seen'],
  },
};

function entryDetails(event: AlertTransition, next: Alert): Record<string, string | number | boolean> {
  switch (event.type) {
    case 'snooze':
      return { until: event.until };
    case 'seen':
    case 'new_incident':
      return { occurrences: next.occurrences, incident: next.incident };
    case 'deactivation_requested':
      return { keyLast4: event.accessKeyId.slice(-4), keyStatus: event.checked.status };
    case 'deactivated':
      return { reversibleUntil: event.reversibleUntil };
    case 'rotation_started':
    case 'rotation_observed':
      return {
        step: event.rotation.step,
        ...(event.rotation.newKey ? { newKeyLast4: event.rotation.newKey.accessKeyId.slice(-4) } : {}),
      };
    case 'key_deleted':
      return { keyLast4: (next.finding.accessKeyId ?? '').slice(-4), undo: false };
    default:
      return {};
  }
}

/** Applies an event; undefined when it is a no-op (a retry, a double click). */
export function transitionAlert(
  alert: Alert,
  event: AlertTransition,
): { next: Alert; entry: AlertAuditEntry } | undefined {
  let result: Alert | 'noop';
  let from: string = alert.status;
  let to: string;
  if (ROTATION_EVENTS.has(event.type)) {
    const before = alert.rotation
      ? `rotation:${alert.rotation.step}:${alert.rotation.deletion.status}`
      : 'rotation:none';
    from = before;
    result = applyRotation(alert, event as RotationEvent);
    to = result === 'noop' ? from : `rotation:${result.rotation!.step}:${result.rotation!.deletion.status}`;
  } else if (REMEDIATION_EVENTS.has(event.type)) {
    if (alert.rotation?.step === 'deleted' && event.type !== 'deactivated') {
      throw new KeylessError(ErrorCodes.InvalidTransition, 'This key was deleted: a deletion is never undone.');
    }
    const current = none(alert);
    from = `remediation:${current.status}`;
    const r = applyTransition('key deactivation', remediationTable, current, event as RemediationEvent);
    result = r === 'noop' ? 'noop' : { ...alert, remediation: r };
    to = r === 'noop' ? from : `remediation:${r.status}`;
  } else {
    // A key being rotated keeps its alert open until the rotation ends (the old key deleted), even
    // once the scan no longer finds the key stale: the rotation's Delete step lives on it.
    if (event.type === 'resolve' && isRotationActive(alert.rotation)) return undefined;
    result = applyTransition('alert', alertTable, alert, event as StatusEvent);
    to = result === 'noop' ? from : result.status;
  }
  if (result === 'noop') return undefined;
  const version = alert.version + 1;
  const reason =
    'reason' in event && typeof event.reason === 'string'
      ? { reason: event.reason }
      : event.type === 'deactivation_failed' || event.type === 'deletion_failed'
        ? { reason: event.message }
        : {};
  const entry: AlertAuditEntry = {
    version,
    event: event.type,
    from,
    to,
    actor: event.actor,
    at: event.at,
    ...reason,
    details: entryDetails(event, result),
  };
  // Repeats of a noisy incident would grow the record without bound: keep the trail of actions whole,
  // and only the latest sightings.
  const history = [...alert.history, entry];
  const trimmed =
    history.length > 200 ? history.filter((h, i) => h.event !== 'seen' || i >= history.length - 50) : history;
  return { next: { ...result, version, history: trimmed }, entry };
}

/** A new alert from its first finding (version 1). */
export function alertCreated(finding: Finding, actor: Actor, at: number): Alert {
  return {
    dedupeKey: finding.dedupeKey,
    version: 1,
    status: 'open',
    finding,
    incident: 1,
    firstSeenAt: at,
    lastSeenAt: at,
    occurrences: 1,
    messages: [],
    history: [{ version: 1, event: 'create', from: 'none', to: 'open', actor, at, details: { kind: finding.kind } }],
  };
}
