/**
 * The crash harness (issue 4, item 5) behind `npm run bench -- crash` and
 * test/integration/crash.int.test.ts.
 *
 * Three processes besides this one: the local AWS emulator (its own process, so Identity Center
 * state survives the bot), dynalite on disk (its own process), and the bot itself
 * (`adapters/main/cli.ts start` in local mode, which reuses both emulators through
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_DYNAMODB). The harness writes approved requests into the
 * table, as a chat front end records them (short durations, many distinct triples and some
 * overlapping ones), SIGKILLs the bot at random moments, restarts it, and at the end lets it settle
 * and checks, through the AWS SDK and the table:
 * - leaked_assignments: an assignment in Identity Center without an active grant;
 * - overdue_grants: a grant still active more than 2 s past its expiry while a bot was up (a grant
 *   that expires while no bot runs is due 2 s after the next bot is ready);
 * - duplicate_assignments: a grant confirmed twice, or two grants of one triple holding the
 *   assignment at overlapping times;
 * - lost_audit_events: a record whose history is not versions 1..version with a from/to chain
 *   ending in its status, or a written request (and its grant) missing from the table;
 * - started_early: access that starts later (a share `scheduled` of the requests carries a start a
 *   few seconds ahead) moved to provisioning or confirmed in Identity Center before its start;
 * - leaked_memberships: a share `groups` of the requests asks for a membership of an Identity Center
 *   group (`request group:db-admins …`, the playground policy's governed group): a member of that
 *   group in the emulator's identity store without an active grant of that (user, group);
 * - duplicate_memberships: a membership the emulator created (CreateGroupMembership accepted) while
 *   no grant of that (user, group) was provisioning, or created twice for one grant.
 * Every other invariant covers group grants too (overdue, confirmed twice, audit chains).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AccessRequest, AuditEvent, Grant, PermissionSetArn } from '../../src';
import { AwsEmulatorAdminClient, generateSeed } from '../../adapters/local/aws-emulator';
import {
  approvedRequest,
  localIdentityCenter,
  localStore,
  resolveGroupTargets,
  resolveTargets,
  sleep,
  spawnChild,
  spawnService,
  targetKey,
  waitFor,
  type ChildService,
  type Service,
  type Target,
} from './local-stack';

export interface CrashOptions {
  /** Requests written (each one grant lifecycle). */
  lifecycles: number;
  /** SIGKILLs of the bot, at least. */
  kills: number;
  /** Grant durations, uniform in [min, max] seconds. */
  minDurationS: number;
  maxDurationS: number;
  /** Share of requests that reuse a triple written recently (overlap: merge or wait). */
  overlap: number;
  /** Kill the bot this long after it was spawned: uniform in [min, max] ms. */
  killAfterMinMs: number;
  killAfterMaxMs: number;
  /** Emulator provisioning delay (assignment operations stay IN_PROGRESS this long). */
  provisioningDelayMs: number;
  /** Time to let the last bot settle every grant. */
  settleMs: number;
  /** Share of requests for access that starts later (5–`maxStartAheadS` s ahead). Default 0.3. */
  scheduled?: number;
  /** How far ahead a scheduled request starts at most, in seconds (default 12). */
  maxStartAheadS?: number;
  /** Share of requests for a group membership (`group:db-admins`) instead of an account. Default 0.2. */
  groups?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface CrashResult {
  scenario: 'crash';
  lifecycles: number;
  kills: number;
  leaked_assignments: number;
  overdue_grants: number;
  duplicate_assignments: number;
  lost_audit_events: number;
  /** Scheduled grants assigned (or moved to provisioning) before their start: must be 0. */
  started_early: number;
  /** Requests written with a start ahead, and how many of their grants started (then ended). */
  scheduled_requests: number;
  scheduled_started: number;
  /** Members of the harness's group in the identity store with no active grant: must be 0. */
  leaked_memberships: number;
  /** Memberships created with no grant provisioning them, or twice for one grant: must be 0. */
  duplicate_memberships: number;
  /** Requests written for a group membership, and how many of their grants had it (then ended). */
  group_requests: number;
  group_started: number;
  /** CreateGroupMembership / DeleteGroupMembership the emulator accepted. */
  memberships_created: number;
  memberships_removed: number;
  /** Grants or requests not at a final state after settling. */
  unsettled: number;
  /** Kills that hit a bot before it was ready (during tsx start-up or the first sweep). */
  kills_during_boot: number;
  grants_expired: number;
  grants_merged: number;
  assignments_created: number;
  duration_s: number;
  violations: string[];
}

