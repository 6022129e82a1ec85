import {
  approvalProgress,
  formatDuration,
  formatLocalTime,
  grantAcceptsActions,
  sessionCutLine,
  startsText,
  startZoneNote,
  type AccessRequest,
  type Actor,
  type AssignmentDrift,
  type Grant,
} from '../../../src';
import { Inputs, Verbs } from '../verbs';
import { actorName, escalationTexts, grantStatusLine, pendingFacts, requestStatusLine } from './approval.card';
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
  return adaptiveCard(
    [
      heading(request.status === 'pending' ? 'Request submitted' : 'Your request'),
      text(`You asked for ${target(request)} for ${b(formatDuration(request.durationSeconds))}.`),
      facts([
        ['Reason', request.reason],
        ['Ticket', request.ticket],
        ['Progress', request.status === 'pending' ? approvalProgress(request) : undefined],
        [
          'Starts',
          request.startsAt !== undefined ? formatLocalTime(request.startsAt, request.requester.timeZone) : undefined,
        ],
        ...pendingFacts(request),
        ['Request', request.id],
      ]),
      text(status.text, { weight: 'Bolder', color: status.color }),
      ...escalationTexts(request),
      ...(request.status === 'approved'
        ? [
            text(
              request.startsAt !== undefined
                ? `Your access starts at ${formatLocalTime(request.startsAt, request.requester.timeZone)}; I will tell you when it is ready.`
                : 'Setting up access now; I will tell you when it is ready.',
            ),
          ]
        : []),
    ],
    {
      actions:
        request.status === 'pending'
          ? [execute('Cancel request', Verbs.cancel, { requestId: request.id, view: 'status' })]
          : [],
    },
  );
}

export function extendForm(grantId: string, extra: Record<string, unknown> = {}): AdaptiveCard {
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
    { actions: [execute('Extend', Verbs.extendGrant, { grantId, ...extra })] },
  );
}

function grantActions(grant: Grant) {
  return grantAcceptsActions(grant)
    ? [
        showCard('Extend…', extendForm(grant.id)),
        execute('End now', Verbs.endGrant, { grantId: grant.id }, 'destructive'),
      ]
    : [];
}

const noticeText = (notice: string | undefined) =>
  notice ? [text(escapeCardText(notice, { multiline: true }), { weight: 'Bolder' })] : [];

/**
 * The grant as it is now, for its holder, with times in `zone` (their own; UTC when unknown): live
 * with Extend / End now, or ended / failed with no buttons. The answer to a click on a journey card
 * and the in-place update of every journey card when the grant changes.
 */
export function grantCard(grant: Grant, zone: string | undefined, notice?: string): AdaptiveCard {
  if (grant.status === 'failed') return grantFailedCard(grant, notice);
  if (grant.status === 'scheduled') return grantScheduledCard(grant, zone, notice);
  if (grant.status === 'expired' || grant.status === 'revoked' || grant.status === 'deprovisioning') {
    return grantEndedCard(grant, zone, notice);
  }
  return adaptiveCard(
    [
      heading(grant.status === 'active' ? '✅ Access active' : 'Your access'),
      text(`You have ${target(grant)}.`),
      facts([
        ['Until', grant.expiresAt ? formatLocalTime(grant.expiresAt, zone) : undefined],
        ['Grant', grant.id],
      ]),
      text(grantStatusLine(grant, zone), { isSubtle: true }),
      ...noticeText(notice),
    ],
    { actions: grantActions(grant) },
  );
}

/** Approved access that starts later: when, for how long, and Cancel (nothing is in AWS until then). */
export function grantScheduledCard(grant: Grant, zone: string | undefined, notice?: string): AdaptiveCard {
  const note = startZoneNote(zone);
  return adaptiveCard(
    [
      heading('📅 Access approved: it starts later'),
      text(`Your access to ${target(grant)} ${startsText(grant, zone)}.`),
      facts([
        ['Starts', grant.startsAt !== undefined ? formatLocalTime(grant.startsAt, zone) : undefined],
        ['Lasts', formatDuration(grant.durationSeconds)],
        ['Grant', grant.id],
      ]),
      text(`Nothing is assigned in AWS before the start; cancel until then at no cost.${note ? ` ${note}` : ''}`, {
        isSubtle: true,
      }),
      ...noticeText(notice),
    ],
    { actions: [execute('Cancel', Verbs.endGrant, { grantId: grant.id }, 'destructive')] },
  );
}

/** Access is live: when it ends, in the requester's own time zone. */
export function grantActiveCard(grant: Grant, notice?: string, zone: string | undefined = grant.requester.timeZone) {
  return grantCard(grant, zone, notice);
}

