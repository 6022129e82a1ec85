/**
 * Building blocks shared by the revocation benches, the crash harness and their integration tests:
 * real components only (dynalite, the local AWS emulator, DynamoGrantStore, AwsIdentityCenter, the
 * engine), started in this process or as child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import {
  createEngine,
  grantCreated,
  groupTargetFields,
  requestCreated,
  silentLogger,
  systemActor,
  transitionGrant,
  userActor,
  type AccessRequest,
  type AccountId,
  type ChatUser,
  type Engine,
  type EngineOptions,
  type Grant,
  type GrantId,
  type GroupRef,
  type Logger,
  type PermissionSetArn,
  type Policy,
  type PrincipalId,
  type RequestId,
} from '../../src';
import {
  AwsIdentityCenter,
  type AwsIdentityCenterOptions,
  type IdentityCenterPaceOptions,
} from '../../adapters/aws/identity-center';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { loadPolicyFile, PLAYGROUND_POLICY } from '../../adapters/main/config';
import { randomIds, systemClock } from '../../adapters/main/runtime';
import { forEachLimit } from '../../src/engine/concurrency';

export const ROOT = join(__dirname, '..', '..');
export const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
export const IDENTITY_STORE_ID = 'd-1234567890';
const CREDENTIALS = { accessKeyId: 'AKIDLOCALBENCH', secretAccessKey: 'local' };

/**
 * The local AWS emulator has no rate limit of its own (its `tpsLimit` fault is off unless set),
 * so the adapter's pace, which protects real Identity Center's ~20 TPS, is opened wide here:
 * what is measured is keyless, not a limit that only exists in AWS.
 */
export const EMULATOR_PACE: Partial<IdentityCenterPaceOptions> = {
  tps: 5000,
  burst: 500,
  maxOutstandingCreates: 500,
  maxOutstandingDeletes: 500,
};

export const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

// Child processes

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export interface Service {
  child: ChildProcess;
  /** The first line the service printed on stdout (its URL). */
  url: string;
  /** Every later stdout line goes here. */
  onLine(listener: (line: string, at: number) => void): void;
  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every child this process started that is still alive (used on the way out, even on failure). */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

export interface ChildService {
  child: ChildProcess;
  /** Every stdout line, with the time it arrived. */
  onLine(listener: (line: string, at: number) => void): void;
  /** The last stderr lines, for diagnostics. */
  stderrTail(): string;
  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
  readonly alive: boolean;
}

/**
 * Starts `node --import tsx <script> ...args`: one process (no tsx wrapper), so that SIGKILL
 * reaches the code itself. The process is killed when this one exits, even on failure. With `ipc`,
 * the child has an IPC channel (`child.send`, `process.send`). With BENCH_CPU_PROFILE_DIR set, every
 * child writes a V8 CPU profile there when it exits (`node --cpu-prof`; not for a SIGKILLed child).
 */
export function spawnChild(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { ipc?: boolean } = {},
): ChildService {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAllChildren);
  }
  const profile = process.env.BENCH_CPU_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  const listeners: ((line: string, at: number) => void)[] = [];
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const at = Date.now();
    for (const l of listeners) l(line, at);
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    onLine: (l) => listeners.push(l),
    stderrTail: () => tail.join('\n'),
    exited,
    get alive() {
      return alive();
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (alive()) child.kill(signal);
      await exited;
    },
  };
}

/** A child that prints its URL as its first stdout line; resolves once it has. */
export function spawnService(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<Service> {
  const service = spawnChild(script, args, env);
  return new Promise<Service>((resolve, reject) => {
    let first = true;
    const later: ((line: string, at: number) => void)[] = [];
    const timer = setTimeout(() => {
      void service.kill();
      reject(new Error(`${script} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    void service.exited.then((code) => {
      if (!first) return;
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${service.stderrTail()}`));
    });
    service.onLine((line, at) => {
      if (!first) return later.forEach((l) => l(line, at));
      first = false;
      clearTimeout(timer);
      resolve({
        ...service,
        child: service.child,
        url: line.trim(),
        onLine: (l) => later.push(l),
        kill: service.kill,
        exited: service.exited,
      });
    });
  });
}

// Clients and adapters on local endpoints

export function localDynamo(url: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    retryStrategy: new ConfiguredRetryStrategy(4, () => 20),
  });
}

