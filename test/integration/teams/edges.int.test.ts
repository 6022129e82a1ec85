import { request } from 'node:http';
import { createLogger } from '../../../adapters/main/runtime';
import { BotFrameworkKeys } from '../../support/bot-framework-keys';
import { startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';

const APP_ID = '11111111-2222-3333-4444-555555555555';

/** Every line the logger writes, as written (pino: one JSON object a line). */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (chunk: string) => void lines.push(chunk) });
  return { logger, lines };
}

const consoles = ['error', 'warn', 'log', 'info', 'debug'] as const;

describe('Teams /api/messages edges', () => {
  const printed = jest.fn();
  const originals = consoles.map((level) => [level, console[level]] as const);
  let keys: BotFrameworkKeys;
  let h: TeamsHarness;
  let lines: string[];

  beforeAll(async () => {
    // Anything the SDK prints to the console counts as printed (before the adapter wraps the console).
    for (const level of consoles) console[level] = printed;
    keys = await new BotFrameworkKeys().start();
  });
  afterAll(async () => {
    for (const [level, fn] of originals) console[level] = fn;
    await keys.stop();
  });

  beforeEach(async () => {
    const captured = capturedLogger();
    lines = captured.lines;
    h = await startTeamsHarness({
      logger: captured.logger,
      config: { local: false, appId: APP_ID, appPassword: 'not-a-real-secret', openIdMetadataUrl: keys.metadataUrl },
    });
    printed.mockClear();
  });
  afterEach(() => h.stop());

  const activity = (type = 'message') => ({
    type,
    id: 'act-1',
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    conversation: { id: 'a:1on1-aad-rita', conversationType: 'personal' },
    from: { id: '29:aad-rita', aadObjectId: 'aad-rita', name: 'Rita' },
    recipient: { id: `28:${APP_ID}` },
    text: 'request prod AdministratorAccess 1h INC-1 fix',
  });

  async function post(body: string, headers: Record<string, string> = {}) {
    const res = await fetch(h.botUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  /** The request was answered with a small JSON body and exactly one single-line JSON log entry. */
  function expectOneJsonLine(token?: string): Record<string, unknown> {
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.trimEnd()).not.toContain('\n');
    if (token) {
      expect(line).not.toContain(token);
      for (const part of token.split('.')) if (part.length > 8) expect(line).not.toContain(part);
    }
    expect(line).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack frame
    expect(printed).not.toHaveBeenCalled();
    return JSON.parse(line) as Record<string, unknown>;
  }

  test('a token signed with the published key passes (so the refusals below are about the token alone)', async () => {
    const token = keys.signed(keys.claims(APP_ID, h.connector.url));
    const answer = await post(JSON.stringify(activity('typing')), { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
  });

  const forgeries: [string, (k: BotFrameworkKeys, url: string) => string, string][] = [
    ['the known key id with a bad signature', (k, url) => k.badSignature(k.claims(APP_ID, url)), 'bad_signature'],
    ['alg none', (k, url) => k.algNone(k.claims(APP_ID, url)), 'bad_algorithm'],
    ['HS256 keyed with the public key', (k, url) => k.hs256(k.claims(APP_ID, url)), 'bad_algorithm'],
    ['a key id nobody published', (k, url) => k.unknownKid(k.claims(APP_ID, url)), 'unknown_key'],
    [
      'an expired token',
      (k, url) => k.signed({ ...k.claims(APP_ID, url), nbf: 1_600_000_000, exp: 1_600_003_600 }),
      'expired',
    ],
    ['another bot’s audience', (k, url) => k.signed(k.claims('some-other-bot', url)), 'wrong_audience'],
    [
      'another issuer',
      (k, url) => k.signed({ ...k.claims(APP_ID, url), iss: 'https://evil.example.com' }),
      'wrong_issuer',
    ],
    ['a token that is not a JWT', () => 'not.a.jwt', 'malformed_token'],
  ];

  test.each(forgeries)('%s is refused with 401, a JSON body and one JSON log line', async (_name, forge, reason) => {
    const token = forge(keys, h.connector.url);
    const answer = await post(JSON.stringify(activity()), { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ error: 'Unauthorized' });
    const entry = expectOneJsonLine(token);
    expect(entry).toMatchObject({ level: 'warn', code: 'UNAUTHENTICATED', platform: 'teams' });
    expect(entry.reason).toBe(reason);
    expect(h.store.requests.size).toBe(0);
    expect(h.connector.world.calls).toEqual([]);
  });

  test('no Authorization header: 401 before the body is even read, logged as a missing token', async () => {
    // A body far over the limit: were it read, the answer would be 413.
    const answer = await post('x'.repeat(512 * 1024));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ error: 'Authorization required' });
    expect(expectOneJsonLine()).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing_token' });
  });

  test.each([
    ['{}', '{}'],
    ['not json', 'not json'],
    ['a JSON array', '[1,2]'],
    ['an activity without a conversation id', JSON.stringify({ type: 'message', conversation: {} })],
  ])('%s with a good token is a 400 with a JSON error', async (_name, body) => {
    const token = keys.signed(keys.claims(APP_ID, h.connector.url));
    const answer = await post(body, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ error: expect.any(String) });
    expect(printed).not.toHaveBeenCalled();
  });

  test('a body over the limit is a 413', async () => {
    const token = keys.signed(keys.claims(APP_ID, h.connector.url));
    const answer = await post(JSON.stringify({ ...activity(), text: 'x'.repeat(300 * 1024) }), {
      authorization: `Bearer ${token}`,
    });
    expect(answer.status).toBe(413);
  });
});

describe('Teams /api/messages in local mode', () => {
  let h: TeamsHarness;
  beforeEach(async () => {
    h = await startTeamsHarness();
  });
  afterEach(() => h.stop());

  test('a chunked body (no Content-Length) over the limit is answered 413, not reset', async () => {
    const url = new URL(h.botUrl);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"type":"message","text":"');
      for (let i = 0; i < 40; i++) req.write('x'.repeat(8 * 1024));
      req.end('"}');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/larger than/) });
  });

  test.each([['{}'], ['not json']])('%s is a 400, never a 500', async (body) => {
    const res = await fetch(h.botUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });
});
