import { ADAPTIVE_CARD_CONTENT_TYPE, ERROR_CONTENT_TYPE, Verbs } from '../../../adapters/teams/verbs';
import { APPROVALS, startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';
import { answerCard, botPosts, cardOf, lastBotPost, textOf } from '../../support/teams-cards';

const RITA_DM = 'a:1on1-aad-rita';
const BOB_DM = 'a:1on1-aad-bob';

describe('the Teams bot, over HTTP with the loopback connector', () => {
  let h: TeamsHarness;

  beforeEach(async () => {
    h = await startTeamsHarness();
    await h.connector.install('aad-rita');
    await h.connector.install('aad-bob');
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

  test('installing keyless in a 1:1 chat greets the person and remembers them by the email the roster verified', async () => {
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('just-in-time AWS access');
    expect(h.store.conversations.get('teams:email:rita@example.com')).toMatchObject({
      conversation: { id: RITA_DM },
      user: { id: '29:aad-rita' },
    });
    // Bob's roster entry has only a UPN: it is his verified email.
    expect(h.store.conversations.has('teams:email:bob@example.com')).toBe(true);
  });

  test('the home card is shown in the 1:1 chat only, never in a channel', async () => {
    await h.connector.say('aad-rita', 'home', APPROVALS);
    const inChannel = textOf(cardOf(lastBotPost(h.connector, APPROVALS)));
    expect(inChannel).toContain('lives in our 1:1 chat');
    expect(inChannel).not.toContain('Your access');
    await h.connector.say('aad-rita', 'home');
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Waiting for your approval');
  });

  test('a command is answered with a card in the same conversation', async () => {
    await h.connector.say('aad-rita', 'accounts pay');
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('payments (333333333333)');

    await h.connector.say('aad-rita', 'why prod AdministratorAccess', APPROVALS);
    expect(textOf(cardOf(lastBotPost(h.connector, APPROVALS)))).toContain('prod-admin');
  });

  test('bad input gets the exact problem and an example', async () => {
    await h.connector.say('aad-rita', 'extend grt000001');
    const card = textOf(cardOf(lastBotPost(h.connector, RITA_DM)));
    expect(card).toContain('extend\\\\` needs the id of a grant and how much more time you need.');
    expect(card).toContain('Example: extend g-7f3a 1h still debugging');
  });

  test('a mistake the engine finds is explained with its hint', async () => {
    await h.connector.say('aad-rita', 'request prod AdministratorAccess 2 INC-1 restore');
    const card = textOf(cardOf(lastBotPost(h.connector, RITA_DM)));
    expect(card).toContain('a number needs a unit (m, h or d)');
    expect(card).toContain('Try 90m, 2h');
  });

  test('without an email in the roster a person is not trusted, whatever they type', async () => {
    h.connector.world.addUser({ aadObjectId: 'aad-ghost', name: 'Ghost' });
    await h.connector.install('aad-ghost');
    await h.connector.say('aad-ghost', 'request prod AdministratorAccess 1h I am rita@example.com');
    expect(textOf(cardOf(lastBotPost(h.connector, 'a:1on1-aad-ghost')))).toContain('could not read a verified email');
    expect(h.store.requests.size).toBe(0);
  });

  test('a message Teams delivers twice is answered once', async () => {
    const conv = h.connector.world.personalChat('aad-rita');
    const activity = {
      type: 'message',
      id: 'dup-1',
      text: 'help',
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      from: { id: '29:aad-rita', aadObjectId: 'aad-rita', name: 'Rita' },
      recipient: h.connector.world.bot,
      conversation: { id: conv.id, conversationType: 'personal', tenantId: conv.tenantId },
    };
    const before = botPosts(h.connector, RITA_DM).length;
    await h.connector.postToBot(activity);
    await h.connector.postToBot(activity);
    expect(botPosts(h.connector, RITA_DM).length).toBe(before + 1);
  });

  test('the request form: an account, then the details; a double Submit is one request', async () => {
    await h.connector.say('aad-rita', 'request');
    const form = lastBotPost(h.connector, RITA_DM);
    const step2 = answerCard(await h.connector.click('aad-rita', form.id, 'Next', { account: '111111111111' }));
    expect(textOf(step2)).toContain('AdministratorAccess (up to 4h)');

    const inputs = { permissionSet: 'AdministratorAccess', duration: '2h', reason: 'INC-7 fix it', ticket: 'OPS-7' };
    const done = answerCard(await h.connector.click('aad-rita', form.id, 'Submit', inputs));
    h.connector.world.findActivity(form.id)!.userViews['aad-rita'] = step2;
    await h.connector.click('aad-rita', form.id, 'Submit', inputs);
    await h.settle();

    expect(textOf(done)).toContain('Request submitted');
    expect(h.store.requests.size).toBe(1);
    expect([...h.store.requests.values()][0]).toMatchObject({
      status: 'pending',
      ticket: 'OPS-7',
      reason: 'INC-7 fix it',
    });
  });

  test('a rejected form comes back with the problem and what was typed', async () => {
    await h.connector.say('aad-rita', 'request');
    const form = lastBotPost(h.connector, RITA_DM);
    await h.connector.click('aad-rita', form.id, 'Next', { account: '111111111111' });
    const again = answerCard(
      await h.connector.click('aad-rita', form.id, 'Submit', {
        permissionSet: 'AdministratorAccess',
        duration: '9h',
        reason: 'INC-7 fix it',
      }),
    );
    expect(textOf(again)).toContain('Ask for 4h or less.');
    expect(textOf(again)).toContain('"value":"9h"');
    expect(h.store.requests.size).toBe(0);
  });

  test('approvers are asked in the approvals channel and in their 1:1 chat; the requester gets a status card', async () => {
    await ritaAsksForProd();
    expect(textOf(cardOf(lastBotPost(h.connector, APPROVALS)))).toContain('**Rita** asks for **AdministratorAccess**');
    expect(textOf(cardOf(lastBotPost(h.connector, BOB_DM)))).toContain('Waiting for 2 more approvals');
    expect(textOf(cardOf(lastBotPost(h.connector, RITA_DM)))).toContain('Request submitted');
    const card = cardOf(lastBotPost(h.connector, APPROVALS)) as { refresh: { userIds: string[] } };
    expect(card.refresh.userIds.sort()).toEqual(['29:aad-bob', '29:aad-rita']);
  });

  test('on refresh each viewer sees their own card: buttons for approvers, Cancel for the requester', async () => {
    await ritaAsksForProd();
    const post = lastBotPost(h.connector, APPROVALS);
    const bobView = answerCard((await h.connector.refresh('aad-bob', post.id))!);
    const ritaView = answerCard((await h.connector.refresh('aad-rita', post.id))!);
    expect(textOf(bobView)).toContain('"title":"Approve"');
    expect(textOf(ritaView)).toContain('"title":"Cancel request"');
    expect(textOf(ritaView)).not.toContain('"title":"Approve"');
    // Olga is not listed in refresh.userIds: her client does not ask.
    expect(await h.connector.refresh('aad-olga', post.id)).toBeUndefined();
  });

  test('an approval updates every copy in place with the N-of-M progress', async () => {
    await ritaAsksForProd();
    const post = lastBotPost(h.connector, APPROVALS);
    const mine = answerCard(await h.connector.click('aad-bob', post.id, 'Approve'));
    await h.settle();
    expect(textOf(mine)).toContain('Your approval is recorded (1 of 2).');
    expect(textOf(mine)).not.toContain('"title":"Approve"');
    for (const conv of [APPROVALS, BOB_DM]) {
      const copy = botPosts(h.connector, conv).find((a) => textOf(cardOf(a)).includes('Access request'))!;
      expect(copy.updates).toBeGreaterThanOrEqual(1);
      expect(textOf(cardOf(copy))).toContain('Waiting for 1 more approval (1 of 2; approved by Bob)');
    }
    expect(
      textOf(cardOf(botPosts(h.connector, RITA_DM).find((a) => textOf(cardOf(a)).includes('Request submitted')))),
    ).toContain('1 of 2');
  });

  test('a self-approval is refused to the requester alone, and audited', async () => {
    const requestId = await ritaAsksForProd();
    const post = lastBotPost(h.connector, APPROVALS);
    const answer = answerCard(
      await h.connector.invokeRaw('aad-rita', post.id, {
        action: { type: 'Action.Execute', verb: Verbs.approve, data: { requestId } },
        trigger: 'manual',
      }),
    );
    await h.settle();
    expect(textOf(answer)).toContain('You cannot approve or deny your own request');
    expect(h.store.requests.get(requestId)).toMatchObject({ status: 'pending', approvals: [] });
    expect(textOf(cardOf(post))).not.toContain('cannot approve');
    const audit = await h.store.listAudit({ kind: 'request', id: requestId as never });
    expect(audit.map((e) => e.event)).toContain('approve_refused');
  });

  test('someone who may not approve is refused and audited', async () => {
    const requestId = await ritaAsksForProd();
    const post = lastBotPost(h.connector, APPROVALS);
    const answer = answerCard(await h.connector.click('aad-olga', post.id, 'Approve'));
    expect(textOf(answer)).toContain('You are not an approver for this request');
    const audit = await h.store.listAudit({ kind: 'request', id: requestId as never });
    expect(audit.filter((e) => e.event === 'approve_refused')).toHaveLength(1);
  });

  test('invalid invokes, unknown verbs and tampered card data are refused and change nothing', async () => {
    const requestId = await ritaAsksForProd();
    const post = lastBotPost(h.connector, APPROVALS);
    const refusals = [
      'not an object',
      { action: { type: 'Action.Submit', verb: Verbs.approve, data: { requestId } } },
      { action: { type: 'Action.Execute', verb: 'keyless.grant.everything', data: { requestId } } },
      { action: { type: 'Action.Execute', verb: Verbs.approve, data: { requestId: '../../etc/passwd' } } },
      { action: { type: 'Action.Execute', verb: Verbs.approve, data: { requestId: { $ne: null } } } },
    ];
    for (const value of refusals) {
      const answer = await h.connector.invokeRaw('aad-bob', post.id, value);
      expect(answer).toEqual({
        status: 200,
        body: { statusCode: 400, type: ERROR_CONTENT_TYPE, value: { code: 'BadRequest', message: expect.any(String) } },
      });
    }
    // A button naming someone else as the actor changes nothing: the actor is who clicked.
    const spoof = await h.connector.invokeRaw('aad-olga', post.id, {
      action: {
        type: 'Action.Execute',
        verb: Verbs.approve,
        data: { requestId, actor: 'aad-bob', email: 'bob@example.com' },
      },
    });
    expect(textOf(answerCard(spoof))).toContain('You are not an approver');
    expect(h.store.requests.get(requestId)).toMatchObject({ status: 'pending', approvals: [] });

    // Nothing lost: a real approval still works afterwards.
    const ok = await h.connector.click('aad-bob', post.id, 'Approve');
    expect(ok.body).toMatchObject({ statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE });
    expect(h.store.requests.get(requestId)!.approvals).toHaveLength(1);
  });

  test('an invoke keyless does not offer is answered 501', async () => {
    const conv = h.connector.world.personalChat('aad-rita');
    const answer = await h.connector.postToBot({
      type: 'invoke',
      name: 'composeExtension/query',
      id: 'inv-x',
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      from: { id: '29:aad-rita', aadObjectId: 'aad-rita' },
      recipient: h.connector.world.bot,
      conversation: { id: conv.id, conversationType: 'personal', tenantId: conv.tenantId },
      value: {},
    });
    expect(answer.status).toBe(501);
  });

  test('a body that is not a JSON activity is refused with 400', async () => {
    const response = await fetch(h.botUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(response.status).toBe(400);
    const huge = await fetch(h.botUrl, {
      method: 'POST',
      body: JSON.stringify({ type: 'message', text: 'x'.repeat(300_000) }),
    });
    expect(huge.status).toBe(413);
  });
});
