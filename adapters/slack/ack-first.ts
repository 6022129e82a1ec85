/**
 * Acks before everything else. Slack wants an answer within 3 s, and a burst of commands and clicks
 * must not wait behind the work that earlier ones started. Work that follows an ack (engine calls,
 * answers, Slack messages) goes through this gate: while requests are waiting for their ack, only
 * `whileBusy` pieces of work run at once (so work always progresses); when none is waiting, up to
 * `max` run. The receiver tells the gate when a request arrives and when it has been answered.
 */
export class AckFirstGate {
  private awaitingAck = 0;
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly max = 8,
    private readonly whileBusy = 1,
  ) {}

  /** A request arrived and is not answered yet. */
  arrived(): void {
    this.awaitingAck++;
  }

  /** A request was answered (acked, rejected or dropped). */
  answered(): void {
    this.awaitingAck = Math.max(0, this.awaitingAck - 1);
    if (this.awaitingAck === 0) setImmediate(() => this.pump());
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.pump();
    });
    try {
      return await work();
    } finally {
      this.running--;
      this.pump();
    }
  }

  private pump(): void {
    const limit = this.awaitingAck > 0 ? this.whileBusy : this.max;
    while (this.running < limit && this.queue.length > 0) {
      this.running++;
      this.queue.shift()!();
    }
  }
}
