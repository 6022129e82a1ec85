/**
 * Text a person typed (a reason, a ticket, a display name) shown inside an Adaptive Card TextBlock or
 * FactSet. Teams renders a Markdown subset there (https://aka.ms/ACTextFeatures): `**bold**`, `_italic_`,
 * `- ` and `1. ` lists, and `[title](url)` links. A requester must not be able to dress a reason up as
 * a link to somewhere else, or break the layout, so every character that starts one of those is
 * backslash-escaped, and control and bidi-override characters (which can disguise text) are dropped.
 */

// C0/C1 controls except tab and newline, and Unicode bidi embeddings/overrides/isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// Brackets are enough to break `[text](url)`; parentheses alone are plain text.
const MARKDOWN = /[\\*_[\]`~]/g;

export interface EscapeOptions {
  /** Longer text is cut with an ellipsis. Default 1000. */
  maxLength?: number;
  /** Keep line breaks (each line escaped on its own); otherwise they become spaces. Default false. */
  multiline?: boolean;
}

export function escapeCardText(value: string | undefined, options: EscapeOptions = {}): string {
  if (!value) return '';
  const max = options.maxLength ?? 1000;
  let text = value.replace(/\r\n?/g, '\n').replace(UNSAFE, '').replace(/\t/g, ' ');
  if (!options.multiline) text = text.replace(/\n+/g, ' ');
  text = text.trim();
  if (text.length > max) text = `${text.slice(0, max - 1)}…`;
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(MARKDOWN, (c) => `\\${c}`)
        // A line that starts like a list item ("- x", "+ x", "1. x") would render as a list.
        .replace(/^(\s*)([-+])(\s)/, '$1\\$2$3')
        .replace(/^(\s*\d+)\.(\s)/, '$1\\.$2'),
    )
    .join('\n');
}
