import { createHash } from 'node:crypto';
import {
  BatchWriteItemCommand,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  ErrorCodes,
  KeylessError,
  auditContextOfGrant,
  auditContextOfRequest,
  auditDay,
  auditIndexValues,
  auditJson,
  auditQueryValues,
  auditRecordOf,
  matchesAuditQuery,
  type AccessRequest,
  type AuditArchive,
  type AuditContext,
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type Grant,
} from '../../src';
import { alertItemAuditRecords, isAlertItemPk } from './alert-audit';
import { isConditionFailed, translateError } from './errors';
import {
  META,
  NOTE_PREFIX,
  docOf,
  keyItem,
  n,
  numberOf,
  s,
  sortTime,
  stringOf,
  ttlAfter,
  type Item,
  type Key,
} from './items';

/**
 * The audit index, on the keyless table itself.
 *
 * | pk                          | sk                   | what                                   |
 * |-----------------------------|----------------------|----------------------------------------|
 * | `AUDIT#<dimension>#<value>` | `<time>#<event id>`  | an index entry (the whole AuditRecord) |
 *
 * Dimensions: `user`, `actor`, `rule`, `ps`, `account` (see auditIndexValues) and `day` (UTC day, for
 * reads by time alone). A read is one Query on one partition between two sort keys: it reads the
 * entries it returns and nothing else, so its cost grows with the answer, not with the table
 * (a read by time alone reads one partition per day of the range).
 *
 * **No write on the hot path.** A state write (a request or grant's META item, a note) already holds
 * its audit events. The same write marks the item *pending* with three more attributes:
 * `auditq` (`AUDITQ#<shard>`) and `auditqsk` (the time of its latest event), the keys of the sparse
 * index `byAuditPending`, and on META items `auditFrom`, the version after which its events are not
 * yet indexed (`if_not_exists`: the oldest unindexed write wins). The audit pump reads that index,
 * writes the entries in BatchWriteItem calls of 25 (and the archive objects, when the sink is on),
 * and only then clears the mark with a write conditioned on the version it read. A crash anywhere
 * leaves the mark: the next pass does the work again, and every entry and object is keyed by what
 * it holds, so a repeat rewrites the same items. A newer write in between fails the clear and keeps
 * the mark (with the older `auditFrom`): nothing is skipped.
 */
export const AUDIT_PREFIX = 'AUDIT#';
export const AUDIT_PENDING_INDEX = 'byAuditPending';
export const AUDIT_PENDING_PK = 'auditq';
export const AUDIT_PENDING_SK = 'auditqsk';
export const AUDIT_FROM = 'auditFrom';
/** The pending marks are spread over this many index partitions. */
export const AUDIT_SHARDS = 4;

export const auditEntryKey = (dimension: string, value: string, r: AuditRecord): Key => ({
  pk: `${AUDIT_PREFIX}${dimension}#${value}`,
  sk: `${sortTime(r.at)}#${r.id}`,
});

const shardOf = (text: string): number => {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % AUDIT_SHARDS;
};

/** The pending mark's index keys for an item of partition `pk` whose latest event is at `at`. */
export function auditPendingKeys(pk: string, at: number): { auditq: string; auditqsk: string } {
  return { auditq: `AUDITQ#${shardOf(pk)}`, auditqsk: `${sortTime(at)}#${pk}` };
}

/** The pending mark on a first write (PutItem): `fromVersion` is the version before the record's events (0). */
export function auditPendingItem(pk: string, at: number, fromVersion?: number): Item {
  const keys = auditPendingKeys(pk, at);
  return {
    [AUDIT_PENDING_PK]: s(keys.auditq),
    [AUDIT_PENDING_SK]: s(keys.auditqsk),
    ...(fromVersion !== undefined ? { [AUDIT_FROM]: n(fromVersion) } : {}),
  };
}

/**
 * The pending mark joined to an UpdateItem: `SET …` clauses, names and values. `auditFrom` keeps the
 * oldest version not yet indexed (a second write before the pump passes does not move it).
 */
export function auditPendingUpdate(
  pk: string,
  at: number,
  fromVersion: number,
): { set: string; names: Record<string, string>; values: Item } {
  const keys = auditPendingKeys(pk, at);
  return {
    set: '#auditq = :auditq, #auditqsk = :auditqsk, #auditFrom = if_not_exists(#auditFrom, :auditFrom)',
    names: { '#auditq': AUDIT_PENDING_PK, '#auditqsk': AUDIT_PENDING_SK, '#auditFrom': AUDIT_FROM },
    values: { ':auditq': s(keys.auditq), ':auditqsk': s(keys.auditqsk), ':auditFrom': n(fromVersion) },
  };
}

