/**
 * Auditors by Slack user group, end to end: KEYLESS_AUDITORS names `@security-auditors`; a request is
 * filed through the slash command on the real DynamoDB adapter (dynalite) and the AWS emulator, the
 * audit pump indexes its events, and `/aws-access audit …` is answered to a member of the group
 * (checked with usergroups.list and usergroups.users.list on the loopback workspace over HTTP) and
 * refused, clearly and privately, to anyone else and to everyone while Slack cannot be asked.
 */
import type { DynamoGrantStore } from '../../adapters/dynamodb';
import { AuditReader } from '../../src';
import { startSlackStack, type SlackStack } from '../support/slack-harness';

jest.setTimeout(60_000);

const ANN = 'U0ANN';
const SAM = 'U0SAM'; // security: in @security-auditors
const OLGA = 'U0OLGA'; // finance: not in it

const render = (e: { text?: string; blocks?: unknown[] } | undefined) =>
  `${e?.text ?? ''} ${JSON.stringify(e?.blocks ?? [])}`;

describe('/aws-access audit for the members of a Slack user group', () => {
  let stack: SlackStack;

  beforeAll(async () => {
    stack = await startSlackStack({
      backend: 'aws',
      // No cache: each command asks Slack, so that the scope removal below is seen at once.
      config: { auditorGroups: ['@security-auditors'], auditorGroupsTtlMs: 0 },
    });
    stack.workspace.state.addUserGroup({
      id: 'S0SECAUDIT',
      handle: 'security-auditors',
      name: 'Security auditors',
      users: [SAM],
    });
    stack.slack.connectAudit!(
      new AuditReader({
        log: stack.store as DynamoGrantStore,
        clock: stack.clock,
        auditors: () => [],
        isAuditor: (user) => stack.slack.isAuditor!(user),
      }),
    );
    await stack.workspace.client.command(ANN, 'request prod AdministratorAccess 2h INC-42 restore the payments queue');
    await stack.settle();
    await (stack.store as DynamoGrantStore).pumpAudit();
  });
  afterAll(() => stack?.stop());

  const lastEphemeral = (user: string) => stack.workspace.state.ephemeralsOf(user).at(-1);

  it('answers a member of the group with the events, privately', async () => {
    await stack.workspace.client.command(SAM, 'audit --user ann@example.com --since 1d');
    await stack.settle();
    const text = render(lastEphemeral(SAM));
    expect(text).toContain('page 1');
    expect(text).toContain('ann@example.com');
    expect(text).toContain('AdministratorAccess');
    expect(text).not.toContain('Only members of the auditors group');
    const methods = stack.workspace.state.calls.map((c) => c.method);
    expect(methods).toEqual(expect.arrayContaining(['usergroups.list', 'usergroups.users.list']));
  });

  it('refuses someone outside the group, saying who may read it, and shows no event', async () => {
    await stack.workspace.client.command(OLGA, 'audit --user ann@example.com --since 1d');
    await stack.settle();
    const text = render(lastEphemeral(OLGA));
    expect(text).toContain('Only members of the auditors group can read the audit');
    expect(text).not.toContain('AdministratorAccess');
  });

  it('fails closed when Slack cannot say who is in the group: the member is refused and told why', async () => {
    const state = stack.workspace.state;
    state.scopes = state.scopes.filter((s) => s !== 'usergroups:read');
    try {
      await stack.workspace.client.command(SAM, 'audit --user ann@example.com --since 1d');
      await stack.settle();
      const text = render(lastEphemeral(SAM));
      expect(text).toContain('could not check the auditors group');
      expect(text).toContain('usergroups:read');
      expect(text).not.toContain('page 1');
    } finally {
      state.scopes.push('usergroups:read');
    }
  });
});
