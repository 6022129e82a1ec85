import { ERROR_CONTENT_TYPE, INVALID_CARD_ACTION_TEXT, Verbs } from '../../../adapters/teams/verbs';
import type { Logger } from '../../../src';
import { APPROVALS, startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';
import { answerCard, lastBotPost, textOf } from '../../support/teams-cards';

type Entry = { level: string; fields: Record<string, unknown>; message: string };
function recordingLogger(entries: Entry[]): Logger {
  const at = (level: string, base: Record<string, unknown>) => (fields: Record<string, unknown>, message: string) =>
    void entries.push({ level, fields: { ...base, ...fields }, message });
  const make = (base: Record<string, unknown>): Logger => ({
    debug: at('debug', base),
    info: at('info', base),
    warn: at('warn', base),
    error: at('error', base),
    child: (fields) => make({ ...base, ...fields }),
  });
  return make({});
}

describe('Teams refusals over HTTP', () => {
  let h: TeamsHarness;
  const entries: Entry[] = [];
  beforeEach(async () => {
    entries.length = 0;
    h = await startTeamsHarness({ logger: recordingLogger(entries) });
    await h.connector.install('aad-rita');
    await h.connector.install('aad-carl', APPROVALS);
  });
  afterEach(() => h.stop());

  async function ritaAsksForProd(): Promise<string> {
    await h.connector.say('aad-rita', 'request prod AdministratorAccess 2h INC-1 restore the queue');
    await h.settle();
    const id = [...h.store.requests.keys()][0];
    if (!id) throw new Error('no request');
    return id;
  }

  test('an approve by a Teams user unknown to Identity Center is refused, told, and audited', async () => {
    const requestId = await ritaAsksForProd();
    const post = lastBotPost(h.connector, APPROVALS);
    const answer = await h.connector.invokeRaw('aad-stranger', post.id, {
      action: { type: 'Action.Execute', verb: Verbs.approve, data: { requestId } },
      trigger: 'manual',
    });
    expect(textOf(answerCard(answer))).toMatch(/Identity Center|not find|don.t know/i);
    expect(h.store.requests.get(requestId)).toMatchObject({ status: 'pending', approvals: [] });
    const audit = await h.store.listAudit({ kind: 'request', id: requestId as never });
    expect(audit.map((e) => [e.event, e.reason])).toContainEqual(['approve_refused', 'not known to Identity Center']);
  });

  test.each([
    ['an unknown verb', { verb: 'keyless.grant.everything', data: {} }],
    ['a tampered request id', { verb: Verbs.approve, data: { requestId: 'r-1 OR 1=1 secret-payload' } }],
    ['data that is not an object', { verb: Verbs.deny, data: 'secret-payload' }],
  ])('%s is answered "This button is not valid", logged without the payload, and changes nothing', async (_n, a) => {
    const requestId = await ritaAsksForProd();
    const post = lastBotPost(h.connector, APPROVALS);
    const answer = await h.connector.invokeRaw('aad-carl', post.id, {
      action: { type: 'Action.Execute', ...a },
      trigger: 'manual',
    });
    expect(answer).toEqual({
      status: 200,
      body: {
        statusCode: 400,
        type: ERROR_CONTENT_TYPE,
        value: { code: 'BadRequest', message: INVALID_CARD_ACTION_TEXT },
      },
    });
    expect(INVALID_CARD_ACTION_TEXT).toMatch(/^This button is not valid/);
    expect(h.store.requests.get(requestId)).toMatchObject({ status: 'pending', approvals: [] });
    expect(entries.some((e) => e.fields.code === 'INVALID_BUTTON')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('secret-payload');
    expect(JSON.stringify(entries)).not.toContain('keyless.grant.everything');
  });
});
