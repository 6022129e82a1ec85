import { AuditReader } from '../../../src';
import { InMemoryAuditLog, auditRecord } from '../../fakes/in-memory-audit-log';
import { ManualClock } from '../../fakes/manual-clock';
import { startSlackStack, type SlackStack } from '../../support/slack-harness';

const lastEphemeral = (stack: SlackStack, user: string) => {
  const all = stack.workspace.state.ephemeralsOf(user);
  return all[all.length - 1];
};
const textOf = (e: { text: string; blocks: unknown[] } | undefined) =>
  JSON.stringify(e?.blocks ?? []) + (e?.text ?? '');

describe('/aws-access audit in Slack', () => {
  let stack: SlackStack;
  let log: InMemoryAuditLog;
  const now = Date.UTC(2026, 11, 1, 12);

  beforeAll(async () => {
    stack = await startSlackStack();
    log = new InMemoryAuditLog();
    for (let i = 0; i < 40; i++) log.add(auditRecord(i, 'rita@example.com', now - i * 3_600_000));
    log.add(auditRecord(100, 'bob@example.com', now - 1000));
    stack.slack.connectAudit!(
      new AuditReader({ log, clock: new ManualClock(now), auditors: () => ['olga@example.com'] }),
    );
  });
  afterAll(() => stack.stop());

  it('refuses a person who is not an auditor, clearly and privately, and reads nothing', async () => {
    const before = log.queries;
    await stack.workspace.client.command('U0RITA', 'audit --user bob@example.com');
    await stack.settle();
    const reply = lastEphemeral(stack, 'U0RITA');
    expect(textOf(reply)).toContain('Only members of the auditors group can read the audit');
    expect(textOf(reply)).not.toContain('bob@example.com ·');
    expect(log.queries).toBe(before);
    expect(stack.workspace.state.files.size).toBe(0);
  });

  it('answers an auditor privately with one page, and the whole answer as a CSV file in their DM', async () => {
    await stack.workspace.client.command('U0OLGA', 'audit --user rita@example.com --since 30d');
    await stack.settle();
    const reply = lastEphemeral(stack, 'U0OLGA');
    const text = textOf(reply);
    expect(text).toContain('page 1');
    expect(text).toContain('rita@example.com');
    expect(text).not.toContain('bob@example.com ·');
    // People's text is escaped: no channel ping from a reason.
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('/aws-access audit --user rita@example.com --since 30d --page 2');
    expect(text).toContain('The whole answer (40 events');
    // Nobody else saw it: no message in any channel but the auditor's DM.
    const files = [...stack.workspace.state.files.values()];
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.completed).toBeDefined();
    expect(file.filename).toMatch(/^keyless-audit-rita@example\.com-2026-12-01\.csv$/);
    expect(file.completed?.channel).toBe(stack.workspace.state.openDm('U0OLGA').id);
    const content = file.bytes!.toString('utf8');
    const rows = content.split('\r\n').filter(Boolean);
    expect(rows[0]!.startsWith('at,event,from,to,user')).toBe(true);
    expect(rows).toHaveLength(41);
    expect(content).toContain(`"'=HYPERLINK(""http://evil"") <!channel>"`);
    const calls = stack.workspace.state.calls.map((c) => c.method);
    expect(calls).toEqual(expect.arrayContaining(['files.getUploadURLExternal', 'files.completeUploadExternal']));
  });

  it('shows a later page when asked, ending the answer on the last one', async () => {
    await stack.workspace.client.command('U0OLGA', 'audit --user rita@example.com --since 30d --page 3');
    await stack.settle();
    const text = textOf(lastEphemeral(stack, 'U0OLGA'));
    expect(text).toContain('page 3');
    expect(text).toContain('End of the answer.');
  });

  it('names a malformed query with an example', async () => {
    await stack.workspace.client.command('U0OLGA', 'audit --since yesterday');
    await stack.settle();
    const text = textOf(lastEphemeral(stack, 'U0OLGA'));
    expect(text).toContain('is not a date');
    expect(text).toContain('/aws-access audit --since 2026-11-01 --user rita@example.com');
  });
});
