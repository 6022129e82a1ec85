import { escalationLines, type AccessRequest, type Grant } from '../../../src';
import { Actions, Blocks } from '../ids';
import {
  button,
  context,
  grantStatusLine,
  header,
  kindLabel,
  requestFields,
  requestStatusLine,
  requesterText,
  accountText,
  section,
  type Block,
  type SlackMessage,
} from './common.blocks';
import { escapeText } from '../escape';
import { activityBlocks } from './activity.blocks';

/**
 * The approval message, identical in the approvals channel and in every approver's DM. While the
 * request is pending it has Approve / Deny buttons (their value is the request id, nothing else);
 * once it is decided the buttons go and the outcome stays, with the grant's state under it.
 */
export function approvalMessage(request: AccessRequest, grant?: Grant, zone?: string): SlackMessage {
  const blocks: Block[] = [
    header(`${kindLabel(request)}: ${request.permissionSetName} in ${request.accountName}`),
    requestFields(request),
    context(
      `Rule \`${escapeText(request.rule, { maxLength: 64 })}\` · request \`${request.id}\`${request.selfApproval ? ' · self-approval allowed' : ''}`,
    ),
    section(requestStatusLine(request)),
  ];
  const lines = escalationLines(request, zone ?? request.requester.timeZone);
  if (lines.length > 0) blocks.push(context(...lines.map((l) => escapeText(l, { maxLength: 300 }))));
  if (request.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: Blocks.approvalActions,
      elements: [
        button('Approve', Actions.approve, request.id, 'primary'),
        button('Deny…', Actions.deny, request.id, 'danger'),
      ],
    });
  }
  if (grant) blocks.push(context(grantStatusLine(grant, zone ?? grant.requester.timeZone)));
  if (grant?.activity?.summary) blocks.push(...activityBlocks(grant.activity.summary));
  return {
    text: `${kindLabel(request)} from ${requesterText(request)}: ${escapeText(request.permissionSetName)} in ${accountText(request)} (${request.status})`,
    blocks,
  };
}

/** To an approver: a pending request still waits (the reminder step of a rule's escalation). */
export function approverReminder(request: AccessRequest): SlackMessage {
  const text = `Reminder: ${kindLabel(request).toLowerCase()} from ${requesterText(request)} for ${escapeText(request.permissionSetName)} in ${accountText(request)} still waits for approval (request \`${request.id}\`).`;
  return { text, blocks: [section(`:bell: ${text}`)] };
}

/** To the approvals channel, loudly: access given at once because the requester is on call. */
export function onCallAutoApprovedMessage(request: AccessRequest): SlackMessage {
  const schedule = escapeText(request.onCallSchedule ?? '', { maxLength: 80 });
  return {
    text: `On-call auto-approval: ${request.permissionSetName} in ${request.accountName} for ${request.requester.displayName}`,
    blocks: [
      header(`:rotating_light: On-call auto-approval: ${request.permissionSetName} in ${request.accountName}`),
      requestFields(request),
      context(
        `Approved with no approver because ${requesterText(request)} is on call now on \`${schedule}\` · rule \`${escapeText(request.rule, { maxLength: 64 })}\` · request \`${request.id}\``,
      ),
    ],
  };
}
