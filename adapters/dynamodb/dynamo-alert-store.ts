import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  isFiledAlertEntry,
  isLiveAlert,
  type Alert,
  type AlertDigest,
  type AlertStore,
  type LeaderLease,
  type PostureSnapshot,
  type RootWindow,
} from '../../src';
import { auditPendingItem, withAuditPending } from './audit-index';
import { isConditionFailed, translateError, versionConflict } from './errors';
import { DEFAULT_RETENTION_DAYS, GSI_NAME, docOf, keyItem, n, s, ttlAfter, type Item, type Key } from './items';

/**
 * The security feed's items in the keyless table (design §7), beside the grants:
 *
 * | pk                       | sk                     | what                                            |
 * |--------------------------|------------------------|-------------------------------------------------|
 * | `ALERT#<dedupe key>`     | `META`                 | an alert; indexed `ALERT#live` while unresolved |
 * | `IDEMP#alert-event#<id>` | `IDEMP`                | a raw event already handled (with `ttl`)        |
 * | `DIGEST#<id>`            | `META`                 | a daily digest and where it was posted          |
 * | `ROOTWIN#<account>`      | `WIN#<until>#<id>`     | an announced root window (with `ttl`)           |
 * | `REGIONS`                | `REGION#<region>`      | the latest event seen from a region             |
 * | `LEASE#<name>`           | `META`                 | the leader lease: owner and deadline (`ttl`)    |
 * | `POSTURE#<ISO week>`     | `META`                 | the weekly IAM posture counts (`ttl`)           |
 *
 * Unresolved alerts share the `byStatusExpiry` index under `gsi1pk = ALERT#live`, sorted by
 * `<account>#<dedupe key>`: one query lists an account's (or every) live alert; a resolved alert
 * drops out of the index and gets a `ttl` for clean-up.
 */
export const alertKey = (dedupeKey: string): Key => ({ pk: `ALERT#${dedupeKey}`, sk: 'META' });
export const alertEventKey = (eventId: string): Key => ({ pk: `IDEMP#alert-event#${eventId}`, sk: 'IDEMP' });
export const digestKey = (id: string): Key => ({ pk: `DIGEST#${id}`, sk: 'META' });
export const leaseKey = (name: string): Key => ({ pk: `LEASE#${name}`, sk: 'META' });
export const postureKey = (week: string): Key => ({ pk: `POSTURE#${week}`, sk: 'META' });
export const LIVE_ALERTS = 'ALERT#live';
const REGIONS = 'REGIONS';
const untilKey = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(16, '0');
/** When an alert last changed: the time of its latest entry. */
const latestAt = (a: Alert): number => a.history.at(-1)?.at ?? a.lastSeenAt;

export interface DynamoAlertStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retentionDays?: number;
}

export class DynamoAlertStore implements AlertStore, LeaderLease {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionDays: number;

  constructor(options: DynamoAlertStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  }

  private alertItem(a: Alert): Item {
    const live = isLiveAlert(a);
    return {
      ...keyItem(alertKey(a.dedupeKey)),
      doc: s(JSON.stringify(a)),
      version: n(a.version),
      status: s(a.status),
      ...(live ? { gsi1pk: s(LIVE_ALERTS), gsi1sk: s(`${a.finding.account.id}#${a.dedupeKey}`) } : {}),
      ...(!live ? { ttl: n(ttlAfter(a.resolvedAt ?? a.lastSeenAt, this.retentionDays)) } : {}),
    };
  }

  async getAlert(dedupeKey: string): Promise<Alert | undefined> {
    return docOf<Alert>(await this.get(alertKey(dedupeKey), 'getAlert'));
  }

  async createAlert(alert: Alert): Promise<void> {
    const key = alertKey(alert.dedupeKey);
    await this.put(
      // Marked for the audit pump in the same write (audit-index.ts, alert-audit.ts).
      { ...this.alertItem(alert), ...auditPendingItem(key.pk, latestAt(alert), 0) },
      'attribute_not_exists(#pk)',
      { '#pk': 'pk' },
      {},
      `Alert ${alert.dedupeKey}`,
      'createAlert',
    );
  }