export async function localStore(
  url: string,
  tableName: string,
): Promise<{ store: DynamoGrantStore; client: DynamoDBClient }> {
  const client = localDynamo(url);
  await ensureTable(client, tableName);
  return { store: new DynamoGrantStore({ client, tableName }), client };
}

/** Polling and retries for tests whose emulator provisions in milliseconds. */
export const FAST_EMULATOR_TIMING: Pick<AwsIdentityCenterOptions, 'polling' | 'retry'> = {
  polling: { firstPollMs: 10, nearIntervalMs: 10, coldMaxIntervalMs: 40, maxIntervalMs: 100, deadlineMs: 10_000 },
  retry: { baseDelayMs: 5, maxDelayMs: 40 },
};

/**
 * The real Identity Center adapter on explicit SDK clients pointed at the emulator (the demo
 * instance). `options` overrides the pace (default: the emulator's, far above AWS's), polling and retries.
 */
export function localIdentityCenter(
  awsUrl: string,
  options: Pick<AwsIdentityCenterOptions, 'pace' | 'polling' | 'retry' | 'catalog'> = {},
): { identity: AwsIdentityCenter; destroy(): void } {
  const config = { endpoint: awsUrl, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
  const clients = {
    ssoAdmin: new SSOAdminClient(config),
    identityStore: new IdentitystoreClient(config),
    organizations: new OrganizationsClient(config),
  };
  const identity = new AwsIdentityCenter(clients, {
    instanceArn: INSTANCE_ARN,
    identityStoreId: IDENTITY_STORE_ID,
    ...options,
    pace: options.pace ?? EMULATOR_PACE,
  });
  return {
    identity,
    destroy() {
      identity.stop();
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

export function playgroundPolicy(): Policy {
  return loadPolicyFile(PLAYGROUND_POLICY);
}

/** An engine as adapters/main composes it, on the system clock, with no chat. */
export function localEngine(deps: {
  store: DynamoGrantStore;
  identity: AwsIdentityCenter;
  options: Partial<EngineOptions> & { replicaId: string };
  policy?: Policy;
  logger?: Logger;
}): Engine {
  const policy = deps.policy ?? playgroundPolicy();
  return createEngine({
    store: deps.store,
    membership: deps.store,
    identity: deps.identity,
    notifier: { publish: () => Promise.resolve() },
    clock: systemClock,
    logger: deps.logger ?? silentLogger,
    ids: randomIds,
    policy: () => policy,
    options: deps.options,
  });
}

// Targets and records

export interface Target {
  principalId: PrincipalId;
  principalName: string;
  email: string;
  accountId: AccountId;
  accountName: string;
  permissionSetArn: PermissionSetArn;
  permissionSetName: string;
  /**
   * A group membership instead of an account assignment: the account fields then hold the group
   * as the engine fills them for a group grant (`groupTargetFields`).
   */
  group?: GroupRef;
}

export const targetKey = (t: { principalId: string; accountId: string; permissionSetArn: string }): string =>
  `${t.principalId}#${t.accountId}#${t.permissionSetArn}`;

/**
 * Distinct (user, account, permission set) triples of a generated seed (`user<i>@example.com`),
 * resolved through the adapter, as a running bot resolves them.
 */
export async function resolveTargets(identity: AwsIdentityCenter, users: number, count: number): Promise<Target[]> {
  const principals = await Promise.all(
    Array.from({ length: users }, (_, i) => identity.resolvePrincipal(`user${i}@example.com`)),
  );
  const [accounts, sets] = await Promise.all([identity.listAccounts(), identity.listPermissionSets()]);
  const out: Target[] = [];
  for (const ps of sets) {
    for (const a of accounts) {
      for (const p of principals) {
        if (out.length >= count) return out;
        out.push({
          principalId: p.principalId as PrincipalId,
          principalName: p.userName,
          email: p.email,
          accountId: a.id,
          accountName: a.name,
          permissionSetArn: ps.arn,
          permissionSetName: ps.name,
        });
      }
    }
  }
  if (out.length < count) throw new Error(`the seed has only ${out.length} distinct targets, ${count} wanted`);
  return out;
}

/**
 * Distinct (user, group) memberships of a generated seed: `user<i>@example.com` in each of the
 * groups named (which must exist in the seed), resolved through the adapter, users first.
 */
export async function resolveGroupTargets(
  identity: AwsIdentityCenter,
  users: number,
  groupNames: readonly string[],
  count: number,
): Promise<Target[]> {
  const principals = await Promise.all(
    Array.from({ length: users }, (_, i) => identity.resolvePrincipal(`user${i}@example.com`)),
  );
  const out: Target[] = [];
  for (const name of groupNames) {
    const group = await identity.findGroup(name);
    if (!group) throw new Error(`the seed has no group ${name}`);
    for (const p of principals) {
      if (out.length >= count) return out;
      out.push({
        principalId: p.principalId as PrincipalId,
        principalName: p.userName,
        email: p.email,
        ...groupTargetFields(group),
        group,
      });
    }
  }
  if (out.length < count) throw new Error(`the seed has only ${out.length} distinct memberships, ${count} wanted`);
  return out;
}

/** The fields a request or grant of `t` carries for its target (a group grant also carries `group`). */
const targetFields = (t: Target) => ({
  principalId: t.principalId,
  principalName: t.principalName,
  accountId: t.accountId,
  accountName: t.accountName,
  permissionSetArn: t.permissionSetArn,
  permissionSetName: t.permissionSetName,
  ...(t.group ? { group: t.group } : {}),
});

const requesterOf = (t: Target): ChatUser => ({
  platform: 'slack',
  id: `U${t.principalName.toUpperCase()}`,
  displayName: t.principalName,
  email: t.email,
});

/** The playground policy's rule for a target: `sandbox` for accounts, the db-admins rule for a group. */
const ruleOf = (t: Target): string => (t.group ? 'db-admins-for-a-while' : 'sandbox');

/**
 * A request as a chat front end records an auto-approved one (engine `requestAccess` does the
 * same with `status: 'approved'`), but with a duration of seconds, which chat input never allows.
 * The engines' sweep fulfils it: grant (provisioning) → assign → active.
 */
export function approvedRequest(id: string, target: Target, durationSeconds: number, now: number): AccessRequest {
  return requestCreated(
    {
      id: id as RequestId,
      status: 'approved',
      kind: 'grant',
      requester: requesterOf(target),
      ...targetFields(target),
      durationSeconds,
      reason: 'bench',
      rule: ruleOf(target),
      approvalsRequired: 0,
      selfApproval: false,
      approvals: [],
      createdAt: now,
      decideBy: now + 4 * 3600_000,
      decidedAt: now,
    },
    userActor(requesterOf(target)),
  ).next;
}

/**
 * An active grant exactly as the engine leaves it after activation (create, then
 * assignment_confirmed, through the domain's own transitions), expiring at `expiresAt`.
 */
export function activeGrant(id: string, target: Target, expiresAt: number, now: number): Grant {
  const durationSeconds = Math.max(1, Math.ceil((expiresAt - now) / 1000));
  const activatedAt = expiresAt - durationSeconds * 1000;
  const provisioner = systemActor('provisioner');
  const created = grantCreated(
    {
      id: id as GrantId,
      status: 'provisioning',
      requestId: `${id}-r` as RequestId,
      requester: requesterOf(target),
      ...targetFields(target),
      rule: ruleOf(target),
      breakGlass: false,
      durationSeconds,
      createdAt: activatedAt,
      deprovisionAttempts: 0,
    },
    provisioner,
  ).next;
  const active = transitionGrant(created, { type: 'assignment_confirmed', actor: provisioner, at: activatedAt })!.next;
  // What the chat notifiers keep with a grant once it is active, for a request without chat messages.
  return { ...active, chatCopies: { slack: [], teams: [] } };
}

/** The engine's bounded loop: runs `fn` over `items`, at most `limit` at once; returns the failures. */
export { forEachLimit };

/**
 * The burst every revocation bench starts from: one active grant per target, its slot claimed,
 * expiries spread evenly over `windowMs` from a first expiry `leadMs` after the writes are expected to
 * end. Returns each target's expiry and grant id, by `targetKey`.
 */
export async function writeGrantBurst(
  store: DynamoGrantStore,
  targets: readonly Target[],
  o: { windowMs: number; leadMs: number },
): Promise<{ firstExpiry: number; expiresAt: Map<string, number>; grantOf: Map<string, GrantId> }> {
  const burst = await writeBurst(targets, o, 'grant', async (t, i, at, now) => {
    const grant = activeGrant(`bench-${String(i).padStart(6, '0')}-g`, t, at, now);
    if (!(await store.claimActiveSlot(t, grant.id))) throw new Error('slot taken');
    await store.createGrant(grant);
    return grant.id;
  });
  return { firstExpiry: burst.first, expiresAt: burst.at, grantOf: burst.grantOf };
}

/**
 * A burst of active grants and scheduled ones in one: each item's instant (spread evenly over the
 * window, in the order given) is an active grant's expiry, or a scheduled grant's start (it then
 * lasts `durationSeconds`). Active grants claim their slot, as activation leaves them.
 */
export async function writeMixedBurst(
  store: DynamoGrantStore,
  items: readonly { target: Target; scheduled: boolean }[],
  o: { windowMs: number; leadMs: number; durationSeconds: number },
): Promise<{ first: number; at: Map<string, number>; grantOf: Map<string, GrantId> }> {
  const scheduled = new Set(items.filter((i) => i.scheduled).map((i) => targetKey(i.target)));
  return writeBurst(
    items.map((i) => i.target),
    o,
    'grant',
    async (t, i, at, now) => {
      const id = `bench-${String(i).padStart(6, '0')}-g`;
      if (scheduled.has(targetKey(t))) {
        const grant = scheduledGrant(id, t, at, o.durationSeconds, now);
        await store.createGrant(grant);
        return grant.id;
      }
      const grant = activeGrant(id, t, at, now);
      if (!(await store.claimActiveSlot(t, grant.id))) throw new Error('slot taken');
      await store.createGrant(grant);
      return grant.id;
    },
  );
}

/**
 * One write per target at instants spread evenly over `windowMs` from a first one `leadMs` after the
 * writes are expected to end (about 6 ms a target); each target's instant and grant id by `targetKey`.
 */
async function writeBurst(
  targets: readonly Target[],
  o: { windowMs: number; leadMs: number },
  what: string,
  write: (t: Target, i: number, at: number, now: number) => Promise<GrantId>,
): Promise<{ first: number; at: Map<string, number>; grantOf: Map<string, GrantId> }> {
  const writeMs = 2000 + targets.length * 6;
  const first = Date.now() + writeMs + o.leadMs;
  const step = targets.length > 1 ? o.windowMs / (targets.length - 1) : 0;
  const at = new Map<string, number>();
  const grantOf = new Map<string, GrantId>();
  const now = Date.now();
  const failures = await forEachLimit(
    targets.map((t, i) => ({ t, i })),
    32,
    async ({ t, i }) => {
      const when = Math.round(first + i * step);
      at.set(targetKey(t), when);
      grantOf.set(targetKey(t), await write(t, i, when, now));
    },
  );
  if (failures.length) throw new Error(`set-up: ${failures.length} ${what} writes failed`);
  return { first, at, grantOf };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * Access that starts later, as the engine leaves it once approved: a scheduled grant (created
 * through the domain's own transition) that starts at `startsAt` and lasts `durationSeconds`.
 */
export function scheduledGrant(
  id: string,
  target: Target,
  startsAt: number,
  durationSeconds: number,
  now: number,
): Grant {
  return grantCreated(
    {
      id: id as GrantId,
      status: 'scheduled',
      startsAt,
      requestId: `${id}-r` as RequestId,
      requester: requesterOf(target),
      ...targetFields(target),
      rule: ruleOf(target),
      breakGlass: false,
      durationSeconds,
      createdAt: now,
      deprovisionAttempts: 0,
    },
    systemActor('provisioner'),
  ).next;
}

/**
 * Writes one scheduled grant per target, their starts spread evenly over `windowMs` from a first
 * start `leadMs` after the writes (the replicas start in between), each lasting `durationSeconds`.
 */
export async function writeScheduledBurst(
  store: DynamoGrantStore,
  targets: readonly Target[],
  o: { windowMs: number; leadMs: number; durationSeconds: number },
): Promise<{ firstStart: number; startsAt: Map<string, number>; grantOf: Map<string, GrantId> }> {
  const burst = await writeBurst(targets, o, 'scheduled grant', async (t, i, at, now) => {
    const grant = scheduledGrant(`sched-${String(i).padStart(6, '0')}-g`, t, at, o.durationSeconds, now);
    await store.createGrant(grant);
    return grant.id;
  });
  return { firstStart: burst.first, startsAt: burst.at, grantOf: burst.grantOf };
}
