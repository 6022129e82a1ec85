import type { AuditArchive, Logger } from '../../src';

/** What the pump drives (DynamoGrantStore.pumpAudit). */
export interface AuditPumpStore {
  pumpAudit(options?: {
    limit?: number;
    sink?: { archive: AuditArchive; prefix: string };
    shards?: (shard: number) => boolean;
    settledBefore?: number;
  }): Promise<{ items: number; events: number; cleared: number; objects: number }>;
}

/**
 * The audit pump, on every replica: indexes the events of the writes marked since its last pass
 * and, with an archive, writes them to it, then clears the marks (adapters/dynamodb/audit-index.ts).
 * Each replica pumps its share of the pending shards (`shards`), and takes a mark up once it has
 * settled (`settleMs`), so that the writes of one state change are indexed and cleared once. A full
 * pass is followed at once by another (a burst is drained without waiting); any other pass waits
 * `everyMs`. A failed pass is logged and done again: a mark is cleared only
 * after its events are indexed and archived.
 */
export class AuditPump {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private failures = 0;
  /** The last pass took up as many marks as it may: more wait, so the next pass runs at once. */
  private full = false;

  constructor(
    private readonly deps: {
      store: AuditPumpStore;
      archive?: AuditArchive;
      prefix: string;
      everyMs: number;
      logger: Logger;
      /** Marked items read per shard and pass. Default 100. */
      limit?: number;
      /**
       * The pending shards this replica pumps (its share among the live replicas). Default: all.
       * A stopping replica drains every shard once, its share or not.
       */
      shards?: (shard: number) => boolean;
      /**
       * A mark is taken up once its latest event is this old (ms): the writes of one revocation,
       * a second apart, are indexed and cleared once. Default 0.
       */
      settleMs?: number;
      /** Epoch ms now (the system clock by default). */
      now?: () => number;
    },
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.deps.everyMs);
  }

  /**
   * One pass (also what the timer runs): this replica's share of the settled marks, or with `all`
   * every mark. Answers how many events it indexed, or -1 when it failed.
   */
  async pass(scope: 'share' | 'all' = 'share'): Promise<number> {
    const { store, archive, logger } = this.deps;
    const settleMs = scope === 'share' ? (this.deps.settleMs ?? 0) : 0;
    try {
      const done = await store.pumpAudit({
        ...(this.deps.limit !== undefined ? { limit: this.deps.limit } : {}),
        ...(archive ? { sink: { archive, prefix: this.deps.prefix } } : {}),
        ...(scope === 'share' && this.deps.shards ? { shards: this.deps.shards } : {}),
        ...(settleMs > 0 ? { settledBefore: (this.deps.now ?? Date.now)() - settleMs } : {}),
      });
      if (this.failures > 0) logger.info({ failures: this.failures }, 'The audit pump works again');
      this.failures = 0;
      this.full = done.items >= (this.deps.limit ?? 100);
      return done.events;
    } catch (error) {
      this.failures++;
      // Once, then every tenth failure: an archive that stays down does not flood the log.
      if (this.failures === 1 || this.failures % 10 === 0) {
        logger.warn(
          { err: error, failures: this.failures },
          archive
            ? 'The audit pump failed (index or archive); the events wait in the table and are tried again'
            : 'The audit pump failed; the events wait in the table and are tried again',
        );
      }
      return -1;
    }
  }

  /** Stops the timer, then runs one last pass so that this replica's latest writes are indexed before it goes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.pass('all');
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const run = this.pass();
      this.running = run;
      void run.then((events) => {
        this.running = undefined;
        this.schedule(events > 0 && this.full ? 0 : this.deps.everyMs);
      });
    }, delayMs);
    this.timer.unref();
  }
}
