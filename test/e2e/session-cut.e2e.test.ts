import { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  AwsSessionCutPolicies,
  portalRoleCredentials,
  s3Probe,
  type SessionCredentials,
} from '../../adapters/aws/organizations';
import type { Engine, Grant } from '../../src';
import { demoPolicy, demoPolicyInput } from '../builders/policy';
import { testEngine, users } from '../builders/test-engine';
import { InMemoryGrantStore } from '../fakes/in-memory-grant-store';
import { InMemoryLeaderLease } from '../fakes/in-memory-leader-lease';
import { ManualClock } from '../fakes/manual-clock';
import {
  clientConfig,
  startEmulatedIdentityCenter,
  type EmulatedIdentityCenter,
} from '../integration/aws/emulator-harness';

/**
 * Ending the live AWS sessions of a grant ended early, end to end: the engine with the real
 * Identity Center adapter and the real Organizations adapter (keyless's own SCPs) on the local AWS
 * emulator, and access portal sessions taken there as `aws sso login` would.
 */
const ROOT = 'r-ab12';
const SANDBOX = '222222222222';
const MANAGEMENT = '100000000001';
const READONLY = 'ReadOnlyAccess';
const SKEW_SECONDS = 1;
/** ReadOnlyAccess's session duration in the emulator's demo seed (PT8H). */
const READONLY_SESSION_MS = 8 * 3600_000;

/** ReadOnlyAccess in the sandbox and in the management account, each with one approver. */
const policy = demoPolicy({
  rules: [
    {
      name: 'readonly-with-approval',
      accounts: [SANDBOX, MANAGEMENT],
      permissionSets: [READONLY],
      requesters: { groups: ['engineers'] },
      approvers: { groups: ['sre-leads'], count: 1 },
      maxDuration: '8h',
    },
    ...(demoPolicyInput().rules ?? []).filter((r) => r.name !== 'sandbox-readonly'),
  ],
});

let aws: EmulatedIdentityCenter;
let organizations: OrganizationsClient;
let policies: AwsSessionCutPolicies;
let engine: Engine;
let clock: ManualClock;

beforeAll(async () => {
  aws = await startEmulatedIdentityCenter();
  organizations = new OrganizationsClient(clientConfig(aws.emulator.url));
  policies = new AwsSessionCutPolicies(organizations, {
    prefix: 'keyless-session-cut',
    targets: [ROOT],
    retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
  });
  const store = new InMemoryGrantStore();
  // The emulator stamps sessions with real time (aws:TokenIssueTime): the engine's clock starts there.
  clock = new ManualClock(Date.now());
  ({ engine } = testEngine({
    store,
    identity: aws.ic,
    clock,
    policy,
    sessionCuts: { store, policies, lease: new InMemoryLeaderLease() },
    options: {
      replicaId: 'replica-e2e',
      sessionCut: { enabled: true, skewSeconds: SKEW_SECONDS, managementAccountId: MANAGEMENT },
    },
  }));
});

