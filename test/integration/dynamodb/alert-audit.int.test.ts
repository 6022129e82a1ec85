import { DynamoAlertStore, DynamoGrantStore } from '../../../adapters/dynamodb';
import { writeAuditExport } from '../../../adapters/main/audit-command';
import { createAlertEngine, silentLogger, type AuditQuery } from '../../../src';
import { T0 } from '../../builders';
import { demoPolicy } from '../../builders/policy';
import { PROD, SANDBOX } from '../../builders/test-alert-engine';
import { users } from '../../builders/test-engine';
import { FakeIam } from '../../fakes/fake-iam';
import { FakeIdentityCenter } from '../../fakes/fake-identity-center';
import { ManualClock } from '../../fakes/manual-clock';
import { RecordingAlertPublisher } from '../../fakes/recording-alert-publisher';
import { demoSeed } from '../../fakes/seed';
import { dynaliteTables } from '../../support/dynalite';

/**
 * The security feed in the audit (issue 18), on DynamoDB (dynalite): alerts raised by a key scan and
 * what people did with them (Acknowledge, Deactivate requested and approved) are filed by the audit
 * pump beside the grants' events, and found by account, by the person who acted, and by the key's owner.
 */
const freshTable = dynaliteTables();
const DAY = 86_400_000;
const OLD = 'AKIAOLDKEY0000000001';
const OTHER = 'AKIAOTHERKEY00000002';
const STALE = `key:${PROD.id}:${OLD}:stale_access_key`;

async function setUp() {
  const { client, tableName } = await freshTable();
  const alertStore = new DynamoAlertStore({ client, tableName });
  const store = new DynamoGrantStore({ client, tableName });
  const clock = new ManualClock(T0);
  const iam = new FakeIam(
    {
      accounts: [
        {
          accountId: PROD.id,
          users: [
            {
              name: 'deployer',
              tags: { owner: 'Owen@Example.com' },
              keys: [{ id: OLD, createdDaysAgo: 200, lastUsedDaysAgo: 1 }],
            },
          ],
        },
        {
          accountId: SANDBOX.id,
          users: [{ name: 'builder', keys: [{ id: OTHER, createdDaysAgo: 200, lastUsedDaysAgo: 1 }] }],
        },
      ],
    },
    () => clock.now(),
  );
  const policy = demoPolicy();
  const engine = createAlertEngine({
    store: alertStore,
    publisher: new RecordingAlertPublisher(undefined, () => clock.now()),
    clock,
    logger: silentLogger,
    policy: () => policy,
    directory: new FakeIdentityCenter(demoSeed()),
    accounts: async () => [PROD, SANDBOX],
    scanner: iam,
    remediator: iam,
  });
  const drain = async () => {
    for (let i = 0; i < 20; i++) if ((await store.pumpAudit()).items === 0) return;
    throw new Error('the audit pump never ran dry');
  };
  return { engine, store, client, tableName, clock, drain };
}

const window = (over: Partial<AuditQuery>): AuditQuery => ({ since: T0 - DAY, until: T0 + DAY, ...over });

describe('alerts and their actions in the audit index (dynalite)', () => {
  it('files alerts and the actions on them, found by account, by the acting approver, and by the key’s owner', async () => {
    const { engine, store, clock, drain } = await setUp();
    await engine.scanAll();
    clock.advance(60_000);
    await engine.acknowledge({ dedupeKey: STALE, actor: users.sam });
    clock.advance(60_000);
    await engine.requestDeactivation({ dedupeKey: STALE, actor: users.rita });
    clock.advance(60_000);
    await engine.approveDeactivation({ dedupeKey: STALE, actor: users.sam });
    // A later scan sees the alerts again: repeat sightings are counted on the alert, not filed.
    clock.advance(60_000);
    await engine.scanAll();
    await drain();
    expect(await store.auditBacklog()).toBe(0);

    const prod = await store.queryAuditCounted(window({ account: PROD.id }));
    // Read from the account's own index partition: what is returned is all that is read.
    expect(prod.scanned).toBe(prod.records.length);
    expect(prod.records.every((r) => r.subjectKind === 'alert' && r.accountId === PROD.id)).toBe(true);
    const events = prod.records.filter((r) => r.details?.['alert'] === 'stale_access_key').map((r) => r.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'create',
        'acknowledge',
        'deactivation_requested',
        'deactivation_approved',
        'deactivated',
      ]),
    );
    expect(events).not.toContain('seen');
    expect(events).not.toContain('posted');

    // The approver's actions, with the approver as actor.
    const bySam = await store.queryAudit(window({ actor: 'sam@example.com' }));
    expect(bySam.records.map((r) => [r.event, r.actorName, r.actorEmail, r.accountId])).toEqual([
      ['acknowledge', 'Sam', 'sam@example.com', PROD.id],
      ['deactivation_approved', 'Sam', 'sam@example.com', PROD.id],
    ]);
    const byRita = await store.queryAudit(window({ actor: users.rita.email }));
    expect(byRita.records.map((r) => [r.event, r.from, r.to])).toEqual([
      ['deactivation_requested', 'remediation:none', 'remediation:pending_approval'],
    ]);

    // The key's owner (its owner tag) finds the story of their key.
    const byOwner = await store.queryAudit(window({ user: 'owen@example.com' }));
    expect(byOwner.records.map((r) => r.event)).toEqual(expect.arrayContaining(['create', 'deactivation_approved']));
    expect(byOwner.records.every((r) => r.details?.['keyLast4'] === '0001')).toBe(true);

    // The other account's alert is in its own account only, and about no person.
    const sandbox = await store.queryAudit(window({ account: SANDBOX.id }));
    expect(sandbox.records.map((r) => r.event)).toContain('create');
    expect(sandbox.records.every((r) => r.user === '' && r.details?.['iamUser'] === 'builder')).toBe(true);

    // `keyless audit --account …`: the alerts and actions in the export, never a whole access key id.
    let csv = '';
    await writeAuditExport(store, window({ account: PROD.id }), 'csv', (t) => void (csv += t));
    expect(csv).toContain(',deactivation_approved,remediation:pending_approval,remediation:approved,owen@example.com,');
    expect(csv).toContain('sam@example.com,Sam');
    expect(csv).not.toContain(OLD);
    expect(csv).not.toContain(OLD.slice(0, 12));
  });

  it('keeps the mark of an alert written again before the pump passes, and files every action once', async () => {
    const { engine, store, clock, drain } = await setUp();
    await engine.scanAll();
    await drain();
    // Two actions in a row, no pump in between: both filed by the next pass.
    clock.advance(1000);
    await engine.acknowledge({ dedupeKey: STALE, actor: users.sam });
    clock.advance(1000);
    await engine.snooze({ dedupeKey: STALE, actor: users.sam, days: 7, reason: 'change freeze' });
    expect(await store.auditBacklog()).toBeGreaterThan(0);
    await drain();
    const bySam = await store.queryAudit(window({ actor: 'sam@example.com' }));
    expect(bySam.records.map((r) => [r.event, r.reason ?? ''])).toEqual([
      ['acknowledge', ''],
      ['snooze', 'change freeze'],
    ]);
    // A repeat sighting alone leaves nothing to file.
    clock.advance(1000);
    await engine.scanAll();
    expect(await store.auditBacklog()).toBe(0);
  });
});
