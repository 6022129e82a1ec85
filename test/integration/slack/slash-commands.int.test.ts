import { startSlackStack, type SlackStack } from '../../support/slack-harness';

const lastEphemeral = (stack: SlackStack, user: string) => {
  const all = stack.workspace.state.ephemeralsOf(user);
  return all[all.length - 1];
};
const textOf = (e: { text: string; blocks: unknown[] } | undefined) =>
  JSON.stringify(e?.blocks ?? []) + (e?.text ?? '');

describe('the /aws-access slash command over HTTP', () => {
  let stack: SlackStack;

  beforeAll(async () => {
    stack = await startSlackStack();
  });
  afterAll(() => stack.stop());

  it('answers help in the ack itself, privately', async () => {
    const answer = await stack.workspace.client.command('U0RITA', 'help');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    expect(textOf(lastEphemeral(stack, 'U0RITA'))).toContain('/aws-access request');
  });

  it('names the exact problem of a malformed request with a corrected example, and creates nothing', async () => {
    const before = (
      await stack.engine.listMine({ platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' })
    ).requests.length;
    await stack.workspace.client.command('U0RITA', 'request prod AdministratorAccess soon fix it');
    const reply = textOf(lastEphemeral(stack, 'U0RITA'));
    expect(reply).toContain('\\"soon\\" is not a duration');
    expect(reply).toContain('/aws-access request prod AdministratorAccess 2h');
    await stack.settle();
    const after = (
      await stack.engine.listMine({ platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' })
    ).requests.length;
    expect(after).toBe(before);
  });

  it('suggests the closest subcommand for a typo', async () => {
    await stack.workspace.client.command('U0RITA', 'lsit');
    expect(textOf(lastEphemeral(stack, 'U0RITA'))).toContain('Did you mean `list`?');
  });

  it('opens the request form at once for /aws-access alone', async () => {
    await stack.workspace.client.command('U0RITA', '');
    await stack.settle();
    expect(stack.workspace.client.modal('U0RITA').callback_id).toBe('keyless_request_modal');
  });

  it('files a one-line request and confirms it privately through response_url', async () => {
    await stack.workspace.client.command(
      'U0RITA',
      'request prod AdministratorAccess 2h INC-1 restore the queue --ticket OPS-12',
    );
    await stack.settle();
    const reply = lastEphemeral(stack, 'U0RITA');
    expect(reply?.via).toBe('response_url');
    expect(textOf(reply)).toContain('needs 2 approval(s)');
    const mine = await stack.engine.listMine({
      platform: 'slack',
      id: 'U0RITA',
      displayName: 'Rita',
      email: 'rita@example.com',
    });
    expect(mine.requests.map((r) => [r.accountName, r.permissionSetName, r.ticket])).toContainEqual([
      'prod',
      'AdministratorAccess',
      'OPS-12',
    ]);
  });

  it("passes the engine's own explanation of a refused duration, with the rule's maximum", async () => {
    await stack.workspace.client.command('U0RITA', 'request prod AdministratorAccess 9h long job');
    await stack.settle();
    const reply = textOf(lastEphemeral(stack, 'U0RITA'));
    expect(reply).toContain('longer than the 4h allowed');
    expect(reply).toContain('Ask for 4h or less');
  });

  it('lists what waits for an approver, and explains the policy with why', async () => {
    await stack.workspace.client.command('U0ANN', 'approvals');
    await stack.settle();
    expect(textOf(lastEphemeral(stack, 'U0ANN'))).toContain('AdministratorAccess');
    await stack.workspace.client.command('U0RITA', 'why prod AdministratorAccess');
    await stack.settle();
    expect(textOf(lastEphemeral(stack, 'U0RITA'))).toContain('prod-admin');
  });

  it('finds accounts by filter', async () => {
    await stack.workspace.client.command('U0RITA', 'accounts sand');
    await stack.settle();
    const reply = textOf(lastEphemeral(stack, 'U0RITA'));
    expect(reply).toContain('sandbox');
    expect(reply).not.toContain('payments');
  });

  it('lists my live grant, extends and ends it by its id, and refuses someone else ending it', async () => {
    const rita = { platform: 'slack' as const, id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' };
    await stack.workspace.client.command('U0RITA', 'request sandbox ReadOnlyAccess 1h read the logs');
    await stack.settle();
    const grant = (await stack.engine.listMine(rita)).grants.find(
      (g) => g.permissionSetName === 'ReadOnlyAccess' && g.status === 'active',
    )!;
    expect(grant).toBeDefined();

    await stack.workspace.client.command('U0RITA', 'list');
    await stack.settle();
    expect(textOf(lastEphemeral(stack, 'U0RITA'))).toContain(grant.id);

    await stack.workspace.client.command('U0RITA', `extend ${grant.id} 1h still reading`);
    await stack.settle();
    expect(textOf(lastEphemeral(stack, 'U0RITA'))).toContain('approved');
    expect((await stack.engine.getGrant(grant.id))?.expiresAt).toBe(grant.expiresAt! + 3600_000);

    await stack.workspace.client.command('U0OLGA', `revoke ${grant.id}`);
    await stack.settle();
    expect(textOf(lastEphemeral(stack, 'U0OLGA'))).toContain('Only the grantee');
    expect((await stack.engine.getGrant(grant.id))?.status).toBe('active');

    await stack.workspace.client.command('U0RITA', `revoke ${grant.id} done reading`);
    await stack.settle();
    expect(textOf(lastEphemeral(stack, 'U0RITA'))).toContain('ReadOnlyAccess');
    expect((await stack.engine.getGrant(grant.id))?.status).toMatch(/^(revoking|revoked)$/);
  });

  it('tells a person Identity Center does not know that it cannot tell who they are', async () => {
    await stack.workspace.client.command('U0NOBODY', 'list');
    await stack.settle();
    expect(textOf(lastEphemeral(stack, 'U0NOBODY'))).toMatch(/nobody@example.com|not found|no user/i);
  });
});
