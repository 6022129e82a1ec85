import {
  ACTIVITY_COLUMNS,
  AUDIT_COLUMNS,
  AuditReader,
  ExportActivity,
  auditCsvHeader,
  auditCsvLine,
  auditExport,
  auditJsonLine,
  summariseActivity,
  type ActivitySummary,
  type AuditRecord,
  type TrailEvent,
} from '../../../src';
import { T0 } from '../../builders';
import { ManualClock } from '../../fakes/manual-clock';
import { InMemoryAuditLog, auditRecord } from '../../fakes/in-memory-audit-log';

const ev = (eventName: string, eventSource: string, over: Partial<TrailEvent> = {}): TrailEvent => ({
  eventName,
  eventSource,
  eventTime: T0,
  region: 'eu-west-1',
  readOnly: false,
  ...over,
});

function summary(over: { final?: boolean; truncated?: boolean; writeKindsShown?: number } = {}): ActivitySummary {
  return summariseActivity({
    lookup: {
      events: [
        ev('ListBuckets', 's3.amazonaws.com', { readOnly: true }),
        ev('GetObject', 's3.amazonaws.com', { readOnly: true, region: 'us-east-1' }),
        ev('CreateAccessKey', 'iam.amazonaws.com', { region: 'us-east-1' }),
        ev('DeleteAccessKey', 'iam.amazonaws.com', { region: 'us-east-1' }),
        ev('DeleteAccessKey', 'iam.amazonaws.com', { region: 'us-east-1', errorCode: 'NoSuchEntity' }),
        ev('PutItem', 'dynamodb.amazonaws.com', { errorCode: 'AccessDenied' }),
      ],
      regions: ['eu-west-1', 'us-east-1'],
      truncated: over.truncated ?? false,
      unavailable: [],
    },
    accountId: '111111111111',
    username: 'rita',
    from: T0 - 3_600_000,
    to: T0,
    fetchedAt: T0 + 20 * 60_000,
    final: over.final ?? true,
    ...(over.writeKindsShown !== undefined ? { writeKindsShown: over.writeKindsShown } : {}),
  });
}

/** A record of grant `g1` (and one of a request without a grant). */
const ofGrant = (i: number, grantId = 'g1'): AuditRecord => ({
  ...auditRecord(i, 'rita@example.com', T0 + i),
  grantId,
});

const parseCsv = (text: string) => {
  const [header, ...rows] = text.split('\r\n').filter(Boolean);
  const names = header!.split(',');
  return rows.map((row) => {
    // RFC 4180 cells: quoted ones (quotes doubled) or plain up to the next comma.
    const cells: string[] = [];
    let rest = row;
    while (rest.length > 0) {
      const quoted = /^"((?:[^"]|"")*)"(?:,|$)/.exec(rest);
      const match = quoted ?? /^([^,]*)(?:,|$)/.exec(rest)!;
      cells.push(quoted ? match[1]!.replace(/""/g, '"') : match[1]!);
      rest = rest.slice(match[0].length);
    }
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
  });
};

