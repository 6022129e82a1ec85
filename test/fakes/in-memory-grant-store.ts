import {
  ErrorCodes,
  KeylessError,
  assignmentKeyString,
  type AccessRequest,
  type AssignmentKey,
  type AuditEvent,
  type ConversationStore,
  type ChatPlatform,
  type Grant,
  type GrantChatCopy,
  type GrantId,
  type GrantStore,
  type LeaseChange,
  type LeaseTakeOptions,
  type Membership,
  type MemberList,
  type MessageRef,
  type MessageRefStore,
  type RequestId,
  type CutInput,
  type PrincipalId,
  type SessionCut,
  type SessionCutStore,
  mergeCut,
} from '../../src';

const clone = <T>(value: T): T => structuredClone(value);
/** The record as written, with the chat copies kept beside it (the engine's writes never change them). */
function keepCopies(next: Grant, current: Grant | undefined): Grant {
  const { chatCopies: _ignored, ...record } = clone(next);
  return current?.chatCopies ? { ...record, chatCopies: clone(current.chatCopies) } : record;
}
const conflict = (what: string) =>
  new KeylessError(ErrorCodes.VersionConflict, `${what} changed meanwhile; try again.`);

/** The GrantStore contract in memory: the reference the real adapters are held to. */
export class InMemoryGrantStore implements GrantStore, MessageRefStore, ConversationStore, Membership, SessionCutStore {
  readonly requests = new Map<string, AccessRequest>();
  readonly grants = new Map<string, Grant>();
  readonly notes = new Map<string, AuditEvent>();
  readonly slots = new Map<string, GrantId>();
  readonly leases = new Map<string, { owner: string; until: number }>();
  readonly remembered = new Map<string, number>();
  readonly messageRefs = new Map<string, MessageRef[]>();
  readonly conversations = new Map<string, Record<string, unknown>>();
  /** Replica heartbeats: member id → deadline. */
  readonly heartbeats = new Map<string, number>();
  readonly sessionCuts = new Map<string, SessionCut>();
  /** Counts every write, for tests that look at write amplification. */
  writes = 0;

  async createRequest(request: AccessRequest): Promise<void> {
    if (this.requests.has(request.id)) throw conflict(`Request ${request.id}`);
    this.writes++;
    this.requests.set(request.id, clone(request));
  }

  async getRequest(id: RequestId): Promise<AccessRequest | undefined> {
    const r = this.requests.get(id);
    return r && clone(r);
  }

  async saveRequest(next: AccessRequest, expectedVersion: number): Promise<void> {
    const current = this.requests.get(next.id);
    if (!current || current.version !== expectedVersion) throw conflict(`Request ${next.id}`);
    this.writes++;
    this.requests.set(next.id, clone(next));
  }

  async listRequests(query: {
    status: 'pending' | 'approved';
    decideByBefore?: number;
    limit?: number;
  }): Promise<AccessRequest[]> {
    return [...this.requests.values()]
      .filter((r) => r.status === query.status && !(r.status === 'approved' && r.grantId))
      .filter((r) => query.decideByBefore === undefined || r.decideBy <= query.decideByBefore)
      .sort((a, b) => a.decideBy - b.decideBy || a.id.localeCompare(b.id))
      .slice(0, query.limit ?? Infinity)
      .map(clone);
  }

  async createGrant(grant: Grant): Promise<void> {
    if (this.grants.has(grant.id)) throw conflict(`Grant ${grant.id}`);
    this.writes++;
    this.grants.set(grant.id, clone(grant));
  }

  async getGrant(id: GrantId): Promise<Grant | undefined> {
    const g = this.grants.get(id);
    return g && clone(g);
  }

  async saveGrant(next: Grant, expectedVersion: number): Promise<void> {
    const current = this.grants.get(next.id);
    if (!current || current.version !== expectedVersion) throw conflict(`Grant ${next.id}`);
    this.writes++;
    this.grants.set(next.id, keepCopies(next, current));
  }

