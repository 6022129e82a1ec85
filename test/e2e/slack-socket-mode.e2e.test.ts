/**
 * keyless through Slack Socket Mode: the adapter opens a real WebSocket to the loopback workspace
 * (apps.connections.open with the app-level token, then `hello`), and every command, click and
 * event arrives as an envelope that the bot acks on the socket. The engine runs on fakes; what is
 * under test is the transport: acks, answers in the ack, dedupe of retried envelopes, reconnects
 * and a clean stop.
 */
import type { Logger, RequestId } from '../../src';
import type { SlackMessageRecord, SocketModeServer } from '../../adapters/local/slack-workspace';
import { slackSignature } from '../../adapters/local/slack-workspace';
import type { KeylessSocketReceiver } from '../../adapters/slack/socket-receiver';
import {
  APP_TOKEN,
  APPROVALS,
  BOT_TOKEN,
  SIGNING_SECRET,
  startSlackStack,
  type SlackStack,
} from '../support/slack-harness';

const ANN = 'U0ANN'; // requester, and an SRE lead: her own request must not count her
const BOB = 'U0BOB';
const CARL = 'U0CARL';
const OLGA = 'U0OLGA'; // not an approver

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;
const hasButton = (m: SlackMessageRecord, actionId: string) => render(m).includes(`"action_id":"${actionId}"`);

/** Polls until `check` holds (the other side of a socket acts on its own time). */
async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Keeps every line, debug included, as it would be written. */
function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    debug: (fields, message) => lines.push(JSON.stringify({ ...fields, message })),
    info: (fields, message) => lines.push(JSON.stringify({ ...fields, message })),
    warn: (fields, message) => lines.push(JSON.stringify({ ...fields, message })),
    error: (fields, message) => lines.push(JSON.stringify({ ...fields, message })),
    child: () => logger,
  };
  return logger;
}