/** Joins the pending mark to an update expression that starts with `SET `. */
export function withAuditPending<
  T extends {
    UpdateExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Item;
  },
>(update: T, pk: string, at: number, fromVersion: number): T {
  const mark = auditPendingUpdate(pk, at, fromVersion);
  return {
    ...update,
    UpdateExpression: update.UpdateExpression.replace(/^SET /, `SET ${mark.set}, `),
    ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...mark.names },
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...mark.values },
  };
}

/** The index entries of one record: one per dimension value, and one under its day. */
export function auditEntryWrites(record: AuditRecord, retentionDays: number): WriteRequest[] {
  const doc = s(JSON.stringify(record));
  const ttl = n(ttlAfter(record.at, retentionDays));
  const keys = [
    ...auditIndexValues(record).map((v) => auditEntryKey(v.dimension, v.value, record)),
    auditEntryKey('day', auditDay(record.at), record),
  ];
  const seen = new Set<string>();
  const writes: WriteRequest[] = [];
  for (const key of keys) {
    if (seen.has(key.pk)) continue;
    seen.add(key.pk);
    writes.push({ PutRequest: { Item: { ...keyItem(key), doc, ttl } } });
  }
  return writes;
}

/**
 * The archive objects of some records: one per UTC day, `<prefix>/dt=YYYY-MM-DD/<digest>.jsonl`,
 * lines in time order. The name is a digest of the events' ids, so a pass repeated after a crash
 * over the same events replaces its own objects instead of adding copies.
 */
export function auditArchiveObjects(
  prefix: string,
  records: AuditRecord[],
): { key: string; body: string; count: number }[] {
  const byDay = new Map<string, AuditRecord[]>();
  for (const r of records) {
    const day = auditDay(r.at);
    const list = byDay.get(day);
    if (list) list.push(r);
    else byDay.set(day, [r]);
  }
  const base = prefix.replace(/\/+$/, '');
  return [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, list]) => {
      const sorted = [...new Map(list.map((r) => [r.id, r])).values()].sort(
        (a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      const digest = createHash('sha256')
        .update(sorted.map((r) => r.id).join('\n'))
        .digest('hex')
        .slice(0, 32);
      return {
        key: `${base}/dt=${day}/${digest}.jsonl`,
        body: `${sorted.map(auditJson).join('\n')}\n`,
        count: sorted.length,
      };
    });
}

export interface AuditIndexOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days an index entry is kept (DynamoDB TTL). */
  retentionDays: number;
}

export interface AuditPassOptions {
  /** Marked items read per shard and pass. Default 100. */
  limit?: number;
  /** With a sink, the events also go there before their mark is cleared. */
  sink?: { archive: AuditArchive; prefix: string };
  /**
   * Only the shards this answers true for (the replica's share, so that replicas do not read and
   * index the same marks). Default: every shard.
   */
  shards?: (shard: number) => boolean;
  /**
   * Only marks whose latest event is older than this (epoch ms): an item written several times in
   * quick succession (a revocation writes its grant twice within a second) is indexed and cleared
   * once. Default: every mark.
   */
  settledBefore?: number;
}

export interface AuditPassResult {
  /** Marked items taken up. */
  items: number;
  /** Events indexed (and archived, with a sink). */
  events: number;
  /** Marks cleared (the others were written again meanwhile and wait for the next pass). */
  cleared: number;
  /** Objects written to the sink. */
  objects: number;
}

interface Pending {
  key: Key;
  /** The mark's sort key as read: the clear is conditioned on it. */
  markSk: string;
  version: number | undefined;
  records: AuditRecord[];
}

function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify({ p: key.pk, s: key.sk })).toString('base64url');
}

function decodeCursor(cursor: string): Key {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown; s?: unknown };
    if (typeof parsed.p === 'string' && typeof parsed.s === 'string' && parsed.p.startsWith(AUDIT_PREFIX)) {
      return { pk: parsed.p, sk: parsed.s };
    }
  } catch {
    // fall through
  }
  throw new KeylessError(ErrorCodes.InvalidInput, 'That page cursor is not one keyless gave out.');
}

/** The UTC days from `since` to `until`, in order. */
function daysBetween(since: number, until: number): string[] {
  const days: string[] = [];
  const DAY = 86_400_000;
  for (let t = Math.floor(since / DAY) * DAY; t <= until; t += DAY) days.push(auditDay(t));
  return days;
}

