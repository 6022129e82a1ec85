import type { ChatUser } from '../../../src';
import { APPROVALS, startSlackStack, type SlackStack } from '../../support/slack-harness';

const rita: ChatUser = { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' };

async function burst(stack: SlackStack, n: number) {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      stack.engine.requestAccess({
        requester: rita,
        account: 'prod',
        permissionSet: 'AdministratorAccess',
        duration: '1h',
        reason: `burst ${i}`,
        idempotencyKey: `burst-${i}`,
      }),
    ),
  );
  await stack.settle();
}

describe('outgoing Slack pacing', () => {
  let stack: SlackStack | undefined;
  afterEach(() => stack?.stop());

  // The workspace enforces Slack's shape of limits 40 times faster (per channel 40/s instead of
  // 1/s, users.lookupByEmail and conversations.open 2000/min instead of 50); the adapter paces at
  // the same scale. A token bucket lets `rate + burst` through in any one second, so both stay at
  // half the limit, as the production defaults do (1/s, burst 3, against Slack's tolerance).
  it('gets a burst of 200 requests out without a single 429', async () => {
    stack = await startSlackStack({
      rateLimits: {
        postMessagePerChannelPerSecond: 40,
        perMethodPerMinute: { 'users.lookupByEmail': 2000, 'conversations.open': 2000, 'chat.update': 2000 },
      },
      config: { pacing: { tiers: { 2: 800, 3: 1000, 4: 2000 }, perChannelPerSecond: 20, perChannelBurst: 5 } },
    });
    // 200 requests: 200 posts in the approvals channel and 200 in each approver's DM.
    const started = Date.now();
    await burst(stack, 200);
    const limited = stack.workspace.state.calls.filter((c) => c.error === 'ratelimited').map((c) => c.method);
    expect(limited).toEqual([]);
    expect(stack.slack.api.rateLimited).toBe(0);
    expect(stack.workspace.state.channelMessages(APPROVALS)).toHaveLength(200);
    expect(Date.now() - started).toBeGreaterThan(8000);
  }, 60_000);

  it('honours Retry-After when Slack says 429, and still delivers every message', async () => {
    stack = await startSlackStack({
      rateLimits: { postMessagePerChannelPerSecond: 10 },
      config: {
        pacing: {
          tiers: { 2: 60_000, 3: 60_000, 4: 60_000 },
          perChannelPerSecond: 1000,
          perChannelBurst: 1000,
          maxRateLimitRetries: 5,
        },
      },
    });
    await burst(stack, 25);
    expect(stack.workspace.limiter.limited).toBeGreaterThan(0);
    expect(stack.slack.api.rateLimited).toBeGreaterThan(0);
    expect(stack.workspace.state.channelMessages(APPROVALS)).toHaveLength(25);
  }, 30_000);
});
