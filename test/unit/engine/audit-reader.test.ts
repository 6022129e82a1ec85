import { AuditReader, ErrorCodes, isKeylessError, parseAuditWords, type ChatUser } from '../../../src';
import { T0 } from '../../builders';
import { users } from '../../builders/test-engine';
import { ManualClock } from '../../fakes/manual-clock';
import { InMemoryAuditLog, auditRecord } from '../../fakes/in-memory-audit-log';

function setUp(count: number, pageSize = 5) {
  const log = new InMemoryAuditLog();
  for (let i = 0; i < count; i++) log.add(auditRecord(i, 'rita@example.com', T0 - i * 60_000));
  log.add(auditRecord(999, 'bob@example.com', T0 - 1000));
  const reader = new AuditReader({
    log,
    clock: new ManualClock(T0),
    auditors: () => ['Olga@Example.com'],
    pageSize,
  });
  return { log, reader };
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isKeylessError(error) ? error.code : 'other';
  }
}

describe('reading the audit in chat', () => {
  it('refuses anyone not in the auditors group, before reading anything', async () => {
    const { log, reader } = setUp(3);
    expect(await refusal(reader.read(users.rita, ['--user', 'rita@example.com']))).toBe(ErrorCodes.NotAllowed);
    // A typed email is not a verified one: a person the platform verified no email for is refused.
    const noEmail: ChatUser = { platform: 'slack', id: 'U0OLGA', displayName: 'Olga' };
    expect(await refusal(reader.read(noEmail, []))).toBe(ErrorCodes.NotAllowed);
    expect(log.queries).toBe(0);
  });

  it("lets a platform's group in only with a verified person, and fails closed when the group cannot be checked", async () => {
    const log = new InMemoryAuditLog();
    log.add(auditRecord(1, 'rita@example.com', T0 - 1000));
    const asked: string[] = [];
    const reader = (isAuditor: (u: ChatUser) => Promise<boolean>) =>
      new AuditReader({ log, clock: new ManualClock(T0), auditors: () => [], isAuditor });
    const inGroup = reader(async (u) => {
      asked.push(u.id);
      return u.id === users.rita.id;
    });
    expect((await inGroup.read(users.rita, [])).records).toHaveLength(1);
    expect(await refusal(inGroup.read(users.bob, []))).toBe(ErrorCodes.NotAllowed);
    // No verified email: the group is not even asked.
    expect(await refusal(inGroup.read({ ...users.rita, email: undefined } as unknown as ChatUser, []))).toBe(
      ErrorCodes.NotAllowed,
    );
    expect(asked).toEqual([users.rita.id, users.bob.id]);

    // The platform cannot answer (a network error): refused, with words, and nothing is read.
    const before = log.queries;
    const broken = reader(() => Promise.reject(new Error('socket hang up')));
    const error = await broken.read(users.rita, []).catch((e: unknown) => e);
    expect(isKeylessError(error) && error.code).toBe(ErrorCodes.NotAllowed);
    expect((error as Error).message).toContain('could not check whether you are in the auditors group');
    expect(log.queries).toBe(before);
  });

  it('answers an auditor (by verified email, any case) one page at a time, with the whole answer as CSV', async () => {
    const { reader } = setUp(12);
    const first = await reader.read(users.olga, ['rita@example.com', '--since', '30d']);
    expect(first.records).toHaveLength(5);
    expect(first.records.every((r) => r.user === 'rita@example.com')).toBe(true);
    expect(first.more).toBe(true);
    expect(first.export?.count).toBe(12);
    const rows = first.export!.text.split('\r\n').filter(Boolean);
    expect(rows).toHaveLength(13);
    // A reason that a spreadsheet would run as a formula is defused.
    expect(first.export!.text).toContain(`"'=HYPERLINK(""http://evil"") <!channel>"`);
    const third = await reader.read(users.olga, ['--user', 'rita@example.com', '--page', '3']);
    expect(third.records).toHaveLength(2);
    expect(third.more).toBe(false);
    const ids = new Set([...first.records, ...third.records].map((r) => r.id));
    expect(ids.size).toBe(7);
  });

  it('sends no file when one page holds the whole answer', async () => {
    const { reader } = setUp(3);
    const answer = await reader.read(users.olga, ['--user', 'rita@example.com']);
    expect(answer.records).toHaveLength(3);
    expect(answer.more).toBe(false);
    expect(answer.export).toBeUndefined();
  });

  it('cuts the export at its maximum and says so', async () => {
    const log = new InMemoryAuditLog();
    for (let i = 0; i < 30; i++) log.add(auditRecord(i, 'rita@example.com', T0 - i * 1000));
    const reader = new AuditReader({
      log,
      clock: new ManualClock(T0),
      auditors: () => ['olga@example.com'],
      pageSize: 5,
      exportMax: 20,
    });
    const answer = await reader.read(users.olga, []);
    expect(answer.export).toMatchObject({ count: 20, truncated: true });
  });

  it('names the problem of a malformed query', async () => {
    const { reader } = setUp(1);
    expect(await refusal(reader.read(users.olga, ['--since', 'yesterday']))).toBe(ErrorCodes.InvalidInput);
    expect(await refusal(reader.read(users.olga, ['--colour', 'red']))).toBe(ErrorCodes.InvalidInput);
    expect(await refusal(reader.read(users.olga, ['--since', '2026-12-01', '--until', '2026-11-01']))).toBe(
      ErrorCodes.InvalidInput,
    );
  });

  it('reads the words of the command', () => {
    expect(parseAuditWords(['<mailto:rita@example.com|rita@example.com>', '--since=90d', '--page', '2'])).toEqual({
      options: { user: 'rita@example.com', since: '90d' },
      page: 2,
    });
    expect(parseAuditWords(['--account', '111111111111', '--ps', 'ReadOnly'])).toEqual({
      options: { account: '111111111111', permissionSet: 'ReadOnly' },
      page: 1,
    });
    expect(parseAuditWords(['--page', '0'])).toHaveProperty('problem');
    expect(parseAuditWords(['--user'])).toHaveProperty('problem');
  });
});
