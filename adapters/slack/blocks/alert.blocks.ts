import type { types } from '@slack/bolt';
import {
  availableAlertActions,
  freshnessOf,
  formatDuration,
  type Alert,
  type AlertAction,
  type AlertDigest,
  type AlertSeverity,
  type Finding,
  ROTATION_STEP_TEXT,
} from '../../../src';
import { AlertActions, AlertBlocks } from '../alert-ids';
import { escapeText, plainText } from '../escape';
import {
  actorText,
  button,
  context,
  header,
  md,
  section,
  slackDate,
  type Block,
  type SlackMessage,
} from './common.blocks';

/**
 * The security feed in Block Kit: one message per immediate alert, a thread reply per repeat of
 * its incident, and the daily digest. Pure functions of the alert and `now` (for "Reactivate until").
 */

const SEVERITY: Record<AlertSeverity, string> = {
  critical: ':rotating_light: Critical',
  high: ':red_circle: High',
  medium: ':large_orange_circle: Medium',
  low: ':white_circle: Low',
};

const days = (ms: number) => Math.floor(ms / 86_400_000);

/** The evidence, each fact only when known; never more than the key's last 4 characters. */
export function evidenceLines(f: Finding): string[] {
  const e = f.evidence;
  const lines: string[] = [];
  if (e.eventTime !== undefined)
    lines.push(
      `*When* ${slackDate(e.eventTime)}${e.eventName ? ` · \`${escapeText(e.eventName, { maxLength: 80 })}\`` : ''}`,
    );
  if (e.sourceIp) lines.push(`*Source IP* \`${escapeText(e.sourceIp, { maxLength: 60 })}\``);
  if (e.userAgent) lines.push(`*User agent* ${escapeText(e.userAgent, { maxLength: 120 })}`);
  if (e.mfaUsed !== undefined) lines.push(`*MFA* ${e.mfaUsed ? 'used' : ':warning: not used'}`);
  if (e.count !== undefined && e.count > 1) lines.push(`*Attempts* ${e.count}`);
  if (e.keyLast4) lines.push(`*Access key* \`…${escapeText(e.keyLast4, { maxLength: 40 })}\``);
  if (e.keyAgeDays !== undefined) lines.push(`*Key age* ${e.keyAgeDays} days`);
  if (e.lastUsedAt !== undefined) {
    lines.push(
      e.lastUsedAt === null
        ? '*Last used* never'
        : `*Last used* ${slackDate(e.lastUsedAt)}${e.lastUsedService ? ` · ${escapeText(e.lastUsedService, { maxLength: 40 })}` : ''}${e.lastUsedRegion ? ` in ${escapeText(e.lastUsedRegion, { maxLength: 30 })}` : ''}`,
    );
  }
  if (e.region && e.eventTime !== undefined) lines.push(`*Region* ${escapeText(e.region, { maxLength: 30 })}`);
  if (e.permissionSet) lines.push(`*Permission set* ${escapeText(e.permissionSet, { maxLength: 120 })}`);
  if (e.grantId) lines.push(`*Grant* \`${escapeText(e.grantId, { maxLength: 80 })}\``);
  if (e.removed) lines.push('*Removed* by keyless (policy `reconcile.removeUnknown`)');
  if (e.unresolvedNames) lines.push(`:grey_question: ${escapeText(e.unresolvedNames, { maxLength: 300 })}`);
  if (e.detail) lines.push(`_${escapeText(e.detail, { maxLength: 300 })}_`);
  return lines;
}

/** How fresh the facts are: event time, report time, live check. */
export function freshnessLine(f: Finding): string {
  return `Data as of: ${freshnessOf(f)
    .map((p) => `${p.source} ${slackDate(p.at)}`)
    .join(' · ')}`;
}

