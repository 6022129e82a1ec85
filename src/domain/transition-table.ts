import { ErrorCodes, KeylessError } from './errors';

/**
 * A transition table: for each state, the events it accepts and what they lead to. Anything not in
 * the table is an InvalidTransition; an event listed in `repeatable` for a state is a no-op there
 * (the same event delivered again by a retry or a double click).
 */
export type TransitionTable<S extends string, E extends { type: string }, R> = {
  [state in S]: {
    on: { [type in E['type']]?: (record: R, event: Extract<E, { type: type }>) => R | 'noop' };
    repeatable?: ReadonlyArray<E['type']>;
  };
};

export function applyTransition<S extends string, E extends { type: string }, R extends { status: S }>(
  kind: string,
  table: TransitionTable<S, E, R>,
  record: R,
  event: E,
): R | 'noop' {
  const row = table[record.status];
  const handler = row.on[event.type as E['type']] as ((r: R, e: E) => R | 'noop') | undefined;
  if (handler) return handler(record, event);
  if (row.repeatable?.includes(event.type as E['type'])) return 'noop';
  throw new KeylessError(
    ErrorCodes.InvalidTransition,
    `A ${kind} that is ${record.status.replace('_', ' ')} cannot take "${event.type}".`,
    {
      details: { kind, from: record.status, event: event.type },
    },
  );
}
