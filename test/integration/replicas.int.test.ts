/**
 * Issue 4, item 4: three engines on one DynamoDB table, 500 grants expiring in a burst, each revoked
 * exactly once, counted in the DeleteAccountAssignment calls the local AWS emulator received.
 *
 * Real components: dynalite (in this process), one AWS emulator, and per engine its own DynamoDB
 * client, DynamoGrantStore and AwsIdentityCenter on explicit SDK clients, the system clock. The
 * adapter's pace is opened wide: the emulator has no rate limit, and 500 revocations at the real
 * ~20 TPS would take minutes. The grants go the whole way through the engines: approved requests
 * (as a chat front end records auto-approved ones, with a duration of seconds) are fulfilled by the
 * engines' sweep (grant written in provisioning, assignment created, active), then expire.
 */
import { generateSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import { startEmbeddedDynamo } from '../../adapters/local/embedded-dynamodb';
import { DynamoGrantStore } from '../../adapters/dynamodb';
import { parseGrantId, type AccessRequest, type Engine } from '../../src';
import {
  approvedRequest,
  forEachLimit,
  localDynamo,
  localEngine,
  localIdentityCenter,
  localStore,
  resolveTargets,
  targetKey,
  waitFor,
} from '../../bench/support/local-stack';

const GRANTS = 500;
const DURATION_S = 6;

describe('three replicas on one table', () => {
  let aws: RunningAwsEmulator;
  let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
  const cleanups: (() => void | Promise<void>)[] = [];

  beforeAll(async () => {
    [aws, dynamo] = await Promise.all([
      startAwsEmulator({ seed: generateSeed({ accounts: 25, users: 20, ous: 3, permissionSets: 1 }), port: 0 }),
      startEmbeddedDynamo(),
    ]);
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await Promise.all([aws?.stop(), dynamo?.stop()]);
  });

  it('revokes each of 500 grants expiring in a burst exactly once', async () => {
    const table = 'keyless-replicas';
    const setup = await localStore(dynamo.url, table);
    const setupIc = localIdentityCenter(aws.url);
    cleanups.push(
      () => setup.client.destroy(),
      () => setupIc.destroy(),
    );
    const targets = await resolveTargets(setupIc.identity, 20, GRANTS);

    const engines: Engine[] = [1, 2, 3].map((n) => {
      const client = localDynamo(dynamo.url);
      const ic = localIdentityCenter(aws.url);
      cleanups.push(() => {
        ic.destroy();
        client.destroy();
      });
      return localEngine({
        store: new DynamoGrantStore({ client, tableName: table }),
        identity: ic.identity,
        options: { replicaId: `replica-${n}`, sweepIntervalMs: 1000 },
      });
    });
    cleanups.push(() => Promise.all(engines.map((e) => e.stop())).then(() => undefined));

    // Many users' auto-approved requests, written at once; the engines' sweeps fulfil them.
    const now = Date.now();
    const requests: AccessRequest[] = targets.map((t, i) =>
      approvedRequest(`rep-${String(i).padStart(4, '0')}`, t, DURATION_S, now),
    );
    expect(await forEachLimit(requests, 32, (r) => setup.store.createRequest(r))).toEqual([]);
    await Promise.all(engines.map((e) => e.start()));

    // Every grant must have been activated, then expired.
    const grantIds = requests.map((r) => parseGrantId(`${r.id}-g`));
    const allExpired = await waitFor(
      async () => {
        const statuses = await Promise.all(grantIds.map((id) => setup.store.getGrant(id).then((g) => g?.status)));
        return statuses.every((s) => s === 'expired');
      },
      // A bound only against a hang: it returns as soon as every grant expired, however slow the machine.
      150_000,
      1000,
    );
    // Let any second revocation attempt (a replica late on its timer) reach the emulator.
    await new Promise((r) => setTimeout(r, 1500));
    await Promise.all(engines.map((e) => e.stop()));

    const grants = await Promise.all(grantIds.map((id) => setup.store.getGrant(id)));
    expect(grants.filter((g) => g?.status !== 'expired').map((g) => `${g?.id}: ${g?.status}`)).toEqual([]);
    expect(allExpired).toBe(true);
    // Each grant lasted what was asked, exactly (no merge, no extension, whatever the machine's
    // speed), and none ended before its expiry.
    expect(
      grants.filter((g) => g!.expiresAt! - g!.activatedAt! !== DURATION_S * 1000 || g!.endedAt! < g!.expiresAt!),
    ).toEqual([]);

    // Exactly one accepted DeleteAccountAssignment per grant, one per triple (a call AWS throttled and
    // keyless made again is not a second deletion).
    expect(aws.log.count('DeleteAccountAssignment', 'ok')).toBe(GRANTS);
    const deletesPerTriple = new Map<string, number>();
    for (const op of aws.state.operations().filter((o) => o.kind === 'delete')) {
      deletesPerTriple.set(targetKey(op.assignment), (deletesPerTriple.get(targetKey(op.assignment)) ?? 0) + 1);
    }
    expect(deletesPerTriple.size).toBe(GRANTS);
    expect([...deletesPerTriple.values()].every((n) => n === 1)).toBe(true);
    expect(targets.every((t) => deletesPerTriple.has(targetKey(t)))).toBe(true);
    // Each grant assigned once too, and nothing left assigned.
    expect(aws.log.count('CreateAccountAssignment', 'ok')).toBe(GRANTS);
    expect(aws.state.assignments()).toEqual([]);
  }, 240_000);
});