afterAll(async () => {
  await engine?.stop();
  organizations?.destroy();
  await aws?.stop();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const probe = () => s3Probe({ region: 'us-east-1', endpoint: aws.emulator.url });

async function admin(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${aws.emulator.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** `aws sso login` as a user, then the portal's GetRoleCredentials. */
async function session(user: string, account: string, permissionSet: string): Promise<SessionCredentials> {
  const { accessToken } = (await admin('/_emulator/sso/login', { user })) as { accessToken: string };
  return portalRoleCredentials({
    endpoint: aws.emulator.url,
    accessToken,
    accountId: account,
    roleName: permissionSet,
  });
}

function hasAssignment(user: string, account: string, permissionSet: string): boolean {
  const world = aws.emulator.state.world;
  return world.assignments.has(
    `${world.userByName(user)!.id}#${account}#${world.permissionSetByName(permissionSet)!.arn}`,
  );
}

/** Rita asks, Ann approves, and the engine creates the assignment. */
async function approvedGrant(account: string): Promise<Grant> {
  const { request } = await engine.requestAccess({
    requester: users.rita,
    account,
    permissionSet: READONLY,
    duration: '1h',
    reason: 'INC-42 read the queue metrics',
  });
  expect((await engine.approve({ requestId: request.id, actor: users.ann })).outcome).toBe('approved');
  await engine.idle();
  const grant = await engine.getGrant((await engine.getRequest(request.id))!.grantId!);
  expect(grant?.status).toBe('active');
  return grant!;
}

/** Rita ends her grant early; the engine removes the assignment and writes the cut. */
async function endEarly(grant: Grant): Promise<Grant> {
  clock.set(Math.max(clock.now(), Date.now()));
  await engine.revoke({ grantId: grant.id, actor: users.rita });
  await engine.idle();
  await engine.syncSessionCuts();
  await engine.idle();
  return (await engine.getGrant(grant.id))!;
}

async function emulatorPolicies(): Promise<string> {
  return JSON.stringify(await admin('/_emulator/organizations/policies'));
}

describe('ending the live AWS sessions of a grant ended early (engine, Identity Center and Organizations on the AWS emulator)', () => {
  it('denies the old session once the grant is ended, lets a new grant work after T, and drops the statement after its retention', async () => {
    const ritaId = aws.emulator.state.world.userByName('rita')!.id;

    // 1. Approved: the assignment exists in Identity Center.
    const grant = await approvedGrant(SANDBOX);
    expect(hasAssignment('rita', SANDBOX, READONLY)).toBe(true);

    // 2. A portal session taken during the grant works.
    const old = await session('rita', SANDBOX, READONLY);
    expect(await probe()(old)).toEqual({ ok: true });

    // 3. She ends it early: the assignment is gone, the cut is written, the old session is denied.
    const ended = await endEarly(grant);
    expect(ended.status).toBe('revoked');
    expect(hasAssignment('rita', SANDBOX, READONLY)).toBe(false);
    expect(ended.assignmentRemovedAt).toBeDefined();
    expect(ended.sessionsCutAt).toBeGreaterThanOrEqual(ended.assignmentRemovedAt!);
    const from = (ended.sessionCut as { from: number }).from;
    expect(from).toBeGreaterThanOrEqual(ended.assignmentRemovedAt! + SKEW_SECONDS * 1000);
    expect(await emulatorPolicies()).toContain(ritaId);
    expect(await probe()(old)).toEqual({
      ok: false,
      byScp: true,
      message: expect.stringMatching(
        /^User: arn:aws:sts::222222222222:assumed-role\/AWSReservedSSO_ReadOnlyAccess_\w+\/rita is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in a service control policy$/,
      ),
    });

    // 4. After T (real time: the emulator compares issue times with its clock), a new grant works.
    while (Date.now() <= from) await sleep(50);
    clock.set(Math.max(clock.now(), Date.now()));
    const again = await approvedGrant(SANDBOX);
    expect(again.id).not.toBe(grant.id);
    expect(hasAssignment('rita', SANDBOX, READONLY)).toBe(true);
    const fresh = await session('rita', SANDBOX, READONLY);
    expect(await probe()(fresh)).toEqual({ ok: true });
    // The old session stays denied.
    expect((await probe()(old)).ok).toBe(false);

    // 5. Kept until T + the permission set's session duration + the skew, then removed.
    const keepUntil = from + READONLY_SESSION_MS + SKEW_SECONDS * 1000;
    await clock.advanceSettled(keepUntil - 1 - clock.now(), () => engine.idle());
    await engine.sweep();
    await engine.idle();
    expect(await emulatorPolicies()).toContain(ritaId);
    await clock.advanceSettled(1, () => engine.idle());
    await engine.sweep();
    await engine.idle();
    expect(await emulatorPolicies()).not.toContain(ritaId);
    expect(JSON.stringify(await policies.list())).not.toContain(ritaId);
  });

  it('says on a grant in the management account that its sessions are not ended, and writes no statement', async () => {
    const ritaId = aws.emulator.state.world.userByName('rita')!.id;
    const grant = await approvedGrant(MANAGEMENT);
    expect(hasAssignment('rita', MANAGEMENT, READONLY)).toBe(true);
    const old = await session('rita', MANAGEMENT, READONLY);
    expect(await probe()(old)).toEqual({ ok: true });

    const ended = await endEarly(grant);
    expect(ended.status).toBe('revoked');
    expect(hasAssignment('rita', MANAGEMENT, READONLY)).toBe(false);
    expect(ended.sessionCut).toEqual({ skipped: 'management_account' });
    expect(ended.sessionsCutAt).toBeUndefined();
    expect(JSON.stringify(ended.history)).toContain('sessions in the management account are not ended');
    expect(await emulatorPolicies()).not.toContain(ritaId);
    // SCPs never apply to the management account: the session taken during the grant still works.
    expect(await probe()(old)).toEqual({ ok: true });
  });
});
