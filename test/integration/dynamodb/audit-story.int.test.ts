import { BatchWriteItemCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGrantStore } from '../../../adapters/dynamodb';
import { writeAuditExport } from '../../../adapters/main/audit-command';
import type { AuditArchive } from '../../../src';
import { T0 } from '../../builders';
import { testEngine, users } from '../../builders/test-engine';
import { ManualClock } from '../../fakes/manual-clock';
import { dynaliteTables } from '../../support/dynalite';

const freshTable = dynaliteTables();
const DAY = 86_400_000;

async function exportOf(store: DynamoGrantStore, format: 'csv' | 'jsonl', user = 'rita@example.com') {
  let text = '';
  const count = await writeAuditExport(
    store,
    { user, since: T0 - DAY, until: T0 + 30 * DAY },
    format,
    (chunk) => {
      text += chunk;
    },
    2, // small pages: the export must follow cursors
  );
  return { text, count };
}

/** Runs the pump until it finds nothing more to do. */
async function drain(store: DynamoGrantStore, sink?: { archive: AuditArchive; prefix: string }): Promise<number> {
  let events = 0;
  for (let i = 0; i < 20; i++) {
    const done = await store.pumpAudit(sink ? { sink } : {});
    events += done.events;
    if (done.items === 0) return events;
  }
  throw new Error('the audit pump never ran dry');
}

/** Counts the commands a client sends, by name. */
function countCommands(client: DynamoDBClient, name: string): Record<string, number> {
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '?').replace(/Command$/, '');
      counts[command] = (counts[command] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  return counts;
}

async function story(client: DynamoDBClient, tableName: string) {
  const store = new DynamoGrantStore({ client, tableName });
  const t = testEngine({ store, clock: new ManualClock(T0) });
  const { request } = await t.engine.requestAccess({
    requester: users.rita,
    account: '111111111111',
    permissionSet: 'AdministratorAccess',
    duration: '2h',
    reason: 'INC-42, "restart" the queue',
  });
  await t.engine.approve({ requestId: request.id, actor: users.ann });
  await t.engine.approve({ requestId: request.id, actor: users.bob });
  await t.engine.idle();
  const grantId = (await t.engine.getRequest(request.id))!.grantId!;
  t.clock.advance(60_000);
  await t.engine.revoke({ grantId, actor: users.ann, reason: 'done early' });
  await t.engine.idle();
  return { store, t, requestId: request.id, grantId };
}