/** Who did what to the alert, in one line each. */
export function statusLines(a: Alert, now: number): string[] {
  const lines: string[] = [];
  if (a.status === 'resolved')
    lines.push(
      `:white_check_mark: *Resolved*${a.resolvedAt !== undefined ? ` ${slackDate(a.resolvedAt)}` : ''}: no longer seen`,
    );
  if (a.acknowledged)
    lines.push(`:eyes: Acknowledged by ${actorText(a.acknowledged.by)} ${slackDate(a.acknowledged.at)}`);
  if (a.status === 'snoozed' && a.snoozed)
    lines.push(
      `:zzz: Snoozed by ${actorText(a.snoozed.by)} until ${slackDate(a.snoozed.until)}: ${escapeText(a.snoozed.reason, { maxLength: 200 })}`,
    );
  const exp = a.finding.expected;
  if (exp)
    lines.push(
      `:information_source: Expected: root use announced by ${actorText(exp.by)} until ${slackDate(exp.until)}: ${escapeText(exp.reason, { maxLength: 200 })}`,
    );
  const r = a.remediation;
  if (r && r.status !== 'none') {
    const c = r.checked;
    const use = c
      ? ` Key was ${c.status}, last used ${c.lastUsedAt === null ? 'never' : slackDate(c.lastUsedAt)}${c.service ? ` (${escapeText(c.service, { maxLength: 40 })}${c.region ? `, ${escapeText(c.region, { maxLength: 30 })}` : ''})` : ''}.`
      : '';
    switch (r.status) {
      case 'pending_approval':
        lines.push(
          `:hourglass_flowing_sand: *Deactivation requested* by ${r.requestedBy ? actorText(r.requestedBy) : 'someone'}; a security approver must approve.${use}`,
        );
        break;
      case 'approved':
        lines.push(
          `:gear: Deactivation approved by ${r.decidedBy ? actorText(r.decidedBy) : 'an approver'}; applying…`,
        );
        break;
      case 'done':
        lines.push(
          `:lock: *Key deactivated* (approved by ${r.decidedBy ? actorText(r.decidedBy) : 'an approver'}${r.doneAt !== undefined ? `, ${slackDate(r.doneAt)}` : ''}).${r.reversibleUntil !== undefined && now <= r.reversibleUntil ? ` It can be reactivated until ${slackDate(r.reversibleUntil)}; ${a.rotation ? 'keyless offers Delete only after the waiting period, with another approval.' : 'it is never deleted by keyless.'}` : ''}`,
        );
        break;
      case 'denied':
        lines.push(
          `:no_entry: Deactivation denied by ${r.decidedBy ? actorText(r.decidedBy) : 'an approver'}: ${escapeText(r.reason, { maxLength: 200 }) || 'no reason given'}`,
        );
        break;
      case 'failed':
        lines.push(`:x: Deactivation failed: ${escapeText(r.failure, { maxLength: 200 })}`);
        break;
      case 'reverted':
        lines.push(
          `:unlock: Key reactivated by ${r.revertedBy ? actorText(r.revertedBy) : 'someone'}${r.revertedAt !== undefined ? ` ${slackDate(r.revertedAt)}` : ''}`,
        );
        break;
    }
  }
  const d = a.rotation?.deletion;
  if (d && d.status !== 'none') {
    const who = (x: typeof d.requestedBy) => (x ? actorText(x) : 'someone');
    const line = {
      pending_approval: `:hourglass_flowing_sand: *Deletion requested* by ${who(d.requestedBy)}; a security approver must approve. Deleting cannot be undone.`,
      approved: `:gear: Deletion approved by ${who(d.decidedBy)}; applying…`,
      done: `:wastebasket: *Old key deleted* (approved by ${who(d.decidedBy)}${d.doneAt !== undefined ? `, ${slackDate(d.doneAt)}` : ''}). Recorded; it cannot be undone.`,
      denied: `:no_entry: Deletion denied by ${who(d.decidedBy)}: ${escapeText(d.reason, { maxLength: 200 }) || 'no reason given'}`,
      failed: `:x: Deletion not done: ${escapeText(d.failure, { maxLength: 200 })}`,
    }[d.status];
    lines.push(line);
  }
  return lines;
}

/**
 * The rotation assistant's one message (the owner's DM, or the security channel), updated in place
 * at every step: the key, the step's instructions, what keyless saw, and the step's buttons.
 */