  async listGrants(query: {
    status: 'provisioning' | 'active' | 'deprovisioning' | 'scheduled';
    expiresBefore?: number;
    startsBefore?: number;
    limit?: number;
  }): Promise<Grant[]> {
    const scheduled = query.status === 'scheduled';
    const sortKey = (g: Grant) => (scheduled ? (g.startsAt ?? 0) : (g.expiresAt ?? 0));
    const before = scheduled ? query.startsBefore : query.expiresBefore;
    return [...this.grants.values()]
      .filter((g) => g.status === query.status && (before === undefined || sortKey(g) <= before))
      .sort((a, b) => sortKey(a) - sortKey(b) || a.id.localeCompare(b.id))
      .slice(0, query.limit ?? Infinity)
      .map(clone);
  }

  async listGrantsActivityDue(query: { dueBefore: number; limit?: number }): Promise<Grant[]> {
    const dueAt = (g: Grant) => g.activity?.dueAt;
    return [...this.grants.values()]
      .filter((g) => (g.status === 'expired' || g.status === 'revoked') && (dueAt(g) ?? Infinity) <= query.dueBefore)
      .sort((a, b) => dueAt(a)! - dueAt(b)! || a.id.localeCompare(b.id))
      .slice(0, query.limit ?? Infinity)
      .map(clone);
  }

  async appendNote(event: AuditEvent): Promise<void> {
    const key = `${event.subject.kind}#${event.subject.id}#${event.key}`;
    if (this.notes.has(key)) return;
    this.writes++;
    this.notes.set(key, clone(event));
  }

  async listAudit(subject: AuditEvent['subject']): Promise<AuditEvent[]> {
    const record = subject.kind === 'grant' ? this.grants.get(subject.id) : this.requests.get(subject.id);
    const notes = [...this.notes.values()].filter(
      (n) => n.subject.kind === subject.kind && n.subject.id === subject.id,
    );
    return [...(record?.history ?? []), ...notes].sort((a, b) => a.key.localeCompare(b.key)).map(clone);
  }

  async getActiveSlot(key: AssignmentKey): Promise<GrantId | undefined> {
    return this.slots.get(assignmentKeyString(key));
  }

  async claimActiveSlot(key: AssignmentKey, grantId: GrantId, replacing?: GrantId): Promise<boolean> {
    const k = assignmentKeyString(key);
    const holder = this.slots.get(k);
    if (holder === grantId) return true;
    if (holder === undefined || (replacing !== undefined && holder === replacing)) {
      this.writes++;
      this.slots.set(k, grantId);
      return true;
    }
    return false;
  }

  async releaseActiveSlot(key: AssignmentKey, grantId: GrantId): Promise<void> {
    const k = assignmentKeyString(key);
    if (this.slots.get(k) === grantId) {
      this.writes++;
      this.slots.delete(k);
    }
  }

  async acquireLease(
    grantId: GrantId,
    owner: string,
    nowMs: number,
    untilMs: number,
    opts?: LeaseTakeOptions,
  ): Promise<boolean> {
    if (!this.grants.has(grantId)) return false;
    // A renewal holds only while the lease is still `owner`'s; a take when it is free for `owner`.
    if (opts?.renewal ? this.leases.get(grantId)?.owner !== owner : !this.leaseFree(grantId, owner, nowMs, opts))
      return false;
    this.writes++;
    this.leases.set(grantId, { owner, until: untilMs });
    return true;
  }

  private leaseFree(grantId: string, owner: string, nowMs: number, opts?: LeaseTakeOptions): boolean {
    const lease = this.leases.get(grantId);
    return !lease || lease.owner === owner || lease.until < nowMs || (opts?.departed ?? []).includes(lease.owner);
  }

  async saveGrantWithLease(next: Grant, expectedVersion: number, change: LeaseChange): Promise<boolean> {
    const current = this.grants.get(next.id);
    if (!current || current.version !== expectedVersion) return false;
    if ('take' in change) {
      const { owner, nowMs, untilMs, departed } = change.take;
      if (!this.leaseFree(next.id, owner, nowMs, departed ? { departed } : undefined)) return false;
      this.leases.set(next.id, { owner, until: untilMs });
    } else {
      const lease = this.leases.get(next.id);
      if (lease && lease.owner !== change.release.owner) return false;
      this.leases.delete(next.id);
    }
    this.writes++;
    this.grants.set(next.id, keepCopies(next, current));
    return true;
  }

