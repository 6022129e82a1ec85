import { AckFirstGate } from '../../../../adapters/slack/ack-first';
import { deliveryIdOf } from '../../../../adapters/slack/keyless-receiver';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AckFirstGate', () => {
  it('runs one piece of work at a time while requests wait for their ack, then up to the maximum', async () => {
    const gate = new AckFirstGate(3, 1);
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const work = () =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
      });
    gate.arrived();
    const all = [work(), work(), work(), work()];
    await tick();
    expect(running).toBe(1);
    gate.answered();
    await tick();
    expect(running).toBe(3);
    while (release.length) {
      release.shift()!();
      await tick();
    }
    await Promise.all(all);
    expect(peak).toBe(3);
  });
});

describe('deliveryIdOf', () => {
  it('names a delivery by event_id or trigger_id, and never dedupes options loads', () => {
    expect(deliveryIdOf({ event_id: 'Ev1', type: 'event_callback' })).toBe('evt:Ev1');
    expect(deliveryIdOf({ trigger_id: '1.2.3', command: '/aws-access' })).toBe('trg:1.2.3');
    expect(deliveryIdOf({ type: 'block_suggestion', trigger_id: 'x' })).toBeUndefined();
  });
});
