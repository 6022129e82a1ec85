import {
  bundleIdOfEvent,
  type AccessRequest,
  type ChatNotifier,
  type DomainEvent,
  type Engine,
  type Grant,
  type Logger,
  type LogFields,
  type MessageRef,
  type MessageRefStore,
  type RequestId,
} from '../../src';
import { activityMessage } from './blocks/activity.blocks';
import { approvalMessage, approverReminder, onCallAutoApprovedMessage } from './blocks/approval.blocks';
import { bundleApprovalMessage, bundleRequesterMessage } from './blocks/bundle.blocks';
import { section, type SlackMessage } from './blocks/common.blocks';
import { escapeText } from './escape';
import {
  activeDm,
  decisionDm,
  endedDm,
  extendedDm,
  failedDm,
  grantDmNow,
  reminderDm,
  scheduledDm,
  submittedDm,
  submittedDmUpdated,
} from './blocks/requester.blocks';
import {
  breakGlassMessage,
  driftMessage,
  policyRefusedMessage,
  revocationStuckMessage,
  sessionCutFailedMessage,
} from './blocks/security.blocks';
import { GrantCopies } from '../shared/grant-copies';
import type { SlackApi } from './slack-api';
import type { SlackDirectory } from './slack-directory';

export interface SlackNotifierDeps {
  api: SlackApi;
  directory: SlackDirectory;
  refs: MessageRefStore;
  engine: Pick<Engine, 'getRequest'> & Partial<Pick<Engine, 'bundleOf'>>;
  logger: Logger;
  approvalsChannel?: string;
  securityChannel?: string;
  /** Re-renders a person's App Home after their grants or requests changed. */
  refreshHome?: (userId: string) => Promise<void>;
  /** Deliveries wait while Slack requests wait for their ack. */
  gate?: { run<T>(work: () => Promise<T>): Promise<T> };
}

/**
 * Renders DomainEvents into Slack. `publish` only queues the work and returns: access decisions
 * never wait on chat (and a view submission must be acknowledged within 3 s). The messages of one
 * request are delivered in order, one at a time, so that a message exists before it is updated and
 * an older state never overwrites a newer one.
 */
export class SlackNotifier implements ChatNotifier {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly renderedVersion = new Map<string, number>();
  /** The Slack messages of each grant's request, kept with the grant once it is active. */
  private readonly copies: GrantCopies;

  constructor(private readonly deps: SlackNotifierDeps) {
    this.copies = new GrantCopies({ refs: deps.refs, platform: 'slack', logger: deps.logger });
  }

