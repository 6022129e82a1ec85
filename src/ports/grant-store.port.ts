import type {
  AccessRequest,
  AssignmentKey,
  AuditEvent,
  ChatPlatform,
  Grant,
  GrantChatCopy,
  GrantId,
  RequestId,
} from '../domain';

/**
 * Durable state. Every write is a single-item conditional write (design §7, no transactions):
 * - `create*` fails with VERSION_CONFLICT when the record exists;
 * - `save*` writes `next` (whose `history` already holds the new audit event) only when the stored
 *   version is still `expectedVersion`, else VERSION_CONFLICT.
 * Reads of a single record are strongly consistent; list queries may lag by up to a second (GSI).
 */
export interface GrantStore {
  createRequest(request: AccessRequest): Promise<void>;
  getRequest(id: RequestId): Promise<AccessRequest | undefined>;
  saveRequest(next: AccessRequest, expectedVersion: number): Promise<void>;
  /**
   * Open requests, soonest `decideBy` first; `decideByBefore` bounds it (inclusive). Only open work is
   * listed: `pending` requests, and `approved` requests that have no `grantId` yet (awaiting
   * fulfilment). Closed requests are read by id.
   */
  listRequests(query: {
    status: 'pending' | 'approved';
    decideByBefore?: number;
    limit?: number;
  }): Promise<AccessRequest[]>;

  createGrant(grant: Grant): Promise<void>;
  getGrant(id: GrantId): Promise<Grant | undefined>;
  saveGrant(next: Grant, expectedVersion: number): Promise<void>;
  /**
   * Live grants (provisioning, active, deprovisioning) of one status, soonest `expiresAt` first
   * (grants with no expiry yet sort first); `expiresBefore` (inclusive, epoch ms) bounds it.
   * `scheduled` grants (access that starts later) sort by `startsAt` instead, and `startsBefore`
   * (inclusive) bounds them. Final grants are read by id.
   */
  listGrants(query: {
    status: 'provisioning' | 'active' | 'deprovisioning' | 'scheduled';
    expiresBefore?: number;
    startsBefore?: number;
    limit?: number;
  }): Promise<Grant[]>;

  /**
   * Ended grants whose next CloudTrail activity lookup is due at or before `dueBefore` (epoch ms,
   * inclusive), soonest first (`grant.activity.dueAt`). Only grants with a lookup still to do are
   * listed, so the read costs what it returns.
   */
  listGrantsActivityDue(query: { dueBefore: number; limit?: number }): Promise<Grant[]>;

  /** Audit notes that change no state (a refused approval): idempotent on (subject, key). */
  appendNote(event: AuditEvent): Promise<void>;
  /** The whole trail of a record: its transitions and its notes, in order. */
  listAudit(subject: AuditEvent['subject']): Promise<AuditEvent[]>;

  /** The one-active-grant guard (design §5): which grant holds a (user, account, permission set). */
  getActiveSlot(key: AssignmentKey): Promise<GrantId | undefined>;
  /**
   * Claims the slot for `grantId` when it is free, already ours, or held by `replacing` (a holder the
   * caller has seen finished). Returns whether `grantId` holds it now.
   */
  claimActiveSlot(key: AssignmentKey, grantId: GrantId, replacing?: GrantId): Promise<boolean>;
  /** Frees the slot if `grantId` holds it. */
  releaseActiveSlot(key: AssignmentKey, grantId: GrantId): Promise<void>;

  /**
   * A lease on a grant's work (activation or revocation) for one replica: taken when there is none,
   * when it lapsed (`until` < now), when `owner` already holds it, or when its holder is one of
   * `opts.departed`. Leases never change `version`.
   */
  acquireLease(
    grantId: GrantId,
    owner: string,
    nowMs: number,
    untilMs: number,
    opts?: LeaseTakeOptions,
  ): Promise<boolean>;
  releaseLease(grantId: GrantId, owner: string): Promise<void>;
  /**
   * `saveGrant` and a lease change in ONE conditional write (one round trip instead of two):
   * - `take`: applied only when the stored version is `expectedVersion` AND the lease could be
   *   taken by `acquireLease` with the same arguments; the grant is saved and the lease is `owner`'s
   *   until `untilMs`.
   * - `release`: applied only when the stored version is `expectedVersion` AND the lease is free or
   *   `owner`'s; the grant is saved and the lease removed.
   * True when applied; false when either condition failed (nothing written: the caller reads again).
   */
  saveGrantWithLease(next: Grant, expectedVersion: number, lease: LeaseChange): Promise<boolean>;

  /**
   * Remembers a key (a chat delivery id, an alert's dedupe key) for `ttlSeconds`. True the first
   * time, false while it is remembered.
   */
  rememberOnce(key: string, nowMs: number, ttlSeconds: number): Promise<boolean>;
}

export interface LeaseTakeOptions {
  /**
   * Members known to have departed (their heartbeat lapsed, design: ownership): a lease one of them
   * holds is void and may be taken at once, without waiting for it to lapse.
   */
  departed?: readonly string[];
  /**
   * The holder renewing a lease it took: a store may send it ahead of other work (a renewal that
   * waits behind a burst lets the lease lapse under work in progress).
   */
  renewal?: boolean;
}

export type LeaseChange =
  { take: { owner: string; nowMs: number; untilMs: number } & LeaseTakeOptions } | { release: { owner: string } };

/** Where a chat message about a request lives, so that every copy can be updated in place. */
export interface MessageRef {
  platform: 'slack' | 'teams';
  /** The channel or conversation id. */
  channel: string;
  /** Slack `ts` or Teams activity id. */
  messageId: string;
  /**
   * What the message is: the approvals channel post, an approver DM, the requester's DM about the
   * request, the requester's DM about the grant (active, reminder: the ones with End now / Extend,
   * redrawn without buttons when the grant ends), a security notice.
   */
  role: 'approvals' | 'approver_dm' | 'requester_dm' | 'grant_dm' | 'security';
}

export interface MessageRefStore {
  addMessageRef(requestId: RequestId, ref: MessageRef): Promise<void>;
  listMessageRefs(requestId: RequestId): Promise<MessageRef[]>;
  /**
   * Keeps one platform's messages of a grant's request with the grant (`Grant.chatCopies`), replacing
   * what that platform kept before; the grant's versioned record is not changed (issue 13: a grant's
   * end is told without reading its request's messages). A grant that does not exist is left alone.
   */
  setGrantChatCopies?(grantId: GrantId, platform: ChatPlatform, copies: readonly GrantChatCopy[]): Promise<void>;
}
