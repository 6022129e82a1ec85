/**
 * KeylessSocketReceiver between Bolt's Socket Mode client and Bolt's App, without a socket:
 * envelopes are emitted on the client as it emits them when they arrive.
 */
import type { App, ReceiverEvent } from '@slack/bolt';
import { AckFirstGate } from '../../../../adapters/slack/ack-first';
import { KeylessSocketReceiver, withoutPayloads } from '../../../../adapters/slack/socket-receiver';
import { silentLogger } from '../../../../src';
import { InMemoryGrantStore } from '../../../fakes/in-memory-grant-store';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function setup(processEvent: (event: ReceiverEvent) => Promise<void>, gate = new AckFirstGate(8, 0)) {
  const receiver = new KeylessSocketReceiver({
    appToken: 'xapp-unit',
    logger: silentLogger,
    store: new InMemoryGrantStore(),
    gate,
  });
  receiver.init({ processEvent } as unknown as App);
  const acks: { envelope: string; response: unknown }[] = [];
  /** What Bolt's client emits for one envelope. */
  const envelope = (id: string, body: Record<string, unknown>, retryNum?: number) => {
    receiver.bolt.client.emit('slack_event', {
      ack: async (response?: unknown) => {
        acks.push({ envelope: id, response });
      },
      envelope_id: id,
      type: body.event_id ? 'events_api' : 'slash_commands',
      body,
      retry_num: retryNum,
      accepts_response_payload: !body.event_id,
    });
  };
  return { receiver, gate, acks, envelope };
}

describe('KeylessSocketReceiver', () => {
  it('holds work after an ack while another envelope waits for its ack (the ack-first gate)', async () => {
    const order: string[] = [];
    let releaseSlow!: () => void;
    const { receiver, gate, envelope } = setup(async (event) => {
      if (event.body.text === 'slow') await new Promise<void>((resolve) => (releaseSlow = resolve));
      await event.ack();
      order.push(`acked ${String(event.body.text)}`);
      await gate.run(async () => {
        order.push(`worked ${String(event.body.text)}`);
      });
    });
    envelope('E1', { command: '/aws-access', text: 'slow', trigger_id: 't1' });
    envelope('E2', { command: '/aws-access', text: 'fast', trigger_id: 't2' });
    await tick();
    await tick();
    expect(order).toEqual(['acked fast']);
    releaseSlow();
    await receiver.idle();
    expect(order).toEqual(['acked fast', 'acked slow', 'worked fast', 'worked slow']);
  });

  it('acks a retried envelope it already handled with nothing, and does not hand it to the app', async () => {
    const handled: unknown[] = [];
    const { receiver, acks, envelope } = setup(async (event) => {
      handled.push(event.body.trigger_id);
      await event.ack({ text: 'done' });
    });
    const body = { command: '/aws-access', text: 'help', trigger_id: 't3' };
    envelope('E3', body);
    await receiver.idle();
    envelope('E4', body, 1);
    await receiver.idle();
    expect(handled).toEqual(['t3']);
    expect(acks).toEqual([
      { envelope: 'E3', response: { text: 'done' } },
      { envelope: 'E4', response: undefined },
    ]);
    expect(receiver.deduped).toBe(1);
  });

  it('takes retry_attempt 0 (every first delivery of an event) for a first delivery', async () => {
    const handled: unknown[] = [];
    const { receiver, envelope } = setup(async (event) => {
      handled.push(event.body.event_id);
      await event.ack();
    });
    envelope('E5', { type: 'event_callback', event_id: 'Ev5', event: { type: 'app_home_opened' } }, 0);
    envelope('E6', { type: 'event_callback', event_id: 'Ev6', event: { type: 'app_home_opened' } }, 0);
    await receiver.idle();
    expect(handled).toEqual(['Ev5', 'Ev6']);
    expect(receiver.deduped).toBe(0);
  });

  it('releases the gate for an envelope nobody acked', async () => {
    const ran: string[] = [];
    const { receiver, gate, envelope } = setup(async () => undefined);
    envelope('E7', { type: 'block_actions', trigger_id: 't7', actions: [{ action_id: 'unknown' }] });
    await receiver.idle();
    await gate.run(async () => {
      ran.push('after');
    });
    expect(ran).toEqual(['after']);
  });
});

describe('withoutPayloads', () => {
  it('cuts JSON out of what Bolt writes, and keeps the rest of the line', () => {
    const lines: string[] = [];
    const logger = withoutPayloads({
      debug: (...m: unknown[]) => lines.push(m.join(' ')),
      info: (...m: unknown[]) => lines.push(m.join(' ')),
      warn: (...m: unknown[]) => lines.push(m.join(' ')),
      error: (...m: unknown[]) => lines.push(m.join(' ')),
      setLevel: () => undefined,
      getLevel: () => 'debug' as never,
      setName: () => undefined,
    });
    logger.debug('Received a message on the WebSocket: {"payload":{"token":"secret"}}');
    logger.debug('ack() call begins (body: {"text":"hi"})');
    logger.info('Going to retrieve a new WSS URL ...', { url: 'wss://x' });
    expect(lines).toEqual([
      'Received a message on the WebSocket: [redacted]',
      'ack() call begins (body: [redacted])',
      'Going to retrieve a new WSS URL ... [redacted]',
    ]);
  });
});
