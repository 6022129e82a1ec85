import { AuditPump, type AuditPumpStore } from '../../../../adapters/main/audit-pump';
import { rankOf, silentLogger } from '../../../../src';

type PassOptions = NonNullable<Parameters<AuditPumpStore['pumpAudit']>[0]>;

function recordingStore(items = 0) {
  const passes: PassOptions[] = [];
  const store: AuditPumpStore = {
    pumpAudit: (options) => {
      passes.push(options ?? {});
      return Promise.resolve({ items, events: items, cleared: items, objects: 0 });
    },
  };
  return { store, passes };
}

describe('the audit pump', () => {
  it('takes up its own share of settled marks, and everything once when it stops', async () => {
    const { store, passes } = recordingStore();
    const mine = (shard: number) => shard === 1;
    const pump = new AuditPump({
      store,
      prefix: 'audit',
      everyMs: 60_000,
      logger: silentLogger,
      shards: mine,
      settleMs: 1000,
      now: () => 50_000,
    });
    pump.start();
    await pump.pass();
    await pump.stop();
    expect(passes[0]).toEqual({ shards: mine, settledBefore: 49_000 });
    // The last pass of a stopping replica drains every shard, settled or not.
    expect(passes.at(-1)).toEqual({});
  });

  it('gives every shard exactly one replica among the live members', () => {
    const members = ['replica-a@1', 'replica-b@2', 'replica-c@3'];
    for (let shard = 0; shard < 16; shard++) {
      const owners = members.filter((m) => rankOf(m, `audit-pending#${shard}`, members) === 0);
      expect(owners).toHaveLength(1);
    }
  });

  it('runs the next pass at once only after a full one', async () => {
    jest.useFakeTimers();
    try {
      const full = recordingStore(100);
      const pump = new AuditPump({ store: full.store, prefix: 'a', everyMs: 5000, logger: silentLogger });
      pump.start();
      await jest.advanceTimersByTimeAsync(5000);
      await jest.advanceTimersByTimeAsync(10);
      expect(full.passes.length).toBeGreaterThan(2);
      await pump.stop();

      const partial = recordingStore(3);
      const slow = new AuditPump({ store: partial.store, prefix: 'a', everyMs: 5000, logger: silentLogger });
      slow.start();
      await jest.advanceTimersByTimeAsync(5000);
      await jest.advanceTimersByTimeAsync(10);
      expect(partial.passes).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(5000);
      expect(partial.passes).toHaveLength(2);
      await slow.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
