import type { BlockAction, RespondFn } from '@slack/bolt';
import { section } from '../../blocks/common.blocks';
import { replyPrivately, type ListenerContext, type ReplyTarget } from '../context';

/** Where a private answer to a click goes: the message's response_url, or the App Home. */
export function replyTargetOf(body: BlockAction, respond: RespondFn | undefined): ReplyTarget {
  const container = body.container as { type?: string; channel_id?: string } | undefined;
  return {
    userId: body.user.id,
    ...(body.response_url && respond ? { respond } : {}),
    ...(container?.type === 'message' && container.channel_id ? { channel: container.channel_id } : {}),
  };
}

export const fromHome = (body: BlockAction): boolean => body.view?.type === 'home';

/** After a click in the App Home, show the Home as it is now. */
export async function refreshHomeIfThere(ctx: ListenerContext, body: BlockAction): Promise<void> {
  if (fromHome(body)) await ctx.publishHome(body.user.id).catch(() => undefined);
}

/** A button's value is a record id and nothing else; anything longer or odd is ignored. */
export function idFromButton(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : undefined;
}

/** What the clicker sees when a button's value is not one keyless made. */
export const INVALID_BUTTON_TEXT =
  'This button is not valid (its value was changed or is damaged), so nothing was done. Use the buttons on the latest message, or `/aws-access list`.';

/**
 * A button whose value does not parse (tampered with, or damaged): nothing changes, the clicker is
 * told so privately, and the log names the button and the clicker but never the value.
 */
export async function refuseInvalidButton(
  ctx: ListenerContext,
  body: BlockAction,
  respond: RespondFn | undefined,
  actionId: string,
): Promise<void> {
  ctx.logger.warn(
    { actor: `slack:${body.user.id}`, actionId, code: 'INVALID_BUTTON' },
    'button value not valid; nothing done',
  );
  await replyPrivately(ctx, replyTargetOf(body, respond), {
    text: INVALID_BUTTON_TEXT,
    blocks: [section(`:warning: ${INVALID_BUTTON_TEXT}`)],
  });
}
