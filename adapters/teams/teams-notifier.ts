import type { ConversationReference } from 'botbuilder';
import {
  bundleIdOfEvent,
  type AccessRequest,
  type ChatNotifier,
  type ChatUser,
  type DomainEvent,
  type Engine,
  type Grant,
  type Logger,
  type MessageRef,
  type MessageRefStore,
} from '../../src';
import type { ApprovalViews } from './approval-views';
import { grantActivityCard } from './cards/activity.card';
import { attachment, type AdaptiveCard } from './cards/card';
import {
  breakGlassCard,
  driftCard,
  grantCard,
  grantEndedCard,
  grantExtendedCard,
  grantFailedCard,
  grantReminderCard,
  approverReminderCard,
  onCallAutoApprovedCard,
  requestStatusCard,
  policyRefusedCard,
  revocationStuckCard,
  sessionCutFailedCard,
} from './cards/journey.card';
import { GrantCopies } from '../shared/grant-copies';
import { ConversationReferences } from './conversation-references';
import { bundleApprovalCard, bundleRequesterCard } from './cards/bundle.card';
import type { TeamsOutbox } from './outbox';

export interface TeamsNotifierDeps {
  outbox: TeamsOutbox;
  references: ConversationReferences;
  refs: MessageRefStore;
  views: ApprovalViews;
  engine: Pick<Engine, 'getRequest'> & Partial<Pick<Engine, 'bundleOf'>>;
  logger: Logger;
  config: { approvalsConversationId?: string | undefined; securityConversationId?: string | undefined };
  now: () => number;
}

/** Runs work in order per key (one request's messages never overtake each other), keys in parallel. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  push(key: string, work: () => Promise<void>): void {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(work);
    this.tails.set(key, run);
    void run.finally(() => {
      if (this.tails.get(key) === run) this.tails.delete(key);
    });
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }
}

/**
 * The Teams side of every DomainEvent. Approval requests go to the Teams approvals channel (when
 * configured) and to the 1:1 chat of each approver keyless can reach in Teams (by the email the
 * engine names); the requester's journey goes to their 1:1 chat; every copy of an approval message
 * is updated in place (tracked with the MessageRefStore, platform 'teams').
 *
 * `publish` queues the delivery and returns: a chat handler that triggered the event (an approval
 * click) answers at once, and delivery problems are logged, never thrown (ChatNotifier contract).
 */
export class TeamsNotifier implements ChatNotifier {
  private readonly queue = new KeyedQueue();
  /** The Teams messages of each grant's request, kept with the grant once it is active. */
  private readonly copies: GrantCopies;

  constructor(private readonly deps: TeamsNotifierDeps) {
    this.copies = new GrantCopies({ refs: deps.refs, platform: 'teams', logger: deps.logger, now: deps.now });
  }

  async publish(event: DomainEvent): Promise<void> {
    this.queue.push(queueKey(event), async () => {
      try {
        await this.deliver(event);
      } catch (error) {
        this.deps.logger.error({ err: error, platform: 'teams', event: event.type }, 'Teams notification failed');
      }
    });
  }

