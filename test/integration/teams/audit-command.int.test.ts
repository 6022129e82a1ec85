import { AuditReader } from '../../../src';
import { InMemoryAuditLog, auditRecord } from '../../fakes/in-memory-audit-log';
import { ManualClock } from '../../fakes/manual-clock';
import { APPROVALS, startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';
import { botPosts, cardOf, lastBotPost, textOf } from '../../support/teams-cards';

describe('audit in Teams', () => {
  let h: TeamsHarness;
  let log: InMemoryAuditLog;
  const now = Date.UTC(2026, 11, 1, 12);

  beforeEach(async () => {
    h = await startTeamsHarness();
    log = new InMemoryAuditLog();
    for (let i = 0; i < 40; i++) log.add(auditRecord(i, 'rita@example.com', now - i * 3_600_000));
    h.teams.connectAudit!(new AuditReader({ log, clock: new ManualClock(now), auditors: () => ['olga@example.com'] }));
    await h.connector.install('aad-rita');
    await h.connector.install('aad-olga');
    await h.connector.install('aad-olga', APPROVALS);
  });
  afterEach(() => h.stop());

  test('a person who is not an auditor is refused in their 1:1 chat, and nothing is read', async () => {
    await h.connector.say('aad-rita', 'audit --user rita@example.com');
    await h.settle();
    const post = lastBotPost(h.connector, h.connector.world.personalChat('aad-rita').id);
    expect(textOf(cardOf(post))).toContain('Only members of the auditors group can read the audit');
    expect(post.attachments).toHaveLength(1);
    expect(log.queries).toBe(0);
  });

  test('an auditor gets one page in their 1:1 chat with the whole answer attached as CSV', async () => {
    await h.connector.say('aad-olga', 'audit rita@example.com --since 30d');
    await h.settle();
    const post = lastBotPost(h.connector, h.connector.world.personalChat('aad-olga').id);
    const card = textOf(cardOf(post));
    expect(card).toContain('Audit · page 1');
    expect(card).toContain('audit rita@example.com --since 30d --page 2');
    const file = post.attachments?.[1] as unknown as { contentType: string; name: string; contentUrl: string };
    expect(file.contentType).toBe('text/csv');
    expect(file.name).toBe('keyless-audit-rita@example.com-2026-12-01.csv');
    const csv = Buffer.from(file.contentUrl.replace(/^data:text\/csv;base64,/, ''), 'base64').toString('utf8');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(41);
  });

  test('in a channel, an auditor is sent to the 1:1 chat and the channel sees no event', async () => {
    const before = botPosts(h.connector, APPROVALS).length;
    await h.connector.say('aad-olga', 'audit --user rita@example.com', APPROVALS);
    await h.settle();
    const posts = botPosts(h.connector, APPROVALS).slice(before);
    expect(posts.map((p) => textOf(cardOf(p))).join('')).toContain('1:1 chat only');
    expect(posts.map((p) => textOf(cardOf(p))).join('')).not.toContain('rita@example.com ·');
    expect(log.queries).toBe(0);
  });
});
