import type { AlertEvent, AlertMessageRef, AlertPublisher, Logger } from '../../src';
import { alertMessage, alertRepeatMessage, digestMessage, rotationMessage } from './blocks/alert.blocks';
import type { SlackMessage } from './blocks/common.blocks';
import { postureMessage } from './blocks/posture.blocks';
import { renderPostureChart } from '../shared/posture-chart';
import type { SlackApi } from './slack-api';
import { shareFile } from './slack-files';

export interface SlackAlertPublisherDeps {
  api: SlackApi;
  logger: Logger;
  /** The security channel; without one, nothing is posted (and a warning is logged once). */
  securityChannel?: string;
  /** The DM channel of the Slack user with this email (users.lookupByEmail, conversations.open). */
  dmChannelByEmail?: (email: string) => Promise<string | undefined>;
  now?: () => number;
}

/**
 * The security feed in Slack: new alerts and digests are posted to the security channel (their
 * `ts` is returned, so that the engine stores where they are), changes update those messages in
 * place (chat.update), and a repeat of an incident is a reply in the alert's thread (thread_ts).
 * Everything goes through the adapter's paced Web API client. A Slack failure is logged, never
 * thrown: the alert is stored either way, and the next change re-renders the message.
 */
export class SlackAlertPublisher implements AlertPublisher {
  private warned = false;
  private readonly now: () => number;

  constructor(private readonly deps: SlackAlertPublisherDeps) {
    this.now = deps.now ?? Date.now;
  }

  async publishAlert(event: AlertEvent): Promise<AlertMessageRef[] | void> {
    try {
      switch (event.type) {
        case 'alert_raised':
          return await this.post(alertMessage(event.alert, this.now()));
        case 'digest_posted':
          return await this.post(digestMessage(event.digest, event.alerts, this.now()));
        case 'alert_updated':
          return await this.update(event.alert.messages, alertMessage(event.alert, this.now()));
        case 'digest_updated':
          return await this.update(event.digest.messages, digestMessage(event.digest, event.alerts, this.now()));
        case 'alert_repeated':
          return await this.reply(event.alert.messages, alertRepeatMessage(event.alert, event.finding));
        case 'rotation_posted':
          return await this.post(
            rotationMessage(event.alert, this.now()),
            await this.ownerDm(event.alert.rotation?.owner),
          );
        case 'rotation_updated':
          return await this.update(event.alert.rotation?.messages ?? [], rotationMessage(event.alert, this.now()));
        case 'posture_posted':
          return await this.postPosture(event.report, event.week);
      }
    } catch (error) {
      this.deps.logger.error({ err: error, event: event.type, platform: 'slack' }, 'slack alert delivery failed');
      return [];
    }
  }

  /**
   * The weekly posture: the message, then its chart (a PNG of the same counts) shared in the same
   * channel through the upload flow. A chart that fails to upload is logged; the message stays.
   */
  private async postPosture(report: Parameters<typeof postureMessage>[0], week: string): Promise<AlertMessageRef[]> {
    const refs = await this.post(postureMessage(report, `IAM posture · ${week}`));
    const ref = refs[0];
    if (!ref) return refs;
    try {
      const chart = renderPostureChart(report, week);
      await shareFile(this.deps.api, {
        channel: ref.channel,
        filename: `iam-posture-${week}.png`,
        bytes: chart.png,
        title: `IAM posture ${week}`,
        altText: chart.altText,
        initialComment: `IAM posture ${week}: this week against last week`,
      });
    } catch (error) {
      this.deps.logger.warn({ err: error, platform: 'slack', week }, 'posture chart not shared');
    }
    return refs;
  }

  /** The owner's DM; undefined (the security channel then) when there is no owner or no such Slack user. */
  private async ownerDm(owner: string | undefined): Promise<string | undefined> {
    if (!owner || !this.deps.dmChannelByEmail) return undefined;
    try {
      return await this.deps.dmChannelByEmail(owner);
    } catch (error) {
      this.deps.logger.warn({ err: error, platform: 'slack' }, 'key owner not reachable in Slack: security channel');
      return undefined;
    }
  }

  private async post(message: SlackMessage, to?: string): Promise<AlertMessageRef[]> {
    const channel = to ?? this.deps.securityChannel;
    if (!channel) {
      if (!this.warned) this.deps.logger.warn({ platform: 'slack' }, 'no Slack security channel: alerts not posted');
      this.warned = true;
      return [];
    }
    const answer = await this.deps.api.call('chat.postMessage', {
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    return [{ platform: 'slack', channel: String(answer.channel ?? channel), messageId: String(answer.ts) }];
  }

  private async update(refs: readonly AlertMessageRef[], message: SlackMessage): Promise<void> {
    await this.each(refs, (ref) =>
      this.deps.api.call('chat.update', {
        channel: ref.channel,
        ts: ref.messageId,
        text: message.text,
        blocks: message.blocks,
      }),
    );
  }

  private async reply(refs: readonly AlertMessageRef[], message: SlackMessage): Promise<void> {
    await this.each(refs, (ref) =>
      this.deps.api.call('chat.postMessage', {
        channel: ref.channel,
        thread_ts: ref.messageId,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
  }

  /** Every Slack message of the alert; one failing copy does not stop the others. */
  private async each(refs: readonly AlertMessageRef[], send: (ref: AlertMessageRef) => Promise<unknown>) {
    const results = await Promise.allSettled(refs.filter((r) => r.platform === 'slack').map(send));
    for (const r of results) {
      if (r.status === 'rejected') {
        this.deps.logger.warn({ err: r.reason, platform: 'slack' }, 'a security message was not updated');
      }
    }
  }
}
