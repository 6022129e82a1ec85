import type { GrantStore, Logger } from '../../src';
import { TtlCache } from '../shared/ttl-cache';
import type { AckFirstGate } from './ack-first';

export interface DeliveryDedupeOptions {
  store: Pick<GrantStore, 'rememberOnce'>;
  logger: Logger;
  /** When given, a first delivery's id is written through it, so after the acks. */
  gate?: Pick<AckFirstGate, 'run'>;
  /** How long a delivery id is remembered. Default 1 hour. */
  dedupeTtlSeconds?: number;
  now?: () => number;
}

/**
 * Drops Slack deliveries that were already handled, for both ways Slack delivers (HTTP and Socket
 * Mode). Each delivery has an id (`event_id` for events, `trigger_id` for commands and
 * interactions; see `deliveryIdOf`). A first delivery is admitted at once and its id is written in
 * the background (`rememberOnce`), so acking never waits on the store; a delivery that Slack marks
 * as a retry (x-slack-retry-num over HTTP, retry_attempt > 0 in Socket Mode) is admitted only if
 * `rememberOnce` says its id is new. Duplicates inside this process are caught in memory. The
 * engine's own idempotency (one approval per approver, one request per view id) backs this up.
 */
export class DeliveryDedupe {
  private readonly recent: TtlCache<true>;
  private readonly now: () => number;
  /** Deliveries dropped as duplicates (for tests and metrics). */
  deduped = 0;

  constructor(private readonly options: DeliveryDedupeOptions) {
    this.now = options.now ?? Date.now;
    this.recent = new TtlCache({ ttlMs: this.ttlSeconds * 1000, maxEntries: 50_000, now: this.now });
  }

  private get ttlSeconds(): number {
    return this.options.dedupeTtlSeconds ?? 3600;
  }

  /**
   * Whether to handle this delivery: false for one already handled (the caller acks it and does
   * nothing else). `retryNum` is only logged.
   */
  async admit(body: Record<string, unknown>, isRetry: boolean, retryNum?: number): Promise<boolean> {
    const deliveryId = deliveryIdOf(body);
    if (!deliveryId || (await this.firstDelivery(deliveryId, isRetry))) return true;
    this.deduped++;
    this.options.logger.info({ platform: 'slack', deliveryId, retryNum }, 'duplicate slack delivery ignored');
    return false;
  }

  private async firstDelivery(id: string, isRetry: boolean): Promise<boolean> {
    if (this.recent.peek(id)) return false;
    this.recent.set(id, true);
    const now = this.now();
    const { gate, logger, store } = this.options;
    if (!isRetry && gate) {
      // A first delivery is handled now; writing its id waits until the acks are out.
      void gate
        .run(() => store.rememberOnce(`slack#${id}`, now, this.ttlSeconds))
        .catch((error: unknown) => logger.warn({ err: error, platform: 'slack' }, 'delivery id not remembered'));
      return true;
    }
    const remember = store.rememberOnce(`slack#${id}`, now, this.ttlSeconds);
    if (isRetry) {
      try {
        return await remember;
      } catch (error) {
        // The store is down: handling a retry twice is safer than dropping it (the engine dedupes too).
        logger.warn({ err: error, platform: 'slack' }, 'dedupe store unavailable');
        return true;
      }
    }
    remember.catch((error: unknown) => logger.warn({ err: error, platform: 'slack' }, 'delivery id not remembered'));
    return true;
  }
}

/** The id Slack gives one delivery: the same on a retry, different on a second click. */
export function deliveryIdOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.event_id === 'string') return `evt:${body.event_id}`;
  if (body.type === 'block_suggestion') return undefined;
  if (typeof body.trigger_id === 'string') return `trg:${body.trigger_id}`;
  return undefined;
}
