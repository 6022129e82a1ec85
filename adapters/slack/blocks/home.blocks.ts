import { formatDuration, formatLocalTime, grantAcceptsActions, type AccessRequest, type Grant } from '../../../src';
import { escapeText } from '../escape';
import { Actions, Views } from '../ids';
import {
  accountText,
  button,
  context,
  divider,
  header,
  requesterText,
  section,
  type Block,
  type HomeView,
} from './common.blocks';

export interface HomeState {
  grants: Grant[];
  requests: AccessRequest[];
  approvals: AccessRequest[];
  zone?: string;
  /** Shown at the top when something could not be loaded (for example an unverified identity). */
  problem?: string;
}

const grantLine = (g: Grant, zone: string | undefined) =>
  `*${escapeText(g.permissionSetName)}* in ${accountText(g)} · ${
    g.status === 'active' && g.expiresAt !== undefined
      ? `active until ${formatLocalTime(g.expiresAt, zone)}`
      : escapeText(g.status)
  } · \`${g.id}\``;

/** App Home: my live grants (Revoke, Extend), my pending requests, and what waits for my approval. */
export function homeView(s: HomeState): HomeView {
  const blocks: Block[] = [
    header('keyless: just-in-time AWS access'),
    {
      type: 'actions',
      elements: [button('Request access', Actions.openRequestModal, 'new', 'primary')],
    },
  ];
  if (s.problem) blocks.push(section(`:warning: ${escapeText(s.problem)}`));

  blocks.push(divider(), section('*Your access*'));
  if (s.grants.length === 0) blocks.push(context('No live grants.'));
  for (const g of s.grants) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: grantLine(g, s.zone) },
    });
    // Buttons only while they can do something: a grant that is ending shows its state, nothing to click.
    if (grantAcceptsActions(g)) {
      blocks.push({
        type: 'actions',
        block_id: `grant:${g.id}`,
        elements: [button('Extend…', Actions.extend, g.id), button('Revoke', Actions.revoke, g.id, 'danger')],
      });
    }
  }

  if (s.requests.length > 0) {
    blocks.push(divider(), section('*Your pending requests*'));
    for (const r of s.requests) {
      blocks.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${escapeText(r.permissionSetName)}* in ${accountText(r)} · ${formatDuration(r.durationSeconds)} · ${r.approvals.length} of ${r.approvalsRequired} approvals · \`${r.id}\``,
        },
        accessory: button('Cancel', Actions.cancel, r.id),
      });
    }
  }

  blocks.push(divider(), section('*Waiting for your approval*'));
  if (s.approvals.length === 0) blocks.push(context('Nothing waits for you.'));
  for (const r of s.approvals) {
    blocks.push(
      section(
        `${requesterText(r)} asks for *${escapeText(r.permissionSetName)}* in ${accountText(r)} for ${formatDuration(r.durationSeconds)}: ${escapeText(r.reason)} · ${r.approvals.length} of ${r.approvalsRequired}`,
      ),
      {
        type: 'actions',
        block_id: `approval:${r.id}`,
        elements: [button('Approve', Actions.approve, r.id, 'primary'), button('Deny…', Actions.deny, r.id, 'danger')],
      },
    );
  }
  return { type: 'home', callback_id: Views.home, blocks };
}
