import { sleep, TokenBucket } from '../shared/pace';

/**
 * Teams' limits per bot per conversation (facts.md): 7 sends a second, 60 per 30 s, 1800 an hour;
 * 412, 429, 502 and 504 answers are worth retrying. Each conversation gets three token buckets whose
 * burst + rate × window never exceeds a limit, and every call is retried with backoff (or the
 * `Retry-After` the service sent). The SDK's own pipeline also retries 5xx and 429-with-Retry-After
 * a few times; this adds 412 and whatever it gave up on.
 */
export interface PacingOptions {
  perSecond: number;
  per30Seconds: number;
  perHour: number;
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Conversations whose buckets are kept; the least recently used are dropped beyond it. */
  maxConversations: number;
}

export const defaultPacing: PacingOptions = {
  perSecond: 7,
  per30Seconds: 60,
  perHour: 1800,
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxConversations: 5000,
};

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([412, 429, 502, 504]);

/** The HTTP status of an SDK error (RestError carries `statusCode`), if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const s = e.statusCode ?? e.status ?? e.response?.status;
  return typeof s === 'number' ? s : undefined;
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (n: string) => string | undefined } } })?.response
    ?.headers;
  const raw = typeof headers?.get === 'function' ? headers.get('retry-after') : undefined;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined;
}

export class ConversationPacer {
  private readonly options: PacingOptions;
  private readonly buckets = new Map<string, TokenBucket[]>();

  constructor(options: Partial<PacingOptions> = {}) {
    this.options = { ...defaultPacing, ...options };
  }

  private bucketsFor(conversationId: string): TokenBucket[] {
    let found = this.buckets.get(conversationId);
    if (found) {
      this.buckets.delete(conversationId);
    } else {
      const o = this.options;
      found = [
        new TokenBucket({ ratePerSecond: o.perSecond, burst: o.perSecond }),
        new TokenBucket({ ratePerSecond: o.per30Seconds / 60, burst: Math.max(1, Math.floor(o.per30Seconds / 2)) }),
        new TokenBucket({ ratePerSecond: o.perHour / 7200, burst: Math.max(1, Math.floor(o.perHour / 2)) }),
      ];
    }
    this.buckets.set(conversationId, found);
    while (this.buckets.size > this.options.maxConversations) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
    return found;
  }

  /** Runs one send to `conversationId` when its buckets allow, retrying the retryable answers. */
  async run<T>(
    conversationId: string,
    send: () => Promise<T>,
    onRetry?: (status: number, attempt: number) => void,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      for (const bucket of this.bucketsFor(conversationId)) await bucket.take();
      try {
        return await send();
      } catch (error) {
        const status = statusOf(error);
        if (status === undefined || !RETRYABLE_STATUSES.has(status) || attempt >= this.options.maxAttempts) throw error;
        onRetry?.(status, attempt);
        const backoff = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.min(this.options.maxDelayMs, retryAfterMs(error) ?? backoff * (0.5 + Math.random() / 2)));
      }
    }
  }
}
