import * as AC from 'adaptivecards';

/**
 * What Microsoft's Adaptive Cards parser (the `adaptivecards` package, the renderer of Teams' web
 * client) finds wrong with a card: every parse event (an element or action type it does not know,
 * a property it cannot read) and every validation event (a duplicate input id, a choice set with
 * no choice, …). Empty when the card is sound.
 */
export function adaptiveCardProblems(json: unknown): string[] {
  const context = new AC.SerializationContext();
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  const validation = card.validateProperties();
  for (const e of validation.validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}
