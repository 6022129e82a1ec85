import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackChecks, slackSocketModeCheck, teamsChecks } from '../../../../adapters/main/doctor';
import { startSlackWorkspace } from '../../../../adapters/local/slack-workspace';
import { requiredBotScopes } from '../../../../adapters/slack';

function fakeSlack(
  answer: { ok: boolean; error?: string },
  scopes: string[],
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const authorized = req.headers.authorization === 'Bearer xoxb-good';
    res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': scopes.join(',') });
    res.end(
      JSON.stringify(authorized ? { ...answer, team: 'Acme', user: 'keyless' } : { ok: false, error: 'invalid_auth' }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, server }),
    ),
  );
}

describe('keyless doctor', () => {
  it('passes Slack when the token works and every scope the code needs was granted', async () => {
    const { url, server } = await fakeSlack({ ok: true }, requiredBotScopes());
    const checks = await slackChecks('xoxb-good', url);
    server.close();
    expect(checks.map((c) => c.status)).toEqual(['ok', 'ok']);
  });

  it('names the missing scopes and says how to fix them', async () => {
    const { url, server } = await fakeSlack({ ok: true }, ['commands', 'chat:write']);
    const checks = await slackChecks('xoxb-good', url);
    server.close();
    expect(checks[1]).toMatchObject({
      status: 'fail',
      name: 'Slack scopes',
      detail: expect.stringContaining('users:read.email'),
    });
    expect(checks[1]?.fix).toContain('manifest/slack/manifest.yml');
  });

  it("checks KEYLESS_AUDITORS' Slack user groups: found and readable, or why their members cannot read the audit", async () => {
    const workspace = await startSlackWorkspace({
      signingSecret: 'doctor-signing-secret',
      botToken: 'xoxb-doctor',
      userGroups: [
        { id: 'S0AUDIT', handle: 'security-auditors', name: 'Security auditors', users: ['U0SAM', 'U0OLGA'] },
      ],
    });
    const groups = async (...auditorGroups: string[]) =>
      (await slackChecks('xoxb-doctor', workspace.apiUrl, { auditorGroups })).filter((c) =>
        c.name.startsWith('Slack auditors group'),
      );
    try {
      expect(await groups('@security-auditors', 'subteam:S0AUDIT')).toEqual([
        expect.objectContaining({ status: 'ok', detail: 'S0AUDIT: 2 member(s) may read the audit' }),
        expect.objectContaining({ status: 'ok', name: 'Slack auditors group subteam:S0AUDIT' }),
      ]);
      expect(await groups('subteam:S0GONE', '@nobody')).toEqual([
        expect.objectContaining({
          status: 'fail',
          detail: expect.stringContaining('no_such_subteam'),
          fix: expect.stringContaining('Copy group ID'),
        }),
        expect.objectContaining({ status: 'fail', detail: expect.stringContaining('no enabled Slack user group') }),
      ]);
      workspace.state.scopes = workspace.state.scopes.filter((x) => x !== 'usergroups:read');
      expect(await groups('subteam:S0AUDIT')).toEqual([
        expect.objectContaining({ status: 'fail', fix: expect.stringContaining('usergroups:read') }),
      ]);
    } finally {
      await workspace.stop();
    }
  });

  it('fails Slack with the answer of auth.test for a bad token', async () => {
    const { url, server } = await fakeSlack({ ok: true }, []);
    const checks = await slackChecks('xoxb-bad', url);
    server.close();
    expect(checks).toEqual([expect.objectContaining({ status: 'fail', detail: 'auth.test answered invalid_auth' })]);
  });

  it('passes Socket Mode when the app-level token opens a connection, and fails it with Slack’s answer otherwise', async () => {
    const workspace = await startSlackWorkspace({
      signingSecret: 'doctor-signing-secret',
      botToken: 'xoxb-doctor',
      appToken: 'xapp-1-doctor',
    });
    try {
      expect(await slackSocketModeCheck('xapp-1-doctor', workspace.apiUrl)).toMatchObject({ status: 'ok' });
      expect(await slackSocketModeCheck('xapp-1-other', workspace.apiUrl)).toMatchObject({
        status: 'fail',
        detail: 'apps.connections.open answered invalid_auth',
        fix: expect.stringContaining('SLACK_APP_TOKEN'),
      });
      // A bot token is refused as Slack refuses it.
      expect(await slackSocketModeCheck('xoxb-doctor', workspace.apiUrl)).toMatchObject({
        status: 'fail',
        detail: 'apps.connections.open answered not_allowed_token_type',
      });
    } finally {
      await workspace.stop();
    }
  });

  it('fails Teams without an app id outside local mode, and without a password for an app id', async () => {
    expect((await teamsChecks({ appType: 'MultiTenant', authDisabled: false, allowedTenantIds: [] }))[0]).toMatchObject(
      {
        status: 'fail',
        fix: expect.stringContaining('MICROSOFT_APP_ID'),
      },
    );
    expect(
      (
        await teamsChecks({
          appId: '00000000-0000-0000-0000-000000000001',
          appType: 'MultiTenant',
          authDisabled: false,
          allowedTenantIds: [],
        })
      )[0],
    ).toMatchObject({ status: 'fail', fix: expect.stringContaining('MICROSOFT_APP_PASSWORD') });
  });
});
