import {
  ExportActivity,
  activityOfRecord,
  auditCsvHeader,
  auditCsvLine,
  auditJsonLine,
  type AuditFormat,
  type AuditLog,
  type AuditQuery,
  type GrantActivitySource,
} from '../../src';

export { DEFAULT_AUDIT_DAYS, auditQueryFromOptions, type AuditCommandOptions } from '../../src';

/**
 * Writes every record the query answers, page by page (memory stays one page whatever the range),
 * CSV with its header or JSON lines. With `activity`, each record of a grant carries the activity
 * summary stored with that grant (CSV: the activity_* columns; JSON lines: those and the whole
 * summary as `activity`). Answers how many records were written.
 */
export async function writeAuditExport(
  log: AuditLog,
  query: AuditQuery,
  format: AuditFormat,
  write: (text: string) => Promise<void> | void,
  pageSize = 500,
  activity?: GrantActivitySource,
): Promise<number> {
  if (format === 'csv') await write(auditCsvHeader());
  const activities = activity && new ExportActivity(activity);
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await log.queryAudit({ ...query, limit: pageSize, ...(cursor ? { cursor } : {}) });
    const line = format === 'csv' ? auditCsvLine : auditJsonLine;
    const known = await activities?.of(page.records);
    if (page.records.length > 0) await write(page.records.map((r) => line(r, activityOfRecord(r, known))).join(''));
    count += page.records.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}
