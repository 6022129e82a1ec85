import {
  approvalProgress,
  describePeople,
  formatDuration,
  formatLocalTime,
  type AccessRequest,
  type Actor,
  type AssignmentDrift,
  type Grant,
} from '../../../src';
import { Inputs, Verbs } from '../verbs';
import { grantStatusLine, requestStatusLine } from './approval.card';
import { adaptiveCard, b, execute, facts, heading, showCard, text, type AdaptiveCard } from './card';
import { escapeCardText } from './escape';

/**
 * The requester's journey in their 1:1 chat: submitted (kept up to date in place), approved or
 * denied, active with the local expiry, the reminder with Extend / End now, ended, failed.
 */

const target = (r: Pick<Grant, 'permissionSetName' | 'accountName' | 'accountId'>) =>
  `${b(r.permissionSetName)} on ${b(`${r.accountName} (${r.accountId})`)}`;

/** The requester's own copy of a request; updated in place as approvers decide. */
export function requestStatusCard(request: AccessRequest): AdaptiveCard {
  const status = requestStatusLine(request);
  const approvers = request.approvers ? describePeople(request.approvers) : undefined;
  return adaptiveCard(
    [
      heading(request.status === 'pending' ? 'Request submitted' : 'Your request'),
      text(`You asked for ${target(request)} for ${b(formatDuration(request.durationSeconds))}.`),
      facts([
        ['Reason', request.reason],
        ['Ticket', request.ticket],
        ['Approvers', approvers],
        ['Progress', request.status === 'pending' ? approvalProgress(request) : undefined],
        ['Request', request.id],
      ]),
      text(status.text, { weight: 'Bolder', color: status.color }),
      ...(request.status === 'approved' ? [text('Setting up access now; I will tell you when it is ready.')] : []),
    ],
    {
      actions:
        request.status === 'pending'
          ? [execute('Cancel request', Verbs.cancel, { requestId: request.id, view: 'status' })]
          : [],
    },
  );
}

function extendForm(grantId: string): AdaptiveCard {
  return adaptiveCard(
    [
      {
        type: 'Input.Text',
        id: Inputs.extendBy,
        label: 'How much more time?',
        placeholder: '1h',
        isRequired: true,
        errorMessage: 'Give a duration such as 30m or 1h.',
      },
      { type: 'Input.Text', id: Inputs.reason, label: 'Why? (optional)', maxLength: 500 },
    ],
    { actions: [execute('Extend', Verbs.extendGrant, { grantId })] },
  );
}

function grantActions(grant: Grant) {
  return grant.status === 'active' || grant.status === 'provisioning'
    ? [
        showCard('Extend…', extendForm(grant.id)),
        execute('End now', Verbs.endGrant, { grantId: grant.id }, 'destructive'),
      ]
    : [];
}

/** Access is live: when it ends, in the requester's own time zone. */
export function grantActiveCard(grant: Grant, notice?: string): AdaptiveCard {
  const zone = grant.requester.timeZone;
  return adaptiveCard(
    [
      heading(grant.status === 'active' ? '✅ Access active' : 'Your access'),
      text(`You have ${target(grant)}.`),
      facts([
        ['Until', grant.expiresAt ? formatLocalTime(grant.expiresAt, zone) : undefined],
        ['Grant', grant.id],
      ]),
      text(grantStatusLine(grant), { isSubtle: true }),
      ...(notice ? [text(escapeCardText(notice, { multiline: true }), { weight: 'Bolder' })] : []),
    ],
    { actions: grantActions(grant) },
  );
}

/** Shortly before expiry. */
export function grantReminderCard(grant: Grant, nowMs: number): AdaptiveCard {
  const zone = grant.requester.timeZone;
  const left = grant.expiresAt ? formatDuration(Math.max(0, (grant.expiresAt - nowMs) / 1000)) : undefined;
  return adaptiveCard(
    [
      heading('⏰ Access ends soon'),
      text(
        `${target(grant)} ends${left ? ` in ${b(left)}` : ''}${grant.expiresAt ? `, at ${formatLocalTime(grant.expiresAt, zone)}` : ''}.`,
      ),
      facts([['Grant', grant.id]]),
    ],
    { actions: grantActions(grant) },
  );
}

