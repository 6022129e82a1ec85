/**
 * Auditors by Slack user group (KEYLESS_AUDITORS=subteam:S… or @handle): SlackUserGroups asks the
 * loopback workspace over HTTP with usergroups.users.list (a handle first through usergroups.list),
 * keeps an answer for its TTL only, and fails closed: a Slack error never lets anyone in, and the
 * person is told why.
 */
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../adapters/local/slack-workspace';
import { SlackApi } from '../../../adapters/slack/slack-api';
import { SlackUserGroups } from '../../../adapters/slack/slack-usergroups';
import { parseSlackUserGroup, type SlackUserGroupRef } from '../../../adapters/slack/usergroup-ref';
import { ErrorCodes, KeylessError, silentLogger } from '../../../src';
import { FAST_PACING } from '../../support/slack-harness';

const TOKEN = 'xoxb-usergroups-check';

describe('SlackUserGroups: who is in the auditors groups', () => {
  let slack: RunningSlackWorkspace;
  let api: SlackApi;

  beforeEach(async () => {
    slack = await startSlackWorkspace({
      signingSecret: 'usergroups-check-secret',
      botToken: TOKEN,
      userGroups: [
        { id: 'S0AUDIT', handle: 'security-auditors', name: 'Security auditors', users: ['U0SAM', 'U0OLGA'] },
        { id: 'S0FIN', handle: 'finance', name: 'Finance', users: ['U0RITA'] },
      ],
    });
    api = new SlackApi({ token: TOKEN, apiUrl: slack.apiUrl, logger: silentLogger, ...FAST_PACING });
  });
  afterEach(() => slack?.stop());

  const groups = (...entries: string[]): SlackUserGroupRef[] => entries.map((e) => parseSlackUserGroup(e)!);
  const calls = (method: string) => slack.state.calls.filter((c) => c.method === method).length;

  it('reads the entries of KEYLESS_AUDITORS: subteam ids as written, handles in lower case, nothing else', () => {
    expect(parseSlackUserGroup('subteam:S0AUDIT')).toEqual({ id: 'S0AUDIT', label: 'subteam:S0AUDIT' });
    expect(parseSlackUserGroup('@Security-Auditors')).toEqual({
      handle: 'security-auditors',
      label: '@security-auditors',
    });
    for (const bad of ['subteam:s0audit', 'subteam:', '@', '@has space', 'sam@example.com', 'S0AUDIT']) {
      expect(parseSlackUserGroup(bad)).toBeUndefined();
    }
  });

  it('takes a member of a group by id for an auditor, and nobody else', async () => {
    const check = new SlackUserGroups(api, silentLogger, groups('subteam:S0AUDIT'));
    expect(await check.isMember('U0SAM')).toBe(true);
    expect(await check.isMember('U0OLGA')).toBe(true);
    expect(await check.isMember('U0RITA')).toBe(false);
    // One answer serves the next checks within the TTL.
    expect(calls('usergroups.users.list')).toBe(1);
  });

  it('finds a group by its handle with usergroups.list, and an unknown handle lets nobody in', async () => {
    const check = new SlackUserGroups(api, silentLogger, groups('@security-auditors'));
    expect(await check.isMember('U0OLGA')).toBe(true);
    expect(await check.isMember('U0RITA')).toBe(false);
    expect(calls('usergroups.list')).toBe(1);
    const unknown = new SlackUserGroups(api, silentLogger, groups('@nobody-here'));
    await expect(unknown.isMember('U0OLGA')).rejects.toThrow('@nobody-here');
  });

  it('sees a person removed from the group once the short cache lapses', async () => {
    const check = new SlackUserGroups(api, silentLogger, groups('subteam:S0AUDIT'), 50);
    expect(await check.isMember('U0OLGA')).toBe(true);
    slack.state.userGroups.get('S0AUDIT')!.users = ['U0SAM'];
    await new Promise((r) => setTimeout(r, 80));
    expect(await check.isMember('U0OLGA')).toBe(false);
  });

  it('fails closed on a Slack error, saying why: a missing scope, an unknown group', async () => {
    slack.state.scopes = slack.state.scopes.filter((s) => s !== 'usergroups:read');
    const check = new SlackUserGroups(api, silentLogger, groups('subteam:S0AUDIT'));
    const refused = await check.isMember('U0SAM').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KeylessError);
    expect((refused as KeylessError).code).toBe(ErrorCodes.NotAllowed);
    expect((refused as KeylessError).message).toContain('usergroups:read');
    expect((refused as KeylessError).message).toContain('the audit stays closed');

    slack.state.scopes.push('usergroups:read');
    const unknown = new SlackUserGroups(api, silentLogger, groups('subteam:S0GONE'));
    await expect(unknown.isMember('U0SAM')).rejects.toThrow('Slack knows no enabled user group subteam:S0GONE');
    // A failed answer is not cached: the next check asks Slack again.
    await expect(unknown.isMember('U0SAM')).rejects.toThrow(KeylessError);
    expect(calls('usergroups.users.list')).toBe(3);
  });

  it('lets a member of a group Slack answered for in, even when another group cannot be checked', async () => {
    const check = new SlackUserGroups(api, silentLogger, groups('subteam:S0GONE', 'subteam:S0FIN'));
    expect(await check.isMember('U0RITA')).toBe(true);
    // In none of the groups that answered, and one did not: refused with the reason, never let in.
    await expect(check.isMember('U0SAM')).rejects.toThrow('subteam:S0GONE');
  });
});
