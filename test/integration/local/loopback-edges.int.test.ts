import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../adapters/local/slack-workspace';
import { startTeamsConnector, type TeamsConnector } from '../../../adapters/local/teams-connector';

/**
 * The loopback services answer malformed requests as the real services do (their error shape, a
 * client error), never with a 500.
 */
async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

describe('the loopback Slack workspace', () => {
  let ws: RunningSlackWorkspace;
  beforeAll(async () => {
    ws = await startSlackWorkspace({ signingSecret: 's', botToken: 'xoxb-edge' });
  });
  afterAll(() => ws.stop());
  const auth = { authorization: 'Bearer xoxb-edge', 'content-type': 'application/json; charset=utf-8' };

  test('a Web API call with a body that is not JSON gets Slack’s own answer: ok false, invalid_json', async () => {
    const answer = await post(`${ws.apiUrl}chat.postMessage`, 'not json', auth);
    // Slack reports Web API errors in the body with HTTP 200 (only rate limits use a status).
    expect(answer).toEqual({ status: 200, body: { ok: false, error: 'invalid_json' } });
    expect(ws.state.calls.at(-1)).toMatchObject({ method: 'chat.postMessage', ok: false, error: 'invalid_json' });
  });

  test('{} to a Web API method is refused by that method, not by a crash', async () => {
    const answer = await post(`${ws.apiUrl}chat.postMessage`, '{}', auth);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: false, error: expect.any(String) });
  });

  test.each([['not json'], ['[1]']])('%s to a response_url is a 400 invalid_payload', async (body) => {
    expect(await post(`${ws.url}/response/anything`, body)).toEqual({
      status: 400,
      body: { ok: false, error: 'invalid_payload' },
    });
  });

  test.each([['not json'], ['[1]']])('%s to the admin API is a 400 invalid_json', async (body) => {
    expect(await post(`${ws.url}/admin/act/command`, body)).toEqual({
      status: 400,
      body: { ok: false, error: 'invalid_json' },
    });
  });

  test('{} to an admin action is a 4xx', async () => {
    const answer = await post(`${ws.url}/admin/act/command`, '{}');
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });
});

describe('the loopback Teams connector', () => {
  let connector: TeamsConnector;
  beforeAll(async () => {
    connector = await startTeamsConnector();
    connector.world.addUser({ aadObjectId: 'aad-rita', name: 'Rita', email: 'rita@example.com' });
    connector.world.addConversation({
      id: 'c1',
      conversationType: 'personal',
      members: ['aad-rita'],
      botInstalled: true,
    });
  });
  afterAll(() => connector.stop());
  const json = { 'content-type': 'application/json' };

  test.each([
    ['not json', 'not json', 'BadSyntax'],
    ['a JSON array', '[1]', 'BadSyntax'],
    ['{}', '{}', 'BadArgument'],
  ])('%s as an activity is a 400 in the Bot Connector’s ErrorResponse shape', async (_name, body, code) => {
    const answer = await post(`${connector.url}/v3/conversations/c1/activities`, body, json);
    expect(answer).toEqual({ status: 400, body: { error: { code, message: expect.any(String) } } });
    expect(connector.world.conversations.get('c1')).toBeDefined();
  });

  test.each([['not json'], ['{}']])('%s to create a conversation is a 400', async (body) => {
    const answer = await post(`${connector.url}/v3/conversations`, body, json);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  test('not json to the admin API is a 400', async () => {
    expect((await post(`${connector.url}/_admin/message`, 'not json', json)).status).toBe(400);
  });
});

describe('the local AWS emulator', () => {
  let aws: RunningAwsEmulator;
  beforeAll(async () => {
    aws = await startAwsEmulator({ seed: loadDemoSeed() });
  });
  afterAll(() => aws.stop());
  const target = (op: string) => ({
    'x-amz-target': `SWBExternalService.${op}`,
    'content-type': 'application/x-amz-json-1.1',
  });

  test.each([['not json'], ['[1]'], ['"a string"']])(
    '%s to a JSON-protocol operation is a 400 SerializationException',
    async (body) => {
      const answer = await post(aws.url, body, target('ListPermissionSets'));
      expect(answer).toEqual({
        status: 400,
        body: { __type: 'SerializationException', message: expect.any(String) },
      });
    },
  );

  test('{} to an operation with required parameters is a 400 naming the problem', async () => {
    const answer = await post(aws.url, '{}', target('CreateAccountAssignment'));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ __type: expect.stringMatching(/Exception$/) });
  });

  test.each([['not json'], ['[1]']])('%s to the admin API is a 400, never a 500', async (body) => {
    expect((await post(`${aws.url}/_emulator/faults`, body)).status).toBe(400);
  });
});