describe('audit index and export on DynamoDB (dynalite)', () => {
  it('returns a grant’s whole story, from request to revocation, in CSV and in JSON lines', async () => {
    const { client, tableName } = await freshTable();
    const { store, requestId, grantId } = await story(client, tableName);
    // Not indexed in the write: the pump does it.
    expect((await exportOf(store, 'jsonl')).count).toBe(0);
    expect(await store.auditBacklog()).toBeGreaterThan(0);
    await drain(store);
    expect(await store.auditBacklog()).toBe(0);

    const trail = [
      ...(await store.listAudit({ kind: 'request', id: requestId })),
      ...(await store.listAudit({ kind: 'grant', id: grantId })),
    ];
    const jsonl = await exportOf(store, 'jsonl');
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    // Every event of the request and the grant, each once, in time order.
    expect(jsonl.count).toBe(trail.length);
    expect(lines.map((l) => `${l['subject']}:${l['event']}`).sort()).toEqual(
      trail.map((e) => `${e.subject.kind}#${e.subject.id}:${e.event}`).sort(),
    );
    expect(new Set(lines.map((l) => l['id'])).size).toBe(lines.length);
    expect(lines.map((l) => l['at_ms'])).toEqual([...lines.map((l) => l['at_ms'])].sort());
    const events = lines.map((l) => l['event']);
    expect(events).toEqual(expect.arrayContaining(['create', 'approve', 'revoke_requested']));
    expect(lines.some((l) => l['subject'] === `grant#${grantId}` && l['to'] === 'revoked')).toBe(true);
    const approvals = lines.filter((l) => l['event'] === 'approve').map((l) => l['actor']);
    expect(approvals.sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect(lines.every((l) => l['user'] === 'rita@example.com' && l['account_id'] === '111111111111')).toBe(true);

    const csv = await exportOf(store, 'csv');
    const rows = csv.text.split('\r\n').filter((r) => r !== '');
    expect(rows[0]).toBe(
      'at,event,from,to,user,account_id,account_name,permission_set,rule,actor,actor_name,reason,request_id,grant_id,subject,id,details,' +
        'activity_calls,activity_reads,activity_write_calls,activity_writes,activity_errors,activity_access_denied,activity_regions,activity_complete,activity_looked_up_at,activity_console_url',
    );
    expect(rows).toHaveLength(trail.length + 1);
    // The reason holds a comma and quotes: quoted, quotes doubled (RFC 4180).
    expect(csv.text).toContain('"INC-42, ""restart"" the queue"');

    // Found by the approver, the account and the permission set too; nobody else's export holds Rita's story.
    const byActor = await store.queryAudit({ actor: 'ann@example.com', since: T0 - DAY, until: T0 + DAY });
    expect(byActor.records.map((r) => r.event).sort()).toEqual(['approve', 'revoke_requested']);
    const byAccount = await store.queryAudit({ account: '111111111111', since: T0 - DAY, until: T0 + DAY });
    expect(byAccount.records).toHaveLength(trail.length);
    const byTime = await store.queryAudit({ since: T0 - DAY, until: T0 + DAY, permissionSet: 'administratoraccess' });
    expect(byTime.records).toHaveLength(trail.length);
    expect((await exportOf(store, 'jsonl', 'bob@example.com')).count).toBe(0);
  }, 60_000);

  it('adds no round trip to the state writes: the engine sends no index write, the pump does', async () => {
    const { client, tableName } = await freshTable();
    const engineCounts = countCommands(client, 'countEngine');
    const { store, grantId } = await story(client, tableName);
    client.middlewareStack.remove('countEngine');
    expect(engineCounts['BatchWriteItem'] ?? 0).toBe(0);
    // The mark travels in the grant's own write.
    const raw = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `GRANT#${grantId}` }, sk: { S: 'META' } } }),
    );
    expect(raw.Item?.['auditq']?.S).toMatch(/^AUDITQ#\d$/);
    expect(raw.Item?.['auditFrom']?.N).toBe('0');
    const pumpCounts = countCommands(client, 'countPump');
    await drain(store);
    client.middlewareStack.remove('countPump');
    expect(pumpCounts['BatchWriteItem']).toBeGreaterThan(0);
    const cleared = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `GRANT#${grantId}` }, sk: { S: 'META' } } }),
    );
    expect(cleared.Item?.['auditq']).toBeUndefined();
    expect(cleared.Item?.['auditFrom']).toBeUndefined();
  }, 60_000);

  it('loses nothing when the pump dies mid-pass or the record is written again during a pass', async () => {
    const { client, tableName } = await freshTable();
    const { store, grantId } = await story(client, tableName);
    const count = async () =>
      (await store.queryAudit({ user: 'rita@example.com', since: T0 - DAY, until: T0 + 30 * DAY })).records.length;

    // A pass that dies after its first index write (a killed process): the marks stay.
    let fail = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === BatchWriteItemCommand.name && !fail) throw new Error('killed');
        if (context.commandName === BatchWriteItemCommand.name) fail = false;
        return next(args);
      },
      { step: 'initialize', name: 'dieMidPass' },
    );
    await expect(store.pumpAudit()).rejects.toThrow();
    client.middlewareStack.remove('dieMidPass');
    expect(await store.auditBacklog()).toBeGreaterThan(0);

    // A pass during which the grant gets a new event: its mark survives the pass.
    let wrote = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === BatchWriteItemCommand.name && !wrote) {
          wrote = true;
          // The grant's record gets one more event (a write of its own) and a note: both after the pass read them.
          const g = (await store.getGrant(grantId))!;
          const event = {
            subject: { kind: 'grant' as const, id: grantId },
            key: String(g.version + 1).padStart(8, '0'),
            version: g.version + 1,
            event: 'reviewed',
            from: g.status,
            to: g.status,
            actor: { kind: 'system' as const, id: 'test', name: 'test' },
            at: T0 + 120_000,
          };
          await store.saveGrant({ ...g, version: g.version + 1, history: [...g.history, event] }, g.version);
          await store.appendNote({ ...event, key: `${event.key}~noted~test`, event: 'noted', at: T0 + 121_000 });
        }
        return next(args);
      },
      { step: 'initialize', name: 'writeDuringPass' },
    );
    await store.pumpAudit();
    client.middlewareStack.remove('writeDuringPass');
    await drain(store);
    const trail = [
      ...(await store.listAudit({ kind: 'request', id: (await store.getGrant(grantId))!.requestId })),
      ...(await store.listAudit({ kind: 'grant', id: grantId })),
    ];
    expect(trail.filter((e) => e.event === 'noted' || e.event === 'reviewed')).toHaveLength(2);
    expect(await count()).toBe(trail.length);
  }, 60_000);

  it('shares the pending shards between replicas and takes a mark up only once it has settled', async () => {
    const { client, tableName } = await freshTable();
    const { store, requestId, grantId } = await story(client, tableName);
    const trail = [
      ...(await store.listAudit({ kind: 'request', id: requestId })),
      ...(await store.listAudit({ kind: 'grant', id: grantId })),
    ];
    const backlog = await store.auditBacklog();
    expect(backlog).toBeGreaterThan(1);
    // A replica whose share is empty reads nothing; marks newer than the settle point wait.
    expect((await store.pumpAudit({ shards: () => false })).items).toBe(0);
    expect((await store.pumpAudit({ settledBefore: T0 - 1 })).items).toBe(0);
    expect(await store.auditBacklog()).toBe(backlog);
    // Two replicas with complementary shares: each takes up only its own marks, together all of them.
    const share = (mine: boolean) => (shard: number) => (shard % 2 === 0) === mine;
    const first = await store.pumpAudit({ shards: share(true), settledBefore: T0 + DAY });
    const second = await store.pumpAudit({ shards: share(false), settledBefore: T0 + DAY });
    expect(first.items + second.items).toBe(backlog);
    expect(await store.auditBacklog()).toBe(0);
    const indexed = await store.queryAudit({ user: 'rita@example.com', since: T0 - DAY, until: T0 + 30 * DAY });
    expect(indexed.records).toHaveLength(trail.length);
  }, 60_000);

  it('archives every event once its index is written, and keeps the marks while the archive fails', async () => {
    const { client, tableName } = await freshTable();
    const { store } = await story(client, tableName);
    const objects = new Map<string, string>();
    let down = true;
    const archive: AuditArchive = {
      putObject: (key, body) => {
        if (down) return Promise.reject(new Error('S3 unavailable'));
        objects.set(key, body);
        return Promise.resolve();
      },
    };
    await expect(store.pumpAudit({ sink: { archive, prefix: 'audit' } })).rejects.toThrow('S3 unavailable');
    expect(await store.auditBacklog()).toBeGreaterThan(0);
    down = false;
    const events = await drain(store, { archive, prefix: 'audit' });
    const lines = [...objects.values()].flatMap((body) => body.trim().split('\n'));
    const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.length).toBe(events);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...objects.keys()].every((k) => /^audit\/dt=\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\.jsonl$/.test(k))).toBe(true);
    const indexed = await store.queryAudit({ user: 'rita@example.com', since: T0 - DAY, until: T0 + 30 * DAY });
    expect(new Set(ids)).toEqual(new Set(indexed.records.map((r) => r.id)));
  }, 60_000);
});
