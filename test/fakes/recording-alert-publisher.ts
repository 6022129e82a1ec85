import type { AlertEvent, AlertEventType, AlertMessageRef, AlertPublisher } from '../../src';

/**
 * Records what would be posted to the security channels, as the Slack and Teams publishers would:
 * one message per configured channel for `alert_raised` and `digest_posted`.
 */
export class RecordingAlertPublisher implements AlertPublisher {
  readonly events: { event: AlertEvent; at: number }[] = [];
  failWith: Error | undefined;
  private seq = 0;

  constructor(
    private readonly channels: { platform: 'slack' | 'teams'; channel: string }[] = [
      { platform: 'slack', channel: 'C0SECURITY' },
      { platform: 'teams', channel: '19:security@thread.tacv2' },
    ],
    private readonly now: () => number = Date.now,
  ) {}

  async publishAlert(event: AlertEvent): Promise<AlertMessageRef[] | void> {
    if (this.failWith) throw this.failWith;
    this.events.push({ event: structuredClone(event), at: this.now() });
    if (event.type !== 'alert_raised' && event.type !== 'digest_posted' && event.type !== 'rotation_posted') return;
    return this.channels.map((c) => ({ ...c, messageId: `${c.platform}-msg-${++this.seq}` }));
  }

  ofType<T extends AlertEventType>(type: T): Extract<AlertEvent, { type: T }>[] {
    return this.events.map((e) => e.event).filter((e): e is Extract<AlertEvent, { type: T }> => e.type === type);
  }

  types(): AlertEventType[] {
    return this.events.map((e) => e.event.type);
  }

  clear(): void {
    this.events.length = 0;
  }
}
