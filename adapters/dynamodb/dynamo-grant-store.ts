import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type {
  AccessRequest,
  AssignmentKey,
  AuditEvent,
  AuditLog,
  AuditPage,
  AuditQuery,
  ChatPlatform,
  ConversationStore,
  Grant,
  GrantChatCopy,
  GrantId,
  GrantStore,
  LeaseChange,
  LeaseTakeOptions,
  MemberList,
  Membership,
  MessageRef,
  MessageRefStore,
  RequestId,
  CutInput,
  PrincipalId,
  SessionCut,
  SessionCutStore,
} from '../../src';
import { ErrorCodes, KeylessError, mergeCut } from '../../src';
import { isConditionFailed, translateError, versionConflict } from './errors';
import {
  DynamoAuditIndex,
  auditPendingItem,
  withAuditPending,
  type AuditPassOptions,
  type AuditPassResult,
} from './audit-index';
import {
  DEFAULT_RETENTION_DAYS,
  GSI_NAME,
  ACTIVITY_DUE_INDEX,
  MEMBERS_PK,
  MEMBER_PREFIX,
  MEMBER_RECORD_SECONDS,
  MESSAGE_PREFIX,
  NOTE_PREFIX,
  memberKey,
  numberOf,
  docOf,
  chatCopiesAttribute,
  chatCopiesItem,
  grantAttributes,
  grantOf,
  conversationKey,
  SESSION_CUT_PK,
  SESSION_CUT_PREFIX,
  sessionCutKey,
  grantKey,
  keyItem,
  messageRefKey,
  n,
  noteItemKey,
  recordItem,
  recordUpdate,
  rememberKey,
  requestAttributes,
  requestKey,
  s,
  slotKey,
  sortUpperBound,
  stringOf,
  ttlAfter,
  type Item,
  type Key,
  type RecordAttributes,
} from './items';

export interface DynamoGrantStoreOptions {
  client: DynamoDBClient;
  /**
   * A client with connections of its own for the calls that keep this replica's standing:
   * heartbeats, the members read and lease renewals. Under a burst the main client's connections
   * are all busy and its queue is long; these must not wait behind it (a late heartbeat makes a
   * replica fence itself, a late renewal loses a lease). Default: `client`.
   */
  urgentClient?: DynamoDBClient;
  tableName: string;
  /** Days a closed record (and a note or message reference) is kept before TTL clean-up. Default 400. */
  retentionDays?: number;
  /** Wall clock for the TTL of message and conversation references (which carry no time of their own). */
  now?: () => number;
  /** Days an audit index entry is kept (DynamoDB TTL). Default: `retentionDays`. */
  auditRetentionDays?: number;
}

/** The events a write adds (those after the version it replaces) and the time of the latest. */
function newEvents(history: readonly AuditEvent[], fromVersion: number): { count: number; at: number } {
  let count = 0;
  let at = 0;
  for (const e of history) {
    if (e.version > fromVersion) {
      count++;
      at = Math.max(at, e.at);
    }
  }
  return { count, at };
}

/**
 * When a lease may be taken by `owner` at `nowMs`: none, lapsed, already `owner`'s, or held by a
 * departed member (at most 100 operands in a DynamoDB IN list: the caller passes the latest 50).
 */
function leaseFreeCondition(
  owner: string,
  nowMs: number,
  departed: readonly string[] | undefined,
): { condition: string; names: Record<string, string>; values: Item } {
  const names: Record<string, string> = { '#owner': 'leaseOwner', '#until': 'leaseUntil' };
  const values: Item = { ':me': s(owner), ':now': n(nowMs) };
  const gone = (departed ?? []).slice(0, 50);
  gone.forEach((d, i) => (values[`:gone${i}`] = s(d)));
  const viaDeparted = gone.length ? ` OR #owner IN (${gone.map((_, i) => `:gone${i}`).join(', ')})` : '';
  return {
    condition: `(attribute_not_exists(#until) OR #until < :now OR #owner = :me${viaDeparted})`,
    names,
    values,
  };
}

