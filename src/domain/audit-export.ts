import { AUDIT_COLUMNS, auditRow, type AuditRecord } from './audit-record';
import { activityComplete, activityWritesLine, type ActivitySummary } from './grant-activity';

/**
 * A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. A
 * cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
 * return: people type the reasons) is prefixed with a single quote, as OWASP advises for CSV exports.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The columns an export adds after AUDIT_COLUMNS: the activity summary of the grant a record is
 * about (issue 18), as stored with the grant when the export ran; empty for a record of no grant,
 * and for a grant with no summary yet (still active, ended moments ago, a group grant, lookups off).
 */
export const ACTIVITY_COLUMNS = [
  'activity_calls',
  'activity_reads',
  'activity_write_calls',
  'activity_writes',
  'activity_errors',
  'activity_access_denied',
  'activity_regions',
  'activity_complete',
  'activity_looked_up_at',
  'activity_console_url',
] as const;
export type ActivityColumn = (typeof ACTIVITY_COLUMNS)[number];

/** The columns of a CSV export, in order: every audit column, then the grant's activity. */
export const AUDIT_EXPORT_COLUMNS = [...AUDIT_COLUMNS, ...ACTIVITY_COLUMNS] as const;

/** A grant's activity summary as export cells (all empty without one). */
export function activityRow(s: ActivitySummary | undefined): Record<ActivityColumn, string> {
  if (!s) return Object.fromEntries(ACTIVITY_COLUMNS.map((c) => [c, ''])) as Record<ActivityColumn, string>;
  return {
    activity_calls: String(s.calls),
    activity_reads: String(s.reads),
    activity_write_calls: String(s.writes),
    activity_writes: activityWritesLine(s),
    activity_errors: String(s.errors),
    activity_access_denied: String(s.accessDenied),
    activity_regions: s.activeRegions.map((r) => r.region).join('; '),
    activity_complete: String(activityComplete(s)),
    activity_looked_up_at: new Date(s.fetchedAt).toISOString(),
    activity_console_url: s.consoleUrl,
  };
}

/** The header line of an audit CSV export (CRLF-terminated, as RFC 4180 has it). */
export function auditCsvHeader(): string {
  return `${AUDIT_EXPORT_COLUMNS.join(',')}\r\n`;
}

/** One record as a CSV line (CRLF-terminated), with the activity of its grant when known. */
export function auditCsvLine(r: AuditRecord, activity?: ActivitySummary): string {
  const row = { ...auditRow(r), ...activityRow(activity) };
  return `${AUDIT_EXPORT_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}

/**
 * One record as a JSON line: the export row (the same fields as CSV) plus the time in epoch ms and,
 * when its grant has one, the whole activity summary object (`activity`).
 */
export function auditJsonLine(r: AuditRecord, activity?: ActivitySummary): string {
  return `${JSON.stringify({ ...auditRow(r), ...activityRow(activity), at_ms: r.at, ...(activity ? { activity } : {}) })}\n`;
}

/** The activity of the grant a record is about, from the summaries an export read (by grant id). */
export function activityOfRecord(
  r: AuditRecord,
  activities: ReadonlyMap<string, ActivitySummary> | undefined,
): ActivitySummary | undefined {
  return r.grantId === undefined ? undefined : activities?.get(r.grantId);
}

/** One record as JSON (one line, no line break): what the S3 archive holds, the Athena table's columns. */
export function auditJson(r: AuditRecord): string {
  return JSON.stringify({ ...auditRow(r), at_ms: r.at });
}

export type AuditFormat = 'csv' | 'jsonl';

/** A whole export of some records in one format, with their grants' activity when given (by grant id). */
export function auditExport(
  records: AuditRecord[],
  format: AuditFormat,
  activities?: ReadonlyMap<string, ActivitySummary>,
): string {
  const line = format === 'csv' ? auditCsvLine : auditJsonLine;
  const body = records.map((r) => line(r, activityOfRecord(r, activities))).join('');
  return format === 'csv' ? auditCsvHeader() + body : body;
}

const DAY_MS = 86_400_000;

/**
 * A time given to an audit command: `YYYY-MM-DD` (a UTC day: its start, or with `end` its last
 * millisecond), an ISO 8601 instant with a zone, or `<n>d` (n days before `now`). Undefined when it
 * is none of these.
 */
export function parseAuditTime(text: string, now: number, end = false): number | undefined {
  const t = text.trim();
  const relative = /^(\d{1,4})d$/.exec(t);
  if (relative) return now - Number(relative[1]) * DAY_MS;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const start = Date.parse(`${t}T00:00:00Z`);
    if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== t) return undefined;
    return end ? start + DAY_MS - 1 : start;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    const at = Date.parse(t);
    return Number.isNaN(at) ? undefined : at;
  }
  return undefined;
}
