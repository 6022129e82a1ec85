import type { AccessRequest } from './access-request';
import type { AuditEvent } from './audit';
import { normalizeEmail } from './chat-user';
import type { Grant } from './grant';

/**
 * One audit event as auditors read it: the event itself beside the facts of the access it is about
 * (whose, which account and permission set, which rule), so that it can be found by any of them and
 * exported on its own. Built from every {@link AuditEvent} whatever its `event` name: a kind of event
 * added later (a session cut, say) is indexed and exported with no change here.
 */
export interface AuditRecord {
  /** Unique and stable: `<subject kind>#<subject id>#<event key>`. A repeat of the same event has the same id. */
  id: string;
  /** Epoch milliseconds. */
  at: number;
  event: string;
  from: string;
  to: string;
  /** `alert`: an alert of the security feed and what people did with it (alert-audit.ts). */
  subjectKind: AuditEvent['subject']['kind'] | 'alert';
  subjectId: string;
  requestId?: string;
  grantId?: string;
  /** The person whose access it is: their email when the chat platform verified it, else the Identity Center user name. */
  user: string;
  principalId: string;
  principalName: string;
  accountId: string;
  accountName: string;
  permissionSet: string;
  rule: string;
  actorKind: 'user' | 'system';
  actorId: string;
  actorName: string;
  actorEmail?: string;
  reason?: string;
  details?: Record<string, string | number | boolean>;
}

/** The facts of a request or grant that every one of its audit events carries. */
export type AuditContext = Pick<
  AuditRecord,
  | 'subjectKind'
  | 'subjectId'
  | 'requestId'
  | 'grantId'
  | 'user'
  | 'principalId'
  | 'principalName'
  | 'accountId'
  | 'accountName'
  | 'permissionSet'
  | 'rule'
>;

export function auditContextOfRequest(r: AccessRequest): AuditContext {
  return {
    subjectKind: 'request',
    subjectId: r.id,
    requestId: r.id,
    ...(r.grantId ? { grantId: r.grantId } : {}),
    user: auditUserOf(r.requester.email, r.principalName),
    principalId: r.principalId,
    principalName: r.principalName,
    accountId: r.accountId,
    accountName: r.accountName,
    permissionSet: r.permissionSetName,
    rule: r.rule,
  };
}

export function auditContextOfGrant(g: Grant): AuditContext {
  return {
    subjectKind: 'grant',
    subjectId: g.id,
    requestId: g.requestId,
    grantId: g.id,
    user: auditUserOf(g.requester.email, g.principalName),
    principalId: g.principalId,
    principalName: g.principalName,
    accountId: g.accountId,
    accountName: g.accountName,
    permissionSet: g.permissionSetName,
    rule: g.rule,
  };
}

const auditUserOf = (email: string | undefined, principalName: string): string =>
  normalizeEmail(email ?? principalName);

export function auditEventId(subject: AuditEvent['subject'], key: string): string {
  return `${subject.kind}#${subject.id}#${key}`;
}

export function auditRecordOf(event: AuditEvent, context: AuditContext): AuditRecord {
  return {
    id: auditEventId(event.subject, event.key),
    at: event.at,
    event: event.event,
    from: event.from,
    to: event.to,
    ...context,
    subjectKind: event.subject.kind,
    subjectId: event.subject.id,
    actorKind: event.actor.kind,
    actorId: event.actor.id,
    actorName: event.actor.name,
    ...(event.actor.email ? { actorEmail: normalizeEmail(event.actor.email) } : {}),
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    ...(event.details !== undefined ? { details: event.details } : {}),
  };
}

/** What an audit record can be looked up by (besides time). */
export const AUDIT_DIMENSIONS = ['user', 'actor', 'rule', 'ps', 'account'] as const;
export type AuditDimension = (typeof AUDIT_DIMENSIONS)[number];

/**
 * The values a record is filed under, one per dimension, lower-cased where people type them. The
 * user dimension files it under the person's email and, when it differs, their Identity Center
 * user name, so that either finds it.
 */