export function grantExtendedCard(grant: Grant, actor: Actor, addSeconds: number): AdaptiveCard {
  const zone = grant.requester.timeZone;
  return adaptiveCard(
    [
      heading('Access extended'),
      text(`${target(grant)} got ${b(formatDuration(addSeconds))} more (${escapeCardText(actor.name)}).`),
      facts([
        ['Until', grant.expiresAt ? formatLocalTime(grant.expiresAt, zone) : undefined],
        ['Grant', grant.id],
      ]),
    ],
    { actions: grantActions(grant) },
  );
}

export function grantEndedCard(grant: Grant): AdaptiveCard {
  const how =
    grant.endReason === 'revoked'
      ? `was revoked${grant.endedBy ? ` by ${escapeCardText(grant.endedBy.name)}` : ''}`
      : 'expired';
  return adaptiveCard([
    heading(grant.endReason === 'revoked' ? 'Access revoked' : 'Access expired'),
    text(`${target(grant)} ${how}; the assignment is removed.`),
    text('Console or CLI sessions opened before now can last until their session duration ends.', {
      isSubtle: true,
    }),
    facts([['Grant', grant.id]]),
  ]);
}

export function grantFailedCard(grant: Grant): AdaptiveCard {
  return adaptiveCard([
    heading('❌ Access could not be set up'),
    text(
      `${target(grant)}: ${escapeCardText(grant.failure?.message ?? 'IAM Identity Center refused the assignment.')}`,
    ),
    facts([
      ['Code', grant.failure?.code],
      ['Grant', grant.id],
    ]),
    text('Nothing was granted. Ask again, or tell your AWS admins if it keeps failing.', { isSubtle: true }),
  ]);
}

/** Security channel: break-glass used. */
export function breakGlassCard(grant: Grant, request: AccessRequest): AdaptiveCard {
  return adaptiveCard([
    heading('🚨 Break-glass access used'),
    text(`${b(request.requester.displayName)} took ${target(grant)} for ${b(formatDuration(grant.durationSeconds))}.`),
    facts([
      ['Reason', request.reason],
      ['Ticket', request.ticket],
      ['Grant', grant.id],
    ]),
  ]);
}

export function driftCard(drift: AssignmentDrift): AdaptiveCard {
  const what = {
    unknown_assignment: 'An assignment nobody granted through keyless',
    outlived_grant: 'An assignment that outlived its grant',
    vanished_assignment: 'A grant whose assignment vanished',
  }[drift.kind];
  return adaptiveCard([
    heading('⚠️ Identity Center and keyless disagree'),
    text(`${what}${drift.removed ? '; it was removed' : ''}.`),
    facts([
      ['Account', drift.assignment.accountId],
      ['Principal', drift.assignment.principalId],
      ['Permission set', drift.assignment.permissionSetArn],
      ['Grant', drift.grantId],
    ]),
  ]);
}

export function revocationStuckCard(grant: Grant, attempts: number, message: string): AdaptiveCard {
  return adaptiveCard([
    heading('🛑 Access could not be removed'),
    text(
      `${target(grant)} for ${b(grant.requester.displayName)}: ${attempts} attempts failed. keyless keeps trying; please look.`,
    ),
    facts([
      ['Last error', message],
      ['Grant', grant.id],
    ]),
  ]);
}

/** A changed policy was refused: every problem (at most 20 shown), and the old policy stays in force. */
export function policyRefusedCard(source: string, problems: string[]): AdaptiveCard {
  const shown = problems.slice(0, 20).map((p) => `- ${escapeCardText(p, { maxLength: 300 })}`);
  if (problems.length > shown.length) shown.push(`- …and ${problems.length - shown.length} more (see the logs)`);
  return adaptiveCard([
    heading('⛔ A new policy was refused'),
    text(
      `${escapeCardText(source, { maxLength: 300 })}: ${problems.length} problem(s). The policy in force stays until a valid one replaces it.`,
    ),
    text(shown.join('\n')),
  ]);
}
