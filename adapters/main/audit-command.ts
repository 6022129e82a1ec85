import {
  auditCsvHeader,
  auditCsvLine,
  auditJsonLine,
  type AuditFormat,
  type AuditLog,
  type AuditQuery,
} from '../../src';

export { DEFAULT_AUDIT_DAYS, auditQueryFromOptions, type AuditCommandOptions } from '../../src';

/**
 * Writes every record the query answers, page by page (memory stays one page whatever the range),
 * CSV with its header or JSON lines. Answers how many records were written.
 */
export async function writeAuditExport(
  log: AuditLog,
  query: AuditQuery,
  format: AuditFormat,
  write: (text: string) => Promise<void> | void,
  pageSize = 500,
): Promise<number> {
  if (format === 'csv') await write(auditCsvHeader());
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await log.queryAudit({ ...query, limit: pageSize, ...(cursor ? { cursor } : {}) });
    const line = format === 'csv' ? auditCsvLine : auditJsonLine;
    if (page.records.length > 0) await write(page.records.map(line).join(''));
    count += page.records.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}
