import { signatureFor } from '../../../adapters/slack/verify-signature';
import { SIGNING_SECRET, startSlackStack, type SlackStack } from '../../support/slack-harness';

/** Bodies at the edge of what /slack/events accepts, signed as Slack signs them. */
describe('Slack /slack/events edges', () => {
  let stack: SlackStack;
  beforeAll(async () => {
    stack = await startSlackStack();
  });
  afterAll(() => stack.stop());

  async function post(body: string, contentType: string, signed = true) {
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(stack.botUrl, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        ...(signed
          ? { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signatureFor(SIGNING_SECRET, ts, body) }
          : {}),
      },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  const FORM = 'application/x-www-form-urlencoded';
  const MiB = 1024 * 1024;

  test('a body of 1 MiB + 1 byte is answered 413 (not a connection reset)', async () => {
    const body = `command=%2Faws-access&text=${'x'.repeat(MiB + 1 - 'command=%2Faws-access&text='.length)}`;
    expect(Buffer.byteLength(body)).toBe(MiB + 1);
    const answer = await post(body, FORM);
    expect(answer).toEqual({ status: 413, text: 'body_too_large' });
    expect((stack.slack.receiver as { rejected: Map<string, number> }).rejected.get('body_too_large')).toBe(1);
  });

  test('a body of exactly 1 MiB is read (and refused for its content, not its size)', async () => {
    const body = `{"a":"${'x'.repeat(MiB - 8)}"}`;
    expect(Buffer.byteLength(body)).toBe(MiB);
    const answer = await post(body, 'application/json');
    expect(answer.status).toBe(400);
  });

  test.each([
    ['{} as JSON', '{}', 'application/json', 'unrecognised_payload'],
    ['not json', 'not json', 'application/json', 'unparseable_body'],
    ['a JSON array', '[1]', 'application/json', 'unparseable_body'],
    ['a form whose payload is not JSON', 'payload=not-json', FORM, 'unparseable_body'],
    ['a form whose payload is a JSON string', 'payload=%22str%22', FORM, 'unparseable_body'],
    ['an empty form', '', FORM, 'unrecognised_payload'],
  ])('%s, correctly signed, is a 400', async (_name, body, type, reason) => {
    expect(await post(body, type)).toEqual({ status: 400, text: reason });
  });

  test.each([['{}'], ['not json']])('%s unsigned is a 401', async (body) => {
    expect((await post(body, 'application/json', false)).status).toBe(401);
  });

  test('nothing above reached the engine', async () => {
    await stack.settle();
    expect(stack.recorded.events).toHaveLength(0);
  });
});
