import { AUDIT_COLUMNS, auditRow, type AuditRecord } from './audit-record';

/**
 * A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. A
 * cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
 * return: people type the reasons) is prefixed with a single quote, as OWASP advises for CSV exports.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The header line of an audit CSV export (CRLF-terminated, as RFC 4180 has it). */
export function auditCsvHeader(): string {
  return `${AUDIT_COLUMNS.join(',')}\r\n`;
}

/** One record as a CSV line (CRLF-terminated). */
export function auditCsvLine(r: AuditRecord): string {
  const row = auditRow(r);
  return `${AUDIT_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}

/** One record as a JSON line: the export row (the same fields as CSV) plus the time in epoch ms. */
export function auditJsonLine(r: AuditRecord): string {
  return `${auditJson(r)}\n`;
}

/** One record as JSON (one line, no line break): what the S3 archive holds, the Athena table's columns. */
export function auditJson(r: AuditRecord): string {
  return JSON.stringify({ ...auditRow(r), at_ms: r.at });
}

export type AuditFormat = 'csv' | 'jsonl';

/** A whole export of some records in one format. */
export function auditExport(records: AuditRecord[], format: AuditFormat): string {
  return format === 'csv' ? auditCsvHeader() + records.map(auditCsvLine).join('') : records.map(auditJsonLine).join('');
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