/**
 * GrantStore, MessageRefStore and ConversationStore on one DynamoDB table (design §7): single-item
 * conditional writes on `version`, no transactions. The audit trail of a record lives inside it
 * (`history`), written in the same conditional write as the state; notes are separate idempotent
 * items. Lists read the `byStatusExpiry` index, which lags writes by up to about a second.
 */
export class DynamoGrantStore
  implements GrantStore, MessageRefStore, ConversationStore, Membership, SessionCutStore, AuditLog
{
  private readonly client: DynamoDBClient;
  private readonly urgent: DynamoDBClient;
  private readonly audit: DynamoAuditIndex;
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly now: () => number;

  constructor(options: DynamoGrantStoreOptions) {
    this.client = options.client;
    this.urgent = options.urgentClient ?? options.client;
    this.tableName = options.tableName;
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    this.now = options.now ?? Date.now;
    this.audit = new DynamoAuditIndex({
      client: this.client,
      tableName: this.tableName,
      retentionDays: options.auditRetentionDays ?? this.retentionDays,
    });
  }

  // Requests

  async createRequest(request: AccessRequest): Promise<void> {
    await this.create(
      requestKey(request.id),
      requestAttributes(request, this.retentionDays),
      `Request ${request.id}`,
      request.history,
    );
  }

  async getRequest(id: RequestId): Promise<AccessRequest | undefined> {
    return docOf<AccessRequest>(await this.getItem(requestKey(id), 'getRequest'));
  }

  async saveRequest(next: AccessRequest, expectedVersion: number): Promise<void> {
    await this.save(
      requestKey(next.id),
      requestAttributes(next, this.retentionDays),
      expectedVersion,
      `Request ${next.id}`,
      next.history,
    );
  }

  async listRequests(query: {
    status: 'pending' | 'approved';
    decideByBefore?: number;
    limit?: number;
  }): Promise<AccessRequest[]> {
    const items = await this.queryIndex(`REQ#${query.status}`, query.decideByBefore, query.limit, 'listRequests');
    return items.map((item) => docOf<AccessRequest>(item)).filter((r): r is AccessRequest => r !== undefined);
  }

  // Grants

  async createGrant(grant: Grant): Promise<void> {
    await this.create(
      grantKey(grant.id),
      grantAttributes(grant, this.retentionDays),
      `Grant ${grant.id}`,
      grant.history,
      chatCopiesItem(grant.chatCopies),
    );
  }

  async getGrant(id: GrantId): Promise<Grant | undefined> {
    return grantOf(
      await this.getItem(grantKey(id), 'getGrant', '#doc, #cs, #ct', {
        '#doc': 'doc',
        '#cs': chatCopiesAttribute('slack'),
        '#ct': chatCopiesAttribute('teams'),
      }),
    );
  }

  async saveGrant(next: Grant, expectedVersion: number): Promise<void> {
    await this.save(
      grantKey(next.id),
      grantAttributes(next, this.retentionDays),
      expectedVersion,
      `Grant ${next.id}`,
      next.history,
    );
  }

  async listGrants(query: {
    status: 'provisioning' | 'active' | 'deprovisioning' | 'scheduled';
    expiresBefore?: number;
    startsBefore?: number;
    limit?: number;
  }): Promise<Grant[]> {
    const before = query.status === 'scheduled' ? query.startsBefore : query.expiresBefore;
    const items = await this.queryIndex(`GRANT#${query.status}`, before, query.limit, 'listGrants');
    return items.map((item) => grantOf(item)).filter((g): g is Grant => g !== undefined);
  }

  async listGrantsActivityDue(query: { dueBefore: number; limit?: number }): Promise<Grant[]> {
    const items = await this.queryIndex(ACTIVITY_DUE_INDEX, query.dueBefore, query.limit, 'listGrantsActivityDue');
    return items.map((item) => grantOf(item)).filter((g): g is Grant => g !== undefined);
  }

  // Audit

  async appendNote(event: AuditEvent): Promise<void> {
    // A note is closed from the start: it expires with the retention counted from its own time.
    const item: Item = {
      ...keyItem(noteItemKey(event)),
      doc: s(JSON.stringify(event)),
      ttl: n(ttlAfter(event.at, this.retentionDays)),
      // Marked for the audit pump in the same write (audit-index.ts).
      ...auditPendingItem(noteItemKey(event).pk, event.at),
    };
    await this.putIfAbsent(item, 'appendNote');
  }

  /** One page of audit events by person, actor, rule, permission set or account within a time range (audit-index.ts). */
  async queryAudit(query: AuditQuery): Promise<AuditPage> {
    const { records, cursor } = await this.audit.query(query);
    return { records, ...(cursor ? { cursor } : {}) };
  }

  /** The same, with the items DynamoDB read for it (`ScannedCount`): what the page cost. */
  async queryAuditCounted(query: AuditQuery): Promise<AuditPage & { scanned: number }> {
    return this.audit.query(query);
  }

  /** One pass of the audit pump: indexes (and archives) the events of marked writes, then clears the marks. */
  async pumpAudit(options?: AuditPassOptions): Promise<AuditPassResult> {
    return this.audit.pass(options);
  }

  /** How many written items wait for the audit pump. */
  async auditBacklog(): Promise<number> {
    return this.audit.backlog();
  }

  async listAudit(subject: AuditEvent['subject']): Promise<AuditEvent[]> {
    const recordKey = subject.kind === 'grant' ? grantKey(subject.id) : requestKey(subject.id);
    const [record, notes] = await Promise.all([
      this.getItem(recordKey, 'listAudit'),
      this.queryPrefix(recordKey.pk, NOTE_PREFIX, 'listAudit'),
    ]);
    const history = docOf<{ history: AuditEvent[] }>(record)?.history ?? [];
    const noteEvents = notes.map((item) => docOf<AuditEvent>(item)).filter((e): e is AuditEvent => e !== undefined);
    return [...history, ...noteEvents].sort((a, b) => a.key.localeCompare(b.key));
  }

  // The one-active-grant guard

  async getActiveSlot(key: AssignmentKey): Promise<GrantId | undefined> {
    return stringOf(await this.getItem(slotKey(key), 'getActiveSlot', '#holder', { '#holder': 'holder' }), 'holder') as
      GrantId | undefined;
  }

  async claimActiveSlot(key: AssignmentKey, grantId: GrantId, replacing?: GrantId): Promise<boolean> {
    const values: Item = { ':me': s(grantId) };
    let condition = 'attribute_not_exists(#pk) OR #holder = :me';
    if (replacing !== undefined) {
      values[':replacing'] = s(replacing);
      condition += ' OR #holder = :replacing';
    }
    return this.conditional('claimActiveSlot', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...keyItem(slotKey(key)), holder: s(grantId) },
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#pk': 'pk', '#holder': 'holder' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async releaseActiveSlot(key: AssignmentKey, grantId: GrantId): Promise<void> {
    await this.conditional('releaseActiveSlot', () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyItem(slotKey(key)),
          ConditionExpression: '#holder = :me',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':me': s(grantId) },
        }),
      ),
    );
  }

  // Leases: fields on the grant's META item that saves leave alone and that never touch `version`.

  async acquireLease(
    grantId: GrantId,
    owner: string,
    nowMs: number,
    untilMs: number,
    opts?: LeaseTakeOptions,
  ): Promise<boolean> {
    // A renewal holds only while the lease is still `owner`'s; a take when it is free for `owner`.
    const free = opts?.renewal
      ? {
          condition: '#owner = :me',
          names: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
          values: { ':me': s(owner) } as Item,
        }
      : leaseFreeCondition(owner, nowMs, opts?.departed);
    const client = opts?.renewal ? this.urgent : this.client;
    return this.conditional('acquireLease', () =>
      client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(grantKey(grantId)),
          UpdateExpression: 'SET #owner = :me, #until = :until',
          ConditionExpression: `attribute_exists(#pk) AND ${free.condition}`,
          ExpressionAttributeNames: { '#pk': 'pk', ...free.names },
          ExpressionAttributeValues: { ...free.values, ':until': n(untilMs) },
        }),
      ),
    );
  }

  async releaseLease(grantId: GrantId, owner: string): Promise<void> {
    await this.conditional('releaseLease', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(grantKey(grantId)),
          UpdateExpression: 'REMOVE #owner, #until',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
          ExpressionAttributeValues: { ':me': s(owner) },
        }),
      ),
    );
  }

  async saveGrantWithLease(next: Grant, expectedVersion: number, change: LeaseChange): Promise<boolean> {
    const update = this.marked(
      recordUpdate(grantAttributes(next, this.retentionDays), expectedVersion),
      grantKey(next.id).pk,
      next.history,
      expectedVersion,
    );
    let condition: string;
    let names: Record<string, string>;
    let values: Item;
    let expression: string;
    if ('take' in change) {
      const { owner, nowMs, untilMs, departed } = change.take;
      const free = leaseFreeCondition(owner, nowMs, departed);
      condition = free.condition;
      names = free.names;
      values = { ...free.values, ':until': n(untilMs) };
      // SET comes first in recordUpdate's expression: the lease joins it.
      expression = update.UpdateExpression.replace(/^SET /, 'SET #owner = :me, #until = :until, ');
    } else {
      condition = '(attribute_not_exists(#owner) OR #owner = :me)';
      names = { '#owner': 'leaseOwner', '#until': 'leaseUntil' };
      values = { ':me': s(change.release.owner) };
      const [set, remove] = update.UpdateExpression.split(' REMOVE ') as [string, string | undefined];
      expression = `${set} REMOVE ${[remove, '#owner', '#until'].filter(Boolean).join(', ')}`;
    }
    return this.conditional('saveGrantWithLease', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(grantKey(next.id)),
          UpdateExpression: expression,
          ConditionExpression: `${update.ConditionExpression} AND ${condition}`,
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...names },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...values },
        }),
      ),
    );
  }

  // Membership: one item per replica in the `MEMBERS` partition, read with one Query.

  async heartbeat(replicaId: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const until = nowMs + ttlMs;
    return this.conditional('heartbeat', () =>
      this.urgent.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...keyItem(memberKey(replicaId)),
            until: n(until),
            ttl: n(Math.ceil(until / 1000) + MEMBER_RECORD_SECONDS),
          },
          // A departed member never comes back (the others may have taken its leases).
          ConditionExpression: 'attribute_not_exists(#pk) OR #until > :now',
          ExpressionAttributeNames: { '#pk': 'pk', '#until': 'until' },
          ExpressionAttributeValues: { ':now': n(nowMs) },
        }),
      ),
    );
  }

  async members(nowMs: number): Promise<MemberList> {
    const items = await this.queryPrefix(MEMBERS_PK, MEMBER_PREFIX, 'members', this.urgent);
    const all = items.map((item) => ({
      id: (stringOf(item, 'sk') ?? '').slice(MEMBER_PREFIX.length),
      until: numberOf(item, 'until') ?? 0,
    }));
    return {
      deadlines: Object.fromEntries(all.map((m) => [m.id, m.until])),
      live: all
        .filter((m) => m.until > nowMs)
        .map((m) => m.id)
        .sort(),
      departed: all
        .filter((m) => m.until <= nowMs)
        .sort((a, b) => b.until - a.until || (a.id < b.id ? -1 : 1))
        .map((m) => m.id),
    };
  }

  async leave(replicaId: string): Promise<void> {
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyItem(memberKey(replicaId)) }));
    } catch (error) {
      throw translateError(error, 'leave', this.tableName);
    }
  }

  // Idempotency keys

  async rememberOnce(key: string, nowMs: number, ttlSeconds: number): Promise<boolean> {
    const expiresAtMs = nowMs + ttlSeconds * 1000;
    // TTL deletion is lazy (up to days): an expired item may still be there, so the condition, not
    // TTL, decides whether the key is still remembered.
    return this.conditional('rememberOnce', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...keyItem(rememberKey(key)),
            expiresAtMs: n(expiresAtMs),
            ttl: n(Math.ceil(expiresAtMs / 1000)),
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #expires <= :now',
          ExpressionAttributeNames: { '#pk': 'pk', '#expires': 'expiresAtMs' },
          ExpressionAttributeValues: { ':now': n(nowMs) },
        }),
      ),
    );
  }

  // Message references

  async addMessageRef(requestId: RequestId, ref: MessageRef): Promise<void> {
    const item: Item = {
      ...keyItem(messageRefKey(requestId, ref)),
      platform: s(ref.platform),
      channel: s(ref.channel),
      messageId: s(ref.messageId),
      role: s(ref.role),
      ttl: n(ttlAfter(this.now(), this.retentionDays)),
    };
    await this.putIfAbsent(item, 'addMessageRef');
  }

  async listMessageRefs(requestId: RequestId): Promise<MessageRef[]> {
    const items = await this.queryPrefix(requestKey(requestId).pk, MESSAGE_PREFIX, 'listMessageRefs');
    return items.map((item) => ({
      platform: stringOf(item, 'platform') as MessageRef['platform'],
      channel: stringOf(item, 'channel') ?? '',
      messageId: stringOf(item, 'messageId') ?? '',
      role: stringOf(item, 'role') as MessageRef['role'],
    }));
  }

  async setGrantChatCopies(grantId: GrantId, platform: ChatPlatform, copies: readonly GrantChatCopy[]): Promise<void> {
    // Beside the record, never in it: no version check, and a missing grant is not created.
    await this.conditional('setGrantChatCopies', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(grantKey(grantId)),
          UpdateExpression: 'SET #copies = :copies',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#copies': chatCopiesAttribute(platform), '#pk': 'pk' },
          ExpressionAttributeValues: { ':copies': s(JSON.stringify(copies)) },
        }),
      ),
    );
  }

  // Conversation references (Teams proactive messages)

  async saveConversation(key: string, reference: Record<string, unknown>): Promise<void> {
    // Replaced on every save; the TTL, refreshed by each save, forgets a conversation unused for
    // the retention period.
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...keyItem(conversationKey(key)),
            doc: s(JSON.stringify(reference)),
            ttl: n(ttlAfter(this.now(), this.retentionDays)),
          },
        }),
      );
    } catch (error) {
      throw translateError(error, 'saveConversation', this.tableName);
    }
  }

  async getConversation(key: string): Promise<Record<string, unknown> | undefined> {
    return docOf<Record<string, unknown>>(await this.getItem(conversationKey(key), 'getConversation'));
  }

  // Session cuts: one item per person in one partition, conditional on `version`.

  async recordSessionCut(input: CutInput): Promise<SessionCut> {
    const cut = await this.changeSessionCut(input.principalId, 'recordSessionCut', (c) => mergeCut(c, input));
    return cut!;
  }

  async listSessionCuts(): Promise<SessionCut[]> {
    const items = await this.queryPrefix(SESSION_CUT_PK, SESSION_CUT_PREFIX, 'listSessionCuts');
    return items.flatMap((item) => docOf<SessionCut>(item) ?? []);
  }

  async settleSessionCut(principalId: PrincipalId, grantIds: readonly string[]): Promise<void> {
    await this.changeSessionCut(principalId, 'settleSessionCut', (cut) =>
      cut && cut.pending.some((p) => grantIds.includes(p.grantId))
        ? { ...cut, pending: cut.pending.filter((p) => !grantIds.includes(p.grantId)), version: cut.version + 1 }
        : undefined,
    );
  }

  async deleteSessionCut(principalId: PrincipalId, expectedVersion: number): Promise<boolean> {
    return this.conditional('deleteSessionCut', () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyItem(sessionCutKey(principalId)),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': n(expectedVersion) },
        }),
      ),
    );
  }

  /** Read, change, write back only if nobody wrote meanwhile; again on a lost race. */
  private async changeSessionCut(
    principalId: PrincipalId,
    operation: string,
    change: (cut: SessionCut | undefined) => SessionCut | undefined,
  ): Promise<SessionCut | undefined> {
    const key = sessionCutKey(principalId);
    for (let attempt = 1; attempt <= 8; attempt++) {
      const current = docOf<SessionCut>(await this.getItem(key, operation));
      const next = change(current);
      if (!next) return current;
      const written = await this.conditional(operation, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { ...keyItem(key), doc: s(JSON.stringify(next)), version: n(next.version) },
            ConditionExpression: current ? '#version = :expected' : 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: current ? { '#version': 'version' } : { '#pk': 'pk' },
            ...(current ? { ExpressionAttributeValues: { ':expected': n(current.version) } } : {}),
          }),
        ),
      );
      if (written) return next;
    }
    throw new KeylessError(ErrorCodes.VersionConflict, `The session cut of ${principalId} kept changing; try again.`);
  }

  // Plumbing

  /** A record's update, with the audit pump's mark when the write adds events (audit-index.ts). */
  private marked<T extends ReturnType<typeof recordUpdate>>(
    update: T,
    pk: string,
    history: readonly AuditEvent[],
    expectedVersion: number,
  ): T {
    const added = newEvents(history, expectedVersion);
    return added.count > 0 ? withAuditPending(update, pk, added.at, expectedVersion) : update;
  }

  private async create(
    key: Key,
    attributes: RecordAttributes,
    what: string,
    history: readonly AuditEvent[] = [],
    extra: Item = {},
  ): Promise<void> {
    const added = newEvents(history, 0);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...recordItem(key, attributes),
            ...(added.count > 0 ? auditPendingItem(key.pk, added.at, 0) : {}),
            ...extra,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw versionConflict(what, 'create', this.tableName, error);
      throw translateError(error, 'create', this.tableName);
    }
  }

  private async save(
    key: Key,
    attributes: RecordAttributes,
    expectedVersion: number,
    what: string,
    history: readonly AuditEvent[] = [],
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(key),
          ...this.marked(recordUpdate(attributes, expectedVersion), key.pk, history, expectedVersion),
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw versionConflict(what, 'save', this.tableName, error);
      throw translateError(error, 'save', this.tableName);
    }
  }

  /** Runs a conditional write: true when it was applied, false when its condition failed. */
  private async conditional(operation: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw translateError(error, operation, this.tableName);
    }
  }

  /** Writes an item once; a repeat (a retried write) is a no-op. */
  private async putIfAbsent(item: Item, operation: string): Promise<void> {
    await this.conditional(operation, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      ),
    );
  }

  private async getItem(
    key: Key,
    operation: string,
    projection = '#doc',
    names: Record<string, string> = { '#doc': 'doc' },
  ): Promise<Item | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: keyItem(key),
          ConsistentRead: true,
          ProjectionExpression: projection,
          ExpressionAttributeNames: names,
        }),
      );
      return out.Item;
    } catch (error) {
      throw translateError(error, operation, this.tableName);
    }
  }

  /**
   * Reads one status of `byStatusExpiry`, soonest first, entries at or before `before` (inclusive),
   * following `LastEvaluatedKey` until `limit` items are in or the index is exhausted. The index is
   * eventually consistent: an entry may lag a write by about a second.
   */
  private async queryIndex(
    gsi1pk: string,
    before: number | undefined,
    limit: number | undefined,
    operation: string,
  ): Promise<Item[]> {
    if (limit !== undefined && limit <= 0) return [];
    const names: Record<string, string> = { '#gpk': 'gsi1pk' };
    const values: Item = { ':gpk': s(gsi1pk) };
    let condition = '#gpk = :gpk';
    if (before !== undefined) {
      const upper = sortUpperBound(before);
      if (upper === undefined) return [];
      names['#gsk'] = 'gsi1sk';
      values[':upper'] = s(upper);
      condition += ' AND #gsk < :upper';
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: GSI_NAME,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    return this.query(input, limit, operation);
  }

  /** Items of one partition whose sort key starts with `prefix`, strongly consistent. */
  private async queryPrefix(pk: string, prefix: string, operation: string, client = this.client): Promise<Item[]> {
    return this.query(
      {
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': s(pk), ':prefix': s(prefix) },
      },
      undefined,
      operation,
      client,
    );
  }

  private async query(
    input: QueryCommandInput,
    limit: number | undefined,
    operation: string,
    client = this.client,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    try {
      do {
        const remaining = limit === undefined ? undefined : limit - items.length;
        const out = await client.send(
          new QueryCommand({
            ...input,
            ...(remaining !== undefined ? { Limit: remaining } : {}),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        items.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
      } while (startKey && (limit === undefined || items.length < limit));
    } catch (error) {
      throw translateError(error, operation, this.tableName);
    }
    return limit === undefined ? items : items.slice(0, limit);
  }
}
