import { auditQueryFromOptions } from '../../../adapters/main/audit-command';
import { auditFiledValues, auditReadValue, csvCell, parseAuditTime, type AuditRecord } from '../../../src';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const DAY = 86_400_000;

describe('audit export', () => {
  it('quotes CSV cells that hold commas, quotes or line breaks, doubling quotes (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('reads days, instants and day counts, and refuses anything else', () => {
    expect(parseAuditTime('2026-11-01', NOW)).toBe(Date.UTC(2026, 10, 1));
    expect(parseAuditTime('2026-11-01', NOW, true)).toBe(Date.UTC(2026, 10, 2) - 1);
    expect(parseAuditTime('2026-11-01T10:00:00Z', NOW)).toBe(Date.UTC(2026, 10, 1, 10));
    expect(parseAuditTime('90d', NOW)).toBe(NOW - 90 * DAY);
    expect(parseAuditTime('2026-02-30', NOW)).toBeUndefined();
    expect(parseAuditTime('yesterday', NOW)).toBeUndefined();
    expect(parseAuditTime('2026-11-01T10:00:00', NOW)).toBeUndefined(); // no zone: ambiguous
  });

  it('turns the command options into a query, or a clear problem', () => {
    expect(auditQueryFromOptions({ since: '2026-11-01', user: 'rita@example.com', format: 'jsonl' }, NOW)).toEqual({
      query: { since: Date.UTC(2026, 10, 1), until: NOW, user: 'rita@example.com' },
      format: 'jsonl',
    });
    expect(auditQueryFromOptions({}, NOW)).toEqual({ query: { since: NOW - 90 * DAY, until: NOW }, format: 'csv' });
    expect(auditQueryFromOptions({ format: 'xml' }, NOW)).toEqual({ problem: expect.stringContaining('--format') });
    expect(auditQueryFromOptions({ since: 'soon' }, NOW)).toEqual({ problem: expect.stringContaining('--since') });
    expect(auditQueryFromOptions({ since: '2026-11-05', until: '2026-11-01' }, NOW)).toEqual({
      problem: expect.stringContaining('after its end'),
    });
  });

  it('files a system step without its component, and reads a system actor by day', () => {
    const record = {
      user: 'rita@example.com',
      principalName: 'rita@example.com',
      actorKind: 'system',
      actorId: 'revoker',
      rule: 'prod-admin',
      permissionSet: 'AdministratorAccess',
      accountId: '111111111111',
    } as AuditRecord;
    const dimensions = (r: AuditRecord) => auditFiledValues(r).map((v) => v.dimension);
    expect(dimensions(record)).toEqual(['user', 'rule', 'ps', 'account']);
    expect(dimensions({ ...record, actorKind: 'user', actorId: 'slack:U0ANN', actorEmail: 'ann@example.com' })).toEqual(
      ['user', 'actor', 'rule', 'ps', 'account'],
    );
    const range = { since: 0, until: 1 };
    expect(auditReadValue({ ...range, actor: 'revoker' })).toBeUndefined();
    expect(auditReadValue({ ...range, actor: 'revoker', account: '111111111111' })).toEqual({
      dimension: 'account',
      value: '111111111111',
    });
    expect(auditReadValue({ ...range, actor: 'ann@example.com' })).toEqual({
      dimension: 'actor',
      value: 'ann@example.com',
    });
    expect(auditReadValue({ ...range, actor: 'slack:U0ANN' })).toEqual({ dimension: 'actor', value: 'slack:u0ann' });
  });
});
