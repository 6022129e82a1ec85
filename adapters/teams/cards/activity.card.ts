import { activitySummaryText, type ActivitySummary, type Grant } from '../../../src';
import { adaptiveCard, b, heading, text, type AdaptiveCard, type CardElement } from './card';
import { escapeCardText } from './escape';

/**
 * What an ended grant did (its CloudTrail activity): the counts, the write actions (most significant
 * first) as a list, what the numbers do not cover, and a button to CloudTrail's event history. Every
 * text from AWS or the directory is escaped (escapeCardText): an action or a Region name cannot
 * become a link or break the layout.
 */
export function activityElements(s: ActivitySummary): CardElement[] {
  const t = activitySummaryText(s);
  const elements: CardElement[] = [
    text(
      `${s.final ? '**What this access did**' : '**What this access did** (early summary)'}: ${escapeCardText(t.headline, { maxLength: 400 })}`,
    ),
  ];
  if (t.writes.length > 0) {
    elements.push(text(t.writes.map((w) => `- ${escapeCardText(w, { maxLength: 160 })}`).join('\n')));
  }
  elements.push(text(escapeCardText(t.notes.join(' '), { maxLength: 2000 }), { isSubtle: true }));
  elements.push({
    type: 'ActionSet',
    actions: [{ type: 'Action.OpenUrl', title: 'CloudTrail event history', url: s.consoleUrl }],
  });
  return elements;
}

/** To the grantee's 1:1 chat: what the grant did, early or final. */
export function grantActivityCard(g: Grant, s: ActivitySummary, first: boolean): AdaptiveCard {
  return adaptiveCard([
    heading(first ? '🔎 What your access did' : '🔎 Updated: what your access did'),
    text(
      `${b(g.permissionSetName)} on ${b(`${g.accountName} (${g.accountId})`)}, grant ${escapeCardText(g.id, { maxLength: 80 })}.`,
    ),
    ...activityElements(s),
  ]);
}
