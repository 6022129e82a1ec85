import { ADAPTIVE_CARD_CONTENT_TYPE, type Verb } from '../verbs';
import { escapeCardText } from './escape';

/**
 * Just enough of the Adaptive Card schema (1.5, the highest Teams renders) to build cards as plain
 * data. Cards are pure functions of their inputs: same input, same JSON (snapshot-tested).
 */
export interface CardElement {
  type: string;
  [key: string]: unknown;
}

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: CardElement[];
  actions?: CardElement[];
  refresh?: { action: CardElement; userIds?: string[] };
  msteams?: { width: 'Full' };
}

export interface CardAttachment {
  contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
  content: AdaptiveCard;
}

export const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams refreshes a card automatically for at most 60 listed users. */
export const MAX_REFRESH_USERS = 60;

export function adaptiveCard(
  body: CardElement[],
  options: { actions?: CardElement[]; refresh?: AdaptiveCard['refresh'] } = {},
): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    body,
    ...(options.actions && options.actions.length > 0 ? { actions: options.actions } : {}),
    ...(options.refresh ? { refresh: options.refresh } : {}),
    msteams: { width: 'Full' },
  };
}

export function attachment(card: AdaptiveCard): CardAttachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

/** A TextBlock. `markdown` is trusted text written by keyless; escape user text before putting it in. */
export function text(markdown: string, style: Partial<Omit<CardElement, 'type' | 'text'>> = {}): CardElement {
  return { type: 'TextBlock', text: markdown, wrap: true, ...style };
}

export function heading(markdown: string): CardElement {
  return text(markdown, { size: 'Medium', weight: 'Bolder' });
}

/** Facts whose values are user text: escaped here. Empty values are left out. */
export function facts(pairs: readonly (readonly [string, string | undefined])[]): CardElement {
  return {
    type: 'FactSet',
    facts: pairs
      .filter((p): p is readonly [string, string] => Boolean(p[1]))
      .map(([title, value]) => ({ title, value: escapeCardText(value, { maxLength: 500 }) })),
  };
}

export function execute(
  title: string,
  verb: Verb,
  data: Record<string, unknown>,
  style?: 'positive' | 'destructive',
): CardElement {
  return { type: 'Action.Execute', title, verb, data: { verb, ...data }, ...(style ? { style } : {}) };
}

export function showCard(title: string, card: AdaptiveCard): CardElement {
  const { $schema: _schema, msteams: _msteams, ...inner } = card;
  return { type: 'Action.ShowCard', title, card: inner };
}

export const b = (userText: string | undefined): string => `**${escapeCardText(userText, { maxLength: 200 })}**`;
