import type { App } from '@slack/bolt';
import { accountOption } from '../../blocks/request-modal.blocks';
import type { PlainTextOption } from '../../blocks/common.blocks';
import { Actions } from '../../ids';
import type { ListenerContext } from '../context';

/** Type-ahead over every account (external select: no 100-option limit on the catalog). */
export function registerAccountOptions(app: App, ctx: ListenerContext): void {
  const load = async ({
    ack,
    options,
  }: {
    ack: (a: { options: PlainTextOption[] }) => Promise<void>;
    options: { value?: unknown };
  }) => {
    try {
      const accounts = await ctx.engine.findAccounts(String(options.value ?? ''), 100);
      await ack({ options: accounts.map(accountOption) });
    } catch (error) {
      ctx.logger.warn({ err: error }, 'account options failed');
      await ack({ options: [] });
    }
  };
  // The request form's "More accounts" (a multi-account request) offers the same accounts.
  app.options(Actions.moreAccountsSelect, load);
  app.options(Actions.accountSelect, async ({ ack, options }) => {
    try {
      const accounts = await ctx.engine.findAccounts(String(options.value ?? ''), 100);
      await ack({ options: accounts.map(accountOption) });
    } catch (error) {
      ctx.logger.warn({ err: error }, 'account options failed');
      await ack({ options: [] });
    }
  });
}
