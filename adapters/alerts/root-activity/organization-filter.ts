/**
 * Root activity arrives from every account of the organization (org-wide forwarding puts the member
 * account in the event's `account`), on both paths: the SQS queue and the EventBridge endpoint.
 * An event whose account (or CloudTrail recipientAccountId) is not an account of the organization is
 * not keyless's to report: it is dropped, logged and counted, never recorded or posted. The member
 * list is read again when an unknown account shows up (a new account), at most once a minute.
 */
import type { IngestOutcome, Logger } from '../../../src';
import type { EventHandler } from './sqs-consumer';

export interface OrganizationFilterOptions {
  /** The organization's account ids (Organizations, through the catalog). A failure fails the event (retried). */
  memberAccounts: () => Promise<readonly string[]>;
  logger: Logger;
  /** The shortest time between two reloads of the member list. Default 60 s. */
  refreshMinMs?: number;
  now?: () => number;
}

function accountsOf(body: string): { id: string; accounts: string[] } | undefined {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!event || typeof event !== 'object') return undefined;
  const e = event as { id?: unknown; account?: unknown; detail?: { recipientAccountId?: unknown } };
  if (typeof e.account !== 'string') return undefined;
  const accounts = [e.account];
  const recipient = e.detail && typeof e.detail === 'object' ? e.detail.recipientAccountId : undefined;
  if (typeof recipient === 'string' && recipient !== e.account) accounts.push(recipient);
  return { id: typeof e.id === 'string' ? e.id : 'unknown', accounts };
}

export function organizationMembersOnly(ingest: EventHandler, options: OrganizationFilterOptions): EventHandler {
  const now = options.now ?? Date.now;
  const refreshMinMs = options.refreshMinMs ?? 60_000;
  let members: Set<string> | undefined;
  let loadedAt = 0;
  let loading: Promise<Set<string>> | undefined;
  const load = () => {
    loading ??= options
      .memberAccounts()
      .then((ids) => {
        members = new Set(ids);
        loadedAt = now();
        return members;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  let dropped = 0;

  return async (body: string): Promise<IngestOutcome> => {
    const event = accountsOf(body);
    // Not an event at all: the engine reports it as malformed.
    if (!event) return ingest(body);
    let known = members ?? (await load());
    if (event.accounts.some((a) => !known.has(a)) && now() - loadedAt >= refreshMinMs) known = await load();
    const outside = event.accounts.filter((a) => !known.has(a));
    if (outside.length === 0) return ingest(body);
    dropped++;
    options.logger.warn(
      { code: 'FOREIGN_ACCOUNT', eventId: event.id, accounts: outside, dropped },
      'security event from an account outside the organization dropped',
    );
    return {
      outcome: 'ignored',
      eventId: event.id,
      reason: `account ${outside.join(', ')} is not in the organization`,
    };
  };
}