  async heartbeat(replicaId: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const until = this.heartbeats.get(replicaId);
    if (until !== undefined && until <= nowMs) return false;
    this.writes++;
    this.heartbeats.set(replicaId, nowMs + ttlMs);
    return true;
  }

  async members(nowMs: number): Promise<MemberList> {
    const all = [...this.heartbeats.entries()];
    return {
      deadlines: Object.fromEntries(all),
      live: all
        .filter(([, until]) => until > nowMs)
        .map(([id]) => id)
        .sort(),
      departed: all
        .filter(([, until]) => until <= nowMs)
        .sort(([a, ua], [b, ub]) => ub - ua || (a < b ? -1 : 1))
        .map(([id]) => id),
    };
  }

  async leave(replicaId: string): Promise<void> {
    this.heartbeats.delete(replicaId);
  }

  async releaseLease(grantId: GrantId, owner: string): Promise<void> {
    if (this.leases.get(grantId)?.owner === owner) {
      this.writes++;
      this.leases.delete(grantId);
    }
  }

  async rememberOnce(key: string, nowMs: number, ttlSeconds: number): Promise<boolean> {
    const until = this.remembered.get(key);
    if (until !== undefined && until > nowMs) return false;
    this.writes++;
    this.remembered.set(key, nowMs + ttlSeconds * 1000);
    return true;
  }

  async addMessageRef(requestId: RequestId, ref: MessageRef): Promise<void> {
    const refs = this.messageRefs.get(requestId) ?? [];
    if (!refs.some((r) => r.platform === ref.platform && r.channel === ref.channel && r.messageId === ref.messageId)) {
      refs.push(clone(ref));
    }
    this.messageRefs.set(requestId, refs);
  }

  async listMessageRefs(requestId: RequestId): Promise<MessageRef[]> {
    return clone(this.messageRefs.get(requestId) ?? []);
  }

  async setGrantChatCopies(grantId: GrantId, platform: ChatPlatform, copies: readonly GrantChatCopy[]): Promise<void> {
    const grant = this.grants.get(grantId);
    if (grant) grant.chatCopies = { ...grant.chatCopies, [platform]: clone([...copies]) };
  }

  async saveConversation(key: string, reference: Record<string, unknown>): Promise<void> {
    this.conversations.set(key, clone(reference));
  }

  async getConversation(key: string): Promise<Record<string, unknown> | undefined> {
    const ref = this.conversations.get(key);
    return ref && clone(ref);
  }

  async recordSessionCut(input: CutInput): Promise<SessionCut> {
    const next = mergeCut(this.sessionCuts.get(input.principalId), input);
    this.writes++;
    this.sessionCuts.set(input.principalId, clone(next));
    return clone(next);
  }

  async listSessionCuts(): Promise<SessionCut[]> {
    return [...this.sessionCuts.values()].sort((a, b) => a.principalId.localeCompare(b.principalId)).map(clone);
  }

  async settleSessionCut(principalId: PrincipalId, grantIds: readonly string[]): Promise<void> {
    const cut = this.sessionCuts.get(principalId);
    if (!cut || !cut.pending.some((p) => grantIds.includes(p.grantId))) return;
    this.writes++;
    this.sessionCuts.set(principalId, {
      ...cut,
      pending: cut.pending.filter((p) => !grantIds.includes(p.grantId)),
      version: cut.version + 1,
    });
  }

  async deleteSessionCut(principalId: PrincipalId, expectedVersion: number): Promise<boolean> {
    const cut = this.sessionCuts.get(principalId);
    if (!cut || cut.version !== expectedVersion) return false;
    this.writes++;
    this.sessionCuts.delete(principalId);
    return true;
  }
}
