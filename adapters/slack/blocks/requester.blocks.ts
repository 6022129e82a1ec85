import {
  formatDuration,
  formatLocalTime,
  grantAcceptsActions,
  sessionCutLine,
  startsText,
  startZoneNote,
  type AccessRequest,
  type Actor,
  type Grant,
} from '../../../src';
import { escapeText } from '../escape';
import { Actions, Blocks } from '../ids';
import {
  accountText,
  actorText,
  button,
  context,
  requestStatusLine,
  section,
  type SlackMessage,
} from './common.blocks';

/**
 * The requester's journey, one DM per step. Times are written in the requester's own time zone
 * (users.info `tz`), spelled out so that the message reads the same on every device.
 */
const what = (x: Pick<Grant, 'permissionSetName' | 'accountName' | 'accountId'>) =>
  `*${escapeText(x.permissionSetName, { maxLength: 80 })}* in ${accountText(x)}`;

/** ` starting Tue 24 Nov, 09:00 (UTC)` for a request that starts later, else nothing. */
const startingText = (r: Pick<AccessRequest, 'startsAt' | 'requester'>): string =>
  r.startsAt !== undefined ? ` starting ${formatLocalTime(r.startsAt, r.requester.timeZone)}` : '';

export function submittedDm(r: AccessRequest): SlackMessage {
  const text = `Your request for ${what(r)} (${formatDuration(r.durationSeconds)}${startingText(r)}) is waiting for ${r.approvalsRequired} approval(s). Request \`${r.id}\`.`;
  return {
    text: `Request ${r.id} submitted: waiting for approval`,
    blocks: [
      section(`:inbox_tray: ${text}`),
      context(requestStatusLine(r)),
      {
        type: 'actions',
        block_id: Blocks.approvalActions,
        elements: [button('Cancel request', Actions.cancel, r.id)],
      },
    ],
  };
}

/** The requester's "submitted" DM once the request has moved on (it is updated in place). */
export function submittedDmUpdated(r: AccessRequest): SlackMessage {
  return {
    text: `Request ${r.id}: ${r.status}`,
    blocks: [
      section(
        `:inbox_tray: Your request for ${what(r)} (${formatDuration(r.durationSeconds)}${startingText(r)}). Request \`${r.id}\`.`,
      ),
      context(requestStatusLine(r)),
    ],
  };
}

export function decisionDm(r: AccessRequest, actor: Actor): SlackMessage {
  switch (r.status) {
    case 'pending':
      return {
        text: `Approval ${r.approvals.length} of ${r.approvalsRequired} for request ${r.id}`,
        blocks: [
          section(
            `:thumbsup: ${actorText(actor)} approved your request for ${what(r)}: ${r.approvals.length} of ${r.approvalsRequired}.`,
          ),
        ],
      };
    case 'approved':
      return {
        text: `Request ${r.id} approved`,
        blocks: [
          section(
            `:white_check_mark: Your request for ${what(r)} is approved${r.approvals.length ? ` (${r.approvals.map((a) => actorText(a.actor)).join(', ')})` : ''}.${r.startsAt !== undefined ? ` Your access${startingText(r)}.` : ' Setting up access in AWS…'}`,
          ),
        ],
      };
    case 'denied':
      return {
        text: `Request ${r.id} denied`,
        blocks: [
          section(
            `:no_entry: ${r.denial ? actorText(r.denial.actor) : 'An approver'} denied your request for ${what(r)}: ${escapeText(r.denial?.reason) || 'no reason given'}`,
          ),
        ],
      };
    case 'cancelled':
      return {
        text: `Request ${r.id} cancelled`,
        blocks: [section(`:heavy_multiplication_x: You cancelled your request for ${what(r)}.`)],
      };
    case 'timed_out':
      return {
        text: `Request ${r.id} timed out`,
        blocks: [
          section(
            `:alarm_clock: Nobody decided on your request for ${what(r)} in time; it has expired. Ask again if you still need it.`,
          ),
        ],
      };
  }
}

const endNow = (g: Grant) => button('End now', Actions.revoke, g.id, 'danger');
const extendMore = (g: Grant) => button('Extend…', Actions.extend, g.id, 'primary');

/** Approved access that starts later: when it starts, for how long, and a button to cancel it. */
export function scheduledDm(g: Grant, zone: string | undefined): SlackMessage {
  const starts = startsText(g, zone);
  const note = startZoneNote(zone);
  return {
    text: `Access approved: ${g.permissionSetName} in ${g.accountName} ${starts}`,
    blocks: [
      section(`:calendar: Your access to ${what(g)} is approved and *${escapeText(starts)}*. Grant \`${g.id}\`.`),
      context(`Nothing is assigned in AWS before the start; cancel until then at no cost.${note ? ` ${note}` : ''}`),
      {
        type: 'actions',
        block_id: Blocks.grantActions,
        elements: [button('Cancel', Actions.revoke, g.id, 'danger')],
      },
    ],
  };
}