  async publish(event: DomainEvent): Promise<void> {
    const key = queueKey(event);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => (this.deps.gate ? this.deps.gate.run(() => this.deliver(event)) : this.deliver(event)))
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, event: event.type, platform: 'slack' }, 'slack delivery failed'),
      )
      .finally(() => {
        if (this.queues.get(key) === next) this.queues.delete(key);
      });
    this.queues.set(key, next);
  }

  /** Resolves when every queued delivery is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  private async deliver(event: DomainEvent): Promise<void> {
    if (bundleIdOfEvent(event) !== undefined) return this.deliverBundle(event);
    switch (event.type) {
      case 'bundle_submitted':
        return;
      case 'request_submitted':
        return this.submitted(event.request, event.approverEmails, event.channels?.slack?.approvals);
      case 'request_updated':
        return this.requestUpdated(event);
      case 'request_escalated':
        return this.escalated(event);
      case 'on_call_auto_approved': {
        const channel = event.channels?.slack?.approvals ?? this.deps.approvalsChannel;
        if (!channel) return;
        const ts = await this.post(channel, onCallAutoApprovedMessage(event.request));
        return this.remember(event.request.id, { channel, messageId: ts, role: 'security' });
      }
      case 'grant_activated': {
        // The request's messages (read once here) are kept with the grant, with the DM just posted:
        // the notices of its end or extension update them without reading (GrantCopies).
        const refs = await this.updateCopies(event.request, event.grant);
        // Access that started later: its "starts at" DM loses its Cancel button first.
        if (event.grant.startsAt !== undefined) await this.redrawGrantDms(event.grant, refs);
        const dm = await this.toRequester(event.grant, (zone) => activeDm(event.grant, zone), 'grant_dm');
        await this.copies.keep(event.grant, dm ? [...refs, dm] : refs);
        return this.refreshHome(event.grant);
      }
      case 'grant_scheduled':
        await this.updateCopies(event.request, event.grant);
        await this.toRequester(event.grant, (zone) => scheduledDm(event.grant, zone), 'grant_dm');
        return this.refreshHome(event.grant);
      case 'grant_failed': {
        const refs = await this.copies.of(event.grant);
        await this.updateCopies(undefined, event.grant, refs);
        await this.redrawGrantDms(event.grant, refs);
        await this.toRequester(event.grant, () => failedDm(event.grant));
        return this.refreshHome(event.grant);
      }
      case 'grant_extended': {
        const refs = await this.copies.of(event.grant);
        await this.updateCopies(undefined, event.grant, refs);
        await this.redrawGrantDms(event.grant, refs);
        await this.toRequester(event.grant, (zone) => extendedDm(event.grant, zone, event));
        return this.refreshHome(event.grant);
      }
      case 'grant_expiring': {
        const dm = await this.toRequester(event.grant, (zone) => reminderDm(event.grant, zone, Date.now()), 'grant_dm');
        if (dm) await this.copies.added(event.grant, dm);
        return;
      }
      case 'grant_ended': {
        // The DMs with End now / Extend lose their buttons first, then the requester is told.
        const refs = await this.copies.of(event.grant);
        await this.updateCopies(undefined, event.grant, refs);
        await this.redrawGrantDms(event.grant, refs);
        await this.toRequester(event.grant, (zone) => endedDm(event.grant, zone));
        return this.refreshHome(event.grant);
      }
      case 'grant_activity': {
        // The approval message shows the latest summary; new posts only when there is news.
        await this.updateCopies(undefined, event.grant, await this.copies.of(event.grant));
        if (!event.changed) return;
        const message = activityMessage(event.grant, event.summary, event.first);
        await this.inApprovalThreads(event.grant, message);
        await this.toRequester(event.grant, () => message);
        return;
      }
      case 'break_glass_used':
        return this.toSecurity(breakGlassMessage(event.grant, event.request), event.request.id);
      case 'assignment_drift':
        return this.toSecurity(driftMessage(event.drift));
      case 'revocation_stuck':
        return this.toSecurity(revocationStuckMessage(event.grant, event.attempts, event.message));
      case 'policy_refused':
        return this.toSecurity(policyRefusedMessage(event.source, event.problems));
      case 'session_cut_failed':
        return this.toSecurity(sessionCutFailedMessage(event.message, event.people));
      case 'sessions_cut':
        // Measured (keyless_session_cut_lag_seconds) and audited on the grant; the grant-ended DM said it.
        return;
    }
  }

  /** Bundles already told they are decided (one DM per bundle from this process). */
  private readonly bundlesDecided = new Set<string>();

  /**
   * A multi-account request: one approval message (channel and approver DMs) and one requester DM,
   * both drawn from the bundle as it is now and redrawn in place; a FAILED account and an ended one
   * also get a DM of their own, and the requester is told once when every account is decided.
   */
  private async deliverBundle(event: DomainEvent): Promise<void> {
    const bundleId = bundleIdOfEvent(event)! as RequestId;
    const leadId =
      event.type === 'bundle_submitted'
        ? event.requests[0]!.id
        : 'request' in event
          ? event.request.id
          : 'grant' in event
            ? event.grant.requestId
            : undefined;
    if (!leadId || !this.deps.engine.bundleOf) return;
    const view = await this.deps.engine.bundleOf(leadId);
    if (!view || view.requests.length === 0) return;
    const requester = view.requests[0]!.requester;
    const zone =
      requester.platform === 'slack'
        ? ((await this.deps.directory.timeZone(requester.id).catch(() => undefined)) ?? requester.timeZone)
        : requester.timeZone;
    const approval = bundleApprovalMessage(view, zone);
    const mine = bundleRequesterMessage(view, zone);

    if (event.type === 'bundle_submitted') {
      const work: Promise<void>[] = [];
      const pending = view.requests.some((r) => r.status === 'pending');
      const channel = event.channels?.slack?.approvals ?? this.deps.approvalsChannel;
      if (pending && channel) {
        work.push(
          this.post(channel, approval).then((ts) =>
            this.remember(bundleId, { channel, messageId: ts, role: 'approvals' }),
          ),
        );
      }
      const approverIds = new Set<string>();
      for (const email of pending ? event.approverEmails : []) {
        work.push(
          this.deps.directory.userIdByEmail(email).then(async (userId) => {
            if (!userId || approverIds.has(userId)) return;
            approverIds.add(userId);
            const dm = await this.deps.directory.dmChannel(userId);
            const ts = await this.post(dm, approval);
            await this.remember(bundleId, { channel: dm, messageId: ts, role: 'approver_dm' });
          }),
        );
      }
      if (requester.platform === 'slack') {
        work.push(
          this.deps.directory.dmChannel(requester.id).then(async (dm) => {
            const ts = await this.post(dm, mine);
            await this.remember(bundleId, { channel: dm, messageId: ts, role: 'requester_dm' });
          }),
        );
      }
      for (const r of await Promise.allSettled(work)) {
        if (r.status === 'rejected') {
          this.deps.logger.warn({ err: r.reason, bundleId, platform: 'slack' }, 'a bundle message was not delivered');
        }
      }
      return;
    }

    const refs = (await this.deps.refs.listMessageRefs(bundleId)).filter((r) => r.platform === 'slack');
    await this.updateInPlace(
      refs.filter((ref) => ref.role !== 'security'),
      (ref) => (ref.role === 'requester_dm' ? mine : approval),
      { bundleId },
      'a bundle message was not updated',
    );
    if (event.type === 'request_escalated') {
      // The reminder names the one account still waiting; the escalation brings the bundle's message
      // (with Approve all) to each new approver, kept with the bundle's other copies.
      const known = new Set(refs.filter((r) => r.role === 'approver_dm').map((r) => r.channel));
      for (const email of event.approverEmails) {
        try {
          const userId = await this.deps.directory.userIdByEmail(email);
          if (!userId || (requester.platform === 'slack' && userId === requester.id)) continue;
          const dm = await this.deps.directory.dmChannel(userId);
          if (event.step === 'remind') {
            await this.post(dm, approverReminder(event.request));
          } else if (!known.has(dm)) {
            known.add(dm);
            const ts = await this.post(dm, approval);
            await this.remember(bundleId, { channel: dm, messageId: ts, role: 'approver_dm' });
          }
        } catch (error) {
          this.deps.logger.warn({ err: error, bundleId, platform: 'slack' }, 'an escalation was not delivered');
        }
      }
    } else if (event.type === 'request_updated' && event.request.status !== 'pending') {
      const decided = view.requests.every((r) => r.status !== 'pending');
      if (decided && !this.bundlesDecided.has(bundleId) && requester.platform === 'slack') {
        this.bundlesDecided.add(bundleId);
        if (this.bundlesDecided.size > 10_000) this.bundlesDecided.delete(this.bundlesDecided.values().next().value!);
        await this.toRequesterOfRequest(view.requests[0]!, {
          text: `Your request for ${view.requests.length + view.refused.length} accounts is decided`,
          blocks: [
            section(
              `:bell: Every account of your request is decided. ${escapeText(mine.text.replace(/^Your request for \d+ accounts: /, ''))}. The message above shows each account, with End now.`,
            ),
          ],
        });
      }
      if (requester.platform === 'slack' && this.deps.refreshHome) await this.safeHome(requester.id);
    } else if (event.type === 'grant_failed') {
      await this.toRequester(event.grant, () => failedDm(event.grant));
      await this.refreshHome(event.grant);
    } else if (event.type === 'grant_expiring') {
      await this.toRequester(event.grant, (z) => reminderDm(event.grant, z, Date.now()), 'grant_dm');
    } else if (event.type === 'grant_ended') {
      await this.redrawGrantDms(event.grant, await this.copies.of(event.grant));
      await this.toRequester(event.grant, (z) => endedDm(event.grant, z));
      await this.refreshHome(event.grant);
    } else if (event.type === 'grant_activated' || event.type === 'grant_extended') {
      await this.refreshHome(event.grant);
    } else if (event.type === 'on_call_auto_approved') {
      const channel = event.channels?.slack?.approvals ?? this.deps.approvalsChannel;
      if (channel) await this.post(channel, onCallAutoApprovedMessage(event.request));
    } else if (event.type === 'break_glass_used') {
      await this.toSecurity(breakGlassMessage(event.grant, event.request));
    }
  }

  private async post(channel: string, message: SlackMessage): Promise<string> {
    const answer = await this.deps.api.call('chat.postMessage', {
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    return String(answer.ts);
  }

  private async remember(requestId: RequestId, ref: Omit<MessageRef, 'platform'>): Promise<void> {
    await this.deps.refs.addMessageRef(requestId, { platform: 'slack', ...ref });
  }

  private async submitted(request: AccessRequest, approverEmails: string[], channelOverride?: string): Promise<void> {
    this.renderedVersion.set(request.id, request.version);
    const message = approvalMessage(request);
    const channel = channelOverride ?? this.deps.approvalsChannel;
    const work: Promise<void>[] = [];
    if (channel) {
      work.push(
        this.post(channel, message).then((ts) =>
          this.remember(request.id, { channel, messageId: ts, role: 'approvals' }),
        ),
      );
    }
    // Approvers are reached by their directory email, whatever platform the requester used.
    const approverIds = new Set<string>();
    for (const email of approverEmails) {
      work.push(
        this.deps.directory.userIdByEmail(email).then(async (userId) => {
          if (!userId || approverIds.has(userId)) return;
          if (request.requester.platform === 'slack' && userId === request.requester.id && !request.selfApproval)
            return;
          approverIds.add(userId);
          const dm = await this.deps.directory.dmChannel(userId);
          const ts = await this.post(dm, message);
          await this.remember(request.id, { channel: dm, messageId: ts, role: 'approver_dm' });
        }),
      );
    }
    if (request.requester.platform === 'slack') {
      const requesterId = request.requester.id;
      work.push(
        this.deps.directory.dmChannel(requesterId).then(async (dm) => {
          const ts = await this.post(dm, submittedDm(request));
          await this.remember(request.id, { channel: dm, messageId: ts, role: 'requester_dm' });
        }),
      );
    }
    const results = await Promise.allSettled(work);
    for (const r of results) {
      if (r.status === 'rejected') {
        this.deps.logger.warn(
          { err: r.reason, requestId: request.id, platform: 'slack' },
          'an approval message was not delivered',
        );
      }
    }
  }

  /**
   * A reminder or an escalation: every copy shows the step; the reminder goes to each approver's DM,
   * and the escalation posts the approval message (with its buttons) to each new approver's DM.
   */
  private async escalated(event: Extract<DomainEvent, { type: 'request_escalated' }>): Promise<void> {
    const { request } = event;
    const seen = this.renderedVersion.get(request.id);
    if (seen === undefined || seen <= request.version) {
      this.renderedVersion.set(request.id, request.version);
      await this.updateCopies(request, undefined);
    }
    const already = new Set(
      (await this.deps.refs.listMessageRefs(request.id))
        .filter((r) => r.platform === 'slack' && r.role === 'approver_dm')
        .map((r) => r.channel),
    );
    const message = event.step === 'remind' ? approverReminder(request) : approvalMessage(request);
    const results = await Promise.allSettled(
      event.approverEmails.map(async (email) => {
        const userId = await this.deps.directory.userIdByEmail(email);
        if (!userId) return;
        if (request.requester.platform === 'slack' && userId === request.requester.id && !request.selfApproval) return;
        const dm = await this.deps.directory.dmChannel(userId);
        if (event.step === 'escalate' && already.has(dm)) return;
        already.add(dm);
        const ts = await this.post(dm, message);
        if (event.step === 'escalate')
          await this.remember(request.id, { channel: dm, messageId: ts, role: 'approver_dm' });
      }),
    );
    for (const r of results) {
      if (r.status === 'rejected') {
        this.deps.logger.warn(
          { err: r.reason, requestId: request.id, platform: 'slack' },
          'an escalation was not delivered',
        );
      }
    }
  }

  private async requestUpdated(event: Extract<DomainEvent, { type: 'request_updated' }>): Promise<void> {
    const { request, actor } = event;
    const seen = this.renderedVersion.get(request.id);
    if (seen !== undefined && seen > request.version) return;
    this.renderedVersion.set(request.id, request.version);
    await this.updateCopies(request, undefined);
    const selfCancel = request.status === 'cancelled';
    if (!selfCancel) await this.toRequesterOfRequest(request, decisionDm(request, actor));
    if (request.requester.platform === 'slack' && this.deps.refreshHome) await this.safeHome(request.requester.id);
  }

  /**
   * Every copy of a request's messages, re-rendered in place. `known`: the request's Slack messages
   * as the grant carries them (not read again). Returns the request's Slack messages.
   */
  private async updateCopies(
    request: AccessRequest | undefined,
    grant: Grant | undefined,
    known?: MessageRef[],
  ): Promise<MessageRef[]> {
    const requestId = (request?.id ?? grant?.requestId) as RequestId;
    const refs = known ?? (await this.deps.refs.listMessageRefs(requestId)).filter((r) => r.platform === 'slack');
    const copies = refs.filter((ref) => ref.role !== 'security' && ref.role !== 'grant_dm');
    if (copies.length === 0) return refs;
    const current = request ?? (await this.deps.engine.getRequest(requestId));
    if (!current) return refs;
    const zone = grant ? await this.zoneOf(grant) : undefined;
    await this.updateInPlace(
      copies,
      (ref) => (ref.role === 'requester_dm' ? submittedDmUpdated(current) : approvalMessage(current, grant, zone)),
      { requestId },
      'a message copy was not updated',
    );
    return refs;
  }

  /** chat.update on every message, each as `messageFor` draws it; a failed one is logged, not thrown. */
  private async updateInPlace(
    refs: MessageRef[],
    messageFor: (ref: MessageRef) => SlackMessage,
    fields: LogFields,
    failure: string,
  ): Promise<void> {
    const results = await Promise.allSettled(
      refs.map((ref) => {
        const message = messageFor(ref);
        return this.deps.api.call('chat.update', {
          channel: ref.channel,
          ts: ref.messageId,
          text: message.text,
          blocks: message.blocks,
        });
      }),
    );
    for (const r of results) {
      if (r.status === 'rejected') this.deps.logger.warn({ ...fields, err: r.reason, platform: 'slack' }, failure);
    }
  }

  private async toRequesterOfRequest(request: AccessRequest, message: SlackMessage): Promise<void> {
    if (request.requester.platform !== 'slack') return;
    const dm = await this.deps.directory.dmChannel(request.requester.id);
    await this.post(dm, message);
  }

  /**
   * A DM to the grantee (Slack users only), with times in their own zone. `grant_dm` messages (the
   * ones with End now / Extend) are remembered, to be redrawn as the grant changes.
   */
  private async toRequester(
    grant: Grant,
    render: (zone: string | undefined) => SlackMessage,
    role?: 'grant_dm',
  ): Promise<MessageRef | undefined> {
    if (grant.requester.platform !== 'slack') return undefined;
    const zone = await this.zoneOf(grant);
    const dm = await this.deps.directory.dmChannel(grant.requester.id);
    const ts = await this.post(dm, render(zone));
    if (!role) return undefined;
    const ref: MessageRef = { platform: 'slack', channel: dm, messageId: ts, role };
    await this.remember(grant.requestId, ref);
    return ref;
  }

  /**
   * The requester's zone (the one rule of both platforms): their Slack profile's (users.info `tz`),
   * else the one recorded with the request; formatLocalTime writes UTC, and says so, without one.
   * Shared messages (approvals) use it too, so an instant reads the same everywhere.
   */
  private async zoneOf(grant: Grant): Promise<string | undefined> {
    if (grant.requester.platform !== 'slack') return grant.requester.timeZone;
    const profile = await this.deps.directory.timeZone(grant.requester.id).catch(() => undefined);
    return profile ?? grant.requester.timeZone;
  }

  /** Every DM of the grant with End now / Extend, redrawn in place as the grant is now. */
  private async redrawGrantDms(grant: Grant, known: MessageRef[]): Promise<void> {
    if (grant.requester.platform !== 'slack') return;
    const refs = known.filter((r) => r.platform === 'slack' && r.role === 'grant_dm');
    if (refs.length === 0) return;
    const message = grantDmNow(grant, await this.zoneOf(grant));
    await this.updateInPlace(refs, () => message, { grantId: grant.id }, 'a grant DM was not updated');
  }

  /** A reply in the thread of each approvals-channel post of the grant's request. */
  private async inApprovalThreads(grant: Grant, message: SlackMessage): Promise<void> {
    const refs = (await this.deps.refs.listMessageRefs(grant.requestId)).filter(
      (r) => r.platform === 'slack' && r.role === 'approvals',
    );
    const results = await Promise.allSettled(
      refs.map((ref) =>
        this.deps.api.call('chat.postMessage', {
          channel: ref.channel,
          thread_ts: ref.messageId,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        }),
      ),
    );
    for (const r of results) {
      if (r.status === 'rejected') {
        this.deps.logger.warn({ err: r.reason, grantId: grant.id, platform: 'slack' }, 'a thread reply was not posted');
      }
    }
  }

  private async toSecurity(message: SlackMessage, requestId?: RequestId): Promise<void> {
    const channel = this.deps.securityChannel;
    if (!channel) {
      this.deps.logger.warn({ platform: 'slack' }, 'no Slack security channel configured; notice not posted');
      return;
    }
    const ts = await this.post(channel, message);
    if (requestId) await this.remember(requestId, { channel, messageId: ts, role: 'security' });
  }

  private async refreshHome(grant: Grant): Promise<void> {
    if (grant.requester.platform === 'slack') await this.safeHome(grant.requester.id);
  }

  private async safeHome(userId: string): Promise<void> {
    try {
      await this.deps.refreshHome?.(userId);
    } catch (error) {
      this.deps.logger.warn({ err: error, actor: `slack:${userId}` }, 'app home not refreshed');
    }
  }
}

function queueKey(event: DomainEvent): string {
  const bundleId = bundleIdOfEvent(event);
  if (bundleId !== undefined) return `bundle:${bundleId}`;
  switch (event.type) {
    case 'bundle_submitted':
      return 'bundle';
    case 'request_submitted':
    case 'request_updated':
    case 'request_escalated':
    case 'on_call_auto_approved':
      return `req:${event.request.id}`;
    case 'break_glass_used':
      return `req:${event.grant.requestId}`;
    case 'grant_activated':
    case 'grant_scheduled':
    case 'grant_failed':
    case 'grant_extended':
    case 'grant_expiring':
    case 'grant_ended':
    case 'grant_activity':
      return `req:${event.grant.requestId}`;
    case 'sessions_cut':
      return `req:${event.grant.requestId}`;
    case 'assignment_drift':
    case 'revocation_stuck':
    case 'policy_refused':
    case 'session_cut_failed':
      return 'security';
  }
}
