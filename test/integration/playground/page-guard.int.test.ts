import { request } from 'node:http';
import { startPlaygroundPage, type RunningPlaygroundPage } from '../../../adapters/local/playground/page-server';

/** The page's own API, reached by someone else: foreign Host (DNS rebinding), foreign Origin, text/plain. */
describe('the playground page API answers its own page only', () => {
  let page: RunningPlaygroundPage;
  let port: number;
  const calls: string[] = [];

  beforeAll(async () => {
    // The loopback services are never reached by a refused request: point them nowhere.
    const nowhere = 'http://127.0.0.1:9';
    page = await startPlaygroundPage({
      slackUrl: nowhere,
      teamsUrl: nowhere,
      awsUrl: nowhere,
      keylessUrl: nowhere,
      identityCenter: { instanceArn: 'arn:aws:sso:::instance/ssoins-1', identityStoreId: 'd-1' },
      channels: { slack: { approvals: 'C1', security: 'C2' }, teams: { approvals: 't1', security: 't2' } },
      sources: {
        alerts: () => {
          calls.push('alerts');
          return [];
        },
      },
    });
    port = Number(new URL(page.url).port);
  });
  afterAll(() => page.stop());

  function send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const own = () => ({ host: `127.0.0.1:${port}` });
  const slackSay = JSON.stringify({ as: 'rita', channel: 'C1', text: '/aws-access request prod' });

  test('the page itself is served on its own Host', async () => {
    const answer = await send('GET', '/api/config', own());
    expect(answer.status).toBe(200);
    expect(await send('GET', '/api/config', { host: `localhost:${port}` })).toMatchObject({ status: 200 });
  });

  test.each([
    ['a rebinding name', 'evil.example.com'],
    ['the right name on another port', `127.0.0.1:${1}`],
    ['0.0.0.0', `0.0.0.0:PORT`],
  ])('a foreign Host (%s) is refused with 403 and a JSON error, reads included', async (_name, host) => {
    const h = host.replace('PORT', String(port));
    for (const [method, path, body] of [
      ['GET', '/api/state?as=rita', undefined],
      ['POST', '/api/slack/command', slackSay],
    ] as const) {
      const answer = await send(method, path, { host: h, 'content-type': 'application/json' }, body);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ error: expect.stringMatching(/loopback/) });
    }
  });

  test('a foreign Origin is refused with 403', async () => {
    const answer = await send(
      'POST',
      '/api/slack/command',
      { ...own(), origin: 'https://evil.example.com', 'content-type': 'application/json' },
      slackSay,
    );
    expect(answer).toEqual({ status: 403, body: { error: expect.stringMatching(/cross-origin/) } });
  });

  test('a cross-site text/plain POST (what a form or a no-preflight fetch sends) is refused with 415', async () => {
    const answer = await send('POST', '/api/slack/command', { ...own(), 'content-type': 'text/plain' }, slackSay);
    expect(answer).toEqual({ status: 415, body: { error: expect.stringMatching(/application\/json/) } });
    const form = await send(
      'POST',
      '/api/slack/command',
      { ...own(), 'content-type': 'application/x-www-form-urlencoded' },
      'as=rita',
    );
    expect(form.status).toBe(415);
  });

  test('the same-origin Origin is accepted', async () => {
    const answer = await send('GET', '/api/config', { ...own(), origin: `http://127.0.0.1:${port}` });
    expect(answer.status).toBe(200);
  });

  test.each([
    ['not json', 'not json'],
    ['a JSON array', '[1]'],
  ])('%s as a write is a 400 with a JSON error, never a 500', async (_name, body) => {
    const answer = await send('POST', '/api/slack/command', { ...own(), 'content-type': 'application/json' }, body);
    expect(answer).toEqual({ status: 400, body: { error: expect.any(String) } });
  });

  test('{} as a write is a 4xx naming what is missing', async () => {
    const answer = await send('POST', '/api/slack/command', { ...own(), 'content-type': 'application/json' }, '{}');
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });
});
