/**
 * The loopback workspace's Socket Mode, seen from a bare WebSocket client (`ws`), without Bolt: what
 * it sends, what it expects back, and how it reports an envelope nobody acks.
 */
import WebSocket from 'ws';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../../adapters/local/slack-workspace';

const SECRET = 'loopback-signing-secret-0123456789';
const BOT = 'xoxb-loopback-token';
const APP = 'xapp-loopback-app-token';

type Message = { type?: string; envelope_id?: string; payload?: Record<string, unknown>; [key: string]: unknown };

async function call(workspace: RunningSlackWorkspace, method: string, token: string) {
  const res = await fetch(`${workspace.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as { ok: boolean; error?: string; url?: string };
}

/** A bare Socket Mode app: connects, keeps every message, and acks as told. */
class App {
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];
  constructor(
    readonly socket: WebSocket,
    private readonly answer: (m: Message) => Record<string, unknown> | 'no-ack' = () => ({}),
  ) {
    socket.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as Message;
      this.messages.push(m);
      if (m.envelope_id) {
        const payload = this.answer(m);
        if (payload !== 'no-ack') socket.send(JSON.stringify({ envelope_id: m.envelope_id, payload }));
      }
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  static async connect(url: string, answer?: (m: Message) => Record<string, unknown> | 'no-ack'): Promise<App> {
    const socket = new WebSocket(url);
    const app = new App(socket, answer);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return app;
  }

  async next(type: string): Promise<Message> {
    for (;;) {
      const m = this.messages.find((x) => x.type === type);
      if (m) return m;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

describe('the loopback workspace speaking Socket Mode', () => {
  let workspace: RunningSlackWorkspace;
  const apps: App[] = [];
  const connect = async (answer?: (m: Message) => Record<string, unknown> | 'no-ack') => {
    const { url } = await call(workspace, 'apps.connections.open', APP);
    const app = await App.connect(url!, answer);
    apps.push(app);
    return app;
  };

  beforeEach(async () => {
    workspace = await startSlackWorkspace({
      signingSecret: SECRET,
      botToken: BOT,
      appToken: APP,
      socketAckTimeoutMs: 300,
    });
    workspace.client.transport = 'socket';
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) app.socket.terminate();
    await workspace.stop();
  });

  it('hands out a one-time URL for the app-level token only, and says hello on it', async () => {
    expect(await call(workspace, 'apps.connections.open', BOT)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await call(workspace, 'auth.test', APP)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    const { url } = await call(workspace, 'apps.connections.open', APP);
    const app = await App.connect(url!);
    apps.push(app);
    expect(await app.next('hello')).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: workspace.state.app.id },
    });
    // The same URL a second time is refused.
    const again = new WebSocket(url!);
    again.on('error', () => undefined); // terminate() below, before any open
    const status = await new Promise<number | undefined>((resolve) => {
      again.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      again.once('open', () => resolve(101));
    });
    again.terminate();
    expect(status).toBe(401);
  });

  it('answers pings with pongs', async () => {
    const app = await connect();
    await app.next('hello');
    const pong = new Promise<string>((resolve) => app.socket.once('pong', (data: Buffer) => resolve(data.toString())));
    app.socket.ping('are you there');
    expect(await pong).toBe('are you there');
  });

  it('delivers a slash command as an envelope and shows the text of its ack, as Slack does', async () => {
    const app = await connect((m) =>
      m.type === 'slash_commands' ? { text: `you said ${String(m.payload?.text)}` } : {},
    );
    await app.next('hello');
    const answer = await workspace.client.command('U0ANN', 'help');
    expect(answer).toMatchObject({ status: 200, body: { text: 'you said help' } });
    const envelope = await app.next('slash_commands');
    expect(envelope).toMatchObject({
      accepts_response_payload: true,
      payload: { command: '/aws-access', text: 'help', user_id: 'U0ANN', is_enterprise_install: 'false' },
    });
    expect(typeof envelope.payload?.trigger_id).toBe('string');
    expect(envelope).not.toHaveProperty('retry_attempt');
    expect(workspace.state.ephemeralsOf('U0ANN').at(-1)).toMatchObject({ text: 'you said help', via: 'ack' });
  });

  it('delivers events with retry_attempt, and marks a retry', async () => {
    const app = await connect();
    await app.next('hello');
    const payload = workspace.client.eventPayload({ type: 'app_home_opened', user: 'U0ANN', tab: 'home' }, 'EvONE');
    await workspace.client.deliver({ type: 'events_api', payload });
    await workspace.client.deliver({ type: 'events_api', payload }, { retryAttempt: 1, retryReason: 'timeout' });
    const events = app.messages.filter((m) => m.type === 'events_api');
    expect(events.map((e) => [e.retry_attempt, e.retry_reason, e.accepts_response_payload])).toEqual([
      [0, '', false],
      [1, 'timeout', false],
    ]);
    expect(events.map((e) => e.payload?.event_id)).toEqual(['EvONE', 'EvONE']);
    expect(events[0]!.envelope_id).not.toBe(events[1]!.envelope_id);
  });

  it('reports an envelope nobody acks as an error, after the ack timeout', async () => {
    const app = await connect(() => 'no-ack');
    await app.next('hello');
    const started = Date.now();
    await expect(workspace.client.command('U0ANN', 'help')).rejects.toThrow(/no ack for envelope .* within 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(workspace.socketMode!.envelopes.at(-1)).toMatchObject({ type: 'slash_commands', ack: null });
  });

  it('refreshes a connection as Slack does: a disconnect message, then a close', async () => {
    const app = await connect();
    await app.next('hello');
    const closed = new Promise<number>((resolve) => app.socket.once('close', (code: number) => resolve(code)));
    await workspace.socketMode!.disconnect('refresh_requested');
    expect(await closed).toBe(1000);
    expect(app.messages.at(-1)).toMatchObject({ type: 'disconnect', reason: 'refresh_requested' });
    await expect(workspace.client.command('U0ANN', 'help')).rejects.toThrow('no Socket Mode connection');
  });
});

describe('a loopback workspace without an app token', () => {
  it('has no Socket Mode: the bot token is refused by apps.connections.open and upgrades get 404', async () => {
    const workspace = await startSlackWorkspace({ signingSecret: SECRET, botToken: BOT });
    try {
      expect(workspace.socketMode).toBeUndefined();
      expect(await call(workspace, 'apps.connections.open', BOT)).toEqual({
        ok: false,
        error: 'not_allowed_token_type',
      });
      const socket = new WebSocket(`${workspace.url.replace('http', 'ws')}/socket-mode/abc`);
      socket.on('error', () => undefined); // terminate() below, before any open
      const status = await new Promise<number | undefined>((resolve) => {
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode));
        socket.once('open', () => resolve(101));
      });
      socket.terminate();
      expect(status).toBe(404);
    } finally {
      await workspace.stop();
    }
  });
});
