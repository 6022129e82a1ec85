import {
  accountLabel,
  formatDuration,
  formatLocalTime,
  type AccessRequest,
  type Account,
  type Grant,
} from '../../../src';
import { Commands } from '../verbs';
import { adaptiveCard, b, heading, text, type AdaptiveCard } from './card';
import { escapeCardText } from './escape';

/** Replies to text commands. */

export function helpCard(): AdaptiveCard {
  return adaptiveCard([
    heading('keyless: just-in-time AWS access'),
    text('Write one of these to me (in a channel, mention me first):'),
    {
      type: 'FactSet',
      facts: Commands.map((c) => ({ title: escapeCardText(c.usage), value: c.description })),
    },
    text('Send `request` alone for a form.', { isSubtle: true }),
  ]);
}

/** A refusal or a mistake: the exact problem, then a corrected example. */
export function problemCard(problem: string, example?: string): AdaptiveCard {
  return adaptiveCard([
    text(escapeCardText(problem, { multiline: true }), { color: 'Attention', weight: 'Bolder' }),
    ...(example ? [text(`Example: ${escapeCardText(example)}`, { isSubtle: true })] : []),
  ]);
}

export function infoCard(message: string): AdaptiveCard {
  return adaptiveCard([text(escapeCardText(message, { multiline: true, maxLength: 2000 }))]);
}

/** The person's grants and open requests; times in `zone` (the reader's own, from their Teams client). */
export function listCard(mine: { grants: Grant[]; requests: AccessRequest[] }, zone?: string): AdaptiveCard {
  if (mine.grants.length === 0 && mine.requests.length === 0) {
    return adaptiveCard([heading('Your access'), text('You have no live grants and no open requests.')]);
  }
  const grants = mine.grants.map((g) =>
    text(
      `${b(g.permissionSetName)} on ${b(`${g.accountName} (${g.accountId})`)}: ${g.status}${g.expiresAt ? `, until ${formatLocalTime(g.expiresAt, zone ?? g.requester.timeZone)}` : ''} (grant ${escapeCardText(g.id)})`,
    ),
  );
  const requests = mine.requests.map((r) =>
    text(
      `${b(r.permissionSetName)} on ${b(`${r.accountName} (${r.accountId})`)} for ${formatDuration(r.durationSeconds)}: ${r.approvals.length} of ${r.approvalsRequired} approvals (request ${escapeCardText(r.id)})`,
    ),
  );
  return adaptiveCard([
    heading('Your access'),
    ...(grants.length ? [text('Grants', { weight: 'Bolder' }), ...grants] : []),
    ...(requests.length ? [text('Waiting for approval', { weight: 'Bolder' }), ...requests] : []),
  ]);
}

export function accountsCard(filter: string, accounts: Account[], limit = 25): AdaptiveCard {
  const shown = accounts.slice(0, limit);
  return adaptiveCard([
    heading(filter ? `Accounts matching "${escapeCardText(filter, { maxLength: 60 })}"` : 'Accounts'),
    ...(shown.length === 0
      ? [text('No account matches. Try part of a name, an OU, or an id prefix.')]
      : shown.map((a) =>
          text(
            `${escapeCardText(accountLabel(a))}${a.ouNames?.length ? ` · ${escapeCardText(a.ouNames.join(' / '))}` : ''}`,
          ),
        )),
    ...(accounts.length > shown.length
      ? [text(`…and ${accounts.length - shown.length} more: narrow the filter.`, { isSubtle: true })]
      : []),
  ]);
}

export function noApprovalsCard(): AdaptiveCard {
  return adaptiveCard([text('Nothing waits for your approval.')]);
}
