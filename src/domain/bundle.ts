import type { AccessRequest, BundleRefusal } from './access-request';
import { findAccount, type Account } from './catalog';
import { formatDuration, formatLocalTime } from './duration';
import { ErrorCodes, KeylessError } from './errors';
import type { DomainEvent } from './events';
import type { Grant } from './grant';

/**
 * Several accounts in one request (issue 16). A bundle is not a second kind of request: it is one
 * AccessRequest per account, each decided by the policy on its own, each with its own approvals,
 * grant, expiry and revocation, tied by `request.bundle`. So every guarantee of a single request
 * (one active grant per slot, approvals counted per rule, audit, revocation on time) holds for
 * each account of a bundle unchanged. Pure: no clock, no I/O.
 */

/** The default of the policy's `maxAccountsPerRequest`. */
export const DEFAULT_MAX_ACCOUNTS_PER_REQUEST = 10;

/**
 * The targets typed or picked: `prod,staging,ou:Payments` (commas, and spaces after them, separate
 * them). Empty parts are dropped; the order is kept.
 */
export function splitAccountTargets(text: string | readonly string[]): string[] {
  const parts = typeof text === 'string' ? text.split(',') : text.flatMap((t) => t.split(','));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** True when the text names more than one account or an OU: a multi-account request. */
export function isMultiAccountTarget(text: string): boolean {
  const targets = splitAccountTargets(text);
  return targets.length > 1 || targets.some((t) => t.toLowerCase().startsWith('ou:'));
}

/**
 * The accounts the targets name, in the order typed, each once: an account by id or exact name, or
 * `ou:<name or id>` for every account under that OU (its sub-OUs included, as the policy's `ou:`
 * matcher reads it). A target nothing matches is an error that names it: no guess is made for an
 * access decision.
 */
export function expandAccountTargets(catalog: readonly Account[], targets: readonly string[]): Account[] {
  const out = new Map<string, Account>();
  const unknown: string[] = [];
  for (const target of targets) {
    if (target.toLowerCase().startsWith('ou:')) {
      const ou = target.slice(3).trim();
      const needle = ou.toLowerCase();
      const under = catalog.filter(
        (a) => a.ouPath.includes(ou) || (a.ouNames ?? []).some((n) => n.toLowerCase() === needle),
      );
      if (under.length === 0) unknown.push(target);
      for (const a of under) out.set(a.id, a);
      continue;
    }
    const account = findAccount(catalog, target);
    if (account) out.set(account.id, account);
    else unknown.push(target);
  }
  if (unknown.length > 0) {
    throw new KeylessError(
      ErrorCodes.UnknownAccount,
      `I don't know ${unknown.length === 1 ? 'an account or OU called' : 'these accounts or OUs:'} ${unknown.map((u) => `"${u}"`).join(', ')}.`,
      { hint: 'Use 12-digit ids, exact names or ou:<OU name>; `accounts <filter>` lists them.' },
    );
  }
  return [...out.values()];
}

/** Refuses a bundle larger than the policy allows, saying how many were asked and the limit. */
export function checkBundleSize(count: number, max: number, typed: readonly string[]): void {
  if (count === 0) {
    throw new KeylessError(ErrorCodes.InvalidInput, 'Name at least one account.', {
      hint: 'For example: request prod,staging ReadOnlyAccess 2h reason.',
    });
  }
  if (count > max) {
    const ous = typed.filter((t) => t.toLowerCase().startsWith('ou:'));
    throw new KeylessError(
      ErrorCodes.InvalidInput,
      `You asked for ${count} accounts${ous.length > 0 ? ` (${ous.join(', ')} expanded)` : ''}; one request may name at most ${max} (policy maxAccountsPerRequest). Nothing was requested.`,
      { hint: `Split it into requests of ${max} accounts or fewer.`, details: { count, max } },
    );
  }
}

/** Where one account of a bundle stands, for every renderer (Slack and Teams say the same). */
export type BundleEntryState =
  | 'refused'
  | 'pending'
  | 'denied'
  | 'cancelled'
  | 'timed_out'
  | 'approved'
  | 'scheduled'
  | 'provisioning'
  | 'active'
  | 'failed'
  | 'ending'
  | 'ended';

export interface BundleEntry {
  accountId: string;
  accountName: string;
  state: BundleEntryState;
  /** One line, plain text (the adapters escape it). */
  line: string;
  request?: AccessRequest;
  grant?: Grant;
  /** True while End now can end this account's access. */
  endable: boolean;
}

/** A bundle as its messages show it: one entry per account asked, refused ones included, in order. */
export interface BundleView {
  id: string;
  requests: AccessRequest[];
  grants: Grant[];
  refused: BundleRefusal[];
}

export function bundleEntries(view: BundleView, zone?: string): BundleEntry[] {
  const grantOf = new Map(view.grants.map((g) => [g.id as string, g]));
  const entries: BundleEntry[] = view.requests.map((request) => {
    const grant = request.grantId ? grantOf.get(request.grantId) : undefined;
    const { state, line } = entryState(request, grant, zone);
    return {
      accountId: request.accountId,
      accountName: request.accountName,
      state,
      line,
      request,
      ...(grant ? { grant } : {}),
      endable:
        grant !== undefined &&
        (grant.status === 'active' || grant.status === 'provisioning' || grant.status === 'scheduled'),
    };
  });
  for (const r of view.refused) {
    entries.push({
      accountId: r.accountId,
      accountName: r.accountName,
      state: 'refused',
      line: `refused by policy: ${r.why}`,
      endable: false,
    });
  }
  return entries;
}

function entryState(
  request: AccessRequest,
  grant: Grant | undefined,
  zone: string | undefined,
): { state: BundleEntryState; line: string } {
  const rule = `rule ${request.rule}`;
  switch (request.status) {
    case 'pending':
      return {
        state: 'pending',
        line: `waiting for approval: ${request.approvals.length} of ${request.approvalsRequired} (${rule})`,
      };
    case 'denied':
      return { state: 'denied', line: `denied: ${request.denial?.reason ?? 'no reason given'}` };
    case 'cancelled':
      return { state: 'cancelled', line: 'cancelled' };
    case 'timed_out':
      return { state: 'timed_out', line: 'timed out: nobody decided in time' };
    case 'approved':
      break;
  }
  if (!grant) return { state: 'approved', line: `approved (${rule}): setting up access…` };
  switch (grant.status) {
    case 'scheduled':
      return {
        state: 'scheduled',
        line: `approved: starts ${formatLocalTime(grant.startsAt ?? 0, zone)}, nothing assigned before`,
      };
    case 'provisioning':
      return { state: 'provisioning', line: 'approved: setting up access in AWS…' };
    case 'active':
      return {
        state: 'active',
        line:
          grant.expiresAt !== undefined
            ? `active until ${formatLocalTime(grant.expiresAt, zone)}`
            : `active for ${formatDuration(grant.durationSeconds)}`,
      };
    case 'deprovisioning':
      return { state: 'ending', line: 'ending: access being removed from AWS' };
    case 'expired':
      return { state: 'ended', line: 'expired and removed' };
    case 'revoked':
      return { state: 'ended', line: `ended${grant.endedBy?.kind === 'user' ? ` by ${grant.endedBy.name}` : ''}` };
    case 'failed':
      return {
        state: 'failed',
        line: `FAILED in AWS: ${grant.failure?.message ?? 'the assignment was not created'}${grant.failure?.code ? ` (${grant.failure.code})` : ''}`,
      };
  }
}

/** One sentence on a whole bundle: how many accounts are in each state. */
export function bundleSummary(entries: readonly BundleEntry[]): string {
  const order: BundleEntryState[] = [
    'active',
    'provisioning',
    'scheduled',
    'approved',
    'pending',
    'failed',
    'denied',
    'refused',
    'ending',
    'ended',
    'cancelled',
    'timed_out',
  ];
  const label: Record<BundleEntryState, string> = {
    active: 'active',
    provisioning: 'being set up',
    scheduled: 'starting later',
    approved: 'approved',
    pending: 'waiting for approval',
    failed: 'failed',
    denied: 'denied',
    refused: 'refused by policy',
    ending: 'ending',
    ended: 'ended',
    cancelled: 'cancelled',
    timed_out: 'timed out',
  };
  const parts = order
    .map((s) => ({ s, n: entries.filter((e) => e.state === s).length }))
    .filter((x) => x.n > 0)
    .map((x) => `${x.n} ${label[x.s]}`);
  return `${entries.length} account${entries.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** True when no account of the bundle waits for a decision any more. */
export function bundleDecided(view: Pick<BundleView, 'requests'>): boolean {
  return view.requests.every((r) => r.status !== 'pending');
}

/** The bundle an event is about, when its request asked for several accounts (what both notifiers route by). */
export function bundleIdOfEvent(event: DomainEvent): string | undefined {
  if (event.type === 'bundle_submitted') return event.requests[0]?.bundle?.id;
  if ('request' in event && event.request.bundle) return event.request.bundle.id;
  if ('grant' in event && event.grant.bundleId) return event.grant.bundleId;
  return undefined;
}
