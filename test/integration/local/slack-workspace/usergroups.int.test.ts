/**
 * The loopback Slack workspace answers the user-group methods as Slack does: usergroups.users.list
 * needs `usergroups:read` and a `usergroup` id, says no_such_subteam for an unknown (or disabled)
 * group, and plan_upgrade_required on a free plan; usergroups.list leaves disabled groups out
 * unless asked.
 */
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../../adapters/local/slack-workspace';

const TOKEN = 'xoxb-usergroups-test';

describe('the loopback Slack workspace: user groups', () => {
  let slack: RunningSlackWorkspace;

  beforeEach(async () => {
    slack = await startSlackWorkspace({
      signingSecret: 'usergroups-test-secret',
      botToken: TOKEN,
      userGroups: [
        { id: 'S0AUDIT', handle: 'security-auditors', name: 'Security auditors', users: ['U0SAM', 'U0OLGA'] },
        { id: 'S0OLD', handle: 'old-auditors', name: 'Old auditors', users: ['U0RITA'], disabled: true },
      ],
    });
  });
  afterEach(() => slack?.stop());

  async function call(method: string, args: Record<string, string>, token = TOKEN) {
    const response = await fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args).toString(),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  it('lists the members of a group by its id', async () => {
    expect(await call('usergroups.users.list', { usergroup: 'S0AUDIT' })).toEqual({
      ok: true,
      users: ['U0SAM', 'U0OLGA'],
    });
  });

  it('answers no_such_subteam for an unknown or a disabled group, and invalid_arguments without an id', async () => {
    expect(await call('usergroups.users.list', { usergroup: 'S0NOPE' })).toEqual({
      ok: false,
      error: 'no_such_subteam',
    });
    expect(await call('usergroups.users.list', { usergroup: 'S0OLD' })).toMatchObject({ error: 'no_such_subteam' });
    expect(await call('usergroups.users.list', { usergroup: 'S0OLD', include_disabled: 'true' })).toMatchObject({
      ok: true,
      users: ['U0RITA'],
    });
    expect(await call('usergroups.users.list', {})).toMatchObject({ error: 'invalid_arguments' });
  });

  it('refuses a token without usergroups:read, naming the scope, and a bad token', async () => {
    slack.state.scopes = slack.state.scopes.filter((s) => s !== 'usergroups:read');
    expect(await call('usergroups.users.list', { usergroup: 'S0AUDIT' })).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'usergroups:read',
    });
    expect(await call('usergroups.list', {})).toMatchObject({ error: 'missing_scope', needed: 'usergroups:read' });
    expect(await call('usergroups.users.list', { usergroup: 'S0AUDIT' }, 'xoxb-wrong')).toMatchObject({
      error: 'invalid_auth',
    });
  });

  it('lists enabled groups with their handles; disabled ones only with include_disabled', async () => {
    const enabled = (await call('usergroups.list', {})) as { usergroups: { id: string; handle: string }[] };
    expect(enabled.usergroups.map((g) => [g.id, g.handle])).toEqual([['S0AUDIT', 'security-auditors']]);
    const all = (await call('usergroups.list', { include_disabled: 'true', include_users: 'true' })) as {
      usergroups: { id: string; users: string[]; date_delete: number }[];
    };
    expect(all.usergroups.map((g) => g.id)).toEqual(['S0AUDIT', 'S0OLD']);
    expect(all.usergroups[1]!.date_delete).toBeGreaterThan(0);
    expect(all.usergroups[0]!.users).toEqual(['U0SAM', 'U0OLGA']);
  });

  it('has no user groups on a free plan', async () => {
    slack.state.plan = 'free';
    expect(await call('usergroups.list', {})).toMatchObject({ error: 'plan_upgrade_required' });
    expect(await call('usergroups.users.list', { usergroup: 'S0AUDIT' })).toMatchObject({
      error: 'plan_upgrade_required',
    });
  });
});