export function auditIndexValues(r: AuditRecord): { dimension: AuditDimension; value: string }[] {
  const values: { dimension: AuditDimension; value: string }[] = [{ dimension: 'user', value: r.user }];
  const principal = normalizeEmail(r.principalName);
  if (principal !== r.user) values.push({ dimension: 'user', value: principal });
  values.push({ dimension: 'actor', value: r.actorEmail ?? r.actorId.toLowerCase() });
  values.push({ dimension: 'rule', value: r.rule.toLowerCase() });
  values.push({ dimension: 'ps', value: r.permissionSet.toLowerCase() });
  values.push({ dimension: 'account', value: r.accountId });
  // A record without a value (an alert about no person, no rule) is not filed under an empty one.
  return values.filter((v) => v.value !== '');
}

/** An audit read: a time range (inclusive, epoch ms) and any of the dimensions. */
export interface AuditQuery {
  since: number;
  until: number;
  user?: string;
  /** Who acted (approved, denied, revoked…): an email, or an actor id such as `slack:U123`. */
  actor?: string;
  rule?: string;
  permissionSet?: string;
  account?: string;
  /** At most this many records per page. */
  limit?: number;
  /** Where the previous page stopped (opaque). */
  cursor?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Set when there is more: pass it back as `cursor`. */
  cursor?: string;
}

/** The query's filters as index values, most selective first (the first is the one read). */
export function auditQueryValues(q: AuditQuery): { dimension: AuditDimension; value: string }[] {
  const out: { dimension: AuditDimension; value: string }[] = [];
  if (q.user) out.push({ dimension: 'user', value: normalizeEmail(q.user) });
  if (q.actor) out.push({ dimension: 'actor', value: q.actor.trim().toLowerCase() });
  if (q.rule) out.push({ dimension: 'rule', value: q.rule.trim().toLowerCase() });
  if (q.permissionSet) out.push({ dimension: 'ps', value: q.permissionSet.trim().toLowerCase() });
  if (q.account) out.push({ dimension: 'account', value: q.account.trim() });
  return out;
}

/** Whether a record answers the query (time range and every filter). */
export function matchesAuditQuery(r: AuditRecord, q: AuditQuery): boolean {
  if (r.at < q.since || r.at > q.until) return false;
  const filed = auditIndexValues(r);
  return auditQueryValues(q).every((want) =>
    filed.some((have) => have.dimension === want.dimension && have.value === want.value),
  );
}

/** Index order: time, then id. */
export function compareAuditRecords(a: AuditRecord, b: AuditRecord): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The UTC day of an instant, `YYYY-MM-DD` (the sink's partition). */
export function auditDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The columns of an export, in order: CSV header and the JSON lines' field names. */
export const AUDIT_COLUMNS = [
  'at',
  'event',
  'from',
  'to',
  'user',
  'account_id',
  'account_name',
  'permission_set',
  'rule',
  'actor',
  'actor_name',
  'reason',
  'request_id',
  'grant_id',
  'subject',
  'id',
  'details',
] as const;
export type AuditColumn = (typeof AUDIT_COLUMNS)[number];

/**
 * One record as an export row (and a sink line): flat, snake_case, the time as ISO 8601 UTC, the
 * details as a JSON string. The same shape is the Athena table's columns.
 */
export function auditRow(r: AuditRecord): Record<AuditColumn, string> {
  return {
    at: new Date(r.at).toISOString(),
    event: r.event,
    from: r.from,
    to: r.to,
    user: r.user,
    account_id: r.accountId,
    account_name: r.accountName,
    permission_set: r.permissionSet,
    rule: r.rule,
    actor: r.actorEmail ?? r.actorId,
    actor_name: r.actorName,
    reason: r.reason ?? '',
    request_id: r.requestId ?? '',
    grant_id: r.grantId ?? '',
    subject: `${r.subjectKind}#${r.subjectId}`,
    id: r.id,
    details: r.details === undefined ? '' : JSON.stringify(r.details),
  };
}