export function activeDm(g: Grant, zone: string | undefined): SlackMessage {
  const until = g.expiresAt !== undefined ? formatLocalTime(g.expiresAt, zone) : 'its expiry';
  return {
    text: `Access active: ${g.permissionSetName} in ${g.accountName} until ${until}`,
    blocks: [
      section(`:large_green_circle: Your access to ${what(g)} is *active until ${until}*. Grant \`${g.id}\`.`),
      context('Sign in through the AWS access portal. Sessions you open keep their own session length.'),
      { type: 'actions', block_id: Blocks.grantActions, elements: [endNow(g)] },
    ],
  };
}

export function reminderDm(g: Grant, zone: string | undefined, nowMs: number): SlackMessage {
  const until = g.expiresAt !== undefined ? formatLocalTime(g.expiresAt, zone) : 'soon';
  const left = g.expiresAt !== undefined ? ` (in ${formatDuration((g.expiresAt - nowMs) / 1000)})` : '';
  return {
    text: `Your access to ${g.permissionSetName} in ${g.accountName} ends at ${until}`,
    blocks: [
      section(`:hourglass: Your access to ${what(g)} ends at *${until}*${left}.`),
      { type: 'actions', block_id: Blocks.grantActions, elements: [extendMore(g), endNow(g)] },
    ],
  };
}

export function extendedDm(
  g: Grant,
  zone: string | undefined,
  change: { addSeconds: number; capped: boolean },
): SlackMessage {
  // The real end, as stored after the change: never "+N" on top of what the requester last saw.
  const end =
    g.expiresAt !== undefined
      ? `active until ${formatLocalTime(g.expiresAt, zone)}`
      : `lasting ${formatDuration(g.durationSeconds)} once active`;
  const cut = change.capped ? ` (the rule allows no more than ${formatDuration(g.capSeconds)} at a time)` : '';
  const line =
    change.addSeconds > 0
      ? `:heavy_plus_sign: Your access to ${what(g)} got ${formatDuration(change.addSeconds)} more: *${end}*${cut}.`
      : change.capped
        ? `:heavy_minus_sign: Your access to ${what(g)} could not get more time${cut}: it stays *${end}*.`
        : `:information_source: Your access to ${what(g)} already lasts beyond what you asked: it stays *${end}*.`;
  return { text: `Access ${end}`, blocks: [section(line)] };
}

export function endedDm(g: Grant, zone: string | undefined): SlackMessage {
  if (g.status === 'revoked' && g.startsAt !== undefined && g.activatedAt === undefined) {
    const by = g.endedBy ? ` by ${actorText(g.endedBy)}` : '';
    return {
      text: `Scheduled access cancelled: ${g.permissionSetName} in ${g.accountName}`,
      blocks: [
        section(`:white_circle: Your scheduled access to ${what(g)} was cancelled${by} before it started.`),
        context('Nothing was assigned in AWS.'),
      ],
    };
  }
  const at = g.endedAt !== undefined ? ` at ${formatLocalTime(g.endedAt, zone)}` : '';
  const how =
    g.status === 'revoked' || g.endReason === 'revoked'
      ? `was revoked${g.endedBy ? ` by ${actorText(g.endedBy)}` : ''}${at}`
      : `expired${at}`;
  const removal =
    g.status === 'deprovisioning' ? 'The assignment is being removed from AWS.' : 'The assignment is removed from AWS.';
  return {
    text: `Access ended: ${g.permissionSetName} in ${g.accountName}`,
    blocks: [
      section(`:white_circle: Your access to ${what(g)} ${how}. ${removal}`),
      context(
        sessionCutLine(g) ?? 'Console or CLI sessions opened before this keep working until their own session ends.',
      ),
    ],
  };
}

export function failedDm(g: Grant): SlackMessage {
  return {
    text: `Access could not be set up: ${g.permissionSetName} in ${g.accountName}`,
    blocks: [
      section(
        `:x: I could not set up your access to ${what(g)}. AWS said: _${escapeText(g.failure?.message) || 'no reason given'}_${g.failure?.code ? ` (\`${escapeText(g.failure.code, { maxLength: 60 })}\`)` : ''}`,
      ),
      context('Nothing is assigned. Ask again, or tell the AWS admins if it keeps failing.'),
    ],
  };
}

/**
 * A grant DM (active, reminder) as the grant is now, for the in-place update: live, with End now;
 * ended or failed, with no buttons at all (a click on a stale button cannot happen).
 */
export function grantDmNow(g: Grant, zone: string | undefined): SlackMessage {
  if (g.status === 'failed') return failedDm(g);
  if (g.status === 'scheduled') return scheduledDm(g, zone);
  if (!grantAcceptsActions(g)) return endedDm(g, zone);
  return activeDm(g, zone);
}
