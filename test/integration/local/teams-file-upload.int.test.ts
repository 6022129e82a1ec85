/**
 * The loopback Teams holds a bot to the Teams bot APIs' file flow as Microsoft documents it: a
 * FileConsentCard only in a personal chat, with a name, a size and both contexts; the upload URL of
 * an accepted file (OneDrive's upload session) takes PUT with Content-Length and `Content-Range:
 * bytes first-last/total` of the announced size, ranges in order (one already received: 416), every
 * range but the last a multiple of 320 KiB, and no Authorization header (401).
 */
import { TeamsConnector, type BotAnswer } from '../../../adapters/local/teams-connector';
import { UploadError, uploadBytes, UPLOAD_FRAGMENT_UNIT } from '../../../adapters/teams/file-consent';

const CONSENT = 'application/vnd.microsoft.teams.card.file.consent';

describe('the loopback Teams: files in a 1:1 chat', () => {
  let connector: TeamsConnector;
  let invokes: Record<string, unknown>[];
  let botServer: import('node:http').Server;

  beforeEach(async () => {
    invokes = [];
    const { createServer } = await import('node:http');
    // A bot that records what Teams sends it and answers 200.
    botServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        invokes.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => botServer.listen(0, '127.0.0.1', r));
    const port = (botServer.address() as import('node:net').AddressInfo).port;
    connector = new TeamsConnector({ botUrl: `http://127.0.0.1:${port}/api/messages` });
    await connector.start();
    connector.world.addUser({ aadObjectId: 'aad-olga', name: 'Olga', email: 'olga@example.com' });
    connector.world.addUser({ aadObjectId: 'aad-rita', name: 'Rita', email: 'rita@example.com' });
    connector.world.personalChat('aad-olga').botInstalled = true;
    connector.world.addConversation({
      id: '19:group@thread.v2',
      conversationType: 'groupChat',
      members: ['aad-olga', 'aad-rita'],
      botInstalled: true,
    });
  });
  afterEach(async () => {
    await connector.stop();
    await new Promise<void>((r) => botServer.close(() => r()));
  });

  const post = async (conversationId: string, attachment: unknown) => {
    const response = await fetch(`${connector.url}/v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', attachments: [attachment] }),
    });
    return { status: response.status, body: (await response.json()) as { id?: string; error?: { message: string } } };
  };
  const consent = (size: number) => ({
    contentType: CONSENT,
    name: 'export.csv',
    content: { description: 'x', sizeInBytes: size, acceptContext: { n: 1 }, declineContext: { n: 1 } },
  });
  /** Olga allows the card: the upload URL the bot would get. */
  async function acceptedUploadUrl(size: number): Promise<string> {
    const posted = await post('a:1on1-aad-olga', consent(size));
    expect(posted.status).toBe(201);
    const answer: BotAnswer = await connector.answerFileConsent('aad-olga', posted.body.id!, 'accept');
    expect(answer.status).toBe(200);
    const invoke = invokes.at(-1) as {
      name: string;
      value: { action: string; context: unknown; uploadInfo: { uploadUrl: string } };
    };
    expect(invoke.name).toBe('fileConsent/invoke');
    expect(invoke.value).toMatchObject({ action: 'accept', context: { n: 1 } });
    return invoke.value.uploadInfo.uploadUrl;
  }
  const put = (url: string, body: Buffer, headers: Record<string, string>) =>
    fetch(url, { method: 'PUT', headers, body }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));

  it('refuses a consent card outside a personal chat, or without its size', async () => {
    const inGroup = await post('19:group@thread.v2', consent(10));
    expect(inGroup.status).toBe(400);
    expect(inGroup.body.error?.message).toContain('personal chats only');
    const sizeless = await post('a:1on1-aad-olga', {
      ...consent(10),
      content: { acceptContext: {}, declineContext: {} },
    });
    expect(sizeless.status).toBe(400);
    expect(sizeless.body.error?.message).toContain('sizeInBytes');
  });

  it('lets only the person of the 1:1 chat answer its card, and sends the decline context on Decline', async () => {
    const posted = await post('a:1on1-aad-olga', consent(10));
    await expect(connector.answerFileConsent('aad-rita', posted.body.id!, 'accept')).rejects.toThrow('cannot answer');
    await connector.answerFileConsent('aad-olga', posted.body.id!, 'decline');
    expect((invokes.at(-1) as { value: unknown }).value).toEqual({
      type: 'fileUpload',
      action: 'decline',
      context: { n: 1 },
    });
    expect(connector.world.uploads.size).toBe(0);
  });

  it('takes the whole file in one range with the right headers, and serves it at its content URL', async () => {
    const bytes = Buffer.from('a,b\r\n1,2\r\n');
    const url = await acceptedUploadUrl(bytes.length);
    const item = await uploadBytes(url, bytes, { contentType: 'text/csv' });
    expect(item).toMatchObject({ name: 'export.csv', size: bytes.length });
    const [file] = connector.world.files;
    expect(file!.bytes.equals(bytes)).toBe(true);
    expect(file!.owner).toBe('aad-olga');
    // Done: the session is gone.
    expect((await put(url, bytes, { 'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}` })).status).toBe(
      404,
    );
  });

  it('takes a larger file in ordered 320 KiB ranges (202 until the last), as keyless sends it', async () => {
    const bytes = Buffer.alloc(2 * UPLOAD_FRAGMENT_UNIT + 1234, 7);
    const url = await acceptedUploadUrl(bytes.length);
    await uploadBytes(url, bytes, { contentType: 'text/csv', fragmentBytes: UPLOAD_FRAGMENT_UNIT });
    expect(connector.world.files[0]!.bytes.equals(bytes)).toBe(true);
    const statuses = connector.world.calls.filter((c) => c.path === '/_upload').map((c) => c.status);
    expect(statuses).toEqual([202, 202, 201]);
  });

  it('refuses a PUT without Content-Range, with a wrong size or length, out of order, twice, or with a token', async () => {
    const bytes = Buffer.alloc(UPLOAD_FRAGMENT_UNIT + 10, 1);
    const url = await acceptedUploadUrl(bytes.length);
    const total = bytes.length;
    const first = bytes.subarray(0, UPLOAD_FRAGMENT_UNIT);
    expect((await put(url, first, {})).status).toBe(400);
    expect((await put(url, first, { 'content-range': `0-${UPLOAD_FRAGMENT_UNIT - 1}/${total}` })).status).toBe(400);
    expect(
      (await put(url, first, { 'content-range': `bytes 0-${UPLOAD_FRAGMENT_UNIT - 1}/${total + 1}` })).body,
    ).toMatchObject({
      error: { code: 'invalidRequest', message: expect.stringContaining('announced') },
    });
    expect((await put(url, first, { 'content-range': `bytes 0-${UPLOAD_FRAGMENT_UNIT}/${total}` })).status).toBe(400);
    expect(
      (
        await put(url, bytes.subarray(UPLOAD_FRAGMENT_UNIT), {
          'content-range': `bytes ${UPLOAD_FRAGMENT_UNIT}-${total - 1}/${total}`,
        })
      ).status,
    ).toBe(400);
    expect((await put(url, bytes.subarray(0, 1000), { 'content-range': `bytes 0-999/${total}` })).body).toMatchObject({
      error: { message: expect.stringContaining('320 KiB') },
    });
    expect(
      (
        await put(url, first, {
          'content-range': `bytes 0-${UPLOAD_FRAGMENT_UNIT - 1}/${total}`,
          authorization: 'Bearer x',
        })
      ).status,
    ).toBe(401);
    expect((await put(url, first, { 'content-range': `bytes 0-${UPLOAD_FRAGMENT_UNIT - 1}/${total}` })).status).toBe(
      202,
    );
    expect((await put(url, first, { 'content-range': `bytes 0-${UPLOAD_FRAGMENT_UNIT - 1}/${total}` })).status).toBe(
      416,
    );
    expect(connector.world.files).toHaveLength(0);
    // The rest, in order: done.
    const rest = bytes.subarray(UPLOAD_FRAGMENT_UNIT);
    expect(
      (await put(url, rest, { 'content-range': `bytes ${UPLOAD_FRAGMENT_UNIT}-${total - 1}/${total}` })).status,
    ).toBe(201);
    expect(connector.world.files[0]!.bytes.equals(bytes)).toBe(true);
  });

  it('makes uploadBytes fail with the status when the upload URL refuses', async () => {
    const url = await acceptedUploadUrl(5);
    const error = await uploadBytes(url, Buffer.from('123456'), { contentType: 'text/csv' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).status).toBe(400);
  });
});