describe('the audit export carries each grant’s activity summary', () => {
  it('adds the activity columns after the audit columns (the archive keeps the audit columns only)', () => {
    expect(auditCsvHeader()).toBe(`${[...AUDIT_COLUMNS, ...ACTIVITY_COLUMNS].join(',')}\r\n`);
    expect(ACTIVITY_COLUMNS).toEqual(
      expect.arrayContaining([
        'activity_calls',
        'activity_writes',
        'activity_errors',
        'activity_regions',
        'activity_complete',
      ]),
    );
  });

  it('writes the calls, the grouped writes (most significant first), errors, Regions and completeness in CSV', () => {
    const [row] = parseCsv(auditCsvHeader() + auditCsvLine(ofGrant(1), summary()));
    expect(row).toMatchObject({
      grant_id: 'g1',
      activity_calls: '6',
      activity_reads: '2',
      activity_write_calls: '4',
      activity_writes: 'iam:DeleteAccessKey ×2 (1 failed); iam:CreateAccessKey; dynamodb:PutItem (1 failed)',
      activity_errors: '2',
      activity_access_denied: '1',
      activity_regions: 'us-east-1; eu-west-1',
      activity_complete: 'true',
      activity_looked_up_at: new Date(T0 + 20 * 60_000).toISOString(),
    });
    expect(row!['activity_console_url']).toContain('Username=rita');
  });

  it('says when the summary is not the whole story: early, or cut at its limit', () => {
    const [early] = parseCsv(auditCsvHeader() + auditCsvLine(ofGrant(1), summary({ final: false })));
    expect(early!['activity_complete']).toBe('false');
    const [cut] = parseCsv(auditCsvHeader() + auditCsvLine(ofGrant(1), summary({ truncated: true })));
    expect(cut!['activity_complete']).toBe('false');
  });

  it('counts the kinds of write a summary does not name, never dropping them silently', () => {
    const [row] = parseCsv(auditCsvHeader() + auditCsvLine(ofGrant(1), summary({ writeKindsShown: 1 })));
    expect(row!['activity_writes']).toBe('iam:DeleteAccessKey ×2 (1 failed); +2 other kinds (2 calls)');
  });

  it('leaves the columns empty for a record without a grant or a grant without a summary', () => {
    const [row] = parseCsv(auditCsvHeader() + auditCsvLine(auditRecord(2, 'rita@example.com', T0)));
    for (const c of ACTIVITY_COLUMNS) expect(row![c]).toBe('');
  });

  it('gives JSON lines the same columns and the whole summary object', () => {
    const s = summary();
    const line = JSON.parse(auditJsonLine(ofGrant(1), s)) as Record<string, unknown>;
    expect(line).toMatchObject({ grant_id: 'g1', activity_calls: '6', activity_complete: 'true', at_ms: T0 + 1 });
    expect(line['activity']).toEqual(s);
    const none = JSON.parse(auditJsonLine(auditRecord(2, 'rita@example.com', T0))) as Record<string, unknown>;
    expect(none).not.toHaveProperty('activity');
    expect(none['activity_calls']).toBe('');
  });

  it('matches each record to its own grant’s summary in a whole export', () => {
    const s1 = summary();
    const text = auditExport([ofGrant(1, 'g1'), ofGrant(2, 'g2'), ofGrant(3, 'g1')], 'csv', new Map([['g1', s1]]));
    expect(parseCsv(text).map((r) => [r['grant_id'], r['activity_calls']])).toEqual([
      ['g1', '6'],
      ['g2', ''],
      ['g1', '6'],
    ]);
  });
});

describe('reading the grants’ summaries for an export', () => {
  it('reads each grant once for the whole export, and only grants', async () => {
    const reads: string[] = [];
    const activity = new ExportActivity(async (id) => {
      reads.push(id);
      return id === 'g1' ? summary() : undefined;
    });
    const first = await activity.of([ofGrant(1, 'g1'), ofGrant(2, 'g2'), auditRecord(3, 'rita@example.com', T0)]);
    const second = await activity.of([ofGrant(4, 'g1')]);
    expect(reads.sort()).toEqual(['g1', 'g2']);
    expect([...first.keys()]).toEqual(['g1']);
    expect(second.get('g1')?.calls).toBe(6);
  });

  it('fails the export when a grant cannot be read, rather than leave its activity out', async () => {
    const activity = new ExportActivity(() => Promise.reject(new Error('table busy')));
    await expect(activity.of([ofGrant(1)])).rejects.toThrow('table busy');
  });

  it('puts the activity in the chat export file', async () => {
    const log = new InMemoryAuditLog();
    for (let i = 0; i < 4; i++) log.add(ofGrant(i));
    const reader = new AuditReader({
      log,
      clock: new ManualClock(T0 + 60_000),
      auditors: () => ['olga@example.com'],
      pageSize: 2,
      activity: async (id) => (id === 'g1' ? summary() : undefined),
    });
    const answer = await reader.read(
      { platform: 'slack', id: 'U0OLGA', displayName: 'Olga', email: 'olga@example.com' },
      ['--user', 'rita@example.com'],
    );
    const rows = parseCsv(answer.export!.text);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r['activity_writes']!.startsWith('iam:DeleteAccessKey ×2'))).toBe(true);
  });
});