const contextOfItem = (pk: string, item: Item | undefined): AuditContext | undefined => {
  if (pk.startsWith('GRANT#')) {
    const g = docOf<Grant>(item);
    return g && auditContextOfGrant(g);
  }
  const r = docOf<AccessRequest>(item);
  return r && auditContextOfRequest(r);
};

export class DynamoAuditIndex {
  constructor(private readonly o: AuditIndexOptions) {}

  /**
   * One pass of the pump: takes up marked items (oldest first, up to `limit` per shard), writes
   * their events' index entries (and archive objects), then clears their marks. Answers what it did.
   * A failure throws with the marks left in place: the next pass does the same work again.
   */
  async pass(options: AuditPassOptions = {}): Promise<AuditPassResult> {
    const limit = Math.max(1, options.limit ?? 100);
    const marked: Item[] = [];
    const settled = options.settledBefore;
    for (let shard = 0; shard < AUDIT_SHARDS; shard++) {
      if (options.shards && !options.shards(shard)) continue;
      const out = await this.send('auditPending', () =>
        this.o.client.send(
          new QueryCommand({
            TableName: this.o.tableName,
            IndexName: AUDIT_PENDING_INDEX,
            KeyConditionExpression: settled === undefined ? '#q = :q' : '#q = :q AND #sk < :settled',
            ExpressionAttributeNames: {
              '#q': AUDIT_PENDING_PK,
              ...(settled === undefined ? {} : { '#sk': AUDIT_PENDING_SK }),
            },
            ExpressionAttributeValues: {
              ':q': s(`AUDITQ#${shard}`),
              ...(settled === undefined ? {} : { ':settled': s(sortTime(settled)) }),
            },
            Limit: limit,
          }),
        ),
      );
      marked.push(...(out.Items ?? []));
    }
    if (marked.length === 0) return { items: 0, events: 0, cleared: 0, objects: 0 };

    // The context of a note is its record's: read once per record and pass.
    const contexts = new Map<string, Promise<AuditContext | undefined>>();
    const contextOfPk = (pk: string) => {
      let found = contexts.get(pk);
      if (!found) {
        found = this.get({ pk, sk: META }).then((item) => contextOfItem(pk, item));
        contexts.set(pk, found);
      }
      return found;
    };
    const pending: Pending[] = [];
    for (const item of marked) {
      const key: Key = { pk: stringOf(item, 'pk') ?? '', sk: stringOf(item, 'sk') ?? '' };
      const markSk = stringOf(item, AUDIT_PENDING_SK) ?? '';
      if (key.sk === META) {
        const from = numberOf(item, AUDIT_FROM) ?? 0;
        if (isAlertItemPk(key.pk)) {
          // An alert of the security feed (alert-audit.ts); one that cannot be read keeps its mark.
          const records = alertItemAuditRecords(item, from);
          if (records) pending.push({ key, markSk, version: numberOf(item, 'version'), records });
          continue;
        }
        const record = docOf<{ history?: AuditEvent[] }>(item);
        const context = contextOfItem(key.pk, item);
        // A record that cannot be read here keeps its mark (never cleared without its events going out).
        if (!record?.history || !context) continue;
        const events = record.history.filter((e) => e.version > from);
        pending.push({
          key,
          markSk,
          version: numberOf(item, 'version'),
          records: events.map((e) => auditRecordOf(e, context)),
        });
      } else if (key.sk.startsWith(NOTE_PREFIX)) {
        const event = docOf<AuditEvent>(item);
        const context = await contextOfPk(key.pk);
        // A note whose record is not (yet) readable waits: its mark stays for the next pass.
        if (!event || !context) continue;
        pending.push({ key, markSk, version: undefined, records: [auditRecordOf(event, context)] });
      }
    }
    const records = pending.flatMap((p) => p.records);
    await this.writeBatch(records.flatMap((r) => auditEntryWrites(r, this.o.retentionDays)));
    let objects = 0;
    if (options.sink && records.length > 0) {
      for (const object of auditArchiveObjects(options.sink.prefix, records)) {
        await options.sink.archive.putObject(object.key, object.body);
        objects++;
      }
    }
    let cleared = 0;
    await forEachLimit(pending, 16, async (p) => {
      if (await this.clear(p)) cleared++;
    });
    return { items: pending.length, events: records.length, cleared, objects };
  }

