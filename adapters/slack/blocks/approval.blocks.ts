import type { AccessRequest, Grant } from '../../../src';
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
  return {
    text: `${kindLabel(request)} from ${requesterText(request)}: ${escapeText(request.permissionSetName)} in ${accountText(request)} (${request.status})`,
    blocks,
  };
}
