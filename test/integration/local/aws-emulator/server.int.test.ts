import {
  loadDemoSeed,
  startAwsEmulator,
  AwsEmulatorAdminClient,
  type RunningAwsEmulator,
} from '../../../../adapters/local/aws-emulator';
import { localIdentityCenter } from '../../../../bench/support/local-stack';
import { parsePrincipalId } from '../../../../src';

describe('the local AWS emulator server', () => {
  let emulator: RunningAwsEmulator;
  beforeEach(async () => {
    emulator = await startAwsEmulator({ seed: loadDemoSeed(), port: 0 });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('rejects an unknown JSON operation the way AWS does', async () => {
    const res = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'SWBExternalService.CreatePermissionSet',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(expect.objectContaining({ __type: 'UnknownOperationException' }));
    expect(emulator.log.count('CreatePermissionSet', 'UnknownOperationException')).toBe(1);
  });

  it('rejects an unknown Query action with InvalidAction in an XML ErrorResponse', async () => {
    const res = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: 'Action=GetFederationToken&Version=2011-06-15',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('<Type>Sender</Type>');
  });

  it('configures faults, shows state and resets through the admin API', async () => {
    const admin = new AwsEmulatorAdminClient(emulator.url);
    const faults = await admin.faults({ provisioningDelayMs: 500, conflictNext: { count: 2 }, deny: ['GetUserId'] });
    expect(faults).toEqual(
      expect.objectContaining({
        provisioningDelayMs: 500,
        conflictNext: { CreateAccountAssignment: 2 },
        accessDenied: ['GetUserId'],
      }),
    );
    expect((await admin.state()).assignments).toEqual([]);
    await admin.reset();
    expect(emulator.faults.snapshot().accessDenied).toEqual([]);
    expect((await admin.health()).ok).toBe(true);
  });

  it('shows group memberships and every one created or removed through the API, with when', async () => {
    const admin = new AwsEmulatorAdminClient(emulator.url);
    const { identity, destroy } = localIdentityCenter(emulator.url);
    try {
      const group = (await identity.findGroup('db-admins'))!;
      const rita = parsePrincipalId((await identity.resolvePrincipal('rita@example.com')).principalId);
      const key = { principalId: rita, groupId: group.id };
      const before = Date.now();
      await identity.addGroupMember(key);
      await identity.addGroupMember(key); // already a member: ConflictException, no second membership
      expect((await admin.state()).memberships).toContainEqual({ groupId: group.id, userId: rita });
      await identity.removeGroupMember(key);
      const state = await admin.state();
      expect(state.memberships).not.toContainEqual({ groupId: group.id, userId: rita });
      expect(state.membershipChanges.map(({ kind, groupId, userId }) => ({ kind, groupId, userId }))).toEqual([
        { kind: 'create', groupId: group.id, userId: rita },
        { kind: 'delete', groupId: group.id, userId: rita },
      ]);
      expect(state.membershipChanges[0]!.at).toBeGreaterThanOrEqual(before);
      // Seeded memberships are there from the start, never as changes.
      const engineers = (await identity.findGroup('engineers'))!;
      expect(state.memberships.filter((m) => m.groupId === engineers.id).length).toBeGreaterThan(0);
    } finally {
      destroy();
    }
  });
});
