/**
 * Runs the key scan every `scanEvery` (the policy's `alerts.scanEvery`), posts the daily digest at a
 * fixed UTC hour and the weekly IAM posture on one day of the week, and checks blind spots (silent regions, ended snoozes) between scans. One run at
 * a time; a failing run is logged and the next one comes anyway. Several replicas may run this: the
 * alert store's conditional writes keep findings and digests single.
 */
import { isoWeekOf, silentLogger, type AlertEngine, type Logger, type ScanReport } from '../../../src';

export interface ScanSchedulerOptions {
  scanEveryMs: number;
  /** UTC hour of the daily digest. Default 8. */
  digestHourUtc: number;
  /** How often blind spots are checked. Default 15 minutes. */
  blindSpotEveryMs: number;
  /** UTC day of the weekly IAM posture post (0 Sunday … 6 Saturday). Default 1 (Monday), at the digest hour. */
  postureDayUtc: number;
  /** Scan once right after start. Default true. */
  scanAtStart: boolean;
  logger?: Logger;
  now?: () => number;
}

export class ScanScheduler {
  private readonly options: ScanSchedulerOptions;
  private readonly logger: Logger;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> | undefined;
  private lastDigestDay: string | undefined;
  private postedWeek: string | undefined;
  private postureTriedAt = -Infinity;
  lastReport: ScanReport | undefined;

  constructor(
    private readonly engine: Pick<AlertEngine, 'scanAll' | 'postDigest' | 'checkBlindSpots'> &
      Partial<Pick<AlertEngine, 'postWeeklyPosture'>>,
    options: Partial<ScanSchedulerOptions> & Pick<ScanSchedulerOptions, 'scanEveryMs'>,
  ) {
    this.options = {
      digestHourUtc: 8,
      postureDayUtc: 1,
      blindSpotEveryMs: 15 * 60_000,
      scanAtStart: true,
      ...options,
    };
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void this.exclusive(fn), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.scanEveryMs, () => this.scan());
    every(this.options.blindSpotEveryMs, () => this.engine.checkBlindSpots());
    every(60_000, async () => {
      await this.digestIfDue();
      await this.postureIfDue();
    });
    if (this.options.scanAtStart) void this.exclusive(() => this.scan());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running;
  }

  async scan(): Promise<ScanReport> {
    const report = await this.engine.scanAll();
    this.lastReport = report;
    return report;
  }

  /** Posts the digest once a day, at or after the digest hour. */
  async digestIfDue(): Promise<boolean> {
    const now = new Date((this.options.now ?? Date.now)());
    const day = now.toISOString().slice(0, 10);
    if (now.getUTCHours() < this.options.digestHourUtc || this.lastDigestDay === day) return false;
    this.lastDigestDay = day;
    await this.engine.postDigest();
    return true;
  }

  /**
   * The weekly IAM posture, from the posture day's digest hour on, until it is posted this week.
   * Every replica asks (at most hourly); only the leader posts, and the week's snapshot item keeps
   * it to one post per week even when the leader changes: a replica that is not leading, or finds
   * the week taken, asks again an hour later, so a leader that died before posting is replaced.
   */
  async postureIfDue(): Promise<boolean> {
    if (!this.engine.postWeeklyPosture) return false;
    const nowMs = (this.options.now ?? Date.now)();
    const now = new Date(nowMs);
    const week = isoWeekOf(nowMs);
    const sinceMonday = (now.getUTCDay() + 6) % 7;
    const dueFrom = (this.options.postureDayUtc + 6) % 7;
    const due = sinceMonday > dueFrom || (sinceMonday === dueFrom && now.getUTCHours() >= this.options.digestHourUtc);
    if (!due || this.postedWeek === week || nowMs - this.postureTriedAt < 3_600_000) return false;
    this.postureTriedAt = nowMs;
    const posted = await this.engine.postWeeklyPosture();
    if (posted) this.postedWeek = week;
    return posted !== undefined;
  }

  private async exclusive(fn: () => Promise<unknown>): Promise<void> {
    if (this.running) return;
    this.running = fn()
      .catch((error: unknown) => this.logger.error({ err: error }, 'scheduled security work failed'))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }
}
