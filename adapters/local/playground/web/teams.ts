/**
 * Adaptive Cards as Teams renders them, with Microsoft's own renderer (`adaptivecards` on npm):
 * a card is parsed, rendered to HTML, and its Action.Execute clicks come back through
 * `onExecuteAction` with the verb and the data (inputs merged), which the page sends to the
 * loopback Teams connector as an `adaptiveCard/action` invoke, as Teams does.
 * https://learn.microsoft.com/en-us/adaptive-cards/sdk/rendering-cards/javascript/render-a-card
 */
import * as AdaptiveCards from 'adaptivecards';
import { escapeHtml } from './mrkdwn';

/** The little Markdown Teams supports in TextBlocks: **bold**, _italic_, [links](…), lists, line breaks. */
export function teamsMarkdown(text: string): string {
  // Backslash escapes (\[ \] \* \_ \`) show the character itself, as in Teams.
  const lines = escapeHtml(text.replace(/\\([[\]\\*_`()#>-])/g, (_m, c: string) => `&#${c.charCodeAt(0)};`))
    .replace(/&amp;#(\d+);/g, '&#$1;')
    .split('\n');
  const html: string[] = [];
  let inList = false;
  for (const raw of lines) {
    let line = raw
      .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
      .replace(/(^|\s)_([^_]+)_(?=\s|$|[.,;:!?])/g, '$1<i>$2</i>')
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
    const item = /^\s*[-*] (.*)$/.exec(line);
    if (item) {
      if (!inList) html.push('<ul>');
      inList = true;
      html.push(`<li>${item[1]}</li>`);
      continue;
    }
    if (inList) html.push('</ul>');
    inList = false;
    line = line || '&nbsp;';
    html.push(`<p>${line}</p>`);
  }
  if (inList) html.push('</ul>');
  return html.join('');
}

AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = teamsMarkdown(text);
  result.didProcess = true;
};

const hostConfig = new AdaptiveCards.HostConfig({
  fontFamily: '"Segoe UI", system-ui, -apple-system, sans-serif',
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 28, padding: 12 },
  supportsInteractivity: true,
  fontSizes: { small: 12, default: 14, medium: 16, large: 19, extraLarge: 22 },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: {
        default: { default: '#242424', subtle: '#616161' },
        accent: { default: '#5B5FC7', subtle: '#7F85F5' },
        good: { default: '#0E700E', subtle: '#107C10' },
        warning: { default: '#8A5A00', subtle: '#B07800' },
        attention: { default: '#C4314B', subtle: '#D13438' },
      },
    },
    emphasis: { backgroundColor: '#F5F5F5' },
  },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    showCard: { actionMode: 'inline', inlineTopMargin: 12 },
  },
});

export interface CardCallbacks {
  execute(verb: string, data: unknown): void;
}

/** Renders one card; a card the renderer cannot parse is shown with its problem, never hidden. */
export function renderCard(payload: unknown, callbacks: CardCallbacks): HTMLElement {
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = hostConfig;
  card.onExecuteAction = (action) => {
    if (action instanceof AdaptiveCards.ExecuteAction) callbacks.execute(action.verb, action.data ?? {});
    else if (action instanceof AdaptiveCards.SubmitAction) callbacks.execute('', action.data ?? {});
    else if (action instanceof AdaptiveCards.OpenUrlAction && action.url) window.open(action.url, '_blank', 'noopener');
  };
  const errors: string[] = [];
  const context = new AdaptiveCards.SerializationContext();
  card.parse(payload, context);
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    const ignorable = [AdaptiveCards.ValidationEvent.Hint, AdaptiveCards.ValidationEvent.Deprecated];
    if (e.phase === AdaptiveCards.ValidationPhase.Parse && !ignorable.includes(e.event)) errors.push(e.message);
  }
  const node = card.render() ?? document.createElement('div');
  const wrap = document.createElement('div');
  wrap.className = 'ac-wrap';
  wrap.append(node);
  if (errors.length) {
    const note = document.createElement('div');
    note.className = 'ac-problems';
    note.textContent = errors.join(' · ');
    wrap.append(note);
  }
  return wrap;
}
