import type { AuditPage, AuditQuery } from '../domain';

/**
 * The audit index: every audit event (every transition and note of every request and grant), found
 * by person, acting person, rule, permission set or account within a time range. A read costs the
 * records it returns, whatever the size of the table (an index per dimension, sorted by time).
 * Events are indexed shortly after their write (by the audit pump), not in it.
 */
export interface AuditLog {
  queryAudit(query: AuditQuery): Promise<AuditPage>;
}

/** Where archived events go (S3): one object per key, replaced whole by a second put of the same key. */
export interface AuditArchive {
  putObject(key: string, body: string): Promise<void>;
}