  /** Drops an item's mark unless the item was written again since it was read. */
  private async clear(p: Pending): Promise<boolean> {
    const values: Item = { ':mark': s(p.markSk) };
    let condition = '#auditqsk = :mark';
    if (p.version !== undefined) {
      condition += ' AND #version = :version';
      values[':version'] = n(p.version);
    }
    return this.conditional('auditClear', () =>
      this.o.client.send(
        new UpdateItemCommand({
          TableName: this.o.tableName,
          Key: keyItem(p.key),
          UpdateExpression: `REMOVE #auditq, #auditqsk${p.version !== undefined ? ', #auditFrom' : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: {
            '#auditq': AUDIT_PENDING_PK,
            '#auditqsk': AUDIT_PENDING_SK,
            ...(p.version !== undefined ? { '#auditFrom': AUDIT_FROM, '#version': 'version' } : {}),
          },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /** How many items wait for the pump (for the bench and doctor; reads the whole pending index). */
  async backlog(): Promise<number> {
    let count = 0;
    for (let shard = 0; shard < AUDIT_SHARDS; shard++) {
      let startKey: Item | undefined;
      do {
        const out = await this.send('auditBacklog', () =>
          this.o.client.send(
            new QueryCommand({
              TableName: this.o.tableName,
              IndexName: AUDIT_PENDING_INDEX,
              KeyConditionExpression: '#q = :q',
              ExpressionAttributeNames: { '#q': AUDIT_PENDING_PK },
              ExpressionAttributeValues: { ':q': s(`AUDITQ#${shard}`) },
              Select: 'COUNT',
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        count += out.Count ?? 0;
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    }
    return count;
  }

  /** Reads one page of the records a query answers (see the class comment for what it costs). */
  async query(q: AuditQuery): Promise<AuditPage & { scanned: number }> {
    if (!(q.since <= q.until)) {
      throw new KeylessError(ErrorCodes.InvalidInput, 'The start of the audit range is after its end.');
    }
    const limit = Math.max(1, Math.min(q.limit ?? 1000, 10_000));
    const values = auditQueryValues(q);
    const first = values[0];
    const partitions = first
      ? [`${AUDIT_PREFIX}${first.dimension}#${first.value}`]
      : daysBetween(q.since, q.until).map((day) => `${AUDIT_PREFIX}day#${day}`);
    const start = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    let index = start ? partitions.indexOf(start.pk) : 0;
    if (index < 0) throw new KeylessError(ErrorCodes.InvalidInput, 'That page cursor belongs to another audit query.');
    let startKey: Item | undefined = start && keyItem(start);
    const records: AuditRecord[] = [];
    let scanned = 0;
    const lower = sortTime(q.since);
    // '~' sorts after '#' and every id character: the upper bound takes in every event of `until`'s millisecond.
    const upper = `${sortTime(q.until)}~`;
    while (index < partitions.length) {
      const pk = partitions[index]!;
      const out = await this.send('queryAudit', () =>
        this.o.client.send(
          new QueryCommand({
            TableName: this.o.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': s(pk), ':lower': s(lower), ':upper': s(upper) },
            Limit: limit - records.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      scanned += out.ScannedCount ?? 0;
      for (const item of out.Items ?? []) {
        const record = docOf<AuditRecord>(item);
        // Further filters than the one read are checked here (the index entry holds the whole record).
        if (record && matchesAuditQuery(record, q)) records.push(record);
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) {
        index++;
        startKey = undefined;
      }
      if (records.length >= limit) break;
    }
    const last = startKey ? { pk: stringOf(startKey, 'pk') ?? '', sk: stringOf(startKey, 'sk') ?? '' } : undefined;
    // Stopped at a partition's end with more days to read: the next page starts at the next day.
    const next = last ?? (index < partitions.length ? { pk: partitions[index]!, sk: lower } : undefined);
    return { records, scanned, ...(next ? { cursor: encodeCursor(next) } : {}) };
  }

  // Plumbing

  private async get(key: Key): Promise<Item | undefined> {
    const out = await this.send('auditGet', () =>
      this.o.client.send(new GetItemCommand({ TableName: this.o.tableName, Key: keyItem(key), ConsistentRead: true })),
    );
    return out.Item;
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff until all are written. */
  private async writeBatch(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        const chunk = pending;
        const out = await this.send('auditIndex', () =>
          this.o.client.send(new BatchWriteItemCommand({ RequestItems: { [this.o.tableName]: chunk } })),
        );
        pending = out.UnprocessedItems?.[this.o.tableName] ?? [];
        if (pending.length > 0) {
          if (attempt >= 8) {
            throw new KeylessError(
              ErrorCodes.Throttled,
              'The keyless table is busy right now; try again in a moment.',
              {
                details: { operation: 'auditIndex', table: this.o.tableName },
              },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        }
      }
    }
  }

  private async conditional(operation: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw translateError(error, operation, this.o.tableName);
    }
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translateError(error, operation, this.o.tableName);
    }
  }
}

async function forEachLimit<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