describe('keyless over Slack Socket Mode, on a real WebSocket', () => {
  let stack: SlackStack;
  let requestId: RequestId;
  const logLines: string[] = [];

  beforeAll(async () => {
    stack = await startSlackStack({ socketMode: true, logger: recordingLogger(logLines) });
  });
  afterAll(() => stack?.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const socket = (): SocketModeServer => stack.workspace.socketMode!;
  /** The bot's apps.connections.open calls (the test makes some of its own, marked). */
  const opens = () => ws().calls.filter((c) => c.method === 'apps.connections.open' && !c.args.test);
  const approvalPost = () =>
    ws()
      .channelMessages(APPROVALS)
      .find((m) => render(m).includes(requestId))!;
  const refusals = async (actor: string) =>
    (await stack.store.listAudit({ kind: 'request', id: requestId })).filter(
      (e) => e.event === 'approve_refused' && e.actor.id === `slack:${actor}`,
    );

  it('connects with the app-level token: apps.connections.open, then hello on the WebSocket', async () => {
    expect(stack.slack.mode).toBe('socket');
    expect(opens()).toEqual([expect.objectContaining({ ok: true, tokenType: 'app' })]);
    // The bot's own Web API calls still go with the bot token.
    expect(ws().calls.find((c) => c.method === 'auth.test')).toMatchObject({ ok: true, tokenType: 'bot' });
    const [connection] = socket().openConnections;
    expect(socket().openConnections).toHaveLength(1);
    expect(connection?.helloAt).toBeDefined();
    // start() resolved on the bot's side only once it had read hello.
    expect((stack.slack.receiver as KeylessSocketReceiver).connections).toBe(1);
  });

  it('answers apps.connections.open only for an app-level token, as Slack does', async () => {
    const open = async (token: string, method = 'apps.connections.open') =>
      (await (
        await fetch(`${stack.workspace.apiUrl}${method}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ test: true }),
        })
      ).json()) as { ok: boolean; error?: string; url?: string };
    expect(await open(BOT_TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await open('xapp-someone-else')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await open(APP_TOKEN, 'chat.postMessage')).toEqual({ ok: false, error: 'not_allowed_token_type' });
    const granted = await open(APP_TOKEN);
    expect(granted.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\/[0-9a-f]+$/);
  });

  it('answers /aws-access help in the ack, privately', async () => {
    const answer = await client().command(ANN, 'help');
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    expect(render(ws().ephemeralsOf(ANN).at(-1))).toContain('/aws-access request');
    expect(ws().ephemeralsOf(ANN).at(-1)?.via).toBe('ack');
    expect(socket().envelopes.at(-1)).toMatchObject({ type: 'slash_commands', ack: answer.body });
  });

  it('files a request made with the one-line command and posts the approval message', async () => {
    await client().command(ANN, 'request prod AdministratorAccess 2h INC-7 socket mode works');
    await stack.settle();
    const post = ws().channelMessages(APPROVALS)[0]!;
    requestId = /request `([^`]+)`/.exec(render(post))![1] as RequestId;
    expect(render(post)).toContain('0 of 2');
    expect(hasButton(post, 'approve_request')).toBe(true);
    expect(render(ws().ephemeralsOf(ANN).at(-1))).toContain('needs 2 approval(s)');
  });

  it('refuses the requester approving her own request, privately', async () => {
    await client().clickInMessage(ANN, APPROVALS, approvalPost().ts, 'approve_request');
    await stack.settle();
    expect(render(ws().ephemeralsOf(ANN).at(-1))).toContain('cannot approve or deny your own request');
    expect(render(approvalPost())).toContain('0 of 2');
    expect((await stack.engine.getRequest(requestId))?.approvals).toHaveLength(0);
  });

  it("counts an approver's click and updates the message in place", async () => {
    const ts = approvalPost().ts;
    await client().clickInMessage(BOB, APPROVALS, ts, 'approve_request');
    await stack.settle();
    expect((await stack.engine.getRequest(requestId))?.approvals).toHaveLength(1);
    const post = ws().message(APPROVALS, ts);
    expect(render(post)).toContain('1 of 2');
    expect(post.edited).toBeDefined();
    expect(ws().channelMessages(APPROVALS)).toHaveLength(1);
  });

  it('acks and ignores a retried envelope (retry_attempt 1, same trigger_id or event_id)', async () => {
    // A command answered in the ack: the retry gets an empty ack and shows nothing.
    const help = client().commandPayload(OLGA, 'help');
    const first = await client().deliver({ type: 'slash_commands', payload: help });
    const retry = await client().deliver(
      { type: 'slash_commands', payload: help },
      { retryAttempt: 1, retryReason: 'timeout' },
    );
    expect(first.body).toMatchObject({ response_type: 'ephemeral' });
    expect(retry.body).toEqual({});
    expect(socket().envelopes.at(-1)).toMatchObject({ type: 'slash_commands', retry_attempt: 1, ack: {} });

    // A click the engine refuses (and audits) each time it is really made: the retry is not counted.
    const click = client().clickPayload(OLGA, APPROVALS, approvalPost().ts, 'approve_request');
    await client().deliver({ type: 'interactive', payload: click });
    await client().deliver({ type: 'interactive', payload: click }, { retryAttempt: 1, retryReason: 'timeout' });
    await stack.settle();
    expect(await refusals(OLGA)).toHaveLength(1);
    expect(
      ws()
        .ephemeralsOf(OLGA)
        .filter((e) => render(e).includes('not an approver')),
    ).toHaveLength(1);

    // An event: Slack's retries of events are the usual case.
    const event = client().eventPayload({ type: 'app_home_opened', user: OLGA, tab: 'home', channel: 'D0OLGA' });
    await client().deliver({ type: 'events_api', payload: event });
    await client().deliver({ type: 'events_api', payload: event }, { retryAttempt: 1, retryReason: 'timeout' });
    await stack.settle();
    expect(ws().calls.filter((c) => c.method === 'views.publish' && c.args.user_id === OLGA)).toHaveLength(1);
    expect(
      socket()
        .envelopes.filter((e) => e.type === 'events_api')
        .map((e) => e.retry_attempt),
    ).toEqual([0, 1]);
  });

  it('answers 404 on its HTTP /slack/events: in Socket Mode nothing comes in over HTTP', async () => {
    const body = client().commandForm(OLGA, 'request prod AdministratorAccess 1h over http');
    const ts = Math.floor(Date.now() / 1000);
    const answer = await client().send({ body, timestamp: ts, signature: slackSignature(SIGNING_SECRET, ts, body) });
    expect(answer.status).toBe(404);
    expect(answer.body).toBe('slack runs in socket mode');
    await stack.settle();
    expect(stack.recorded.ofType('request_submitted')).toHaveLength(1);
  });

  it('reconnects after Slack refreshes the connection, and keeps working', async () => {
    const before = socket().connections.length;
    const old = socket().openConnections[0]!;
    await socket().disconnect('refresh_requested');
    expect(old).toMatchObject({ closedBy: 'workspace', closeCode: 1000 });

    // At once: Slack's refresh is no reason to wait.
    const fresh = await socket().waitForConnection({ since: before, timeoutMs: 3000 });
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.openedAt - old.closedAt!).toBeLessThan(1000);
    expect(opens()).toHaveLength(2);
    expect(opens()[1]).toMatchObject({ ok: true, tokenType: 'app' });
    await eventually(() => (stack.slack.receiver as KeylessSocketReceiver).connections === 2);

    // Carl's approval, the second one, arrives on the new connection and completes the request.
    await client().clickInMessage(CARL, APPROVALS, approvalPost().ts, 'approve_request');
    await stack.settle();
    expect((await stack.engine.getRequest(requestId))?.status).toBe('approved');
    expect(hasButton(approvalPost(), 'approve_request')).toBe(false);
    expect(socket().openConnections.map((c) => c.id)).toEqual([fresh.id]);
  });

  it('writes no token, no payload and no connection URL to its log, even at debug level', async () => {
    await client().command(BOB, 'help');
    // Bolt's client does log every message it receives, with the payload cut out.
    expect(logLines.some((l) => l.includes('Received a message on the WebSocket: [redacted]'))).toBe(true);
    for (const secret of [APP_TOKEN, BOT_TOKEN, 'deprecated-verification-token', '/socket-mode/', '/response/'])
      expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
  });

  it('closes the socket with a close handshake on stop(), and does not reconnect', async () => {
    const connection = socket().openConnections[0]!;
    const opened = opens().length;
    await stack.slack.stop();
    await eventually(() => connection.closedAt !== undefined);
    expect(connection).toMatchObject({ closedBy: 'app', closeCode: 1000 });
    // Reconnects are immediate: one that was going to happen would have by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(socket().openConnections).toHaveLength(0);
    expect(opens()).toHaveLength(opened);
    await expect(client().command(OLGA, 'help')).rejects.toThrow('no Socket Mode connection');
  });
});

describe('stopping Socket Mode in the middle of a reconnect', () => {
  let stack: SlackStack;
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);

  beforeEach(async () => {
    unhandled.length = 0;
    process.on('unhandledRejection', record);
    stack = await startSlackStack({ socketMode: true });
  });
  afterEach(async () => {
    await stack?.stop();
    process.off('unhandledRejection', record);
  });

  // Each moment is held open by a slow workspace, so that stop() surely falls inside it.
  const moments = {
    'while it fetches a new URL': {
      slow: (socket: SocketModeServer) => (socket.delays.connectionsOpenMs = 300),
      reached: () => stack.workspace.state.calls.filter((c) => c.method === 'apps.connections.open').length === 2,
    },
    'while it waits for hello on the new WebSocket': {
      slow: (socket: SocketModeServer) => (socket.delays.helloMs = 300),
      reached: () => stack.workspace.socketMode!.connections.length === 2,
    },
  };

  it.each(Object.keys(moments) as (keyof typeof moments)[])(
    'closes everything when stopped %s, and leaves no promise rejected unhandled',
    async (moment) => {
      const socket = stack.workspace.socketMode!;
      moments[moment].slow(socket);
      await socket.disconnect('refresh_requested');
      await eventually(moments[moment].reached);
      await stack.slack.stop();
      // A connection the reconnect would still open, or a rejection nobody handles, shows by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(socket.openConnections).toHaveLength(0);
      expect(socket.connections.every((c) => c.closedAt !== undefined)).toBe(true);
      expect(unhandled).toEqual([]);
    },
  );
});

describe('a Slack that closes every connection right after hello', () => {
  let stack: SlackStack;
  beforeAll(async () => {
    stack = await startSlackStack({ socketMode: true });
  });
  afterAll(() => stack?.stop());

  it('backs off instead of reconnecting as fast as it can, and connects again once Slack behaves', async () => {
    const socket = stack.workspace.socketMode!;
    const before = socket.connections.length;
    socket.closeAfterHello = true;
    await socket.disconnect('refresh_requested');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Immediately after the refresh, then 1 s and 2 s apart: three tries in 2.5 s, not hundreds.
    const tries = socket.connections.length - before;
    expect(tries).toBeGreaterThanOrEqual(2);
    expect(tries).toBeLessThanOrEqual(3);

    socket.closeAfterHello = false;
    await socket.waitForConnection({ since: socket.connections.length, timeoutMs: 10_000 });
    const answer = await stack.workspace.client.command(BOB, 'help');
    expect(answer.status).toBe(200);
  });
});
