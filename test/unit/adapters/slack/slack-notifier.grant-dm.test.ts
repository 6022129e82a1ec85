import { SlackNotifier } from '../../../../adapters/slack/slack-notifier';
import { silentLogger, type AccessRequest, type Grant } from '../../../../src';
import { InMemoryGrantStore } from '../../../fakes/in-memory-grant-store';
import { T0, aChatUser, aGrant, aRequest } from '../../../builders';

type Call = { method: string; args: Record<string, unknown> };

/** The Slack Web API as the notifier sees it: every call recorded, each post given its own ts. */
function recordingApi() {
  const calls: Call[] = [];
  let ts = 0;
  return {
    calls,
    api: {
      async call(method: string, args: Record<string, unknown> = {}) {
        calls.push({ method, args });
        return { ok: true, ts: `1700000000.${String(++ts).padStart(6, '0')}` };
      },
    },
  };
}

const actionsIn = (blocks: unknown) =>
  (blocks as { type: string; elements?: { action_id: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e) => e.action_id);

function setup(profileZone: string | undefined, shared?: { refs: InMemoryGrantStore; approvalsChannel?: string }) {
  const rita = aChatUser({ timeZone: 'Asia/Tokyo' });
  const request: AccessRequest = { ...aRequest({ requester: rita }), status: 'approved' };
  const grant: Grant = {
    ...aGrant({ requester: rita, requestId: request.id }),
    status: 'active',
    activatedAt: T0,
    expiresAt: T0 + 3600_000,
  };
  const refs = shared?.refs ?? new InMemoryGrantStore();
  const { api, calls } = recordingApi();
  const notifier = new SlackNotifier({
    api: api as never,
    directory: {
      timeZone: async () => profileZone,
      dmChannel: async () => 'D0RITA',
      userIdByEmail: async () => undefined,
    } as never,
    refs,
    engine: { getRequest: async () => request },
    logger: silentLogger,
    ...(shared?.approvalsChannel ? { approvalsChannel: shared.approvalsChannel } : {}),
  });
  return { notifier, calls, grant, request, refs };
}

describe('the requester’s grant DMs in Slack', () => {
  it('are redrawn in place without End now or Extend when the grant expires, then the end is told', async () => {
    const { notifier, calls, grant, request, refs } = setup('Europe/Paris');
    await notifier.publish({ type: 'grant_activated', grant, request });
    await notifier.publish({ type: 'grant_expiring', grant });
    await notifier.idle();
    const posted = calls.filter((c) => c.method === 'chat.postMessage');
    expect(posted.map((c) => actionsIn(c.args.blocks))).toEqual([['revoke_grant'], ['extend_grant', 'revoke_grant']]);
    expect((await refs.listMessageRefs(request.id)).filter((r) => r.role === 'grant_dm')).toHaveLength(2);

    calls.length = 0;
    const expired: Grant = { ...grant, status: 'expired', endReason: 'expired', endedAt: T0 + 3600_000 };
    await notifier.publish({ type: 'grant_ended', grant: expired });
    await notifier.idle();
    const updates = calls.filter((c) => c.method === 'chat.update');
    expect(updates.map((c) => c.args.ts).sort()).toEqual(['1700000000.000001', '1700000000.000002']);
    for (const u of updates) {
      expect(actionsIn(u.args.blocks)).toEqual([]);
      expect(JSON.stringify(u.args.blocks)).toContain('expired at Mon 23 Nov, 11:00 GMT+1 (Europe/Paris)');
    }
    const told = calls.filter((c) => c.method === 'chat.postMessage');
    expect(told).toHaveLength(1);
    expect(actionsIn(told[0]!.args.blocks)).toEqual([]);
  });

  it('are redrawn without buttons when the grant is revoked or fails, too', async () => {
    for (const end of [
      { type: 'grant_ended' as const, status: 'revoked' as const },
      { type: 'grant_failed' as const, status: 'failed' as const },
    ]) {
      const { notifier, calls, grant, request } = setup('Europe/Paris');
      await notifier.publish({ type: 'grant_activated', grant, request });
      await notifier.idle();
      calls.length = 0;
      await notifier.publish({
        type: end.type,
        grant: { ...grant, status: end.status, endedAt: T0, failure: { code: 'X', message: 'quota' } },
      });
      await notifier.idle();
      const updates = calls.filter((c) => c.method === 'chat.update' && c.args.channel === 'D0RITA');
      expect(updates).toHaveLength(1);
      expect(actionsIn(updates[0]!.args.blocks)).toEqual([]);
    }
  });

  it('write times in the person’s Slack profile zone, else the one recorded with the request, else UTC', async () => {
    for (const [profile, expected] of [
      ['America/New_York', 'Mon 23 Nov, 05:00 EST (America/New_York)'],
      [undefined, 'Mon 23 Nov, 19:00 GMT+9 (Asia/Tokyo)'],
    ] as const) {
      const { notifier, calls, grant, request } = setup(profile);
      await notifier.publish({ type: 'grant_activated', grant, request });
      await notifier.idle();
      expect(JSON.stringify(calls.find((c) => c.method === 'chat.postMessage')!.args.blocks)).toContain(expected);
    }
    const { notifier, calls, grant, request } = setup(undefined);
    await notifier.publish({
      type: 'grant_activated',
      grant: { ...grant, requester: { ...grant.requester, timeZone: undefined } },
      request,
    });
    await notifier.idle();
    expect(JSON.stringify(calls.find((c) => c.method === 'chat.postMessage')!.args.blocks)).toContain(
      'Mon 23 Nov, 10:00 (UTC)',
    );
  });

  it('are redrawn at the end by another replica without reading the request’s messages', async () => {
    const store = new InMemoryGrantStore();
    // Replica A posts the approval and the active DM; the grant keeps its Slack messages.
    const a = setup('Europe/Paris', { refs: store, approvalsChannel: 'C0APPROVALS' });
    await store.createGrant(a.grant);
    await a.notifier.publish({ type: 'request_submitted', request: a.request, approverEmails: [] });
    await a.notifier.publish({ type: 'grant_activated', grant: a.grant, request: a.request });
    await a.notifier.idle();
    const stored = (await store.getGrant(a.grant.id))!;
    expect(stored.chatCopies?.slack?.map((c) => c.role).sort()).toEqual(['approvals', 'grant_dm', 'requester_dm']);

    // Replica B ends it, with the grant as read from the store: no read of the messages.
    const b = setup('Europe/Paris', { refs: store, approvalsChannel: 'C0APPROVALS' });
    const listed = jest.spyOn(store, 'listMessageRefs');
    await b.notifier.publish({ type: 'grant_ended', grant: { ...stored, status: 'expired', endedAt: T0 + 3600_000 } });
    await b.notifier.idle();
    expect(listed).not.toHaveBeenCalled();
    const updated = b.calls.filter((c) => c.method === 'chat.update').map((c) => c.args.channel);
    expect(updated.sort()).toEqual(['C0APPROVALS', 'D0RITA', 'D0RITA']);
    for (const u of b.calls.filter((c) => c.method === 'chat.update' && c.args.channel === 'D0RITA'))
      expect(actionsIn(u.args.blocks)).toEqual([]);

    // A reminder DM posted later joins what the grant keeps; without kept copies, the end reads them.
    await a.notifier.publish({ type: 'grant_expiring', grant: stored });
    await a.notifier.idle();
    expect((await store.getGrant(a.grant.id))!.chatCopies?.slack?.filter((c) => c.role === 'grant_dm')).toHaveLength(2);
    const c = setup('Europe/Paris', { refs: store });
    await c.notifier.publish({ type: 'grant_ended', grant: { ...a.grant, status: 'expired', endedAt: T0 + 3600_000 } });
    await c.notifier.idle();
    expect(listed).toHaveBeenCalledTimes(1);
    expect(c.calls.filter((x) => x.method === 'chat.update' && x.args.channel === 'D0RITA')).toHaveLength(3);
  });
});
