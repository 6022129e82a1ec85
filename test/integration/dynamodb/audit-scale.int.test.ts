import type { AddressInfo } from 'node:net';
import {
  BatchWriteItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DynamoGrantStore, auditEntryKey, auditEntryWrites, ensureTable } from '../../../adapters/dynamodb';
import { type AuditRecord } from '../../../src';
import { T0 } from '../../builders';
import { localDynamoClient } from '../../support/dynamodb-client';

type Item = Record<string, AttributeValue>;
interface DynaliteStore {
  getTable(name: string, cb: (err: unknown, table: unknown) => void): void;
  getItemDb(name: string): {
    batch(ops: { type: 'put'; key: string; value: Item }[], cb: (err: unknown) => void): void;
  };
}
// dynalite's own storage module: its key encoding is what BatchWriteItem would use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynaliteDb = require('dynalite/db') as {
  create: (options: unknown) => DynaliteStore;
  createKey: (item: Item, table: unknown) => string;
};

let server: ReturnType<typeof dynalite>;
let store: DynaliteStore;
let client: DynamoDBClient;

beforeAll(async () => {
  // dynalite in memory, with a handle on its store: filling 100,000 items through HTTP takes minutes
  // on a busy machine, written straight into its LevelDB (with its own key encoding) it takes seconds.
  const create = dynaliteDb.create;
  dynaliteDb.create = (options) => (store = create(options));
  try {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  } finally {
    dynaliteDb.create = create;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  client = localDynamoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Puts items into a table of the dynalite above, as BatchWriteItem would store them. */
async function fill(tableName: string, items: Item[]): Promise<void> {
  const table = await new Promise<unknown>((resolve, reject) =>
    store.getTable(tableName, (err, t) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(t),
    ),
  );
  const db = store.getItemDb(tableName);
  for (let i = 0; i < items.length; i += 5000) {
    const ops = items
      .slice(i, i + 5000)
      .map((value) => ({ type: 'put' as const, key: dynaliteDb.createKey(value, table), value }));
    await new Promise<void>((resolve, reject) =>
      db.batch(ops, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())),
    );
  }
}
const DAY = 86_400_000;
const RECORDS = Number(process.env.AUDIT_SCALE_RECORDS ?? 100_000);
const PEOPLE = 200;

/** A record of person `p` at `at`: what the store files for any audit event. */
function record(i: number, p: number, at: number): AuditRecord {
  return {
    id: `grant#g${i}#00000001`,
    at,
    event: i % 3 === 0 ? 'revoke' : 'create',
    from: 'active',
    to: 'revoked',
    subjectKind: 'grant',
    subjectId: `g${i}`,
    grantId: `g${i}`,
    requestId: `r${i}`,
    user: `person${p}@example.com`,
    principalId: `p-${p}`,
    principalName: `person${p}@example.com`,
    accountId: String(100000000000 + (i % 40)),
    accountName: `account-${i % 40}`,
    permissionSet: i % 2 ? 'AdministratorAccess' : 'ReadOnly',
    rule: `rule-${i % 7}`,
    actorKind: 'user',
    actorId: `slack:U${(i * 7) % PEOPLE}`,
    actorName: 'Approver',
  };
}

describe('audit index at scale', () => {
  it('reads only one person’s events over 90 days among 100,000 events of many people', async () => {
    const tableName = 'audit-scale';
    await ensureTable(client, tableName);
    // The crowd's events are written as the entries a person read could stumble on (their `user`
    // entry: one item per event keeps the fill quick); the person read gets every entry the store
    // writes, through BatchWriteItem.
    const target = 7;
    const writes: WriteRequest[] = [];
    const crowd: Item[] = [];
    let expected = 0;
    const since = T0 + 200 * DAY;
    const until = since + 90 * DAY;
    for (let i = 0; i < RECORDS; i++) {
      const p = i % PEOPLE;
      const at = T0 + Math.floor((i / RECORDS) * 400 * DAY);
      const r = record(i, p, at);
      if (p === target) {
        writes.push(...auditEntryWrites(r, 400));
        if (at >= since && at <= until) expected++;
      } else {
        const key = auditEntryKey('user', r.user, r);
        crowd.push({ pk: { S: key.pk }, sk: { S: key.sk }, doc: { S: JSON.stringify(r) } });
      }
    }
    await fill(tableName, crowd);
    expect(crowd.length + writes.length).toBeGreaterThanOrEqual(RECORDS);
    const chunks: WriteRequest[][] = [];
    for (let i = 0; i < writes.length; i += 25) chunks.push(writes.slice(i, i + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < chunks.length) {
          let pending = chunks[next++]!;
          while (pending.length > 0) {
            const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
            pending = out.UnprocessedItems?.[tableName] ?? [];
          }
        }
      }),
    );

    // Every Query and Scan the store sends, with what DynamoDB says it read and returned.
    const reads: { command: string; scanned: number; count: number }[] = [];
    client.middlewareStack.add(
      (nextHandler, context) => async (args) => {
        const result = await nextHandler(args);
        const output = result.output as { ScannedCount?: number; Count?: number };
        reads.push({
          command: context.commandName ?? '?',
          scanned: output.ScannedCount ?? 0,
          count: output.Count ?? 0,
        });
        return result;
      },
      { step: 'initialize', name: 'countReads' },
    );
    const store = new DynamoGrantStore({ client, tableName });
    const got: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.queryAudit({
        user: 'PERSON7@example.com',
        since,
        until,
        limit: 50,
        ...(cursor ? { cursor } : {}),
      });
      got.push(...page.records);
      cursor = page.cursor;
    } while (cursor);
    client.middlewareStack.remove('countReads');

    expect(expected).toBeGreaterThan(50);
    expect(got).toHaveLength(expected);
    expect(new Set(got.map((r) => r.user))).toEqual(new Set(['person7@example.com']));
    expect(got.every((r) => r.at >= since && r.at <= until)).toBe(true);
    expect(reads.every((r) => r.command === QueryCommand.name)).toBe(true);
    expect(reads.some((r) => r.command === ScanCommand.name)).toBe(false);
    const scanned = reads.reduce((sum, r) => sum + r.scanned, 0);
    const returned = reads.reduce((sum, r) => sum + r.count, 0);
    expect(scanned).toBe(expected);
    expect(returned).toBe(expected);
  }, 290_000);
});
