import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IngestOutcome } from '../../../src';
import { DEFAULT_SECRET_HEADER, eventBridgeHandler, secretsMatch } from '../../../adapters/alerts/root-activity';

const SECRET = 'a-shared-secret-of-some-length';

describe('the EventBridge API destination endpoint', () => {
  let server: Server;
  let url: string;
  let next: () => Promise<IngestOutcome>;
  const bodies: string[] = [];

  beforeAll(async () => {
    const handler = eventBridgeHandler(
      async (body) => {
        bodies.push(body);
        return next();
      },
      { secret: SECRET },
    );
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts/eventbridge`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    bodies.length = 0;
    next = async () => ({ outcome: 'recorded', eventId: 'e', results: [] });
  });

  const post = (headers: Record<string, string>, body = '{"x":1}') =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('accepts an event that carries the shared secret', async () => {
    const res = await post({ [DEFAULT_SECRET_HEADER]: SECRET });
    expect(res.status).toBe(200);
    expect(bodies).toEqual(['{"x":1}']);
  });

  it.each([
    ['no secret', {}],
    ['a wrong secret', { [DEFAULT_SECRET_HEADER]: 'a-shared-secret-of-some-lengtH' }],
    ['a prefix of the secret', { [DEFAULT_SECRET_HEADER]: SECRET.slice(0, 10) }],
  ])('refuses a delivery with %s, without handling it', async (_name, headers) => {
    const res = await post(headers);
    expect(res.status).toBe(401);
    expect(bodies).toEqual([]);
  });

  it('answers 400 to a malformed event, which retrying cannot fix', async () => {
    next = async () => ({ outcome: 'malformed', problems: ['detail-type: Invalid input'] });
    expect((await post({ [DEFAULT_SECRET_HEADER]: SECRET })).status).toBe(400);
  });

  it('answers 503 when handling failed, so that EventBridge retries', async () => {
    next = async () => {
      throw new Error('table unavailable');
    };
    expect((await post({ [DEFAULT_SECRET_HEADER]: SECRET })).status).toBe(503);
  });

  it('compares secrets in constant time whatever their lengths, and never accepts an empty expected secret', () => {
    expect(secretsMatch(SECRET, SECRET)).toBe(true);
    expect(secretsMatch(SECRET.slice(0, -1), SECRET)).toBe(false);
    expect(secretsMatch('', '')).toBe(false);
  });

  it('refuses to start with a short secret', () => {
    expect(() => eventBridgeHandler(async () => next(), { secret: 'short' })).toThrow(/16 characters/);
  });
});
