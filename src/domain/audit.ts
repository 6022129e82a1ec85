import type { Actor } from './chat-user';

/**
 * One accepted transition (or a refused attempt worth keeping). Stored under the record it is about,
 * keyed so that a retried write of the same event is harmless.
 */
export interface AuditEvent {
  subject: { kind: 'request' | 'grant'; id: string };
  /** Stable within the subject: the record's new version for a transition, plus a suffix for notes. */
  key: string;
  /** The record's version after the event (unchanged for a note such as a refused approval). */
  version: number;
  event: string;
  from: string;
  to: string;
  actor: Actor;
  /** Epoch milliseconds. */
  at: number;
  reason?: string;
  details?: Record<string, string | number | boolean>;
}

export function transitionKey(version: number): string {
  return String(version).padStart(8, '0');
}

export function noteKey(version: number, event: string, actorId: string): string {
  return `${transitionKey(version)}~${event}~${actorId}`;
}

/** The result of an accepted transition: the next record (history included) and its audit event. */
export interface Transition<R> {
  next: R;
  audit: AuditEvent;
}