  /** Resolves when every queued delivery is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async deliver(event: DomainEvent): Promise<void> {
    if (bundleIdOfEvent(event) !== undefined) return this.deliverBundle(event);
    switch (event.type) {
      case 'bundle_submitted':
        return;
      case 'request_submitted':
        return this.onSubmitted(event.request, event.approverEmails, event.channels?.teams?.approvals);
      case 'request_updated':
        await this.updateCopies(event.request, undefined, ['approvals', 'approver_dm', 'requester_dm']);
        if (event.request.status === 'denied' || event.request.status === 'timed_out') {
          await this.toRequesterOfRequest(event.request, requestStatusCard(event.request));
        }
        return;
      case 'request_escalated':
        return this.onEscalated(event);
      case 'on_call_auto_approved': {
        const channelId = event.channels?.teams?.approvals ?? this.deps.config.approvalsConversationId;
        const ref = channelId ? await this.deps.references.forConversation(channelId) : undefined;
        if (ref) await this.post(ref, onCallAutoApprovedCard(event.request), event.request.id, 'security');
        return;
      }
      case 'grant_scheduled': {
        const zone = await this.zoneOf(event.grant.requester);
        await this.toRequester(event.grant, grantCard(event.grant, zone), 'grant_dm');
        await this.updateCopies(event.request, event.grant, ['approvals', 'approver_dm', 'requester_dm']);
        return;
      }
      case 'grant_activated': {
        // The request's messages (read once here) are kept with the grant, with the card just posted:
        // the notices of its end or extension update them without reading (GrantCopies).
        const zone = await this.zoneOf(event.grant.requester);
        // Access that started later: its "starts at" card loses its Cancel button first.
        if (event.grant.startsAt !== undefined) {
          await this.redrawGrantCards(event.grant, await this.copies.of(event.grant), zone);
        }
        const card = await this.toRequester(event.grant, grantCard(event.grant, zone), 'grant_dm');
        const refs = await this.updateCopies(event.request, event.grant, ['approvals', 'approver_dm']);
        return this.copies.keep(event.grant, card ? [...refs, card] : refs);
      }
      case 'grant_failed': {
        const refs = await this.copies.of(event.grant);
        await this.redrawGrantCards(event.grant, refs);
        await this.toRequester(event.grant, grantFailedCard(event.grant));
        return this.updateForGrant(event.grant, refs);
      }
      case 'grant_extended': {
        const refs = await this.copies.of(event.grant);
        const zone = await this.zoneOf(event.grant.requester);
        await this.redrawGrantCards(event.grant, refs, zone);
        const card = await this.toRequester(
          event.grant,
          grantExtendedCard(event.grant, event.actor, event, zone),
          'grant_dm',
        );
        if (card) await this.copies.added(event.grant, card);
        return;
      }
      case 'grant_expiring': {
        const zone = await this.zoneOf(event.grant.requester);
        const card = await this.toRequester(
          event.grant,
          grantReminderCard(event.grant, this.deps.now(), zone),
          'grant_dm',
        );
        if (card) await this.copies.added(event.grant, card);
        return;
      }
      case 'grant_ended': {
        // Every card with End now / Extend is redrawn without them; then the requester is told.
        const refs = await this.copies.of(event.grant);
        const zone = await this.zoneOf(event.grant.requester);
        await this.redrawGrantCards(event.grant, refs, zone);
        await this.toRequester(event.grant, grantEndedCard(event.grant, zone));
        return this.updateForGrant(event.grant, refs);
      }
      case 'grant_activity':
        // The approval cards show the latest summary; a new card only when there is news.
        if (event.changed)
          await this.toRequester(event.grant, grantActivityCard(event.grant, event.summary, event.first));
        return this.updateForGrant(event.grant, await this.copies.of(event.grant));
      case 'break_glass_used':
        return void (await this.toSecurity(breakGlassCard(event.grant, event.request), event.request.id, 'security'));
      case 'assignment_drift':
        return void (await this.toSecurity(driftCard(event.drift)));
      case 'revocation_stuck':
        return void (await this.toSecurity(revocationStuckCard(event.grant, event.attempts, event.message)));
      case 'policy_refused':
        return void (await this.toSecurity(policyRefusedCard(event.source, event.problems)));
      case 'session_cut_failed':
        return void (await this.toSecurity(sessionCutFailedCard(event.message, event.people)));
      case 'sessions_cut':
        // Measured (keyless_session_cut_lag_seconds) and audited on the grant; the grant-ended card said it.
        return;
    }
  }

  /** Bundles whose requester was already told that every account is decided (from this process). */
  private readonly bundlesDecided = new Set<string>();

