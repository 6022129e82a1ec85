import { auditQueryFromOptions } from '../../../adapters/main/audit-command';
import { csvCell, parseAuditTime } from '../../../src';

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
});
