import {
  bundleEntries,
  bundleSummary,
  formatDuration,
  type BundleEntry,
  type BundleEntryState,
  type BundleView,
} from '../../../src';
import { Actions, Blocks, Views } from '../ids';
import { escapeText, ticketLink } from '../escape';
import {
  button,
  context,
  header,
  md,
  plain,
  requesterText,
  section,
  type Block,
  type ModalView,
  type SlackMessage,
} from './common.blocks';

/**
 * The messages of a multi-account request (src/domain/bundle.ts): one approval message that lists
 * every account asked with its rule and progress (refused ones with why), one requester DM that
 * shows each account's state and ends them all or one. Both are redrawn in place on every change.
 */

const ICON: Record<BundleEntryState, string> = {
  refused: ':no_entry_sign:',
  pending: ':hourglass_flowing_sand:',
  denied: ':x:',
  cancelled: ':white_circle:',
  timed_out: ':white_circle:',
  approved: ':white_check_mark:',
  scheduled: ':calendar:',
  provisioning: ':gear:',
  active: ':large_green_circle:',
  failed: ':warning:',
  ending: ':white_circle:',
  ended: ':white_circle:',
};

function entryText(e: BundleEntry): string {
  return `${ICON[e.state]} *${escapeText(e.accountName, { maxLength: 80 })}* (\`${e.accountId}\`): ${escapeText(e.line, { maxLength: 400 })}`;
}

function leadOf(view: BundleView) {
  return view.requests[0]!;
}

function factsOf(view: BundleView): Block {
  const r = leadOf(view);
  const fields = [
    md(`*Requester*\n${requesterText(r)}`),
    md(`*Permission set*\n${escapeText(r.permissionSetName, { maxLength: 80 })}`),
    md(`*Duration*\n${formatDuration(r.durationSeconds)}`),
    md(`*Reason*\n${escapeText(r.reason) || '—'}`),
  ];
  if (r.ticket) fields.push(md(`*Ticket*\n${ticketLink(r.ticket)}`));
  return { type: 'section', fields };
}

/** The approval message of a bundle: Approve all / Deny all… while any account waits. */
export function bundleApprovalMessage(view: BundleView, zone?: string): SlackMessage {
  const r = leadOf(view);
  const entries = bundleEntries(view, zone ?? r.requester.timeZone);
  const blocks: Block[] = [
    header(`Access request: ${r.permissionSetName} in ${entries.length} accounts`),
    factsOf(view),
    ...entries.map((e) => section(entryText(e))),
    context(`${escapeText(bundleSummary(entries))} · bundle \`${view.id}\` · request \`${r.id}\``),
  ];
  if (view.requests.some((x) => x.status === 'pending')) {
    blocks.push(
      context(
        'Approve applies to every account waiting that you may approve (each by its own rule); Deny denies every one you may decide.',
      ),
      {
        type: 'actions',
        block_id: Blocks.approvalActions,
        elements: [
          button('Approve all', Actions.approveBundle, r.id, 'primary'),
          button('Deny all…', Actions.denyBundle, r.id, 'danger'),
        ],
      },
    );
  }
  return {
    text: `Access request from ${requesterText(r)}: ${escapeText(r.permissionSetName)} in ${entries.length} accounts (${escapeText(bundleSummary(entries))})`,
    blocks,
  };
}

/** The requester's DM about a bundle: each account's state, End now per account, End all now. */
export function bundleRequesterMessage(view: BundleView, zone?: string): SlackMessage {
  const r = leadOf(view);
  const entries = bundleEntries(view, zone ?? r.requester.timeZone);
  const blocks: Block[] = [
    section(
      `:inbox_tray: Your request for *${escapeText(r.permissionSetName, { maxLength: 80 })}* in ${entries.length} accounts (${formatDuration(r.durationSeconds)}).`,
    ),
    ...entries.map((e): Block => ({
      ...section(entryText(e)),
      ...(e.endable && e.grant ? { accessory: button('End now', Actions.revoke, e.grant.id, 'danger') } : {}),
    })),
    context(`${escapeText(bundleSummary(entries))} · bundle \`${view.id}\``),
  ];
  if (entries.filter((e) => e.endable).length > 1) {
    blocks.push({
      type: 'actions',
      block_id: Blocks.grantActions,
      elements: [button('End all now', Actions.revokeBundle, r.id, 'danger')],
    });
  }
  return { text: `Your request for ${entries.length} accounts: ${bundleSummary(entries)}`, blocks };
}

/** Deny on a bundle asks for one reason (private_metadata: one request id of the bundle). */
export function denyBundleModal(requestId: string): ModalView {
  return {
    type: 'modal',
    callback_id: Views.denyBundle,
    title: plain('Deny request'),
    submit: plain('Deny all'),
    close: plain('Cancel'),
    private_metadata: requestId,
    blocks: [
      section('You are denying every account of this request that you may decide.'),
      {
        type: 'input',
        block_id: Blocks.denyReason,
        label: plain('Why?'),
        hint: plain('The requester sees this.'),
        element: {
          type: 'plain_text_input',
          action_id: Actions.denyReasonInput,
          multiline: true,
          min_length: 3,
          max_length: 500,
        },
      },
    ],
  };
}

/** The request form, once a multi-account request is in: what was filed and what was refused. */
export function bundleSentModal(result: Parameters<typeof bundleReply>[0]): ModalView {
  return {
    type: 'modal',
    callback_id: Views.request,
    title: plain('Request AWS access'),
    close: plain('Done'),
    blocks: bundleReply(result).blocks,
  };
}

/** The ephemeral answer to a multi-account request: what was filed, what the policy refused and why. */
export function bundleReply(result: {
  bundleId: string;
  requests: { accountName: string; accountId: string; status: string; approvalsRequired: number; rule: string }[];
  refused: { accountName: string; accountId: string; why: string }[];
  duplicate: boolean;
}): SlackMessage {
  const filed = result.requests.map(
    (r) =>
      `• *${escapeText(r.accountName, { maxLength: 80 })}* (\`${r.accountId}\`): ${r.status === 'approved' ? 'approved by policy, setting up' : `waiting for ${r.approvalsRequired} approval(s), rule \`${escapeText(r.rule, { maxLength: 64 })}\``}`,
  );
  const refused = result.refused.map(
    (r) =>
      `• *${escapeText(r.accountName, { maxLength: 80 })}* (\`${r.accountId}\`): refused. ${escapeText(r.why, { maxLength: 400 })}`,
  );
  const head = result.duplicate
    ? `:information_source: I already have this request (bundle \`${result.bundleId}\`).`
    : `:inbox_tray: Request filed for ${result.requests.length} account(s) (bundle \`${result.bundleId}\`).`;
  const blocks: Block[] = [section(head), section(filed.join('\n'))];
  if (refused.length > 0) {
    blocks.push(section(`*Not requested* (the policy refused ${refused.length}):\n${refused.join('\n')}`));
  }
  return {
    text: `Request filed for ${result.requests.length} account(s)${result.refused.length ? `; ${result.refused.length} refused by policy` : ''}`,
    blocks,
  };
}
