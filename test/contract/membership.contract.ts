import type { Membership } from '../../src';
import { T0 } from '../builders';

const TTL = 4000;

/** What every Membership does: run on the in-memory fake and on DynamoDB (dynalite, DynamoDB Local). */
export function membershipContract(name: string, make: () => Promise<{ membership: Membership }>): void {
  describe(`Membership contract: ${name}`, () => {
    let store: Membership;
    // The lists alone (each test below); the deadlines have a test of their own.
    const m = {
      heartbeat: (id: string, now: number, ttl: number) => store.heartbeat(id, now, ttl),
      leave: (id: string) => store.leave(id),
      members: async (now: number) => {
        const { live, departed } = await store.members(now);
        return { live, departed };
      },
    };
    beforeEach(async () => {
      ({ membership: store } = await make());
    });

    it('gives each member’s deadline, so that one that stopped beating shows before it passes', async () => {
      await store.heartbeat('a', T0, TTL);
      await store.heartbeat('b', T0 + 1000, TTL);
      expect((await store.members(T0 + 2000)).deadlines).toEqual({ a: T0 + TTL, b: T0 + 1000 + TTL });
    });

    it('lists a member as live until its heartbeat’s deadline, then as departed', async () => {
      expect(await m.heartbeat('b', T0, TTL)).toBe(true);
      expect(await m.heartbeat('a', T0 + 10, TTL)).toBe(true);
      expect(await m.members(T0 + 100)).toEqual({ live: ['a', 'b'], departed: [] });
      expect(await m.members(T0 + TTL - 1)).toEqual({ live: ['a', 'b'], departed: [] });
      expect(await m.members(T0 + TTL)).toEqual({ live: ['a'], departed: ['b'] });
      expect(await m.members(T0 + TTL + 10)).toEqual({ live: [], departed: ['a', 'b'] });
    });

    it('moves the deadline on with each heartbeat', async () => {
      await m.heartbeat('a', T0, TTL);
      await m.heartbeat('a', T0 + 3000, TTL);
      expect(await m.members(T0 + TTL + 1000)).toEqual({ live: ['a'], departed: [] });
    });

    it('never takes a departed member back: its heartbeat is refused', async () => {
      await m.heartbeat('a', T0, TTL);
      expect(await m.heartbeat('a', T0 + TTL, TTL)).toBe(false);
      expect(await m.members(T0 + TTL + 1)).toEqual({ live: [], departed: ['a'] });
      expect(await m.heartbeat('a.2', T0 + TTL, TTL)).toBe(true);
      expect(await m.members(T0 + TTL + 1)).toEqual({ live: ['a.2'], departed: ['a'] });
    });

    it('lists the departed latest first', async () => {
      await m.heartbeat('early', T0, TTL);
      await m.heartbeat('late', T0 + 500, TTL);
      await m.heartbeat('middle', T0 + 200, TTL);
      expect((await m.members(T0 + 60_000)).departed).toEqual(['late', 'middle', 'early']);
    });

    it('forgets a member that leaves, at once', async () => {
      await m.heartbeat('a', T0, TTL);
      await m.heartbeat('b', T0, TTL);
      await m.leave('a');
      expect(await m.members(T0 + 1)).toEqual({ live: ['b'], departed: [] });
      await m.leave('nobody');
    });
  });
}
