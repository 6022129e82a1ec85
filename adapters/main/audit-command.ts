import {
  auditCsvHeader,
  auditCsvLine,
  auditJsonLine,
  parseAuditTime,
  type AuditFormat,
  type AuditLog,
  type AuditQuery,
} from '../../src';

export interface AuditCommandOptions {
  since?: string;
  until?: string;
  user?: string;
  actor?: string;
  account?: string;
  permissionSet?: string;
  rule?: string;
  format?: string;
}

/** The default range when `--since` is not given. */
export const DEFAULT_AUDIT_DAYS = 90;

/** Reads the command's options into a query, or says what is wrong with them. */
export function auditQueryFromOptions(
  options: AuditCommandOptions,
  now: number,
): { query: AuditQuery; format: AuditFormat } | { problem: string } {
  const format = (options.format ?? 'csv').toLowerCase();
  if (format !== 'csv' && format !== 'jsonl')
    return { problem: `--format must be csv or jsonl, not "${options.format}".` };
  const since = parseAuditTime(options.since ?? `${DEFAULT_AUDIT_DAYS}d`, now);
  if (since === undefined) {
    return {
      problem: `--since "${options.since}" is not a date (YYYY-MM-DD), an ISO 8601 time or a number of days (90d).`,
    };
  }
  const until = options.until === undefined ? now : parseAuditTime(options.until, now, true);
  if (until === undefined) {
    return {
      problem: `--until "${options.until}" is not a date (YYYY-MM-DD), an ISO 8601 time or a number of days (7d).`,
    };
  }
  if (since > until) return { problem: 'The start of the range (--since) is after its end (--until).' };
  const query: AuditQuery = {
    since,
    until,
    ...(options.user ? { user: options.user } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
    ...(options.account ? { account: options.account } : {}),
    ...(options.permissionSet ? { permissionSet: options.permissionSet } : {}),
    ...(options.rule ? { rule: options.rule } : {}),
  };
  return { query, format };
}

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