  /**
   * A multi-account request: one approval card (approvals channel and each approver's 1:1 chat) and
   * one requester card, both drawn from the bundle as it is now and redrawn in place on every change;
   * a FAILED account and an ended one get a card of their own too.
   */
  private async deliverBundle(event: DomainEvent): Promise<void> {
    const bundleId = bundleIdOfEvent(event)!;
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
    const zone = requester.platform === 'teams' ? await this.zoneOf(requester) : requester.timeZone;
    const approval = bundleApprovalCard(view, zone);
    const mine = bundleRequesterCard(view, zone);

    if (event.type === 'bundle_submitted') {
      if (view.requests.some((r) => r.status === 'pending')) {
        const channelId = event.channels?.teams?.approvals ?? this.deps.config.approvalsConversationId;
        const channel = channelId ? await this.deps.references.forConversation(channelId) : undefined;
        if (channel) await this.post(channel, approval, bundleId, 'approvals');
        const seen = new Set<string>();
        for (const email of event.approverEmails) {
          const ref = await this.deps.references.forEmail(email);
          if (!ref || seen.has(ref.conversation.id)) continue;
          if (requester.platform === 'teams' && ConversationReferences.userIdOf(ref) === requester.id) continue;
          seen.add(ref.conversation.id);
          await this.post(ref, approval, bundleId, 'approver_dm');
        }
      }
      const ref = requester.platform === 'teams' ? await this.personalChat(requester) : undefined;
      if (ref) await this.post(ref, mine, bundleId, 'requester_dm');
      return;
    }

    const refs = (await this.deps.refs.listMessageRefs(bundleId as AccessRequest['id'])).filter(
      (r) => r.platform === 'teams' && r.role !== 'security',
    );
    for (const r of refs) {
      const ref = await this.deps.references.forConversation(r.channel);
      if (!ref) continue;
      try {
        await this.deps.outbox.update(ref, r.messageId, {
          attachments: [attachment(r.role === 'requester_dm' ? mine : approval)],
        });
      } catch (error) {
        this.deps.logger.error(
          { err: error, platform: 'teams', bundleId, conversationId: r.channel },
          'could not update a Teams bundle card',
        );
      }
    }
    switch (event.type) {
      case 'request_updated': {
        const decided = view.requests.every((r) => r.status !== 'pending');
        if (decided && event.request.status !== 'pending' && !this.bundlesDecided.has(bundleId)) {
          this.bundlesDecided.add(bundleId);
          if (this.bundlesDecided.size > 10_000) this.bundlesDecided.delete(this.bundlesDecided.values().next().value!);
          await this.toRequesterOfRequest(
            view.requests[0]!,
            bundleRequesterCard(view, zone, 'Every account of your request is decided.'),
          );
        }
        return;
      }
      case 'grant_failed':
        return void (await this.toRequester(event.grant, grantFailedCard(event.grant)));
      case 'grant_expiring':
        return void (await this.toRequester(
          event.grant,
          grantReminderCard(event.grant, this.deps.now(), zone),
          'grant_dm',
        ));
      case 'grant_ended':
        await this.redrawGrantCards(event.grant, await this.copies.of(event.grant), zone);
        return void (await this.toRequester(event.grant, grantEndedCard(event.grant, zone)));
      case 'request_escalated': {
        // The reminder names the one account still waiting; the escalation brings the bundle's card
        // (with Approve all) to each new approver, kept with the bundle's other copies.
        const known = new Set(refs.filter((r) => r.role === 'approver_dm').map((r) => r.channel));
        for (const email of event.approverEmails) {
          const ref = await this.deps.references.forEmail(email);
          if (!ref || (requester.platform === 'teams' && ConversationReferences.userIdOf(ref) === requester.id))
            continue;
          if (event.step === 'remind') await this.post(ref, approverReminderCard(event.request));
          else if (!known.has(ref.conversation.id)) {
            known.add(ref.conversation.id);
            await this.post(ref, approval, bundleId, 'approver_dm');
          }
        }
        return;
      }
      case 'break_glass_used':
        return void (await this.toSecurity(breakGlassCard(event.grant, event.request)));
      default:
        return;
    }
  }

  private async onSubmitted(request: AccessRequest, approverEmails: string[], channelOverride?: string): Promise<void> {
    const { references, views } = this.deps;
    const approverRefs = new Map<string, ConversationReference>();
    for (const email of approverEmails) {
      const ref = await references.forEmail(email);
      if (ref) approverRefs.set(ref.conversation.id, ref);
    }
    const requesterRef =
      request.requester.platform === 'teams' ? await this.personalChat(request.requester) : undefined;
    // Approvers and the requester see their own view (buttons for approvers) by automatic refresh.
    await views.rememberAudience(
      request.id,
      [...approverRefs.values(), ...(requesterRef ? [requesterRef] : [])]
        .map((r) => ConversationReferences.userIdOf(r))
        .filter((id): id is string => Boolean(id)),
    );
    const base = await views.card(request, { kind: 'base' });

    const channelId = channelOverride ?? this.deps.config.approvalsConversationId;
    if (channelId) {
      const ref = await references.forConversation(channelId);
      if (ref) await this.post(ref, base, request.id, 'approvals');
      else
        this.deps.logger.warn(
          { platform: 'teams', requestId: request.id },
          'no way to reach the Teams approvals channel',
        );
    }
    for (const ref of approverRefs.values()) await this.post(ref, base, request.id, 'approver_dm');
    if (requesterRef) await this.post(requesterRef, requestStatusCard(request), request.id, 'requester_dm');
  }

