import type { ChatNotifier, DomainEvent, Logger } from '../../src';

/** Sends each domain event to every platform's notifier; one platform failing never stops another. */
export class FanOutNotifier implements ChatNotifier {
  constructor(
    private readonly notifiers: ChatNotifier[],
    private readonly logger: Logger,
  ) {}

  add(notifier: ChatNotifier): void {
    this.notifiers.push(notifier);
  }

  async publish(event: DomainEvent): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((n) => n.publish(event)));
    for (const r of results) {
      if (r.status === 'rejected') this.logger.error({ err: r.reason, event: event.type }, 'a notifier failed');
    }
  }
}
