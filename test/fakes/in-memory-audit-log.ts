import {
  compareAuditRecords,
  matchesAuditQuery,
  type AuditLog,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
} from '../../src';

/** The audit index in memory: the same answers as the DynamoDB one (time order, pages with a cursor). */
export class InMemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  /** Queries answered (to see that a refused person caused none). */
  queries = 0;

  add(...records: AuditRecord[]): void {
    this.records.push(...records);
    this.records.sort(compareAuditRecords);
  }

  queryAudit(q: AuditQuery): Promise<AuditPage> {
    this.queries++;
    const all = this.records.filter((r) => matchesAuditQuery(r, q));
    const start = q.cursor ? Number(q.cursor) : 0;
    const limit = q.limit ?? 1000;
    const records = all.slice(start, start + limit);
    const next = start + records.length;
    return Promise.resolve({ records, ...(next < all.length ? { cursor: String(next) } : {}) });
  }
}

/** A record of `user` at `at`, approved by `actor`. */
export function auditRecord(i: number, user: string, at: number, actor = 'ann@example.com'): AuditRecord {
  return {
    id: `grant#g${i}#00000001`,
    at,
    event: 'approve',
    from: 'pending',
    to: 'approved',
    subjectKind: 'request',
    subjectId: `r${i}`,
    requestId: `r${i}`,
    user,
    principalId: `p-${user}`,
    principalName: user,
    accountId: '111111111111',
    accountName: 'prod',
    permissionSet: 'AdministratorAccess',
    rule: 'admins',
    actorKind: 'user',
    actorId: 'slack:U0ANN',
    actorName: 'Ann',
    actorEmail: actor,
    reason: i === 0 ? '=HYPERLINK("http://evil") <!channel>' : `INC-${i}`,
  };
}