/** A small seeded PRNG (mulberry32), so that a failing run can be replayed with --seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BotRun {
  service: ChildService;
  spawnedAt: number;
  readyAt?: number;
  killedAt?: number;
}

export async function runCrash(o: CrashOptions): Promise<CrashResult> {
  const log = o.log ?? ((line: string) => console.error(line));
  const runSeed = o.seed ?? Date.now() % 1_000_000;
  const random = prng(runSeed);
  const dir = mkdtempSync(join(tmpdir(), 'keyless-crash-'));
  const started = Date.now();
  // Few accounts: the adapter's catalog walks the organization (one ListTagsForResource per
  // account at 8 TPS) before the first assignment after each boot.
  const users = 40;
  const accounts = 8;
  const seedFile = join(dir, 'seed.json');
  const seed = generateSeed({ accounts, users, ous: 3, permissionSets: 2 });
  // The group the bot's (playground) policy governs: nobody is in it but through a grant.
  seed.groups.push({ name: CRASH_GROUP });
  writeFileSync(seedFile, JSON.stringify(seed));
  const table = 'keyless-crash';
  const runs: BotRun[] = [];
  let aws: Service | undefined;
  let dynamo: Service | undefined;
  const cleanups: (() => void)[] = [];
  try {
    [aws, dynamo] = await Promise.all([
      spawnService('adapters/local/aws-emulator/cli.ts', [
        '--port',
        '0',
        '--seed',
        seedFile,
        '--delay',
        String(o.provisioningDelayMs),
      ]),
      spawnService('bench/support/dynalite-server.ts', ['--path', join(dir, 'dynamodb')]),
    ]);
    const { store, client } = await localStore(dynamo.url, table);
    cleanups.push(() => client.destroy());
    const ic = localIdentityCenter(aws.url);
    cleanups.push(() => ic.destroy());
    const pool = await resolveTargets(ic.identity, users, users * accounts * 2);
    const groupPool = await resolveGroupTargets(ic.identity, users, [CRASH_GROUP], users);
    for (const list of [pool, groupPool]) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
    }
    log(
      `crash: seed ${runSeed}; emulator ${aws.url}, dynalite ${dynamo.url} (${dir}); ` +
        `${pool.length} triples, ${groupPool.length} memberships`,
    );

    const botEnv: NodeJS.ProcessEnv = {
      KEYLESS_MODE: 'local',
      AWS_ENDPOINT_URL: aws.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDCRASHHARNESS',
      AWS_SECRET_ACCESS_KEY: 'local',
      KEYLESS_PORT: '0',
      KEYLESS_SWEEP_MS: '200',
      KEYLESS_TABLE: table,
      KEYLESS_DATA_DIR: join(dir, 'data'),
      // The same bot restarted keeps its name (as a restarted container does): it takes its own
      // leases back at once instead of waiting for them to lapse (60 s).
      KEYLESS_REPLICA_ID: 'crash-bot',
      KEYLESS_LOG_LEVEL: process.env.CRASH_DEBUG ? 'debug' : 'warn',
      // The emulator has no rate limit: the pace that protects real Identity Center is opened.
      KEYLESS_AWS_TPS: '100',
      KEYLESS_AWS_MAX_OUTSTANDING: '50',
      SLACK_SIGNING_SECRET: '',
      SLACK_BOT_TOKEN: '',
      MICROSOFT_APP_ID: '',
    };
    const startBot = (): BotRun => {
      const run: BotRun = { service: spawnChild('adapters/main/cli.ts', ['start'], botEnv), spawnedAt: Date.now() };
      run.service.onLine((line, at) => {
        if (run.readyAt === undefined && line.includes('is running at')) run.readyAt = at;
        if (process.env.CRASH_DEBUG) log(`bot ${runs.indexOf(run)} +${at - run.spawnedAt} ms: ${line.slice(0, 160)}`);
      });
      runs.push(run);
      return run;
    };

    // Feed requests while killing and restarting the bot, spread over the time the kills take.
    const expectedRunMs = o.kills * ((o.killAfterMinMs + o.killAfterMaxMs) / 2 + 150);
    const feedInterval = () => Math.max(20, (expectedRunMs / o.lifecycles) * (0.5 + random()));
    const written: AccessRequest[] = [];
    const recent: Target[] = [];
    let fresh = 0;
    let freshGroup = 0;
    let feeding = true;
    const feeder = (async () => {
      while (feeding && written.length < o.lifecycles) {
        const reuse = recent.length > 0 && random() < o.overlap;
        const group = random() < (o.groups ?? 0.2);
        const target = reuse
          ? recent[Math.floor(random() * recent.length)]!
          : group
            ? groupPool[freshGroup++ % groupPool.length]!
            : pool[fresh++ % pool.length]!;
        recent.push(target);
        if (recent.length > 8) recent.shift();
        const duration = o.minDurationS + Math.floor(random() * (o.maxDurationS - o.minDurationS + 1));
        const now = Date.now();
        // A group membership starts when approved (the engine refuses --from for a group).
        const later = random() < (o.scheduled ?? 0.3) && !target.group;
        const approved = approvedRequest(
          `crash-${runSeed}-${String(written.length).padStart(5, '0')}`,
          target,
          duration,
          now,
        );
        // Access that starts later, as the engine records it once approved ahead.
        // Far enough ahead that a restarted bot often fulfils it before its start (a bot boots in seconds).
        const startsAt = now + 5000 + Math.floor(random() * ((o.maxStartAheadS ?? 12) - 5) * 1000);
        const request: AccessRequest = later ? { ...approved, startsAt } : approved;
        await store.createRequest(request);
        written.push(request);
        await sleep(feedInterval());
      }
    })();

    let kills = 0;
    let killsDuringBoot = 0;
    while (kills < o.kills || written.length < o.lifecycles) {
      const run = startBot();
      const wait = o.killAfterMinMs + random() * (o.killAfterMaxMs - o.killAfterMinMs);
      const exitedEarly = await Promise.race([sleep(wait).then(() => false), run.service.exited.then(() => true)]);
      if (exitedEarly) throw new Error(`the bot exited by itself:\n${run.service.stderrTail()}`);
      run.killedAt = Date.now();
      await run.service.kill('SIGKILL');
      kills++;
      if (run.readyAt === undefined) killsDuringBoot++;
      await sleep(random() * 300);
    }
    feeding = false;
    await feeder;

    // The last bot settles everything.
    const last = startBot();
    const maxExpiry = () => Date.now() + (o.maxDurationS + (o.maxStartAheadS ?? 12)) * 1000;
    log(`crash: ${written.length} lifecycles, ${kills} kills (${killsDuringBoot} during boot); settling…`);
    const settleDeadline = maxExpiry() + o.settleMs;
    const settled = await waitFor(
      async () => {
        if (!last.service.alive) throw new Error(`the last bot exited:\n${last.service.stderrTail()}`);
        const [approved, provisioning, active, deprovisioning, scheduled] = await Promise.all([
          store.listRequests({ status: 'approved' }),
          store.listGrants({ status: 'provisioning' }),
          store.listGrants({ status: 'active' }),
          store.listGrants({ status: 'deprovisioning' }),
          store.listGrants({ status: 'scheduled' }),
        ]);
        return approved.length + provisioning.length + active.length + deprovisioning.length + scheduled.length === 0;
      },
      Math.max(0, settleDeadline - Date.now()),
      250,
    );
    if (!settled) log('crash: not everything settled before the deadline');
    last.killedAt = Date.now();
    await last.service.kill('SIGTERM');
    const checkedAt = Date.now();

    // Evidence: the table (a consistent scan) and Identity Center (through the SDK).
    const grants: Grant[] = [];
    const requests: AccessRequest[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S ?? '';
        if (item.sk?.S !== 'META' || !item.doc?.S) continue;
        if (pk.startsWith('GRANT#')) grants.push(JSON.parse(item.doc.S) as Grant);
        if (pk.startsWith('REQ#')) requests.push(JSON.parse(item.doc.S) as AccessRequest);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const sets = await ic.identity.listPermissionSets();
    const assignments = await ic.identity.listAssignments(sets.map((s) => s.arn as PermissionSetArn));
    const awsLog = await fetch(`${aws.url}/_emulator/log`).then(
      (r) => r.json() as Promise<{ counts: Record<string, number> }>,
    );
    const awsState = await new AwsEmulatorAdminClient(aws.url).state();
    const groupIds = new Set(groupPool.map((t) => t.accountId as string));
    const ofGroups = <T extends { groupId: string; userId: string }>(list: T[]) =>
      list.filter((m) => groupIds.has(m.groupId)).map((m) => ({ ...m, principalId: m.userId }));
    const membershipChanges = ofGroups(awsState.membershipChanges);

    return {
      scenario: 'crash',
      ...judge({
        written,
        grants,
        requests,
        assignments,
        runs,
        checkedAt,
        memberships: ofGroups(awsState.memberships),
        membershipCreates: membershipChanges.filter((c) => c.kind === 'create'),
      }),
      kills,
      kills_during_boot: killsDuringBoot,
      unsettled: settled ? 0 : countUnsettled(grants, requests),
      grants_expired: grants.filter((g) => g.status === 'expired').length,
      grants_merged: grants.filter((g) => g.failure?.code === 'MERGED').length,
      scheduled_requests: written.filter((r) => r.startsAt !== undefined).length,
      scheduled_started: grants.filter((g) => g.startsAt !== undefined && eventAt(g, 'start_reached') !== undefined)
        .length,
      group_requests: written.filter((r) => r.group !== undefined).length,
      group_started: grants.filter((g) => g.group !== undefined && eventAt(g, 'assignment_confirmed') !== undefined)
        .length,
      memberships_created: membershipChanges.filter((c) => c.kind === 'create').length,
      memberships_removed: membershipChanges.filter((c) => c.kind === 'delete').length,
      assignments_created: awsLog.counts['sso-admin:CreateAccountAssignment'] ?? 0,
      duration_s: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await Promise.all(runs.map((r) => r.service.kill('SIGKILL')));
    for (const c of cleanups.reverse()) c();
    await Promise.all([aws?.kill('SIGTERM'), dynamo?.kill('SIGTERM')]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function countUnsettled(grants: Grant[], requests: AccessRequest[]): number {
  const liveGrants = grants.filter((g) =>
    ['provisioning', 'active', 'deprovisioning', 'scheduled'].includes(g.status),
  ).length;
  const openRequests = requests.filter((r) => r.status === 'approved' && !r.grantId).length;
  return liveGrants + openRequests;
}

const eventAt = (g: Grant, event: string): number | undefined => g.history.find((e) => e.event === event)?.at;

/** The group the harness grants memberships of: the one the playground policy governs. */
export const CRASH_GROUP = 'db-admins';

