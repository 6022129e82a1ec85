import {
  isKeylessError,
  ErrorCodes,
  noteKey,
  systemActor,
  transitionRequest,
  type ConversationStore,
  type GrantStore,
  type MessageRefStore,
} from '../../src';
import { aGrant, aRequest, T0 } from '../builders';

export interface GrantStoreHarness {
  store: GrantStore & MessageRefStore & ConversationStore;
  /** Lists go through a GSI that may lag: wait until it settles. */
  settle?: () => Promise<void>;
}

async function expectConflict(work: Promise<unknown>): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isKeylessError(error, ErrorCodes.VersionConflict)).toBe(true);
}

/**
 * The GrantStore contract: every implementation (the in-memory fake, DynamoDB through dynalite and
 * DynamoDB Local) must pass it unchanged.
 */
export function grantStoreContract(name: string, makeHarness: () => Promise<GrantStoreHarness>): void {
  describe(`GrantStore contract: ${name}`, () => {
    let h: GrantStoreHarness;
    const settle = () => h.settle?.() ?? Promise.resolve();

    beforeEach(async () => {
      h = await makeHarness();
    });

    describe('requests', () => {
      it('returns a created request exactly as it was written', async () => {
        const request = aRequest({ ticket: 'https://tickets.example.com/42' });
        await h.store.createRequest(request);
        expect(await h.store.getRequest(request.id)).toEqual(request);
      });

      it('answers undefined for a request that does not exist', async () => {
        expect(await h.store.getRequest(aRequest().id)).toBeUndefined();
      });

      it('refuses to create the same request twice', async () => {
        const request = aRequest();
        await h.store.createRequest(request);
        await expectConflict(h.store.createRequest(request));
      });

      it('saves a new version only over the expected one', async () => {
        const request = aRequest();
        await h.store.createRequest(request);
        const next = { ...request, version: 2, status: 'denied' as const };
        await h.store.saveRequest(next, 1);
        await expectConflict(h.store.saveRequest({ ...next, version: 3 }, 1));
        expect((await h.store.getRequest(request.id))?.status).toBe('denied');
      });

      it('lets exactly one of many concurrent writers of the same version win', async () => {
        const request = aRequest();
        await h.store.createRequest(request);
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            h.store.saveRequest({ ...request, version: 2, reason: `writer ${i}` }, 1),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      });

      it('lists requests in a status, soonest deadline first, bounded by decideByBefore', async () => {
        const late = aRequest({ decideBy: T0 + 3000 });
        const early = aRequest({ decideBy: T0 + 1000 });
        const other = aRequest({ status: 'approved', decideBy: T0 });
        for (const r of [late, early, other]) await h.store.createRequest(r);
        await settle();
        expect((await h.store.listRequests({ status: 'pending' })).map((r) => r.id)).toEqual([early.id, late.id]);
        expect((await h.store.listRequests({ status: 'pending', decideByBefore: T0 + 1000 })).map((r) => r.id)).toEqual(
          [early.id],
        );
        expect((await h.store.listRequests({ status: 'approved' })).map((r) => r.id)).toEqual([other.id]);
      });

      it('lists an approved request only until it is linked to its grant', async () => {
        const r = aRequest({ status: 'approved' });
        await h.store.createRequest(r);
        await h.store.saveRequest({ ...r, version: 2, grantId: aGrant().id }, 1);
        await settle();
        expect(await h.store.listRequests({ status: 'approved' })).toEqual([]);
      });
    });

    describe('grants', () => {
      it('returns a created grant exactly as it was written', async () => {
        const grant = aGrant({ status: 'active', activatedAt: T0, expiresAt: T0 + 3600_000 });
        await h.store.createGrant(grant);
        expect(await h.store.getGrant(grant.id)).toEqual(grant);
      });

      it('refuses to save a record that was never created', async () => {
        const grant = aGrant();
        await expectConflict(h.store.saveGrant({ ...grant, version: 2 }, 1));
        expect(await h.store.getGrant(grant.id)).toBeUndefined();
        const request = aRequest();
        await expectConflict(h.store.saveRequest({ ...request, version: 2 }, 1));
        expect(await h.store.getRequest(request.id)).toBeUndefined();
      });

      it('refuses a stale save and a double create', async () => {
        const grant = aGrant();
        await h.store.createGrant(grant);
        await expectConflict(h.store.createGrant(grant));
        await h.store.saveGrant({ ...grant, version: 2, status: 'active', expiresAt: T0 + 1 }, 1);
        await expectConflict(h.store.saveGrant({ ...grant, version: 2, status: 'failed' }, 1));
        expect((await h.store.getGrant(grant.id))?.status).toBe('active');
      });

      it('lists grants of a status by expiry, bounded by expiresBefore, and follows status changes', async () => {
        const a = aGrant({ status: 'active', expiresAt: T0 + 2000 });
        const b = aGrant({ status: 'active', expiresAt: T0 + 1000 });
        const c = aGrant({ status: 'active', expiresAt: T0 + 9000 });
        for (const g of [a, b, c]) await h.store.createGrant(g);
        await settle();
        expect((await h.store.listGrants({ status: 'active', expiresBefore: T0 + 2000 })).map((g) => g.id)).toEqual([
          b.id,
          a.id,
        ]);

        await h.store.saveGrant({ ...b, version: 2, status: 'deprovisioning' }, 1);
        await settle();
        expect((await h.store.listGrants({ status: 'active' })).map((g) => g.id)).toEqual([a.id, c.id]);
        expect((await h.store.listGrants({ status: 'deprovisioning' })).map((g) => g.id)).toEqual([b.id]);
      });

      it('lists scheduled grants by their start, bounded by startsBefore, until they start', async () => {
        const late = aGrant({ status: 'scheduled', startsAt: T0 + 9000 });
        const soon = aGrant({ status: 'scheduled', startsAt: T0 + 1000 });
        for (const g of [late, soon]) await h.store.createGrant(g);
        await settle();
        expect((await h.store.listGrants({ status: 'scheduled' })).map((g) => g.id)).toEqual([soon.id, late.id]);
        expect((await h.store.listGrants({ status: 'scheduled', startsBefore: T0 + 1000 })).map((g) => g.id)).toEqual([
          soon.id,
        ]);
        await h.store.saveGrant({ ...soon, version: 2, status: 'provisioning' }, 1);
        await settle();
        expect((await h.store.listGrants({ status: 'scheduled' })).map((g) => g.id)).toEqual([late.id]);
        expect((await h.store.listGrants({ status: 'provisioning' })).map((g) => g.id)).toEqual([soon.id]);
      });

      it('lists grants that have no expiry yet (provisioning)', async () => {
        const g = aGrant();
        await h.store.createGrant(g);
        await settle();
        expect((await h.store.listGrants({ status: 'provisioning', expiresBefore: T0 })).map((x) => x.id)).toEqual([
          g.id,
        ]);
      });

      it('honours a limit and still returns every match across pages', async () => {
        const many = Array.from({ length: 30 }, (_, i) => aGrant({ status: 'active', expiresAt: T0 + i }));
        for (const g of many) await h.store.createGrant(g);
        await settle();
        expect(await h.store.listGrants({ status: 'active', limit: 7 })).toHaveLength(7);
        expect(await h.store.listGrants({ status: 'active' })).toHaveLength(30);
      });

      it('lists ended grants whose activity lookup is due, soonest first, until the last lookup is stored', async () => {
        const ended = (due: number | undefined, status: 'expired' | 'revoked' = 'expired') =>
          aGrant({
            status,
            activatedAt: T0,
            endedAt: T0 + 1000,
            ...(due !== undefined ? { activity: { step: 0, dueAt: due } } : {}),
          });
        const [a, b, c, none] = [ended(T0 + 9000), ended(T0 + 5000, 'revoked'), ended(T0 + 20_000), ended(undefined)];
        for (const g of [a, b, c, none]) await h.store.createGrant(g);
        await settle();
        expect((await h.store.listGrantsActivityDue({ dueBefore: T0 + 9000 })).map((g) => g.id)).toEqual([b.id, a.id]);
        expect(await h.store.listGrantsActivityDue({ dueBefore: T0 + 30_000, limit: 1 })).toHaveLength(1);
        // The last lookup stored: it leaves the list; live grants are never in it.
        await h.store.saveGrant({ ...b, version: 2, activity: { step: 2 } }, 1);
        await h.store.createGrant(aGrant({ status: 'active', expiresAt: T0 }));
        await settle();
        expect((await h.store.listGrantsActivityDue({ dueBefore: T0 + 30_000 })).map((g) => g.id)).toEqual([
          a.id,
          c.id,
        ]);
      });
    });

    describe('audit', () => {
      it('keeps a record history and idempotent notes in one ordered trail', async () => {
        const request = aRequest();
        await h.store.createRequest(request);
        const note = {
          subject: { kind: 'request' as const, id: request.id },
          key: noteKey(1, 'approval_refused', 'slack:U0OUTSIDER'),
          version: 1,
          event: 'approval_refused',
          from: 'pending',
          to: 'pending',
          actor: systemActor('test'),
          at: T0 + 5,
          reason: 'not an approver',
        };
        await h.store.appendNote(note);
        await h.store.appendNote(note);
        const trail = await h.store.listAudit({ kind: 'request', id: request.id });
        expect(trail.map((e) => e.event)).toEqual(['create', 'approval_refused']);
      });

      it('orders transitions and notes by key, apart from message references and other records', async () => {
        const request = aRequest();
        const other = aRequest();
        await h.store.createRequest(request);
        await h.store.createRequest(other);
        const note = (subject: { kind: 'request' | 'grant'; id: string }, event: string) => ({
          subject,
          key: noteKey(1, event, 'slack:U0OUTSIDER'),
          version: 1,
          event,
          from: 'pending',
          to: 'pending',
          actor: systemActor('test'),
          at: T0 + 5,
        });
        await h.store.appendNote(note({ kind: 'request', id: request.id }, 'approval_refused'));
        await h.store.appendNote(note({ kind: 'request', id: other.id }, 'other_note'));
        await h.store.appendNote(note({ kind: 'grant', id: request.id }, 'grant_note'));
        const ref = { platform: 'slack', channel: 'C1', messageId: '1.0001', role: 'approvals' } as const;
        await h.store.addMessageRef(request.id, ref);
        const deny = { type: 'deny', actor: systemActor('test'), at: T0 + 9, reason: 'no' } as const;
        const denied = transitionRequest(request, deny);
        if (!denied) throw new Error('deny should be a transition');
        await h.store.saveRequest(denied.next, 1);
        const trail = await h.store.listAudit({ kind: 'request', id: request.id });
        expect(trail.map((e) => e.event)).toEqual(['create', 'approval_refused', 'deny']);
      });
    });

    describe('one active grant per assignment', () => {
      const key = {
        principalId: aGrant().principalId,
        accountId: aGrant().accountId,
        permissionSetArn: aGrant().permissionSetArn,
      };

      it('gives the slot to one grant, again to the same grant, never to another', async () => {
        const [g1, g2] = [aGrant(), aGrant()];
        expect(await h.store.claimActiveSlot(key, g1.id)).toBe(true);
        expect(await h.store.claimActiveSlot(key, g1.id)).toBe(true);
        expect(await h.store.claimActiveSlot(key, g2.id)).toBe(false);
        expect(await h.store.getActiveSlot(key)).toBe(g1.id);
      });

      it('hands the slot over only from the holder named as finished', async () => {
        const [g1, g2, g3] = [aGrant(), aGrant(), aGrant()];
        await h.store.claimActiveSlot(key, g1.id);
        expect(await h.store.claimActiveSlot(key, g2.id, g3.id)).toBe(false);
        expect(await h.store.claimActiveSlot(key, g2.id, g1.id)).toBe(true);
        expect(await h.store.getActiveSlot(key)).toBe(g2.id);
      });

      it('lets only the holder release the slot', async () => {
        const [g1, g2] = [aGrant(), aGrant()];
        await h.store.claimActiveSlot(key, g1.id);
        await h.store.releaseActiveSlot(key, g2.id);
        expect(await h.store.getActiveSlot(key)).toBe(g1.id);
        await h.store.releaseActiveSlot(key, g1.id);
        expect(await h.store.getActiveSlot(key)).toBeUndefined();
      });

      it('lets exactly one of many concurrent claimers win', async () => {
        const grants = Array.from({ length: 8 }, () => aGrant());
        const won = await Promise.all(grants.map((g) => h.store.claimActiveSlot(key, g.id)));
        expect(won.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('leases', () => {
      it('gives a lease to one owner until it lapses, then to another', async () => {
        const g = aGrant();
        await h.store.createGrant(g);
        expect(await h.store.acquireLease(g.id, 'replica-a', T0, T0 + 1000)).toBe(true);
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 500, T0 + 1500)).toBe(false);
        expect(await h.store.acquireLease(g.id, 'replica-a', T0 + 500, T0 + 2000)).toBe(true);
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 2001, T0 + 3000)).toBe(true);
      });

      it('renews a lease only while its holder still holds it, lapsed or not', async () => {
        const g = aGrant();
        await h.store.createGrant(g);
        const renew = (owner: string, now: number) =>
          h.store.acquireLease(g.id, owner, now, now + 1000, { renewal: true });
        // Nobody holds it: a renewal is not a take.
        expect(await renew('replica-a', T0)).toBe(false);
        expect(await h.store.acquireLease(g.id, 'replica-a', T0, T0 + 1000)).toBe(true);
        expect(await renew('replica-a', T0 + 500)).toBe(true);
        // Lapsed, and nobody took it since: nobody can have acted, so the holder may go on.
        expect(await renew('replica-a', T0 + 5000)).toBe(true);
        expect(await renew('replica-b', T0 + 5100)).toBe(false);
        // Taken by another once lapsed, then released: the first holder's renewal is refused.
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 9000, T0 + 10_000)).toBe(true);
        expect(await renew('replica-a', T0 + 9100)).toBe(false);
        await h.store.releaseLease(g.id, 'replica-b');
        expect(await renew('replica-a', T0 + 9200)).toBe(false);
      });

      it('frees a lease only for its owner, and never changes the grant version', async () => {
        const g = aGrant();
        await h.store.createGrant(g);
        await h.store.acquireLease(g.id, 'replica-a', T0, T0 + 1000);
        await h.store.releaseLease(g.id, 'replica-b');
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 1, T0 + 1000)).toBe(false);
        await h.store.releaseLease(g.id, 'replica-a');
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 1, T0 + 1000)).toBe(true);
        expect((await h.store.getGrant(g.id))?.version).toBe(1);
        await h.store.saveGrant({ ...g, version: 2, status: 'active', expiresAt: T0 + 5 }, 1);
      });

      it('keeps a lease through saves of the grant', async () => {
        const g = aGrant();
        await h.store.createGrant(g);
        expect(await h.store.acquireLease(g.id, 'replica-a', T0, T0 + 1000)).toBe(true);
        await h.store.saveGrant({ ...g, version: 2, status: 'active', expiresAt: T0 + 5 }, 1);
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 1, T0 + 1000)).toBe(false);
        expect((await h.store.getGrant(g.id))?.version).toBe(2);
      });

      it('lets exactly one of many concurrent replicas take a lease', async () => {
        const g = aGrant();
        await h.store.createGrant(g);
        const won = await Promise.all(
          ['a', 'b', 'c', 'd', 'e'].map((r) => h.store.acquireLease(g.id, `replica-${r}`, T0, T0 + 1000)),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
      });

      it('refuses a lease on a grant that does not exist', async () => {
        expect(await h.store.acquireLease(aGrant().id, 'replica-a', T0, T0 + 1000)).toBe(false);
      });

      it('gives a departed member’s lease to another at once, and only a departed member’s', async () => {
        const g = aGrant();
        await h.store.createGrant(g);
        expect(await h.store.acquireLease(g.id, 'replica-a', T0, T0 + 15_000)).toBe(true);
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 1, T0 + 15_000, { departed: ['replica-c'] })).toBe(
          false,
        );
        expect(
          await h.store.acquireLease(g.id, 'replica-b', T0 + 1, T0 + 15_000, { departed: ['replica-c', 'replica-a'] }),
        ).toBe(true);
        expect(await h.store.acquireLease(g.id, 'replica-a', T0 + 2, T0 + 15_000)).toBe(false);
      });
    });

    describe('state change and lease in one write', () => {
      const expired = (g: ReturnType<typeof aGrant>) => ({ ...g, version: 2, status: 'deprovisioning' as const });

      it('saves the grant and takes its lease together', async () => {
        const g = aGrant({ status: 'active', expiresAt: T0 });
        await h.store.createGrant(g);
        const take = { take: { owner: 'replica-a', nowMs: T0, untilMs: T0 + 1000 } };
        expect(await h.store.saveGrantWithLease(expired(g), 1, take)).toBe(true);
        expect((await h.store.getGrant(g.id))?.status).toBe('deprovisioning');
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 1, T0 + 1000)).toBe(false);
      });

      it('writes nothing when the version moved on, or when another replica holds the lease', async () => {
        const g = aGrant({ status: 'active', expiresAt: T0 });
        await h.store.createGrant(g);
        const take = (owner: string, departed?: string[]) => ({
          take: { owner, nowMs: T0, untilMs: T0 + 1000, ...(departed ? { departed } : {}) },
        });
        expect(await h.store.saveGrantWithLease(expired(g), 0, take('replica-a'))).toBe(false);
        expect(await h.store.acquireLease(g.id, 'replica-b', T0, T0 + 1000)).toBe(true);
        expect(await h.store.saveGrantWithLease(expired(g), 1, take('replica-a'))).toBe(false);
        expect((await h.store.getGrant(g.id))?.status).toBe('active');
        expect(await h.store.acquireLease(g.id, 'replica-a', T0 + 1, T0 + 1000)).toBe(false);
        // The holder departed: its lease is void.
        expect(await h.store.saveGrantWithLease(expired(g), 1, take('replica-a', ['replica-b']))).toBe(true);
        expect((await h.store.getGrant(g.id))?.version).toBe(2);
      });

      it('lets exactly one of many replicas racing on one expiry win', async () => {
        const g = aGrant({ status: 'active', expiresAt: T0 });
        await h.store.createGrant(g);
        const won = await Promise.all(
          ['a', 'b', 'c', 'd'].map((r) =>
            h.store.saveGrantWithLease(expired(g), 1, { take: { owner: r, nowMs: T0, untilMs: T0 + 1000 } }),
          ),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
      });

      it('saves the grant and releases its lease together, only for the holder', async () => {
        const g = aGrant({ status: 'active', expiresAt: T0 });
        await h.store.createGrant(g);
        expect(await h.store.acquireLease(g.id, 'replica-a', T0, T0 + 60_000)).toBe(true);
        const ended = { ...g, version: 2, status: 'expired' as const, endedAt: T0 + 5 };
        expect(await h.store.saveGrantWithLease(ended, 1, { release: { owner: 'replica-b' } })).toBe(false);
        expect((await h.store.getGrant(g.id))?.status).toBe('active');
        expect(await h.store.saveGrantWithLease(ended, 1, { release: { owner: 'replica-a' } })).toBe(true);
        expect((await h.store.getGrant(g.id))?.status).toBe('expired');
        // Released: another replica takes it at once, long before it would have lapsed.
        expect(await h.store.acquireLease(g.id, 'replica-b', T0 + 10, T0 + 1000)).toBe(true);
        // With no lease at all, the write is applied too.
        const g2 = aGrant({ status: 'active', expiresAt: T0 });
        await h.store.createGrant(g2);
        expect(await h.store.saveGrantWithLease({ ...g2, version: 2 }, 1, { release: { owner: 'replica-a' } })).toBe(
          true,
        );
        expect(await h.store.saveGrantWithLease({ ...g2, version: 3 }, 1, { release: { owner: 'replica-a' } })).toBe(
          false,
        );
      });
    });

    describe('idempotency keys', () => {
      it('remembers a key for its lifetime, then forgets it', async () => {
        expect(await h.store.rememberOnce('slack#evt-1', T0, 60)).toBe(true);
        expect(await h.store.rememberOnce('slack#evt-1', T0 + 59_000, 60)).toBe(false);
        expect(await h.store.rememberOnce('slack#evt-2', T0, 60)).toBe(true);
        expect(await h.store.rememberOnce('slack#evt-1', T0 + 61_000, 60)).toBe(true);
      });

      it('lets exactly one of many concurrent deliveries through', async () => {
        const firsts = await Promise.all(Array.from({ length: 8 }, () => h.store.rememberOnce('teams#x', T0, 60)));
        expect(firsts.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('message references', () => {
      it('keeps every copy of a request message once', async () => {
        const r = aRequest();
        const ref = { platform: 'slack' as const, channel: 'C1', messageId: '1.0001', role: 'approvals' as const };
        await h.store.addMessageRef(r.id, ref);
        await h.store.addMessageRef(r.id, ref);
        await h.store.addMessageRef(r.id, { ...ref, channel: 'D1', messageId: '1.0002', role: 'approver_dm' });
        expect(await h.store.listMessageRefs(r.id)).toHaveLength(2);
      });

      it('keeps a grant’s chat copies beside its record: reads return them, the record’s writes leave them', async () => {
        const store = h.store as GrantStore & Required<Pick<MessageRefStore, 'setGrantChatCopies'>>;
        expect(typeof store.setGrantChatCopies).toBe('function');
        const grant = aGrant({ status: 'active', activatedAt: T0, expiresAt: T0 + 3600_000 });
        await store.createGrant(grant);
        const slack = [{ channel: 'C1', messageId: '1.0001', role: 'approvals' as const }];
        const teams = [{ channel: '19:abc', messageId: 'a-1', role: 'grant_dm' as const }];
        await store.setGrantChatCopies(grant.id, 'slack', slack);
        await store.setGrantChatCopies(grant.id, 'teams', teams);
        expect((await store.getGrant(grant.id))?.chatCopies).toEqual({ slack, teams });
        // A write of the record as read before the copies were kept does not drop them.
        await store.saveGrant({ ...grant, version: 2, status: 'deprovisioning' }, 1);
        await store.saveGrantWithLease({ ...grant, version: 3, status: 'deprovisioning', chatCopies: {} }, 2, {
          take: { owner: 'r1', nowMs: T0, untilMs: T0 + 15_000 },
        });
        expect((await store.getGrant(grant.id))?.chatCopies).toEqual({ slack, teams });
        await settle();
        expect((await store.listGrants({ status: 'deprovisioning' }))[0]?.chatCopies).toEqual({ slack, teams });
        // Replaced per platform; a grant that does not exist is not created.
        await store.setGrantChatCopies(grant.id, 'slack', []);
        expect((await store.getGrant(grant.id))?.chatCopies).toEqual({ slack: [], teams });
        await store.setGrantChatCopies(aGrant({ id: 'g-missing' as never }).id, 'slack', slack);
        expect(await store.getGrant('g-missing' as never)).toBeUndefined();
        // A grant created with copies (as a bench writes one) has them; one created without has none.
        const other = aGrant({ id: 'g-other' as never, chatCopies: { teams: [] } });
        await store.createGrant(other);
        expect((await store.getGrant(other.id))?.chatCopies).toEqual({ teams: [] });
        const plain = aGrant({ id: 'g-plain' as never });
        await store.createGrant(plain);
        expect((await store.getGrant(plain.id))?.chatCopies).toBeUndefined();
      });
    });

    describe('conversation references', () => {
      it('stores, replaces and returns a conversation reference', async () => {
        await h.store.saveConversation('teams:user:aad-1', {
          conversation: { id: 'a:1' },
          serviceUrl: 'https://smba.example',
        });
        await h.store.saveConversation('teams:user:aad-1', {
          conversation: { id: 'a:2' },
          serviceUrl: 'https://smba.example',
        });
        expect(await h.store.getConversation('teams:user:aad-1')).toEqual({
          conversation: { id: 'a:2' },
          serviceUrl: 'https://smba.example',
        });
        expect(await h.store.getConversation('teams:user:unknown')).toBeUndefined();
      });
    });
  });
}
