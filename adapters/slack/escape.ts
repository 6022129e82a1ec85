/**
 * Text a person typed (a reason, a ticket, a display name, a denial reason) rendered inside Slack
 * `mrkdwn`. Slack reads `<…>` as a mention, a special mention (`<!channel>`, `<!here>`), or a link
 * (`<https://evil|Click me>`), so `&`, `<` and `>` become entities, as Slack's formatting guide asks
 * (https://docs.slack.dev/messaging/formatting-message-text#escaping). Control and bidi-override
 * characters (which can disguise text) are dropped, and long text is cut.
 */

// C0/C1 controls except tab and newline, and Unicode bidi embeddings/overrides/isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export interface EscapeOptions {
  /** Longer text is cut with an ellipsis. Default 500. */
  maxLength?: number;
  /** Keep line breaks; otherwise they become spaces. Default false. */
  multiline?: boolean;
}

export function escapeText(value: string | undefined, options: EscapeOptions = {}): string {
  if (!value) return '';
  const max = options.maxLength ?? 500;
  let text = value.replace(/\r\n?/g, '\n').replace(UNSAFE, '').replace(/\t/g, ' ');
  if (!options.multiline) text = text.replace(/\n+/g, ' ');
  text = text.trim();
  if (text.length > max) text = `${text.slice(0, max - 1)}…`;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text for a `plain_text` object (option labels, modal titles). Slack does not parse it, so only
 * controls are removed and the length is bounded (option text holds at most 75 characters).
 */
export function plainText(value: string | undefined, maxLength = 75): string {
  if (!value) return '';
  const text = value.replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

const SLACK_ID = /^[UW][A-Z0-9]{2,}$/;

/** A mention of a Slack user by id; anything that is not a well-formed user id is shown escaped. */
export function mention(userId: string, fallbackName?: string): string {
  return SLACK_ID.test(userId) ? `<@${userId}>` : escapeText(fallbackName ?? userId);
}

/**
 * A ticket as a link when it is an https URL (the engine validated its shape), else as escaped text.
 * `|` would end a link's address and start its label, so it is percent-encoded.
 */
export function ticketLink(ticket: string | undefined): string {
  if (!ticket) return '';
  if (/^https:\/\/\S+$/.test(ticket)) {
    const url = escapeText(ticket.replace(/\|/g, '%7C'), { maxLength: 300 });
    return `<${url}>`;
  }
  return escapeText(ticket, { maxLength: 60 });
}
