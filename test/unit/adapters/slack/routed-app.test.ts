import type { App } from '@slack/bolt';
import { routedApp } from '../../../../adapters/slack/routed-app';

type Listener = (args: unknown) => Promise<void>;

/** Just what routedApp touches of Bolt's App: the listeners it registers, and a pass-through. */
function fakeBolt() {
  const registered: { kind: 'action' | 'view'; constraint: unknown; listener: Listener }[] = [];
  const commands: string[] = [];
  const app = {
    action: (constraint: unknown, listener: Listener) => registered.push({ kind: 'action', constraint, listener }),
    view: (constraint: unknown, listener: Listener) => registered.push({ kind: 'view', constraint, listener }),
    command: (name: string) => commands.push(name),
  };
  const deliver = (kind: 'action' | 'view', args: unknown) =>
    Promise.all(registered.filter((r) => r.kind === kind).map((r) => r.listener(args)));
  return { app: app as unknown as App, registered, commands, deliver };
}

describe('routedApp', () => {
  it('puts one Bolt listener in front of all buttons and one in front of all forms, and finds each by its id', async () => {
    const bolt = fakeBolt();
    const routes = routedApp(bolt.app);
    const calls: string[] = [];
    routes.action('approve_request', async () => void calls.push('approve'));
    routes.action('deny_request', async () => void calls.push('deny'));
    routes.view('keyless_deny_modal', async () => void calls.push('deny form'));
    expect(bolt.registered.map((r) => r.kind)).toEqual(['action', 'view']);

    await bolt.deliver('action', { action: { action_id: 'deny_request', type: 'button' } });
    await bolt.deliver('view', { view: { callback_id: 'keyless_deny_modal' } });
    await bolt.deliver('action', { action: { action_id: 'approve_request', type: 'button' } });
    expect(calls).toEqual(['deny', 'deny form', 'approve']);
  });

  it('leaves an id nobody registered alone (not acked, so the receiver answers 404)', async () => {
    const bolt = fakeBolt();
    const routes = routedApp(bolt.app);
    const ack = jest.fn();
    routes.action('approve_request', async () => undefined);
    await bolt.deliver('action', { action: { action_id: 'something_else', type: 'button' }, ack });
    await bolt.deliver('action', { action: { type: 'dialog_submission', callback_id: 'x' }, ack });
    await bolt.deliver('view', { view: { callback_id: 'unknown_modal' }, ack });
    expect(ack).not.toHaveBeenCalled();
  });

  it('refuses a second listener for one id, a pattern, and listener middleware, at start', () => {
    const routes = routedApp(fakeBolt().app);
    routes.action('approve_request', async () => undefined);
    expect(() => routes.action('approve_request', async () => undefined)).toThrow('registered twice: approve_request');
    expect(() => routes.action(/approve/, async () => undefined)).toThrow('one string id and one function');
    expect(() =>
      routes.view(
        'keyless_deny_modal',
        async () => undefined,
        async () => undefined,
      ),
    ).toThrow('one string id and one function');
  });

  it('passes everything else to Bolt as it is', () => {
    const bolt = fakeBolt();
    routedApp(bolt.app).command('/aws-access', async () => undefined);
    expect(bolt.commands).toEqual(['/aws-access']);
  });
});
