/**
 * One way to call AWS: take a token from the shared pace, send, and retry throttling, conflicts
 * and transient errors with capped exponential backoff and full jitter, within a deadline.
 * The SDK clients are built with `maxAttempts: 1` so that every attempt passes through the pace.
 */
import type { Pace, Priority } from '../../shared/pace';
import { sleep } from '../../shared/pace';
import { isRetryable, translateAwsError, type CallContext } from './aws-errors';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryOptions = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 3000 };

/** Full jitter: a uniform delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(retry: RetryOptions, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.max(1, Math.floor(random() * cap));
}

export class AwsCaller {
  constructor(
    private readonly pace: Pace,
    private readonly retry: RetryOptions = defaultRetry,
  ) {}

  /**
   * Sends with retries. Errors the caller handles itself (for example "not found" meaning
   * "already gone") are passed through untranslated when `passThrough` says so.
   */
  async send<T>(
    context: CallContext,
    work: () => Promise<T>,
    options: { passThrough?: (error: unknown) => boolean; deadline?: number; priority?: Priority } = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.pace.call(work, options.priority);
      } catch (error) {
        if (options.passThrough?.(error)) throw error;
        const delay = backoffDelay(this.retry, attempt);
        const late = options.deadline !== undefined && Date.now() + delay > options.deadline;
        if (!isRetryable(error) || attempt + 1 >= this.retry.maxAttempts || late) {
          throw translateAwsError(error, { ...context, details: { ...context.details, attempts: attempt + 1 } });
        }
        await sleep(delay);
      }
    }
  }
}
