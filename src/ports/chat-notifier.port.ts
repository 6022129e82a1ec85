import type { DomainEvent } from '../domain';

/**
 * Tells people what happened. One implementation per chat platform; the composition root fans an
 * event out to all of them. A notifier must not throw for a delivery problem: it logs and moves on,
 * because access decisions never wait on chat.
 */
export interface ChatNotifier {
  publish(event: DomainEvent): Promise<void>;
}
