/**
 * The loopback Slack workspace answers like Slack where a deployment goes wrong: granted scopes in
 * `x-oauth-scopes`, missing_scope with `needed` and `provided`, and channel membership
 * (not_in_channel for a public channel the bot was not invited to, channel_not_found for a private one).
 */
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../../adapters/local/slack-workspace';

const TOKEN = 'xoxb-membership-test';

describe('the loopback Slack workspace: scopes and channel membership', () => {
  let slack: RunningSlackWorkspace;

  beforeAll(async () => {
    slack = await startSlackWorkspace({
      signingSecret: 'membership-test-secret',
      botToken: TOKEN,
      scopes: ['chat:write', 'channels:read'],
      channels: [
        { id: 'C0IN', name: 'in' },
        { id: 'C0OUT', name: 'out' },
      ],
    });
    slack.state.addChannel('G0PRIVATE', 'private', { isPrivate: true, botMember: false });
    slack.state.channel('C0OUT').botMember = false;
  });

  afterAll(() => slack?.stop());

  async function call(method: string, args: Record<string, string>) {
    const response = await fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args).toString(),
    });
    return { scopes: response.headers.get('x-oauth-scopes'), body: (await response.json()) as Record<string, unknown> };
  }

  it('names the granted scopes on every answer to the bot token', async () => {
    expect((await call('auth.test', {})).scopes).toBe('chat:write,channels:read');
  });

  it('posts only where the bot is a member, as Slack does without chat:write.public', async () => {
    expect((await call('chat.postMessage', { channel: 'C0IN', text: 'hello' })).body.ok).toBe(true);
    expect((await call('chat.postMessage', { channel: 'C0OUT', text: 'hello' })).body).toEqual({
      ok: false,
      error: 'not_in_channel',
    });
    expect(slack.state.channelMessages('C0OUT')).toEqual([]);
  });

  it('tells membership in conversations.info, and hides a private channel the bot is not in', async () => {
    expect((await call('conversations.info', { channel: 'C0IN' })).body).toMatchObject({
      ok: true,
      channel: { id: 'C0IN', name: 'in', is_member: true, is_private: false },
    });
    expect((await call('conversations.info', { channel: 'C0OUT' })).body).toMatchObject({
      ok: true,
      channel: { id: 'C0OUT', is_member: false },
    });
  });

  it('answers missing_scope with the scope needed and those provided', async () => {
    // A private channel needs groups:read, which this token lacks.
    expect((await call('conversations.info', { channel: 'G0PRIVATE' })).body).toEqual({
      ok: false,
      error: 'missing_scope',
      needed: 'groups:read',
      provided: 'chat:write,channels:read',
    });
    expect((await call('users.info', { user: 'U0RITA' })).body).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'users:read',
    });
    slack.state.scopes = [...slack.state.scopes, 'groups:read'];
    expect((await call('conversations.info', { channel: 'G0PRIVATE' })).body).toEqual({
      ok: false,
      error: 'channel_not_found',
    });
  });
});
