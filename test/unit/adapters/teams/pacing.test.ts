import { ConversationPacer, statusOf } from '../../../../adapters/teams/pacing';

const httpError = (statusCode: number, retryAfter?: string) =>
  Object.assign(new Error(`status ${statusCode}`), {
    statusCode,
    response: { headers: { get: (n: string) => (n === 'retry-after' ? retryAfter : undefined) } },
  });

describe('pacing sends to Teams', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 5 };

  test.each([412, 429, 502, 504])('a %i answer is retried until the send goes through', async (status) => {
    const pacer = new ConversationPacer(fast);
    let calls = 0;
    const result = await pacer.run('c1', async () => {
      calls += 1;
      if (calls < 3) throw httpError(status, '0');
      return 'sent';
    });
    expect(result).toBe('sent');
    expect(calls).toBe(3);
  });

  test('other failures are not retried', async () => {
    const pacer = new ConversationPacer(fast);
    let calls = 0;
    await expect(
      pacer.run('c1', async () => {
        calls += 1;
        throw httpError(403);
      }),
    ).rejects.toThrow('status 403');
    expect(calls).toBe(1);
  });

  test('retries stop after the last attempt', async () => {
    const pacer = new ConversationPacer({ ...fast, maxAttempts: 2 });
    let calls = 0;
    await expect(
      pacer.run('c1', async () => {
        calls += 1;
        throw httpError(502);
      }),
    ).rejects.toThrow('status 502');
    expect(calls).toBe(2);
  });

  test('one conversation is held to its per-second rate while another is not', async () => {
    const pacer = new ConversationPacer({ perSecond: 2 });
    const order: string[] = [];
    const busy = [1, 2, 3].map((n) => pacer.run('busy', async () => void order.push(`busy-${n}`)));
    const quiet = pacer.run('quiet', async () => void order.push('quiet'));
    await quiet;
    // The burst of 2 went at once; the third busy send waits for a token, the quiet conversation does not.
    expect(order).toEqual(['busy-1', 'busy-2', 'quiet']);
    await Promise.all(busy);
    expect(order).toEqual(['busy-1', 'busy-2', 'quiet', 'busy-3']);
  });

  test('the status is read from SDK errors', () => {
    expect(statusOf({ statusCode: 429 })).toBe(429);
    expect(statusOf({ response: { status: 504 } })).toBe(504);
    expect(statusOf(new Error('x'))).toBeUndefined();
  });
});