  /**
   * A reminder or an escalation: every copy shows the step; the reminder goes to each approver's 1:1
   * chat; the escalation posts the approval card to each new approver (who joins the refresh audience).
   */
  private async onEscalated(event: Extract<DomainEvent, { type: 'request_escalated' }>): Promise<void> {
    const { request } = event;
    await this.updateCopies(request, undefined, ['approvals', 'approver_dm', 'requester_dm']);
    const refs = new Map<string, ConversationReference>();
    for (const email of event.approverEmails) {
      const ref = await this.deps.references.forEmail(email);
      if (ref) refs.set(ref.conversation.id, ref);
    }
    if (event.step === 'remind') {
      for (const ref of refs.values()) await this.post(ref, approverReminderCard(request));
      return;
    }
    const known = new Set(
      (await this.deps.refs.listMessageRefs(request.id))
        .filter((r) => r.platform === 'teams' && r.role === 'approver_dm')
        .map((r) => r.channel),
    );
    const fresh = [...refs.values()].filter((r) => !known.has(r.conversation.id));
    const audience = await this.deps.views.audience(request.id);
    await this.deps.views.rememberAudience(request.id, [
      ...audience,
      ...fresh.map((r) => ConversationReferences.userIdOf(r)).filter((id): id is string => Boolean(id)),
    ]);
    const base = await this.deps.views.card(request, { kind: 'base' });
    for (const ref of fresh) await this.post(ref, base, request.id, 'approver_dm');
  }

  private async post(
    ref: ConversationReference,
    card: AdaptiveCard,
    requestId?: string,
    role?: MessageRef['role'],
  ): Promise<string | undefined> {
    try {
      const id = await this.deps.outbox.send(ref, { attachments: [attachment(card)] });
      if (id && requestId && role) {
        await this.deps.refs.addMessageRef(requestId as AccessRequest['id'], {
          platform: 'teams',
          channel: ref.conversation.id,
          messageId: id,
          role,
        });
      }
      return id;
    } catch (error) {
      this.deps.logger.error(
        { err: error, platform: 'teams', requestId, conversationId: ref.conversation.id },
        'could not post to Teams',
      );
      return undefined;
    }
  }

  /**
   * Every Teams copy of the request's messages (of `roles`), redrawn from the record as it is now.
   * `known`: the request's Teams messages as the grant carries them (not read again). Returns the
   * request's Teams messages, every role.
   */
  private async updateCopies(
    request: AccessRequest,
    grant?: Grant,
    roles?: MessageRef['role'][],
    known?: MessageRef[],
  ): Promise<MessageRef[]> {
    const all = known ?? (await this.deps.refs.listMessageRefs(request.id)).filter((r) => r.platform === 'teams');
    const refs = all.filter((r) => r.platform === 'teams' && (!roles || roles.includes(r.role)));
    if (refs.length === 0) return all;
    const base = await this.deps.views.card(request, { kind: 'base' }, grant ? { grant } : {});
    for (const r of refs) {
      const ref = await this.deps.references.forConversation(r.channel);
      if (!ref) continue;
      const card = r.role === 'requester_dm' ? requestStatusCard(request) : base;
      try {
        await this.deps.outbox.update(ref, r.messageId, { attachments: [attachment(card)] });
      } catch (error) {
        this.deps.logger.error(
          { err: error, platform: 'teams', requestId: request.id, conversationId: r.channel },
          'could not update a Teams message',
        );
      }
    }
    return all;
  }

  /** The approval copies of the grant's request, redrawn with the grant: the request is read only when there are some. */
  private async updateForGrant(grant: Grant, known: MessageRef[]): Promise<void> {
    const roles: MessageRef['role'][] = ['approvals', 'approver_dm'];
    if (!known.some((r) => roles.includes(r.role))) return;
    const request = await this.deps.engine.getRequest(grant.requestId);
    if (request) await this.updateCopies(request, grant, roles, known);
  }

