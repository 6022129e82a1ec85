import type { LeaderLease } from '../../src';
import { T0 } from '../builders';

const TTL = 30_000;

/** What every LeaderLease does: run on the in-memory fake and on DynamoDB (dynalite). */
export function leaderLeaseContract(name: string, make: () => Promise<{ lease: LeaderLease }>): void {
  describe(`LeaderLease contract: ${name}`, () => {
    let lease: LeaderLease;
    beforeEach(async () => {
      ({ lease } = await make());
    });

    it('is taken by the first replica and refused to the others while its deadline holds', async () => {
      expect(await lease.acquire('duties', 'a', T0, TTL)).toBe(true);
      expect(await lease.acquire('duties', 'b', T0 + 1, TTL)).toBe(false);
      expect(await lease.acquire('duties', 'c', T0 + TTL - 1, TTL)).toBe(false);
    });

    it('is renewed by its holder, which moves the deadline on', async () => {
      expect(await lease.acquire('duties', 'a', T0, TTL)).toBe(true);
      expect(await lease.acquire('duties', 'a', T0 + 20_000, TTL)).toBe(true);
      // Past the first deadline, but not the renewed one: still a's.
      expect(await lease.acquire('duties', 'b', T0 + TTL + 1, TTL)).toBe(false);
    });

    it('is taken over once it lapses, and the old holder is then refused', async () => {
      expect(await lease.acquire('duties', 'a', T0, TTL)).toBe(true);
      expect(await lease.acquire('duties', 'b', T0 + TTL, TTL)).toBe(true);
      expect(await lease.acquire('duties', 'a', T0 + TTL + 1, TTL)).toBe(false);
    });

    it('is released only by its holder, and then free at once', async () => {
      expect(await lease.acquire('duties', 'a', T0, TTL)).toBe(true);
      await lease.release('duties', 'b');
      expect(await lease.acquire('duties', 'b', T0 + 1, TTL)).toBe(false);
      await lease.release('duties', 'a');
      expect(await lease.acquire('duties', 'b', T0 + 2, TTL)).toBe(true);
    });

    it('cannot be released by a holder it was taken over from', async () => {
      expect(await lease.acquire('duties', 'a', T0, TTL)).toBe(true);
      expect(await lease.acquire('duties', 'b', T0 + TTL + 1, TTL)).toBe(true);
      await lease.release('duties', 'a');
      expect(await lease.acquire('duties', 'c', T0 + TTL + 2, TTL)).toBe(false);
    });

    it('keeps leases of different names apart', async () => {
      expect(await lease.acquire('duties', 'a', T0, TTL)).toBe(true);
      expect(await lease.acquire('other', 'b', T0, TTL)).toBe(true);
    });

    it('gives one holder to replicas that race for a free lease', async () => {
      const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((o) => lease.acquire('duties', o, T0, TTL)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });
  });
}
