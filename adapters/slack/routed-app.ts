import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';

type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;
type Handler<A> = (args: A) => Promise<void>;

/**
 * Bolt hands every delivery to every listener, each running its own matchers, so the cost of a
 * delivery grows with the number of listeners (keyless has about twenty buttons and forms). The
 * listeners register on this view of the App exactly as on the App; it keeps the button and form
 * listeners in maps and puts one Bolt listener for actions and one for view submissions in front,
 * which finds the listener by action_id or callback_id. An id nobody registered is not acked, as
 * before (the receiver answers 404). Ids must be strings, one listener each: a second one for the
 * same id, or a pattern, is a mistake and throws at start.
 */
export function routedApp(app: App): App {
  const actions = new Map<string, Handler<ActionArgs>>();
  const views = new Map<string, Handler<ViewArgs>>();

  const register =
    <A>(kind: string, routes: Map<string, Handler<A>>) =>
    (id: unknown, ...listeners: unknown[]): void => {
      if (typeof id !== 'string' || listeners.length !== 1 || typeof listeners[0] !== 'function') {
        throw new Error(`slack ${kind} listeners are registered by one string id and one function`);
      }
      if (routes.has(id)) throw new Error(`slack ${kind} listener registered twice: ${id}`);
      routes.set(id, listeners[0] as Handler<A>);
    };

  app.action(/.*/, async (args) => {
    const id = 'action_id' in args.action ? args.action.action_id : undefined;
    const handler = id === undefined ? undefined : actions.get(id);
    if (handler) await handler(args);
  });
  app.view(/.*/, async (args) => {
    const handler = views.get(args.view.callback_id);
    if (handler) await handler(args);
  });

  const registerAction = register('action', actions);
  const registerView = register('view', views);
  return new Proxy(app, {
    get(target, property, receiver) {
      if (property === 'action') return registerAction;
      if (property === 'view') return registerView;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
