import type { BlockAction, RespondFn } from '@slack/bolt';
import type { ListenerContext, ReplyTarget } from '../context';

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
