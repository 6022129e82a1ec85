import { AckFirstGate } from '../../../../adapters/slack/ack-first';
import { DeliveryDedupe } from '../../../../adapters/slack/delivery-dedupe';
import { silentLogger, type Logger } from '../../../../src';
import { InMemoryGrantStore } from '../../../fakes/in-memory-grant-store';

const tick = () => new Promise((resolve) => setImmediate(resolve));
const command = (trigger: string) => ({ command: '/aws-access', text: 'help', trigger_id: trigger });
const event = (id: string) => ({ type: 'event_callback', event_id: id, event: { type: 'app_home_opened' } });

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const logger: Logger = {
    debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
    child: () => logger,
  };
  return { logger, lines };
}

describe('DeliveryDedupe', () => {
  it('admits a first delivery, drops the same id again in this process, and counts it', async () => {
    const store = new InMemoryGrantStore();
    const { logger, lines } = recordingLogger();
    const dedupe = new DeliveryDedupe({ store, logger });
    expect(await dedupe.admit(command('1.1.a'), false)).toBe(true);
    expect(await dedupe.admit(command('1.1.a'), false)).toBe(false);
    expect(await dedupe.admit(command('1.1.a'), true, 1)).toBe(false);
    expect(await dedupe.admit(command('1.2.b'), false)).toBe(true);
    expect(dedupe.deduped).toBe(2);
    expect(lines.filter((l) => l.message === 'duplicate slack delivery ignored').map((l) => l.fields)).toEqual([
      { platform: 'slack', deliveryId: 'trg:1.1.a', retryNum: undefined },
      { platform: 'slack', deliveryId: 'trg:1.1.a', retryNum: 1 },
    ]);
  });

  it('remembers first deliveries in the store, so that a retry another replica receives is dropped', async () => {
    const store = new InMemoryGrantStore();
    const here = new DeliveryDedupe({ store, logger: silentLogger, dedupeTtlSeconds: 60 });
    const there = new DeliveryDedupe({ store, logger: silentLogger, dedupeTtlSeconds: 60 });
    expect(await here.admit(event('Ev1'), false)).toBe(true);
    await tick();
    expect(await store.rememberOnce('slack#evt:Ev1', Date.now(), 60)).toBe(false);
    expect(await there.admit(event('Ev1'), true, 1)).toBe(false);
    // A retry of something nobody handled (the first delivery was lost) is handled.
    expect(await there.admit(event('Ev2'), true, 1)).toBe(true);
    expect(there.deduped).toBe(1);
  });

  it('writes the id of a first delivery only through the gate, after the acks', async () => {
    const store = new InMemoryGrantStore();
    const gate = new AckFirstGate(8, 0);
    const dedupe = new DeliveryDedupe({ store, logger: silentLogger, gate });
    gate.arrived();
    expect(await dedupe.admit(command('2.1.a'), false)).toBe(true);
    await tick();
    expect(store.writes).toBe(0);
    gate.answered();
    await tick();
    await tick();
    expect(store.writes).toBe(1);
  });

  it('handles a retry when the store cannot say (twice is safer than never), and says so', async () => {
    const { logger, lines } = recordingLogger();
    const down = { rememberOnce: () => Promise.reject(new Error('store down')) };
    const dedupe = new DeliveryDedupe({ store: down, logger });
    expect(await dedupe.admit(event('Ev3'), true, 2)).toBe(true);
    expect(await dedupe.admit(event('Ev4'), false)).toBe(true);
    await tick();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'dedupe store unavailable',
      'delivery id not remembered',
    ]);
    expect(dedupe.deduped).toBe(0);
  });

  it('admits what has no delivery id (options loads) every time, and remembers nothing', async () => {
    const store = new InMemoryGrantStore();
    const dedupe = new DeliveryDedupe({ store, logger: silentLogger });
    const suggestion = { type: 'block_suggestion', trigger_id: 'x', value: 'pro' };
    expect(await dedupe.admit(suggestion, false)).toBe(true);
    expect(await dedupe.admit(suggestion, true, 1)).toBe(true);
    await tick();
    expect(store.writes).toBe(0);
  });

  it('forgets an id after its time to live', async () => {
    let now = 1_000_000;
    const store = new InMemoryGrantStore();
    const dedupe = new DeliveryDedupe({ store, logger: silentLogger, dedupeTtlSeconds: 10, now: () => now });
    expect(await dedupe.admit(command('3.1.a'), false)).toBe(true);
    now += 9_000;
    expect(await dedupe.admit(command('3.1.a'), true, 1)).toBe(false);
    now += 2_000;
    expect(await dedupe.admit(command('3.1.a'), true, 1)).toBe(true);
  });
});