/**
 * When a grant was provisioning (wanting its access created): from its move to provisioning to the
 * next move away (confirmed, failed), or `checkedAt` if it never left. Undefined: it never was.
 */
function provisioningWindow(g: Grant, checkedAt: number): { from: number; to: number } | undefined {
  const i = g.history.findIndex((e) => e.to === 'provisioning');
  if (i < 0) return undefined;
  const left = g.history.slice(i + 1).find((e) => e.to !== 'provisioning');
  return { from: g.history[i]!.at, to: left?.at ?? checkedAt };
}

/** Checks the invariants; every violation is described in `violations`. */
export function judge(input: {
  written: AccessRequest[];
  grants: Grant[];
  requests: AccessRequest[];
  assignments: { principalId: string; accountId: string; permissionSetArn: string }[];
  runs: { readyAt?: number; killedAt?: number }[];
  checkedAt: number;
  /** Members of the harness's groups in the identity store at the end. */
  memberships?: { principalId: string; groupId: string }[];
  /** Every membership of those groups the identity store created, and when. */
  membershipCreates?: { principalId: string; groupId: string; at: number }[];
}): Pick<
  CrashResult,
  | 'lifecycles'
  | 'leaked_assignments'
  | 'overdue_grants'
  | 'duplicate_assignments'
  | 'lost_audit_events'
  | 'started_early'
  | 'leaked_memberships'
  | 'duplicate_memberships'
  | 'violations'
