import {
  isKeylessError,
  ErrorCodes,
  searchAccounts,
  type AccountId,
  type AssignmentKey,
  type PermissionSetArn,
  type PrincipalId,
} from '../../../src';
import { generateSeed, loadDemoSeed } from '../../../adapters/local/aws-emulator';
import { startEmulatedIdentityCenter, type EmulatedIdentityCenter } from './emulator-harness';

const ADMIN = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-000000000000000a' as PermissionSetArn;

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('the Identity Center adapter on the local AWS emulator', () => {
  let env: EmulatedIdentityCenter;
  let key: AssignmentKey;

  async function start(options: Parameters<typeof startEmulatedIdentityCenter>[0] = {}) {
    env = await startEmulatedIdentityCenter(options);
    const rita = await env.ic.resolvePrincipal('rita@example.com');
    key = {
      principalId: rita.principalId as PrincipalId,
      accountId: '111111111111' as AccountId,
      permissionSetArn: ADMIN,
    };
  }

  afterEach(async () => {
    await env?.stop();
  });

  it('resolves assign only once the operation has gone from IN_PROGRESS to SUCCEEDED', async () => {
    await start({ faults: { provisioningDelayMs: 300 } });
    await env.ic.assign(key);
    const resolvedAt = Date.now();
    const [op] = env.emulator.state.operations().filter((o) => o.kind === 'create');
    expect(op?.status).toBe('SUCCEEDED');
    expect(resolvedAt).toBeGreaterThanOrEqual(op!.completedAt!);
    expect(op!.completedAt! - op!.createdAt).toBeGreaterThanOrEqual(300);
    expect(env.emulator.log.count('DescribeAccountAssignmentCreationStatus')).toBeGreaterThan(1);
    expect(env.emulator.state.assignments()).toContainEqual(
      expect.objectContaining({ principalId: key.principalId, accountId: '111111111111' }),
    );
  });

  it("rejects with ASSIGNMENT_FAILED and AWS's reason when the operation ends FAILED", async () => {
    await start();
    env.emulator.faults.failNextCreates(1, 'The IAM role quota of account 111111111111 is full.');
    const error = await errorOf(env.ic.assign(key));
    expect(isKeylessError(error, ErrorCodes.AssignmentFailed)).toBe(true);
    expect((error as Error).message).toContain('The IAM role quota of account 111111111111 is full.');
    expect(env.emulator.state.assignments()).toHaveLength(0);
  });

  it('retries a ConflictException and then assigns', async () => {
    await start();
    env.emulator.faults.conflictNext(2, 'CreateAccountAssignment');
    await env.ic.assign(key);
    expect(env.emulator.log.count('CreateAccountAssignment', 'ConflictException')).toBe(2);
    expect(env.emulator.log.count('CreateAccountAssignment', 'ok')).toBe(1);
  });

  it('retries throttled calls with backoff and then assigns', async () => {
    await start();
    env.emulator.faults
      .throttleNext(2, 'CreateAccountAssignment')
      .throttleNext(2, 'DescribeAccountAssignmentCreationStatus');
    await env.ic.assign(key);
    expect(env.emulator.log.count('CreateAccountAssignment', 'ThrottlingException')).toBe(2);
    expect(env.emulator.log.count('DescribeAccountAssignmentCreationStatus', 'ThrottlingException')).toBe(2);
    expect(env.emulator.state.assignments()).toHaveLength(1);
  });

  it('gives up with THROTTLED when AWS keeps throttling', async () => {
    await start({ adapter: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } } });
    env.emulator.faults.throttleNext(100, 'CreateAccountAssignment');
    const error = await errorOf(env.ic.assign(key));
    expect(isKeylessError(error, ErrorCodes.Throttled)).toBe(true);
    expect(env.emulator.log.count('CreateAccountAssignment')).toBe(3);
  });

  it('counts an assignment that already exists as assigned, and one already gone as unassigned', async () => {
    const seed = loadDemoSeed();
    seed.assignments.push({ user: 'rita', account: '111111111111', permissionSet: 'AdministratorAccess' });
    await start({ seed });
    await env.ic.assign(key);
    expect(env.emulator.state.assignments()).toHaveLength(1);
    await env.ic.unassign(key);
    await env.ic.unassign(key);
    expect(env.emulator.state.assignments()).toHaveLength(0);
    expect(env.emulator.log.count('DeleteAccountAssignment', 'ResourceNotFoundException')).toBe(1);
  });

  it('refuses an unknown account with UNKNOWN_ACCOUNT before calling Identity Center', async () => {
    await start();
    const error = await errorOf(env.ic.assign({ ...key, accountId: '999999999999' as AccountId }));
    expect(isKeylessError(error, ErrorCodes.UnknownAccount)).toBe(true);
    expect((error as Error).message).toContain('999999999999');
    expect(env.emulator.log.count('CreateAccountAssignment')).toBe(0);
  });

  it('tells a person missing from Identity Center kindly, naming the email it looked for', async () => {
    await start();
    const error = await errorOf(env.ic.resolvePrincipal('newcomer@example.com'));
    expect(isKeylessError(error, ErrorCodes.PrincipalNotFound)).toBe(true);
    expect((error as Error).message).toBe(
      "I couldn't find you in IAM Identity Center (looked for newcomer@example.com). Ask your AWS administrator to add you.",
    );
  });

  it('resolves an email in any letter case, and caches the answer', async () => {
    await start();
    const first = await env.ic.resolvePrincipal('RITA@example.com');
    const again = await env.ic.resolvePrincipal('rita@example.com');
    expect(again).toEqual(first);
    expect(env.emulator.log.count('GetUserId')).toBe(1);
  });

  it('says AWS_ACCESS_DENIED, naming the IAM action, when the policy lacks it', async () => {
    await start();
    env.emulator.faults.deny('CreateAccountAssignment');
    const error = await errorOf(env.ic.assign(key));
    expect(isKeylessError(error, ErrorCodes.AwsAccessDenied)).toBe(true);
    expect((error as Error).message).toContain('sso:CreateAccountAssignment');
  });

  it('uses the configured static account list when Organizations is not granted', async () => {
    env = await startEmulatedIdentityCenter({
      adapter: {
        staticAccounts: [{ id: '111111111111' as AccountId, name: 'prod', ouPath: [], tags: { env: 'prod' } }],
      },
    });
    env.emulator.faults.deny('ListRoots');
    const accounts = await env.ic.listAccounts();
    expect(accounts.map((a) => a.name)).toEqual(['prod']);
  });

  it('keeps at most the configured number of creates outstanding', async () => {
    const seed = generateSeed({ accounts: 12, users: 1 });
    env = await startEmulatedIdentityCenter({
      seed,
      faults: { provisioningDelayMs: 60 },
      adapter: { pace: { tps: 1000, organizationsTps: 1000, maxOutstandingCreates: 3 } },
    });
    const user = await env.ic.resolvePrincipal('user0@example.com');
    const ps = (await env.ic.listPermissionSets())[0]!;
    const accounts = await env.ic.listAccounts();
    await Promise.all(
      accounts.map((a) =>
        env.ic.assign({ principalId: user.principalId as PrincipalId, accountId: a.id, permissionSetArn: ps.arn }),
      ),
    );
    const ops = env.emulator.state.operations();
    const overlapping = Math.max(
      ...ops.map((o) => ops.filter((p) => p.createdAt <= o.createdAt && p.completedAt! > o.createdAt).length),
    );
    expect(ops).toHaveLength(12);
    expect(overlapping).toBeLessThanOrEqual(3);
  });

  it('lists thousands of accounts once and answers type-ahead over them quickly', async () => {
    env = await startEmulatedIdentityCenter({ seed: generateSeed({ accounts: 3000, ous: 12 }) });
    const accounts = await env.ic.listAccounts();
    expect(accounts).toHaveLength(3000);
    const started = performance.now();
    const hits = searchAccounts(accounts, 'team-2042', 25);
    expect(performance.now() - started).toBeLessThan(50);
    expect(hits.map((a) => a.name)).toEqual(['team-2042-sandbox']);
    await env.ic.listAccounts();
    expect(env.emulator.log.count('ListRoots')).toBe(1);
  });
});
