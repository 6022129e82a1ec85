import {
  describePeople,
  escalationLines,
  formatDuration,
  formatLocalTime,
  startsText,
  type AccessRequest,
  type Actor,
  type Grant,
} from '../../../src';
import { Inputs, Verbs } from '../verbs';
import { adaptiveCard, b, execute, facts, heading, MAX_REFRESH_USERS, showCard, text, type AdaptiveCard } from './card';
import { activityElements } from './activity.card';
import { escapeCardText } from './escape';

/**
 * Who is looking at the approval card. The message everyone sees is the `base` view; Teams then
 * refreshes it (Action.Execute, `refresh.userIds`) into each listed viewer's own view.
 */
export type ApprovalViewer =
  { kind: 'base' } | { kind: 'approver' } | { kind: 'already_approved' } | { kind: 'requester' } | { kind: 'observer' };

export interface ApprovalCardOptions {
  /** Teams user ids (MRIs, `29:…`) whose card refreshes by itself: approvers and the requester. */
  refreshUserIds?: readonly string[];
  /** Shown to this viewer only, above the actions (a refusal, a confirmation). */
  notice?: { text: string; tone: 'attention' | 'good' | 'default' };
  /** The grant behind an approved request, once there is one. */
  grant?: Grant;
}

const KIND_TITLE: Record<AccessRequest['kind'], string> = {
  grant: 'Access request',
  extension: 'Extension request',
  break_glass: 'Break-glass access',
};

function names(request: AccessRequest): string {
  return request.approvals.map((a) => actorName(a.actor)).join(', ');
}

/** One sentence on where the request stands; the same for every viewer. */
export function requestStatusLine(request: AccessRequest): { text: string; color: string } {
  switch (request.status) {
    case 'pending': {
      const left = request.approvalsRequired - request.approvals.length;
      const by = request.approvals.length > 0 ? `; approved by ${names(request)}` : '';
      return {
        text: `Waiting for ${left} more approval${left === 1 ? '' : 's'} (${request.approvals.length} of ${request.approvalsRequired}${by})`,
        color: 'Warning',
      };
    }
    case 'approved':
      return {
        text:
          request.approvals.length > 0
            ? `Approved by ${names(request)} (${request.approvals.length} of ${request.approvalsRequired})`
            : 'Approved by policy',
        color: 'Good',
      };
    case 'denied':
      return {
        text: `Denied by ${request.denial ? actorName(request.denial.actor) : 'an approver'}: ${escapeCardText(request.denial?.reason, { maxLength: 300 }) || 'no reason given'}`,
        color: 'Attention',
      };
    case 'cancelled':
      return { text: 'Cancelled by the requester', color: 'Default' };
    case 'timed_out':
      return { text: 'Timed out: nobody decided in time', color: 'Default' };
  }
}

/**
 * Where the grant behind a request stands. Shared messages (the approvals channel, approvers' chats)
 * write its times in the requester's zone, as Slack's approval message does: the same instant reads
 * the same on both platforms (`formatLocalTime`).
 */
export function grantStatusLine(grant: Grant, zone: string | undefined = grant.requester.timeZone): string {
  switch (grant.status) {
    case 'scheduled':
      return `Approved: access ${startsText(grant, zone)}`;
    case 'provisioning':
      return 'Setting up access in AWS…';
    case 'active':
      return grant.expiresAt ? `Access active until ${formatLocalTime(grant.expiresAt, zone)}` : 'Access active';
    case 'deprovisioning':
      return 'Removing access…';
    case 'expired':
      return `Access expired${grant.endedAt !== undefined ? ` at ${formatLocalTime(grant.endedAt, zone)}` : ''} and was removed`;
    case 'revoked':
      if (grant.startsAt !== undefined && grant.activatedAt === undefined)
        return `Scheduled access cancelled${grant.endedBy ? ` by ${actorName(grant.endedBy)}` : ''} before it started`;
      return `Access revoked${grant.endedBy ? ` by ${actorName(grant.endedBy)}` : ''}${grant.endedAt !== undefined ? ` at ${formatLocalTime(grant.endedAt, zone)}` : ''}`;
    case 'failed':
      return `Access could not be set up: ${escapeCardText(grant.failure?.message, { maxLength: 300 })}`;
  }
}

/**
 * While a request is open, who may decide it and until when, written in the requester's zone (the
 * rule of shared messages): requester and approvers read the same facts on every card.
 */
