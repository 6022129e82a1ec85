import type { AlertEvent, AlertMessageRef, AlertPublisher, Logger } from '../../src';

/**
 * Delivers each alert event to every platform's publisher at once and returns the messages they
 * created (Slack's, then Teams'); one platform failing never stops or hides another's post.
 */
export class FanOutAlertPublisher implements AlertPublisher {
  constructor(
    private readonly publishers: AlertPublisher[],
    private readonly logger: Logger,
  ) {}

  add(publisher: AlertPublisher): void {
    this.publishers.push(publisher);
  }

  async publishAlert(event: AlertEvent): Promise<AlertMessageRef[]> {
    const results = await Promise.allSettled(this.publishers.map((p) => p.publishAlert(event)));
    const refs: AlertMessageRef[] = [];
    for (const r of results) {
      if (r.status === 'fulfilled') refs.push(...(r.value ?? []));
      else this.logger.error({ err: r.reason, event: event.type }, 'an alert publisher failed');
    }
    return refs;
  }
}
