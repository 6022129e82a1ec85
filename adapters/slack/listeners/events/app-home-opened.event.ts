import type { App } from '@slack/bolt';
import type { ListenerContext } from '../context';

/** The Home tab: render the person's grants and pending approvals each time they open it. */
export function registerAppHomeOpened(app: App, ctx: ListenerContext): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await ctx
      .afterAck(() => ctx.publishHome(event.user))
      .catch((error: unknown) => {
        ctx.logger.warn({ err: error, actor: `slack:${event.user}` }, 'app home not published');
      });
  });
}