  /** The requester's 1:1 chat: the stored one, else opened now (the bot is installed for the tenant). */
  private async personalChat(user: ChatUser): Promise<ConversationReference | undefined> {
    const known = await this.deps.references.forUser(user.id);
    if (known) return known;
    const service = await this.deps.references.service();
    if (!service) return undefined;
    try {
      const ref = await this.deps.outbox.openPersonal(service, user.id);
      await this.deps.references.savePersonal(user, ref);
      return ref;
    } catch (error) {
      this.deps.logger.warn({ err: error, platform: 'teams', actor: user.id }, 'could not open a 1:1 chat');
      return undefined;
    }
  }

  /** Tells a request's requester (a Teams user) where it stands, in their 1:1 chat. */
  private async toRequesterOfRequest(request: AccessRequest, card: AdaptiveCard): Promise<void> {
    if (request.requester.platform !== 'teams') return;
    const ref = await this.personalChat(request.requester);
    if (ref) await this.post(ref, card);
  }

  /**
   * A card to the grantee's 1:1 chat; `grant_dm` cards are remembered to be redrawn as the grant
   * changes (and returned).
   */
  private async toRequester(grant: Grant, card: AdaptiveCard, role?: 'grant_dm'): Promise<MessageRef | undefined> {
    if (grant.requester.platform !== 'teams') return undefined;
    const ref = await this.personalChat(grant.requester);
    if (!ref) return undefined;
    const id = await this.post(ref, card, role ? grant.requestId : undefined, role);
    return id && role ? { platform: 'teams', channel: ref.conversation.id, messageId: id, role } : undefined;
  }

  /**
   * The person's own zone: what their Teams client last sent (`localTimezone`, remembered with
   * their conversation), else what it sent with the request, else UTC (formatLocalTime says so).
   * Only a Teams user's (a Slack user's notices are Slack's to write): nothing is read for others.
   */
  private async zoneOf(user: ChatUser): Promise<string | undefined> {
    if (user.platform !== 'teams') return user.timeZone;
    return (await this.deps.references.timeZoneOf(user.id)) ?? user.timeZone;
  }

  /** Every journey card of the grant (active, reminder, extended), redrawn in place as the grant is now. */
  private async redrawGrantCards(grant: Grant, known: MessageRef[], zone?: string): Promise<void> {
    const refs = known.filter((r) => r.platform === 'teams' && r.role === 'grant_dm');
    if (refs.length === 0) return;
    const card = grantCard(grant, zone ?? (await this.zoneOf(grant.requester)));
    for (const r of refs) {
      const ref = await this.deps.references.forConversation(r.channel);
      if (!ref) continue;
      try {
        await this.deps.outbox.update(ref, r.messageId, { attachments: [attachment(card)] });
      } catch (error) {
        this.deps.logger.error(
          { err: error, platform: 'teams', grantId: grant.id, conversationId: r.channel },
          'could not update a Teams grant card',
        );
      }
    }
  }

  private async toSecurity(card: AdaptiveCard, requestId?: string, role?: MessageRef['role']): Promise<void> {
    const channelId = this.deps.config.securityConversationId;
    if (!channelId) return;
    const ref = await this.deps.references.forConversation(channelId);
    if (ref) await this.post(ref, card, requestId, role);
  }
}

function queueKey(event: DomainEvent): string {
  const bundleId = bundleIdOfEvent(event);
  if (bundleId !== undefined) return `bundle:${bundleId}`;
  switch (event.type) {
    case 'bundle_submitted':
      return `bundle:${event.requests[0]?.bundle?.id ?? ''}`;
    case 'request_submitted':
    case 'request_updated':
    case 'request_escalated':
    case 'on_call_auto_approved':
      return event.request.id;
    case 'grant_activated':
    case 'grant_scheduled':
    case 'grant_failed':
    case 'grant_extended':
    case 'grant_expiring':
    case 'grant_ended':
    case 'grant_activity':
    case 'break_glass_used':
    case 'revocation_stuck':
    case 'sessions_cut':
      return event.grant.requestId;
    case 'assignment_drift':
    case 'policy_refused':
    case 'session_cut_failed':
      return 'security';
  }
}