> {
  const violations: string[] = [];
  const { grants, requests, checkedAt } = input;

  // No assignment without an active grant.
  const activeKeys = new Set(grants.filter((g) => g.status === 'active').map((g) => targetKey(g)));
  const leaked = input.assignments.filter((a) => !activeKeys.has(targetKey(a)));
  for (const a of leaked) violations.push(`leaked assignment ${targetKey(a)}`);

  // No membership without an active grant of that (user, group).
  const membershipKey = (m: { principalId: string; groupId: string }) =>
    targetKey({ principalId: m.principalId, accountId: m.groupId, permissionSetArn: '' });
  const leakedMemberships = (input.memberships ?? []).filter((m) => !activeKeys.has(membershipKey(m)));
  for (const m of leakedMemberships) violations.push(`leaked membership of ${m.principalId} in group ${m.groupId}`);

  // Every membership created for one grant that was provisioning it, and once per grant.
  let duplicateMemberships = 0;
  const windows = new Map<string, { id: string; from: number; to: number; creates: number }[]>();
  for (const g of grants) {
    const w = g.group ? provisioningWindow(g, checkedAt) : undefined;
    if (w) windows.set(targetKey(g), [...(windows.get(targetKey(g)) ?? []), { id: g.id, ...w, creates: 0 }]);
  }
  for (const c of input.membershipCreates ?? []) {
    const holder = windows.get(membershipKey(c))?.find((w) => w.from <= c.at && c.at <= w.to);
    if (holder) holder.creates++;
    else {
      duplicateMemberships++;
      violations.push(
        `membership of ${c.principalId} in group ${c.groupId} created at ${c.at} with no grant provisioning it`,
      );
    }
  }
  for (const w of [...windows.values()].flat()) {
    if (w.creates > 1) {
      duplicateMemberships += w.creates - 1;
      violations.push(`grant ${w.id} created its membership ${w.creates} times`);
    }
  }

  // No active grant past its expiry plus two seconds, while a bot was up.
  const up = input.runs
    .filter((r): r is { readyAt: number; killedAt?: number } => r.readyAt !== undefined)
    .map((r) => ({ from: r.readyAt, to: r.killedAt ?? Infinity }));
  const dueBy = (expiresAt: number): number => {
    for (const u of up) {
      if (u.to <= expiresAt) continue;
      const deadline = Math.max(expiresAt, u.from) + 2000;
      if (u.to >= deadline) return deadline;
    }
    return Infinity; // no bot was up long enough after this expiry to be judged
  };
  let overdue = 0;
  for (const g of grants) {
    if (g.expiresAt === undefined || g.activatedAt === undefined) continue;
    const ended = g.history.find((e) => e.from === 'active' && e.to !== 'active')?.at ?? checkedAt;
    // An extension moves expiresAt: judge against the expiry in force when the grant left active.
    const due = dueBy(g.expiresAt);
    if (ended > due) {
      overdue++;
      violations.push(`grant ${g.id} active until ${ended}, due by ${due} (expiry ${g.expiresAt})`);
    }
  }

  // No grant assigned twice; no two grants of one triple holding the assignment at once.
  let duplicates = 0;
  const byTriple = new Map<string, { id: string; from: number; to: number }[]>();
  for (const g of grants) {
    const confirmations = g.history.filter((e) => e.event === 'assignment_confirmed').length;
    if (confirmations > 1) {
      duplicates++;
      violations.push(`grant ${g.id} confirmed ${confirmations} times`);
    }
    const from = eventAt(g, 'assignment_confirmed');
    if (from === undefined) continue;
    const to = eventAt(g, 'unassignment_confirmed') ?? checkedAt;
    byTriple.set(targetKey(g), [...(byTriple.get(targetKey(g)) ?? []), { id: g.id, from, to }]);
  }
  for (const list of byTriple.values()) {
    list.sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.from < list[i - 1]!.to) {
        duplicates++;
        violations.push(`grants ${list[i - 1]!.id} and ${list[i]!.id} held one assignment at once`);
      }
    }
  }

  // No access that starts later begun before its start: neither the move to provisioning nor the
  // assignment's confirmation (a grant merged into a live holder never starts, and is not counted).
  let early = 0;
  for (const g of grants) {
    if (g.startsAt === undefined) continue;
    const started = eventAt(g, 'start_reached');
    const confirmed = eventAt(g, 'assignment_confirmed');
    const first = Math.min(started ?? Infinity, confirmed ?? Infinity);
    if (first < g.startsAt) {
      early++;
      violations.push(`grant ${g.id} started at ${first}, before its start ${g.startsAt}`);
    }
  }

  // No audit event lost.
  let lost = 0;
  const chainProblem = (r: { version: number; status: string; history: AuditEvent[] }): string | undefined => {
    const h = r.history;
    if (h.length !== r.version) return `history has ${h.length} events for version ${r.version}`;
    for (let i = 0; i < h.length; i++) {
      if (h[i]!.version !== i + 1) return `event ${i} has version ${h[i]!.version}`;
      const expectedFrom = i === 0 ? 'none' : h[i - 1]!.to;
      if (h[i]!.from !== expectedFrom) return `event ${i + 1} goes from ${h[i]!.from}, not ${expectedFrom}`;
    }
    if (h[h.length - 1]?.to !== r.status) return `last event ends in ${h[h.length - 1]?.to}, status is ${r.status}`;
    return undefined;
  };
  for (const r of [...grants, ...requests]) {
    const problem = chainProblem(r);
    if (problem) {
      lost++;
      violations.push(`${r.id}: ${problem}`);
    }
  }
  const requestById = new Map(requests.map((r) => [r.id, r]));
  const grantById = new Map(grants.map((g) => [g.id, g]));
  for (const w of input.written) {
    const r = requestById.get(w.id);
    if (!r) {
      lost++;
      violations.push(`request ${w.id} is missing`);
    } else if (!r.grantId || !grantById.has(r.grantId)) {
      lost++;
      violations.push(`request ${w.id} has no grant (${r.grantId ?? 'unlinked'})`);
    }
  }
  return {
    lifecycles: input.written.length,
    leaked_assignments: leaked.length,
    overdue_grants: overdue,
    duplicate_assignments: duplicates,
    lost_audit_events: lost,
    started_early: early,
    leaked_memberships: leakedMemberships.length,
    duplicate_memberships: duplicateMemberships,
    violations,
  };
}