/** Shortly before expiry. */
export function grantReminderCard(
  grant: Grant,
  nowMs: number,
  zone: string | undefined = grant.requester.timeZone,
): AdaptiveCard {
  if (!grantAcceptsActions(grant)) return grantCard(grant, zone);
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

export function grantExtendedCard(
  grant: Grant,
  actor: Actor,
  change: { addSeconds: number; capped: boolean },
  zone: string | undefined = grant.requester.timeZone,
): AdaptiveCard {
  // The real end, as stored after the change: never "+N" on top of what the requester last saw.
  const cut = change.capped ? ` The rule allows no more than ${formatDuration(grant.capSeconds)} at a time.` : '';
  const line =
    change.addSeconds > 0
      ? `${target(grant)} got ${b(formatDuration(change.addSeconds))} more (${actor.kind === 'system' ? 'approved by policy' : `approved by ${actorName(actor)}`}).${cut}`
      : change.capped
        ? `${target(grant)} could not get more time.${cut}`
        : `${target(grant)} already lasts beyond what was asked.`;
  return adaptiveCard(
    [
      heading(change.addSeconds > 0 ? 'Access extended' : 'Access unchanged'),
      text(line),
      facts([
        ['Until', grant.expiresAt ? formatLocalTime(grant.expiresAt, zone) : undefined],
        ['Lasts', grant.expiresAt ? undefined : `${formatDuration(grant.durationSeconds)} once active`],
        ['Grant', grant.id],
      ]),
    ],
    { actions: grantActions(grant) },
  );
}

export function grantEndedCard(
  grant: Grant,
  zone: string | undefined = grant.requester.timeZone,
  notice?: string,
): AdaptiveCard {
  if (grant.status === 'revoked' && grant.startsAt !== undefined && grant.activatedAt === undefined) {
    return adaptiveCard([
      heading('Scheduled access cancelled'),
      text(
        `Your scheduled access to ${target(grant)} was cancelled${grant.endedBy ? ` by ${actorName(grant.endedBy)}` : ''} before it started. Nothing was assigned in AWS.`,
      ),
      facts([['Grant', grant.id]]),
      ...noticeText(notice),
    ]);
  }
  const revoked = grant.endReason === 'revoked' || grant.status === 'revoked';
  const at = grant.endedAt !== undefined ? ` at ${formatLocalTime(grant.endedAt, zone)}` : '';
  const how = revoked ? `was revoked${grant.endedBy ? ` by ${actorName(grant.endedBy)}` : ''}${at}` : `expired${at}`;
  const ending = grant.status === 'deprovisioning';
  return adaptiveCard([
    heading(revoked ? 'Access revoked' : 'Access expired'),
    text(
      ending
        ? `${target(grant)} ${how}; the assignment is being removed.`
        : `${target(grant)} ${how}; the assignment is removed.`,
    ),
    text(
      sessionCutLine(grant) ?? 'Console or CLI sessions opened before now can last until their session duration ends.',
      { isSubtle: true },
    ),
    facts([['Grant', grant.id]]),
    ...noticeText(notice),
  ]);
}

export function grantFailedCard(grant: Grant, notice?: string): AdaptiveCard {
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
    ...noticeText(notice),
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

/** To an approver: a pending request still waits (the reminder step of a rule's escalation). */
export function approverReminderCard(request: AccessRequest): AdaptiveCard {
  return adaptiveCard([
    heading('🔔 Still waiting for approval'),
    text(
      `${b(escapeCardText(request.requester.displayName))} asked for ${target(request)} for ${b(formatDuration(request.durationSeconds))}; nobody has decided yet.`,
    ),
    facts([
      ['Reason', request.reason],
      ['Request', request.id],
    ]),
  ]);
}

/** To the approvals channel, loudly: access given at once because the requester is on call. */
export function onCallAutoApprovedCard(request: AccessRequest): AdaptiveCard {
  return adaptiveCard([
    heading('🚨 On-call auto-approval'),
    text(
      `${b(escapeCardText(request.requester.displayName))} got ${target(request)} for ${b(formatDuration(request.durationSeconds))} with no approver, because they are on call now on ${b(escapeCardText(request.onCallSchedule ?? ''))}.`,
    ),
    facts([
      ['Reason', request.reason],
      ['Ticket', request.ticket],
      ['Rule', request.rule],
      ['Request', request.id],
    ]),
  ]);
}

/** Security channel: the live session cuts could not be written (every cut is kept and retried). */
export function sessionCutFailedCard(message: string, people: number): AdaptiveCard {
  return adaptiveCard([
    heading('⚠️ Live sessions of revoked grants are not being ended'),
    text(
      `${escapeCardText(message, { maxLength: 500 })} (${people} people waiting). keyless keeps every cut and retries; please look.`,
    ),
  ]);
}
