import type { ChatNotifier, DomainEvent, DomainEventType } from '../../src';

/** Keeps every event published, in order. */
export class RecordingNotifier implements ChatNotifier {
  readonly events: DomainEvent[] = [];
  failWith: Error | undefined;

  async publish(event: DomainEvent): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.events.push(event);
  }

  ofType<T extends DomainEventType>(type: T): Extract<DomainEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);
  }

  types(): DomainEventType[] {
    return this.events.map((e) => e.type);
  }
}
