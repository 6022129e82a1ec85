import type { StoredActivity } from '../../../adapters/local/teams-connector';
import { AuditReader } from '../../../src';
import { InMemoryAuditLog, auditRecord } from '../../fakes/in-memory-audit-log';
import { ManualClock } from '../../fakes/manual-clock';
import { APPROVALS, startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';
import { botPosts, cardOf, lastBotPost, textOf } from '../../support/teams-cards';

const CONSENT = 'application/vnd.microsoft.teams.card.file.consent';
const FILE_INFO = 'application/vnd.microsoft.teams.card.file.info';

type ConsentCard = {
  contentType: string;
  name: string;
  content: {
    description: string;
    sizeInBytes: number;
    acceptContext: Record<string, unknown>;
    declineContext: unknown;
  };
};

describe('audit in Teams', () => {
  let h: TeamsHarness;
  let log: InMemoryAuditLog;
  let auditors: string[];
  const now = Date.UTC(2026, 11, 1, 12);
  const olgaChat = () => h.connector.world.personalChat('aad-olga').id;
  const consentOf = (post: StoredActivity) =>
    post.attachments?.find((a) => a.contentType === CONSENT) as unknown as ConsentCard | undefined;
  const uploadsTried = () => h.connector.world.calls.filter((c) => c.path === '/_upload').length;

  /** Olga asks; answers the page post and the consent post. */
  async function olgaAsks(): Promise<{ page: StoredActivity; offer: StoredActivity }> {
    await h.connector.say('aad-olga', 'audit rita@example.com --since 30d');
    await h.settle();
    const posts = botPosts(h.connector, olgaChat());
    return { page: posts.at(-2)!, offer: posts.at(-1)! };
  }

  beforeEach(async () => {
    h = await startTeamsHarness();
    log = new InMemoryAuditLog();
    auditors = ['olga@example.com', 'carl@example.com'];
    for (let i = 0; i < 40; i++) log.add(auditRecord(i, 'rita@example.com', now - i * 3_600_000));
    h.teams.connectAudit!(
      new AuditReader({
        log,
        clock: new ManualClock(now),
        auditors: () => auditors,
      }),
    );
    await h.connector.install('aad-rita');
    await h.connector.install('aad-olga');
    await h.connector.install('aad-carl');
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

  test('an auditor gets one page, and the whole answer offered as a file bound to her (no inline data)', async () => {
    const { page, offer } = await olgaAsks();
    const card = textOf(cardOf(page));
    expect(card).toContain('Audit · page 1');
    expect(card).toContain('audit rita@example.com --since 30d --page 2');
    expect(card).toContain('The whole answer (40 events) comes as a CSV file below');
    expect(JSON.stringify(h.connector.world.activities)).not.toContain('data:text/csv');
    const consent = consentOf(offer)!;
    expect(consent.name).toBe('keyless-audit-rita@example.com-2026-12-01.csv');
    expect(consent.content.description).toContain('40 event(s)');
    expect(consent.content.sizeInBytes).toBeGreaterThan(1000);
    expect(consent.content.acceptContext).toMatchObject({ kind: 'keyless-audit-export', user: 'aad-olga' });
    expect(consent.content.declineContext).toEqual(consent.content.acceptContext);
    // Offered, not sent: nothing is in anyone's OneDrive before she allows it.
    expect(h.connector.world.files).toHaveLength(0);
  });

  test('allowed, the CSV is uploaded to her OneDrive over HTTP and a file card opens it', async () => {
    const { offer } = await olgaAsks();
    const announced = consentOf(offer)!.content.sizeInBytes;
    const answer = await h.connector.answerFileConsent('aad-olga', offer.id, 'accept');
    expect(answer.status).toBe(200);
    await h.settle();
    const [file] = h.connector.world.files;
    expect(file).toMatchObject({ owner: 'aad-olga', name: 'keyless-audit-rita@example.com-2026-12-01.csv' });
    expect(file!.size).toBe(announced);
    const rows = file!.bytes.toString('utf8').split('\r\n').filter(Boolean);
    expect(rows[0]!.startsWith('at,event,from,to,user')).toBe(true);
    expect(rows).toHaveLength(41);
    const posted = lastBotPost(h.connector, olgaChat());
    expect(posted.text).toContain('The audit export: 40 event(s)');
    const info = posted.attachments?.[0] as unknown as {
      contentType: string;
      contentUrl: string;
      name: string;
      content: { uniqueId: string; fileType: string };
    };
    expect(info.contentType).toBe(FILE_INFO);
    expect(info.content).toEqual({ uniqueId: file!.uniqueId, fileType: 'csv' });
    expect(info.name).toBe(file!.name);
    const download = await fetch(info.contentUrl);
    expect(await download.text()).toBe(file!.bytes.toString('utf8'));
  });

  test('when events were filed between the offer and the accept, the new answer is offered afresh', async () => {
    const { offer } = await olgaAsks();
    log.add(auditRecord(500, 'rita@example.com', now - 5000));
    await h.connector.answerFileConsent('aad-olga', offer.id, 'accept');
    await h.settle();
    expect(uploadsTried()).toBe(0);
    const [notice, fresh] = botPosts(h.connector, olgaChat()).slice(-2);
    expect(textOf(cardOf(notice))).toContain('The answer changed since I offered it');
    expect(consentOf(fresh!)!.content.description).toContain('41 event(s)');
    await h.connector.answerFileConsent('aad-olga', fresh!.id, 'accept');
    await h.settle();
    expect(h.connector.world.files[0]!.bytes.toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(42);
  });

  test('an auditor removed from the auditors between the offer and the accept gets nothing', async () => {
    const { offer } = await olgaAsks();
    auditors = ['carl@example.com'];
    await h.connector.answerFileConsent('aad-olga', offer.id, 'accept');
    await h.settle();
    const text = textOf(cardOf(lastBotPost(h.connector, olgaChat())));
    expect(text).toContain('Only members of the auditors group can read the audit');
    expect(text).toContain('Nothing was sent');
    expect(uploadsTried()).toBe(0);
    expect(h.connector.world.files).toHaveLength(0);
  });

  test("the playground's Allow goes through the connector's admin API, and the state lists the saved file", async () => {
    const { offer } = await olgaAsks();
    const response = await fetch(`${h.connector.url}/_admin/file-consent`, {
      method: 'POST',
      body: JSON.stringify({ as: 'aad-olga', activityId: offer.id, action: 'accept' }),
    });
    expect(response.status).toBe(200);
    await h.settle();
    const state = (await (await fetch(`${h.connector.url}/_admin/state`)).json()) as {
      files: { owner: string; name: string; size: number }[];
    };
    expect(state.files).toEqual([
      expect.objectContaining({ owner: 'aad-olga', name: 'keyless-audit-rita@example.com-2026-12-01.csv' }),
    ]);
  });

  test('declined, nothing is uploaded and she is told', async () => {
    const { offer } = await olgaAsks();
    await h.connector.answerFileConsent('aad-olga', offer.id, 'decline');
    await h.settle();
    expect(textOf(cardOf(lastBotPost(h.connector, olgaChat())))).toContain('You declined the file');
    expect(h.connector.world.files).toHaveLength(0);
    expect(uploadsTried()).toBe(0);
  });

  test("another person, even an auditor, cannot take her export with her offer's context", async () => {
    const { offer } = await olgaAsks();
    const context = consentOf(offer)!.content.acceptContext;
    const queriesBefore = log.queries;
    const carlChat = h.connector.world.personalChat('aad-carl').id;
    await h.connector.fileConsentRaw('aad-carl', undefined, {
      type: 'fileUpload',
      action: 'accept',
      context,
      uploadInfo: {
        contentUrl: `${h.connector.url}/_files/X/stolen.csv`,
        name: 'stolen.csv',
        uploadUrl: `${h.connector.url}/_upload/not-a-session`,
        uniqueId: 'X',
        fileType: 'csv',
      },
    });
    await h.settle();
    expect(textOf(cardOf(lastBotPost(h.connector, carlChat)))).toContain('This export was offered to someone else');
    expect(uploadsTried()).toBe(0);
    expect(log.queries).toBe(queriesBefore);
    expect(h.connector.world.files).toHaveLength(0);
  });

  test('an expired or forged offer, or an upload address that is not OneDrive, sends nothing', async () => {
    const { offer } = await olgaAsks();
    const context = consentOf(offer)!.content.acceptContext;
    const uploadInfo = {
      contentUrl: `${h.connector.url}/_files/X/x.csv`,
      name: 'x.csv',
      uploadUrl: `${h.connector.url}/_upload/whatever`,
      uniqueId: 'X',
      fileType: 'csv',
    };
    const accept = (ctx: unknown, info = uploadInfo) =>
      h.connector.fileConsentRaw('aad-olga', offer.id, {
        type: 'fileUpload',
        action: 'accept',
        context: ctx,
        uploadInfo: info,
      });
    const lastText = () => textOf(cardOf(lastBotPost(h.connector, olgaChat())));

    await accept({ ...context, expiresAt: Date.now() - 1 });
    await h.settle();
    expect(lastText()).toContain('This export offer has expired');

    await accept({ kind: 'something-else', user: 'aad-olga' });
    await h.settle();
    expect(lastText()).toContain('This file offer is not one keyless made');

    await accept(context, { ...uploadInfo, uploadUrl: 'http://files.example.net/upload/1' });
    await h.settle();
    expect(lastText()).toContain('does not send files to');

    // Her own offer, answered from a channel: files go to the 1:1 chat only.
    await h.connector.say('aad-olga', 'help', APPROVALS);
    await h.settle();
    const inChannel = botPosts(h.connector, APPROVALS).at(-1)!;
    await h.connector.fileConsentRaw('aad-olga', inChannel.id, {
      type: 'fileUpload',
      action: 'accept',
      context,
      uploadInfo,
    });
    await h.settle();
    expect(textOf(cardOf(lastBotPost(h.connector, APPROVALS)))).toContain('Files are sent in our 1:1 chat only');

    expect(uploadsTried()).toBe(0);
    expect(h.connector.world.files).toHaveLength(0);
  });

  test('in a channel, an auditor is sent to the 1:1 chat and the channel sees no event and no file offer', async () => {
    const before = botPosts(h.connector, APPROVALS).length;
    await h.connector.say('aad-olga', 'audit --user rita@example.com', APPROVALS);
    await h.settle();
    const posts = botPosts(h.connector, APPROVALS).slice(before);
    expect(posts.map((p) => textOf(cardOf(p))).join('')).toContain('1:1 chat only');
    expect(posts.map((p) => textOf(cardOf(p))).join('')).not.toContain('rita@example.com ·');
    expect(posts.some((p) => consentOf(p))).toBe(false);
    expect(log.queries).toBe(0);
  });
});