export function pendingFacts(request: AccessRequest): [string, string | undefined][] {
  if (request.status !== 'pending') return [];
  return [
    ['Approvers', request.approvers ? describePeople(request.approvers) : undefined],
    ['Decide by', formatLocalTime(request.decideBy, request.requester.timeZone)],
  ];
}

/** At least this many characters of reason for a Deny (as in Slack's deny form). */
export const MIN_DENY_REASON_LENGTH = 3;
export const DENY_REASON_MISSING_TEXT =
  'Say why you deny this request, in a few words: the requester sees your reason. Nothing was changed.';

/** Deny's form: a required reason, checked again by the bot (a client may skip the check). */
export function denyForm(requestId: string, extra: Record<string, unknown> = {}): AdaptiveCard {
  return adaptiveCard(
    [
      {
        type: 'Input.Text',
        id: Inputs.denyReason,
        label: 'Why? (the requester sees this)',
        placeholder: 'Use the read-only role for this',
        isRequired: true,
        errorMessage: 'Say why, in a few words.',
        maxLength: 500,
      },
    ],
    { actions: [execute('Deny', Verbs.deny, { requestId, ...extra }, 'destructive')] },
  );
}

/** A person or keyless itself (never an internal component name such as "provisioner"). */
export function actorName(actor: Pick<Actor, 'kind' | 'name'>): string {
  return actor.kind === 'system' ? 'keyless' : escapeCardText(actor.name, { maxLength: 80 });
}

/** The approval message: who asks for what, why, and the N-of-M progress; buttons while pending. */
export function approvalCard(
  request: AccessRequest,
  viewer: ApprovalViewer,
  options: ApprovalCardOptions = {},
): AdaptiveCard {
  const pending = request.status === 'pending';
  const status = requestStatusLine(request);
  const body = [
    heading(`${request.kind === 'break_glass' ? '🚨 ' : '🔐 '}${KIND_TITLE[request.kind]}`),
    text(
      `${b(request.requester.displayName)} asks for ${b(request.permissionSetName)} on ${b(`${request.accountName} (${request.accountId})`)} for ${b(formatDuration(request.durationSeconds))}.`,
    ),
    facts([
      ['Reason', request.reason],
      ['Ticket', request.ticket],
      [
        'Starts',
        request.startsAt !== undefined ? formatLocalTime(request.startsAt, request.requester.timeZone) : undefined,
      ],
      ['Rule', request.rule],
      ...pendingFacts(request),
      ['Request', request.id],
    ]),
    text(status.text, { weight: 'Bolder', color: status.color }),
    ...escalationTexts(request),
    ...(options.grant ? [text(grantStatusLine(options.grant), { isSubtle: true })] : []),
    ...(options.grant?.activity?.summary ? activityElements(options.grant.activity.summary) : []),
  ];
  if (options.notice) {
    body.push(
      text(escapeCardText(options.notice.text, { multiline: true }), {
        color: options.notice.tone === 'default' ? 'Default' : options.notice.tone === 'good' ? 'Good' : 'Attention',
        weight: 'Bolder',
      }),
    );
  }
  if (pending && viewer.kind === 'already_approved') body.push(text('You approved this request.', { isSubtle: true }));

  const data = { requestId: request.id };
  const actions =
    !pending || viewer.kind === 'already_approved' || viewer.kind === 'observer'
      ? []
      : viewer.kind === 'requester'
        ? [execute('Cancel request', Verbs.cancel, data)]
        : [execute('Approve', Verbs.approve, data, 'positive'), showCard('Deny…', denyForm(request.id))];

  const userIds = [...new Set(options.refreshUserIds ?? [])].slice(0, MAX_REFRESH_USERS);
  return adaptiveCard(body, {
    actions,
    // Only an open request needs per-viewer views; a decided one is the same for everyone.
    ...(pending
      ? {
          refresh: {
            action: {
              type: 'Action.Execute',
              title: 'Refresh',
              verb: Verbs.refresh,
              data: { verb: Verbs.refresh, ...data },
            },
            userIds,
          },
        }
      : {}),
  });
}

/** The on-call and escalation lines of a request (the same facts as Slack's), escaped, subtle. */
export function escalationTexts(request: AccessRequest) {
  return escalationLines(request, request.requester.timeZone).map((line) =>
    text(escapeCardText(line), { isSubtle: true, wrap: true }),
  );
}
