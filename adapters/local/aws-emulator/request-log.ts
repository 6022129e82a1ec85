/**
 * Every request the emulator answered: service, operation, time, outcome. Tests count calls per
 * operation (three replicas must delete an assignment once), derive the IAM actions the code uses,
 * and read the highest rate observed.
 */
export interface LoggedRequest {
  seq: number;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  service: string;
  operation: string;
  /** 'ok', or the error code answered (ThrottlingException, ConflictException, ...). */
  outcome: string;
  httpStatus: number;
  /** From the SDK's `amz-sdk-request: attempt=N; max=M` header, when sent. */
  attempt?: number;
}

export class RequestLog {
  private readonly list: LoggedRequest[] = [];
  private seq = 0;

  record(entry: Omit<LoggedRequest, 'seq'>): LoggedRequest {
    const logged = { seq: ++this.seq, ...entry };
    this.list.push(logged);
    return logged;
  }

  entries(filter: { service?: string; operation?: string } = {}): LoggedRequest[] {
    return this.list.filter(
      (e) =>
        (filter.service === undefined || e.service === filter.service) &&
        (filter.operation === undefined || e.operation === filter.operation),
    );
  }

  count(operation: string, outcome?: string): number {
    return this.list.filter((e) => e.operation === operation && (outcome === undefined || e.outcome === outcome))
      .length;
  }

  /** Calls per `service:Operation`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.list) out[`${e.service}:${e.operation}`] = (out[`${e.service}:${e.operation}`] ?? 0) + 1;
    return out;
  }

  /** Requests that arrived in the last `windowMs` before `now`, for the given services. */
  recent(now: number, services: readonly string[], windowMs = 1000): number {
    let n = 0;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i]!;
      if (e.at <= now - windowMs) break;
      if (services.includes(e.service)) n++;
    }
    return n;
  }

  /** The highest number of requests in any sliding one-second window (calls per second). */
  maxTps(services?: readonly string[]): number {
    const times = this.list.filter((e) => !services || services.includes(e.service)).map((e) => e.at);
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= 1000) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  clear(): void {
    this.list.length = 0;
  }
}
