import type { ConversationReference } from 'botbuilder';
import type { AlertEvent, AlertMessageRef, AlertPublisher, Logger } from '../../src';
import { alertCard, alertRepeatCard, digestCard, rotationCard } from './cards/alert.card';
import { attachment, type AdaptiveCard } from './cards/card';
import { postureCard } from './cards/posture.card';
import { renderPostureChart } from '../shared/posture-chart';
import type { ConversationReferences } from './conversation-references';
import type { TeamsOutbox } from './outbox';

export interface TeamsAlertPublisherDeps {
  outbox: TeamsOutbox;
  references: ConversationReferences;
  logger: Logger;
  /** The Teams security channel (`19:…@thread.tacv2`); without one, nothing is posted. */
  securityConversationId?: string | undefined;
  now?: () => number;
}

/**
 * The security feed in Teams: new alerts and digests are posted to the security channel (their
 * activity id is returned), changes update those activities in place (updateActivity), and a
 * repeat of an incident is a reply in the alert's thread (ReplyToActivity on the alert's id).
 * Sends go through the adapter's outbox (paced per conversation, retried on 412/429/502/504).
 * A Teams failure is logged, never thrown.
 */
export class TeamsAlertPublisher implements AlertPublisher {
  private readonly now: () => number;

  constructor(private readonly deps: TeamsAlertPublisherDeps) {
    this.now = deps.now ?? Date.now;
  }

  async publishAlert(event: AlertEvent): Promise<AlertMessageRef[] | void> {
    try {
      switch (event.type) {
        case 'alert_raised':
          return await this.post(alertCard(event.alert, this.now()));
        case 'digest_posted':
          return await this.post(digestCard(event.digest, event.alerts, this.now()));
        case 'alert_updated':
          return await this.update(event.alert.messages, alertCard(event.alert, this.now()));
        case 'digest_updated':
          return await this.update(event.digest.messages, digestCard(event.digest, event.alerts, this.now()));
        case 'alert_repeated':
          return await this.reply(event.alert.messages, alertRepeatCard(event.alert, event.finding));
        // Teams has no owner lookup here: the rotation card goes to the security channel.
        case 'rotation_posted':
          return await this.post(rotationCard(event.alert, this.now()));
        case 'rotation_updated':
          return await this.update(event.alert.rotation?.messages ?? [], rotationCard(event.alert, this.now()));
        case 'posture_posted':
          return await this.post(
            postureCard(
              event.report,
              `IAM posture · ${event.week}`,
              renderPostureChart(event.report, event.week, { compact: true }),
            ),
          );
      }
    } catch (error) {
      this.deps.logger.error({ err: error, event: event.type, platform: 'teams' }, 'Teams alert delivery failed');
      return [];
    }
  }

  private async post(card: AdaptiveCard): Promise<AlertMessageRef[]> {
    const channel = this.deps.securityConversationId;
    if (!channel) return [];
    const ref = await this.deps.references.forConversation(channel);
    if (!ref) {
      this.deps.logger.warn({ platform: 'teams' }, 'no way to reach the Teams security channel');
      return [];
    }
    const id = await this.deps.outbox.send(ref, { attachments: [attachment(card)] });
    return id ? [{ platform: 'teams', channel, messageId: id }] : [];
  }

  private async update(refs: readonly AlertMessageRef[], card: AdaptiveCard): Promise<void> {
    await this.each(refs, async (ref, conversation) => {
      await this.deps.outbox.update(conversation, ref.messageId, { attachments: [attachment(card)] });
    });
  }

  private async reply(refs: readonly AlertMessageRef[], card: AdaptiveCard): Promise<void> {
    await this.each(refs, async (ref, conversation) => {
      // A proactive turn on a reference with an activity id replies to that activity: its thread.
      await this.deps.outbox.send({ ...conversation, activityId: ref.messageId }, { attachments: [attachment(card)] });
    });
  }

  private async each(
    refs: readonly AlertMessageRef[],
    send: (ref: AlertMessageRef, conversation: ConversationReference) => Promise<void>,
  ): Promise<void> {
    for (const ref of refs.filter((r) => r.platform === 'teams')) {
      try {
        const conversation = await this.deps.references.forConversation(ref.channel);
        if (conversation) await send(ref, conversation);
      } catch (error) {
        this.deps.logger.warn(
          { err: error, platform: 'teams', conversationId: ref.channel },
          'a Teams security message was not updated',
        );
      }
    }
  }
}
