import type { Alert, AlertAuditEntry } from './alert';
import { transitionKey } from './audit';
import type { AuditRecord } from './audit-record';
import { normalizeEmail } from './chat-user';

/**
 * The security feed in the audit (issue 18): an alert's life (raised, a new incident, resolved) and
 * what people did with it (Acknowledge, Snooze, Deactivate and its approval, Reactivate, the key
 * rotation and its deletion) become audit records, found by account, acting person and time like
 * every other audit event, and by person for a key whose owner is known.
 *
 * Not filed: a repeat sighting within an incident (`seen`: counted on the alert, and a burst of
 * failed root sign-ins would flood the index) and where a message was posted (`posted`,
 * `rotation_posted`: delivery, not a decision).
 */
export const UNFILED_ALERT_EVENTS: ReadonlySet<string> = new Set(['seen', 'posted', 'rotation_posted']);

export function isFiledAlertEntry(entry: Pick<AlertAuditEntry, 'event'>): boolean {
  return !UNFILED_ALERT_EVENTS.has(entry.event);
}

/** FNV-1a (32 bits) of a text from a given basis. */
function fnv1a(text: string, basis: number): string {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The audit subject id of an alert: a digest of its dedupe key, stable for the alert's whole life.
 * The dedupe key of a key finding holds the whole access key id, which keyless never shows (only
 * its last 4 characters, in the record's details).
 */
export function alertAuditSubjectId(dedupeKey: string): string {
  return `${fnv1a(dedupeKey, 0x811c9dc5)}${fnv1a(dedupeKey, 0x050c5d1f)}`;
}

/** The person an alert is about, when there is one: the owner of a key being rotated, an Identity Center user. */
export function alertAuditUser(alert: Alert): string {
  if (alert.rotation?.owner) return normalizeEmail(alert.rotation.owner);
  const p = alert.finding.principal;
  return p.type === 'person' ? normalizeEmail(p.name) : '';
}

/** One entry of an alert's trail as an audit record (the alert's facts as they are now: account, kind, principal). */
export function alertAuditRecord(alert: Alert, entry: AlertAuditEntry): AuditRecord {
  const f = alert.finding;
  const subjectId = alertAuditSubjectId(alert.dedupeKey);
  const user = alertAuditUser(alert);
  const details: Record<string, string | number | boolean> = {
    alert: f.kind,
    severity: f.severity,
    principal: `${f.principal.type}:${f.principal.name}`,
    incident: alert.incident,
    ...(f.userName ? { iamUser: f.userName } : {}),
    ...(f.accessKeyId ? { keyLast4: f.accessKeyId.slice(-4) } : {}),
    ...(f.evidence.group ? { group: f.evidence.group } : {}),
    ...(f.evidence.grantId ? { grantId: f.evidence.grantId } : {}),
    ...entry.details,
  };
  return {
    id: `alert#${subjectId}#${transitionKey(entry.version)}`,
    at: entry.at,
    event: entry.event,
    from: entry.from,
    to: entry.to,
    subjectKind: 'alert',
    subjectId,
    user,
    principalId: f.principal.arn ?? '',
    principalName: user,
    accountId: f.account.id,
    accountName: f.account.name,
    permissionSet: f.evidence.permissionSet ?? '',
    rule: '',
    actorKind: entry.actor.kind,
    actorId: entry.actor.id,
    actorName: entry.actor.name,
    ...(entry.actor.email ? { actorEmail: normalizeEmail(entry.actor.email) } : {}),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    details,
  };
}

/** The audit records of an alert's entries after `fromVersion` (0: all), the unfiled kinds left out. */
export function alertAuditRecords(alert: Alert, fromVersion = 0): AuditRecord[] {
  return alert.history
    .filter((e) => e.version > fromVersion && isFiledAlertEntry(e))
    .map((e) => alertAuditRecord(alert, e));
}

/**
 * What an audit line in chat says a record is about, the same on Slack and Teams: whose access and
 * which permission set for a request or grant; which alert, on what (and whose key) for an alert.
 * Plain text: the renderers escape it.
 */
export function auditLineSubject(r: AuditRecord): { who: string; what: string } {
  if (r.subjectKind !== 'alert') return { who: r.user, what: r.permissionSet };
  const d = r.details ?? {};
  const key = d['keyLast4'] !== undefined ? ` key …${String(d['keyLast4'])}` : '';
  return {
    who: `alert ${String(d['alert'] ?? r.event)}${r.user ? ` (${r.user})` : ''}`,
    what: `${String(d['principal'] ?? '')}${key}`,
  };
}
