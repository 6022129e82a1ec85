import {
  bundleEntries,
  bundleSummary,
  formatDuration,
  type BundleEntry,
  type BundleEntryState,
  type BundleView,
} from '../../../src';
import { Inputs, Verbs } from '../verbs';
import { MIN_DENY_REASON_LENGTH } from './approval.card';
import { adaptiveCard, b, execute, facts, heading, showCard, text, type AdaptiveCard, type CardElement } from './card';
import { escapeCardText } from './escape';

/**
 * The cards of a multi-account request (src/domain/bundle.ts), the same facts as Slack's: one
 * approval card listing every account asked (its rule and progress; refused ones with why) with
 * Approve all / Deny all while any account waits, and the requester's card with each account's
 * state, End now per live account and End all now. Both are redrawn in place on every change.
 */

const COLOR: Record<BundleEntryState, string> = {
  refused: 'Attention',
  pending: 'Warning',
  denied: 'Attention',
  cancelled: 'Default',
  timed_out: 'Default',
  approved: 'Good',
  scheduled: 'Default',
  provisioning: 'Default',
  active: 'Good',
  failed: 'Attention',
  ending: 'Default',
  ended: 'Default',
};

function entryText(e: BundleEntry): CardElement {
  return text(`${b(e.accountName)} (${escapeCardText(e.accountId)}): ${escapeCardText(e.line, { maxLength: 400 })}`, {
    color: COLOR[e.state],
  });
}

function noticeText(notice: string | undefined): CardElement[] {
  return notice ? [text(escapeCardText(notice, { multiline: true }), { weight: 'Bolder' })] : [];
}

/** The approval card of a bundle (the approvals channel and each approver's 1:1 chat). */
export function bundleApprovalCard(view: BundleView, zone?: string, notice?: string): AdaptiveCard {
  const r = view.requests[0]!;
  const entries = bundleEntries(view, zone ?? r.requester.timeZone);
  const pending = view.requests.some((x) => x.status === 'pending');
  const body: CardElement[] = [
    heading(`🔐 Access request for ${entries.length} accounts`),
    text(
      `${b(r.requester.displayName)} asks for ${b(r.permissionSetName)} for ${b(formatDuration(r.durationSeconds))} in:`,
    ),
    ...entries.map(entryText),
    facts([
      ['Reason', r.reason],
      ['Ticket', r.ticket],
      ['Bundle', view.id],
    ]),
    text(escapeCardText(bundleSummary(entries)), { weight: 'Bolder' }),
    ...(pending
      ? [
          text(
            'Approve applies to every account waiting that you may approve (each by its own rule); Deny denies every one you may decide.',
            { isSubtle: true },
          ),
        ]
      : []),
    ...noticeText(notice),
  ];
  const data = { requestId: r.id };
  const actions = pending
    ? [
        execute('Approve all', Verbs.approveBundle, data, 'positive'),
        showCard(
          'Deny all…',
          adaptiveCard(
            [
              {
                type: 'Input.Text',
                id: Inputs.denyReason,
                label: 'Why? (the requester sees this)',
                isRequired: true,
                errorMessage: `Say why, in a few words (at least ${MIN_DENY_REASON_LENGTH} characters).`,
                maxLength: 500,
              },
            ],
            { actions: [execute('Deny all', Verbs.denyBundle, data, 'destructive')] },
          ),
        ),
      ]
    : [];
  return adaptiveCard(body, { actions });
}

/** The requester's card: each account's state, End now per live account, End all now. */
export function bundleRequesterCard(view: BundleView, zone?: string, notice?: string): AdaptiveCard {
  const r = view.requests[0]!;
  const entries = bundleEntries(view, zone ?? r.requester.timeZone);
  const body: CardElement[] = [
    heading(`Your request for ${entries.length} accounts`),
    text(`${b(r.permissionSetName)} for ${b(formatDuration(r.durationSeconds))}.`),
  ];
  for (const e of entries) {
    body.push(entryText(e));
    if (e.endable && e.grant) {
      body.push({
        type: 'ActionSet',
        actions: [
          execute(`End now: ${e.accountName.slice(0, 40)}`, Verbs.endGrant, { grantId: e.grant.id }, 'destructive'),
        ],
      });
    }
  }
  body.push(text(escapeCardText(bundleSummary(entries)), { isSubtle: true }), ...noticeText(notice));
  const live = entries.filter((e) => e.endable).length;
  return adaptiveCard(body, {
    actions: live > 1 ? [execute('End all now', Verbs.endBundle, { requestId: r.id }, 'destructive')] : [],
  });
}

/** The answer to a multi-account request: what was filed, what the policy refused and why. */
export function bundleReplyCard(result: {
  bundleId: string;
  requests: { accountName: string; accountId: string; status: string; approvalsRequired: number; rule: string }[];
  refused: { accountName: string; accountId: string; why: string }[];
  duplicate: boolean;
}): AdaptiveCard {
  const body: CardElement[] = [
    heading(
      result.duplicate
        ? `You already sent this (bundle ${escapeCardText(result.bundleId)}).`
        : `Request filed for ${result.requests.length} account(s)`,
    ),
    ...result.requests.map((r) =>
      text(
        `${b(r.accountName)} (${escapeCardText(r.accountId)}): ${r.status === 'approved' ? 'approved by policy, setting up' : `waiting for ${r.approvalsRequired} approval(s), rule ${escapeCardText(r.rule)}`}`,
      ),
    ),
  ];
  if (result.refused.length > 0) {
    body.push(text(`Not requested (the policy refused ${result.refused.length}):`, { weight: 'Bolder' }));
    for (const r of result.refused) {
      body.push(
        text(
          `${b(r.accountName)} (${escapeCardText(r.accountId)}): refused. ${escapeCardText(r.why, { maxLength: 400 })}`,
          {
            color: 'Attention',
          },
        ),
      );
    }
  }
  return adaptiveCard(body);
}
