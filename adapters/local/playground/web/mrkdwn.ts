/**
 * Slack's mrkdwn, rendered as Slack shows it: *bold*, _italic_, ~strike~, `code`, ```blocks```,
 * <@U…> mentions, <#C…> channels, <!date^…|fallback> dates in the reader's zone, <url|text> links,
 * :emoji: names, and the &amp; &lt; &gt; escapes. Everything else is text (HTML-escaped here).
 * https://docs.slack.dev/messaging/formatting-message-text
 */
const EMOJI: Record<string, string> = {
  hourglass_flowing_sand: '⏳',
  white_check_mark: '✅',
  no_entry: '⛔',
  heavy_multiplication_x: '✖️',
  alarm_clock: '⏰',
  gear: '⚙️',
  large_green_circle: '🟢',
  white_circle: '⚪',
  x: '❌',
  rotating_light: '🚨',
  mag: '🔍',
  warning: '⚠️',
  key: '🔑',
  lock: '🔒',
  bell: '🔔',
  wave: '👋',
  information_source: 'ℹ️',
  clock3: '🕒',
  stopwatch: '⏱️',
  red_circle: '🔴',
  large_yellow_circle: '🟡',
  bust_in_silhouette: '👤',
  memo: '📝',
  link: '🔗',
  shield: '🛡️',
  hammer_and_wrench: '🛠️',
  boom: '💥',
  eyes: '👀',
  heavy_plus_sign: '➕',
  hourglass: '⌛',
  inbox_tray: '📥',
  large_orange_circle: '🟠',
  repeat: '🔁',
  scales: '⚖️',
  thumbsup: '👍',
  '+1': '👍',
  unlock: '🔓',
  zzz: '💤',
  tada: '🎉',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const unescapeSlack = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function formatDate(seconds: number, format: string): string {
  const d = new Date(seconds * 1000);
  const date = d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return format
    .replace(/\{date_short_pretty\}|\{date_short\}|\{date\}|\{date_pretty\}/g, date)
    .replace(/\{time\}/g, time);
}

function inline(text: string): string {
  let html = escapeHtml(text);
  html = html.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
  html = html.replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, '$1<b>$2</b>');
  html = html.replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, '$1<i>$2</i>');
  html = html.replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, '$1<s>$2</s>');
  return html;
}

/** Text outside code spans: formatting, then the control sequences. */
function formatted(text: string, users: Map<string, string>): string {
  const parts = text.split(/(<[^<>]+>)/);
  return parts
    .map((part) => {
      const m = /^<([^<>]+)>$/.exec(part);
      if (!m) return inline(unescapeSlack(part));
      const [target, label] = m[1]!.split('|', 2) as [string, string | undefined];
      if (target.startsWith('@')) {
        const id = target.slice(1);
        return `<span class="mention">@${escapeHtml(users.get(id) ?? label ?? id)}</span>`;
      }
      if (target.startsWith('#')) return `<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`;
      if (target.startsWith('!date^')) {
        const [, seconds, format] = target.split('^');
        return `<time>${escapeHtml(formatDate(Number(seconds), format ?? '{date_short} {time}'))}</time>`;
      }
      if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(label ?? target.slice(1))}</span>`;
      const href = unescapeSlack(target);
      const safe = /^(https?:|mailto:)/i.test(href) ? href : '#';
      return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${inline(unescapeSlack(label ?? target))}</a>`;
    })
    .join('');
}

export function mrkdwn(text: string, users: Map<string, string>): string {
  return text
    .split(/(```[\s\S]*?```|`[^`\n]+`)/)
    .map((part) => {
      if (part.startsWith('```') && part.endsWith('```') && part.length >= 6) {
        return `<pre>${escapeHtml(unescapeSlack(part.slice(3, -3)))}</pre>`;
      }
      if (part.startsWith('`') && part.endsWith('`') && part.length >= 2) {
        return `<code>${escapeHtml(unescapeSlack(part.slice(1, -1)))}</code>`;
      }
      return formatted(part, users);
    })
    .join('')
    .replace(/\n/g, '<br>');
}

export function plainText(text: string): string {
  return escapeHtml(text).replace(/\n/g, '<br>');
}