export function rotationMessage(a: Alert, now: number): SlackMessage {
  const f = a.finding;
  const r = a.rotation!;
  const oldKey = `\`…${escapeText(f.evidence.keyLast4 ?? (f.accessKeyId ?? '').slice(-4), { maxLength: 8 })}\``;
  const facts = [
    `Old key ${oldKey}${f.evidence.keyAgeDays !== undefined ? `, ${f.evidence.keyAgeDays} days old` : ''}, last used ${r.oldKeyLastUsedAt == null ? 'never' : slackDate(r.oldKeyLastUsedAt)}`,
    r.newKey
      ? `New key \`…${escapeText(r.newKey.accessKeyId.slice(-4), { maxLength: 8 })}\`, created ${slackDate(r.newKey.createdAt)}, ${r.newKey.lastUsedAt === null ? 'not used yet' : `last used ${slackDate(r.newKey.lastUsedAt)}`}`
      : undefined,
    r.rolledBackAt !== undefined && r.step === 'rolled_back'
      ? `:warning: *Rollback*: the old key was used again after it was deactivated (seen ${slackDate(r.rolledBackAt)}).`
      : undefined,
  ].filter(Boolean);
  const blocks: Block[] = [
    header(`🔑 ${plainText(`Rotate access key of ${f.principal.name} in ${f.account.name}`, 140)}`),
    section(
      `*${r.step === 'deleted' ? 'Done' : 'What to do now'}:* ${escapeText(ROTATION_STEP_TEXT[r.step], { maxLength: 600 })}`,
    ),
    section(facts.join('\n')),
  ];
  const status = statusLines(a, now).filter((l) => !l.startsWith(':white_check_mark:'));
  if (status.length > 0) blocks.push(section(status.join('\n')));
  const rotationActions: readonly string[] = [
    AlertActions.deactivate,
    AlertActions.reactivate,
    AlertActions.deleteKey,
    AlertActions.approveDeactivation,
    AlertActions.denyDeactivation,
    AlertActions.approveDeletion,
    AlertActions.denyDeletion,
  ];
  const buttons = alertButtons(a, now).filter((b) => rotationActions.includes(b.action_id ?? ''));
  // Deactivate is offered once the new key is in use (or again after a rollback).
  const offered = buttons.filter(
    (b) => b.action_id !== AlertActions.deactivate || r.step === 'ready_to_deactivate' || r.step === 'rolled_back',
  );
  const labelled = offered.map((b) =>
    b.action_id === AlertActions.deactivate
      ? { ...b, text: { type: 'plain_text' as const, text: 'Deactivate the old key' } }
      : b,
  );
  if (labelled.length > 0)
    blocks.push({ type: 'actions', block_id: `${AlertBlocks.actions}:rotation`, elements: labelled });
  blocks.push(
    context(
      `keyless never creates or sees secret keys: it reads key ids, status and last use. Checked ${slackDate(r.checkedAt)}. Account \`${escapeText(f.account.id, { maxLength: 20 })}\``,
    ),
  );
  return {
    text: `Rotate access key …${(f.accessKeyId ?? '').slice(-4)} of ${escapeText(f.principal.name, { maxLength: 80 })} in ${escapeText(f.account.name, { maxLength: 80 })}: ${r.step.replace(/_/g, ' ')}`,
    blocks,
  };
}

/** The buttons an alert offers in its state (the domain decides which: `availableAlertActions`). */
export function alertButtons(a: Alert, now: number): types.Button[] {
  const key = a.dedupeKey;
  const toButtons: Record<AlertAction, () => types.Button[]> = {
    acknowledge: () => [button('Acknowledge', AlertActions.acknowledge, key)],
    snooze: () => [
      button('Snooze 7 days', AlertActions.snooze7, key),
      button('Snooze 30 days', AlertActions.snooze30, key),
    ],
    deactivate: () => [button('Deactivate key', AlertActions.deactivate, key, 'danger')],
    approve_deactivation: () => [button('Approve deactivation', AlertActions.approveDeactivation, key, 'danger')],
    deny_deactivation: () => [button('Deny', AlertActions.denyDeactivation, key)],
    reactivate: () => [button('Reactivate', AlertActions.reactivate, key)],
    announce_root: () => [button('Announce root use', AlertActions.announceRoot, a.finding.account.id)],
    delete_key: () => [button('Delete the old key (cannot be undone)', AlertActions.deleteKey, key, 'danger')],
    approve_deletion: () => [button('Approve deletion', AlertActions.approveDeletion, key, 'danger')],
    deny_deletion: () => [button('Deny deletion', AlertActions.denyDeletion, key)],
  };
  return availableAlertActions(a, now).flatMap((action) => toButtons[action]());
}

function principalText(f: Finding): string {
  const p = f.principal;
  const kind = p.userKind ? ` (${p.userKind})` : '';
  return p.type === 'root' ? 'root user' : `${escapeText(p.name, { maxLength: 80 })}${kind}`;
}

const accountLine = (f: Finding) =>
  f.account.id
    ? `${escapeText(f.account.name, { maxLength: 80 })} (\`${f.account.id}\`)`
    : escapeText(f.account.name, { maxLength: 80 });

/**
 * How often and how lately: a repeat of the same fact (the next reconcile, the next scan) moves
 * these on this message instead of posting another one.
 */
export function seenText(a: Alert): string {
  const times = `${a.occurrences} time${a.occurrences === 1 ? '' : 's'}`;
  const last = a.occurrences > 1 ? ` · last seen ${slackDate(a.lastSeenAt)}` : ` · ${slackDate(a.firstSeenAt)}`;
  return `${times}${last}${a.incident > 1 ? ` · incident ${a.incident}` : ''}`;
}