  /**
   * The whole alert under the version condition, as one UpdateItem: the audit pump's mark on the
   * item (audit-index.ts) must survive a write that does not clear it. A change worth filing in the
   * audit (an action, a new incident, a resolution: alert-audit.ts) marks the item in the same write.
   */
  async saveAlert(next: Alert, expectedVersion: number): Promise<void> {
    const key = alertKey(next.dedupeKey);
    const item = this.alertItem(next);
    const live = isLiveAlert(next);
    const names: Record<string, string> = {
      '#doc': 'doc',
      '#version': 'version',
      '#status': 'status',
      '#gpk': 'gsi1pk',
      '#gsk': 'gsi1sk',
      '#ttl': 'ttl',
    };
    const values: Item = {
      ':doc': item['doc']!,
      ':version': item['version']!,
      ':status': item['status']!,
      ':expected': n(expectedVersion),
      ...(live ? { ':gpk': item['gsi1pk']!, ':gsk': item['gsi1sk']! } : { ':ttl': item['ttl']! }),
    };
    const update = {
      UpdateExpression: live
        ? 'SET #doc = :doc, #version = :version, #status = :status, #gpk = :gpk, #gsk = :gsk REMOVE #ttl'
        : 'SET #doc = :doc, #version = :version, #status = :status, #ttl = :ttl REMOVE #gpk, #gsk',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const filed = next.history.filter((e) => e.version > expectedVersion && isFiledAlertEntry(e));
    const marked = filed.length > 0 ? withAuditPending(update, key.pk, filed.at(-1)!.at, expectedVersion) : update;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(key),
          ConditionExpression: '#version = :expected',
          ...marked,
        }),
      );
    } catch (error) {
      if (isConditionFailed(error))
        throw versionConflict(`Alert ${next.dedupeKey}`, 'saveAlert', this.tableName, error);
      throw translateError(error, 'saveAlert', this.tableName);
    }
  }

  async listLiveAlerts(query: { accountId?: string } = {}): Promise<Alert[]> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: GSI_NAME,
      KeyConditionExpression:
        query.accountId === undefined ? '#gpk = :gpk' : '#gpk = :gpk AND begins_with(#gsk, :prefix)',
      ExpressionAttributeNames: { '#gpk': 'gsi1pk', ...(query.accountId === undefined ? {} : { '#gsk': 'gsi1sk' }) },
      ExpressionAttributeValues: {
        ':gpk': s(LIVE_ALERTS),
        ...(query.accountId === undefined ? {} : { ':prefix': s(`${query.accountId}#`) }),
      },
    };
    const items = await this.query(input, 'listLiveAlerts');
    return items.map((i) => docOf<Alert>(i)).filter((a): a is Alert => a !== undefined && isLiveAlert(a));
  }

  async claimEvent(eventId: string, nowMs: number, ttlSeconds: number): Promise<boolean> {
    const expiresAtMs = nowMs + ttlSeconds * 1000;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...keyItem(alertEventKey(eventId)),
            expiresAtMs: n(expiresAtMs),
            ttl: n(Math.ceil(expiresAtMs / 1000)),
          },
          // TTL deletion is lazy: the condition, not TTL, decides whether the id is still remembered.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expires <= :now',
          ExpressionAttributeNames: { '#pk': 'pk', '#expires': 'expiresAtMs' },
          ExpressionAttributeValues: { ':now': n(nowMs) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw translateError(error, 'claimEvent', this.tableName);
    }
  }

  async releaseEvent(eventId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({ TableName: this.tableName, Key: keyItem(alertEventKey(eventId)) }),
      );
    } catch (error) {
      throw translateError(error, 'releaseEvent', this.tableName);
    }
  }

  /**
   * Takes, renews or takes over the leader lease in one conditional write: free, ours, or lapsed.
   * The deadline, not TTL, decides (TTL deletes lazily); `ttl` only cleans up a forgotten lease.
   */
  async acquire(name: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const deadline = nowMs + ttlMs;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...keyItem(leaseKey(name)),
            owner: s(owner),
            deadline: n(deadline),
            ttl: n(ttlAfter(deadline, 1)),
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #owner = :owner OR #deadline <= :now',
          ExpressionAttributeNames: { '#pk': 'pk', '#owner': 'owner', '#deadline': 'deadline' },
          ExpressionAttributeValues: { ':owner': s(owner), ':now': n(nowMs) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw translateError(error, 'acquireLease', this.tableName);
    }
  }

  async release(name: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyItem(leaseKey(name)),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': s(owner) },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return; // another replica holds it now: nothing of ours to release
      throw translateError(error, 'releaseLease', this.tableName);
    }
  }

  async getDigest(id: string): Promise<AlertDigest | undefined> {
    return docOf<AlertDigest>(await this.get(digestKey(id), 'getDigest'));
  }

  async saveDigest(next: AlertDigest, expectedVersion: number): Promise<void> {
    const item: Item = {
      ...keyItem(digestKey(next.id)),
      doc: s(JSON.stringify(next)),
      version: n(next.version),
      ttl: n(ttlAfter(next.createdAt, this.retentionDays)),
    };
    if (expectedVersion === 0) {
      await this.put(item, 'attribute_not_exists(#pk)', { '#pk': 'pk' }, {}, `Digest ${next.id}`, 'saveDigest');
    } else {
      await this.put(
        item,
        '#version = :expected',
        { '#version': 'version' },
        { ':expected': n(expectedVersion) },
        `Digest ${next.id}`,
        'saveDigest',
      );
    }
  }

  async getPostureSnapshot(week: string): Promise<PostureSnapshot | undefined> {
    return docOf<PostureSnapshot>(await this.get(postureKey(week), 'getPostureSnapshot'));
  }

  async savePostureSnapshot(next: PostureSnapshot, expectedVersion: number): Promise<void> {
    const item: Item = {
      ...keyItem(postureKey(next.week)),
      doc: s(JSON.stringify(next)),
      version: n(next.version),
      // Kept long enough for next week's comparison and a quarter's trend.
      ttl: n(ttlAfter(next.takenAt, Math.max(this.retentionDays, 100))),
    };
    const what = `Posture ${next.week}`;
    if (expectedVersion === 0) {
      await this.put(item, 'attribute_not_exists(#pk)', { '#pk': 'pk' }, {}, what, 'savePostureSnapshot');
    } else {
      await this.put(
        item,
        '#version = :expected',
        { '#version': 'version' },
        { ':expected': n(expectedVersion) },
        what,
        'savePostureSnapshot',
      );
    }
  }

  async addRootWindow(window: RootWindow): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: s(`ROOTWIN#${window.accountId}`),
            sk: s(`WIN#${untilKey(window.until)}#${window.id}`),
            doc: s(JSON.stringify(window)),
            ttl: n(ttlAfter(window.until, 30)),
          },
        }),
      );
    } catch (error) {
      throw translateError(error, 'addRootWindow', this.tableName);
    }
  }

  async listRootWindows(accountId: string, atMs: number): Promise<RootWindow[]> {
    const items = await this.query(
      {
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk AND #sk >= :from',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': s(`ROOTWIN#${accountId}`), ':from': s(`WIN#${untilKey(atMs)}`) },
      },
      'listRootWindows',
    );
    return items
      .map((i) => docOf<RootWindow>(i))
      .filter((w): w is RootWindow => w !== undefined && w.until >= atMs)
      .sort((a, b) => a.from - b.from);
  }

  async recordRegionSeen(region: string, atMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: s(REGIONS), sk: s(`REGION#${region}`) },
          UpdateExpression: 'SET #at = :at',
          ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'seenAt' },
          ExpressionAttributeValues: { ':at': n(atMs) },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return; // a later event was recorded already
      throw translateError(error, 'recordRegionSeen', this.tableName);
    }
  }

  async listRegionsSeen(): Promise<Record<string, number>> {
    const items = await this.query(
      {
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': s(REGIONS) },
      },
      'listRegionsSeen',
    );
    return Object.fromEntries(
      items.map((i) => [String(i['sk']?.S ?? '').replace(/^REGION#/, ''), Number(i['seenAt']?.N ?? 0)]),
    );
  }

  private async get(key: Key, operation: string): Promise<Item | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: keyItem(key), ConsistentRead: true }),
      );
      return out.Item;
    } catch (error) {
      throw translateError(error, operation, this.tableName);
    }
  }

  private async put(
    item: Item,
    condition: string,
    names: Record<string, string>,
    values: Item,
    what: string,
    operation: string,
  ): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw versionConflict(what, operation, this.tableName, error);
      throw translateError(error, operation, this.tableName);
    }
  }

  private async query(input: QueryCommandInput, operation: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
        );
        items.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw translateError(error, operation, this.tableName);
    }
    return items;
  }
}