/** An immediate alert: what, where, who, the evidence, what to do, how fresh, and its buttons. */
export function alertMessage(a: Alert, now: number): SlackMessage {
  const f = a.finding;
  const resolved = a.status === 'resolved';
  const title = `${f.title}${resolved ? ' (resolved)' : ''}`;
  const blocks: Block[] = [
    header(`${resolved ? '✅' : f.severity === 'critical' ? '🚨' : '⚠️'} ${plainText(title, 148)}`),
    {
      type: 'section',
      fields: [
        md(`*Account*\n${accountLine(f)}`),
        md(`*Principal*\n${principalText(f)}`),
        md(`*Severity*\n${SEVERITY[f.severity]}`),
        md(`*Seen*\n${seenText(a)}`),
      ],
    },
  ];
  const evidence = evidenceLines(f);
  if (evidence.length > 0) blocks.push(section(evidence.join('\n')));
  if (f.advice) blocks.push(section(`*What to do:* ${escapeText(f.advice, { maxLength: 500 })}`));
  const status = statusLines(a, now);
  if (status.length > 0) blocks.push(section(status.join('\n')));
  const buttons = alertButtons(a, now);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: AlertBlocks.actions, elements: buttons });
  blocks.push(context(freshnessLine(f)));
  return {
    text: `${SEVERITY[f.severity].replace(/^:[a-z_]+: /, '')}: ${escapeText(f.title, { maxLength: 150 })} in ${escapeText(f.account.name, { maxLength: 80 })}${resolved ? ' (resolved)' : ''}`,
    blocks,
  };
}

/** A repeat of the incident, in the alert's thread. */
export function alertRepeatMessage(a: Alert, f: Finding): SlackMessage {
  const evidence = evidenceLines(f);
  return {
    text: `Again: ${escapeText(f.title, { maxLength: 150 })} in ${escapeText(f.account.name, { maxLength: 80 })}`,
    blocks: [
      section(`:repeat: *Again* (${a.occurrences} in this incident): ${escapeText(f.title, { maxLength: 150 })}`),
      ...(evidence.length ? [section(evidence.join('\n'))] : []),
    ],
  };
}

const MAX_DIGEST_ITEMS = 20;

function digestItem(a: Alert, now: number): Block[] {
  const f = a.finding;
  const facts = [
    f.evidence.keyLast4 ? `key \`…${escapeText(f.evidence.keyLast4, { maxLength: 40 })}\`` : undefined,
    f.evidence.keyAgeDays !== undefined ? `${f.evidence.keyAgeDays} days old` : undefined,
    f.evidence.lastUsedAt === null
      ? 'never used'
      : f.evidence.lastUsedAt !== undefined
        ? `last used ${days(now - f.evidence.lastUsedAt)} days ago`
        : undefined,
  ].filter(Boolean);
  const status = statusLines(a, now);
  const strike = a.status === 'resolved' ? '~' : '';
  const text = `${strike}*${escapeText(f.title, { maxLength: 150 })}* · ${principalText(f)} · ${accountLine(f)}${strike}${facts.length ? `\n${facts.join(' · ')}` : ''}${status.length ? `\n${status.join('\n')}` : ''}`;
  const buttons = alertButtons(a, now);
  const blocks: Block[] = [section(text)];
  if (buttons.length > 0)
    blocks.push({
      type: 'actions',
      block_id: `${AlertBlocks.actions}:${a.dedupeKey}`.slice(0, 255),
      elements: buttons.slice(0, 5),
    });
  return blocks;
}

/** The daily digest: one section per finding (with its buttons), grouped by account. */
export function digestMessage(d: AlertDigest, alerts: readonly Alert[], now: number): SlackMessage {
  const shown = alerts.slice(0, MAX_DIGEST_ITEMS);
  const blocks: Block[] = [
    header(`Security digest · ${d.date} · ${alerts.length} finding${alerts.length === 1 ? '' : 's'}`),
    context(
      `Stale and unused access keys, read-only and AssumeRoot root activity. Resolved findings are struck through. Digest \`${escapeText(d.id, { maxLength: 60 })}\``,
    ),
  ];
  for (const a of shown) blocks.push(...digestItem(a, now));
  if (alerts.length > shown.length)
    blocks.push(context(`…and ${alerts.length - shown.length} more: see the keyless alert list.`));
  const reports = alerts.map((a) => a.finding.evidence.reportGeneratedAt).filter((t): t is number => t !== undefined);
  if (reports.length > 0)
    blocks.push(
      context(`Credential reports from ${slackDate(Math.min(...reports))} to ${slackDate(Math.max(...reports))}`),
    );
  return { text: `Security digest ${d.date}: ${alerts.length} findings`, blocks: blocks.slice(0, 50) };
}

/** The snooze window in words, for confirmations. */
export const snoozeText = (daysCount: number): string => formatDuration(daysCount * 86_400);
