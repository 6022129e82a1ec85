import {
  availableAlertActions,
  freshnessOf,
  type Alert,
  type AlertAction,
  type AlertDigest,
  type AlertSeverity,
  type Finding,
  ROTATION_STEP_TEXT,
} from '../../../src';
import { AlertInputs, AlertVerbs, type AlertVerb } from '../alert-verbs';
import { adaptiveCard, facts, heading, text, type AdaptiveCard, type CardElement } from './card';
import { escapeCardText } from './escape';

/**
 * The security feed as Adaptive Cards (1.5): one card per immediate alert, a reply per repeat, and
 * the daily digest. Pure functions of the alert and `now`; times are shown in UTC with Adaptive
 * Card date functions so that Teams renders them in the reader's zone.
 */

const SEVERITY: Record<AlertSeverity, { label: string; color: string }> = {
  critical: { label: 'Critical', color: 'Attention' },
  high: { label: 'High', color: 'Attention' },
  medium: { label: 'Medium', color: 'Warning' },
  low: { label: 'Low', color: 'Default' },
};

/** `{{DATE(…)}} {{TIME(…)}}`: Teams shows it in the reader's zone. */
export function cardDate(ms: number): string {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
}

const actorName = (a: { name: string; kind: string }) =>
  a.kind === 'system' ? 'keyless' : escapeCardText(a.name, { maxLength: 80 });

function exec(
  title: string,
  verb: AlertVerb,
  data: Record<string, unknown>,
  style?: 'positive' | 'destructive',
): CardElement {
  return { type: 'Action.Execute', title, verb, data: { verb, ...data }, ...(style ? { style } : {}) };
}

function showCard(title: string, body: CardElement[], actions: CardElement[]): CardElement {
  return { type: 'Action.ShowCard', title, card: { type: 'AdaptiveCard', version: '1.5', body, actions } };
}

function evidenceFacts(f: Finding): CardElement {
  const e = f.evidence;
  return facts([
    ['Account', f.account.id ? `${f.account.name} (${f.account.id})` : f.account.name],
    [
      'Principal',
      f.principal.type === 'root'
        ? 'root user'
        : `${f.principal.name}${f.principal.userKind ? ` (${f.principal.userKind})` : ''}`,
    ],
    ['Severity', SEVERITY[f.severity].label],
    ['Event', e.eventName],
    ['Source IP', e.sourceIp],
    ['User agent', e.userAgent],
    ['MFA', e.mfaUsed === undefined ? undefined : e.mfaUsed ? 'used' : 'not used'],
    ['Attempts', e.count !== undefined && e.count > 1 ? String(e.count) : undefined],
    ['Access key', e.keyLast4 ? `…${e.keyLast4}` : undefined],
    ['Key age', e.keyAgeDays !== undefined ? `${e.keyAgeDays} days` : undefined],
    [
      'Last used',
      e.lastUsedAt === undefined
        ? undefined
        : e.lastUsedAt === null
          ? 'never'
          : `${new Date(e.lastUsedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC${e.lastUsedService ? ` · ${e.lastUsedService}` : ''}${e.lastUsedRegion ? ` in ${e.lastUsedRegion}` : ''}`,
    ],
    ['Region', e.region],
    ['Permission set', e.permissionSet],
    ['Grant', e.grantId],
    ['Removed', e.removed ? 'by keyless (policy reconcile.removeUnknown)' : undefined],
    ['Names', e.unresolvedNames],
    ['Detail', e.detail],
  ]);
}

function freshness(f: Finding): string {
  return `Data as of: ${freshnessOf(f)
    .map((p) => `${p.source} ${cardDate(p.at)}`)
    .join(' · ')}`;
}

function statusTexts(a: Alert, now: number): string[] {
  const lines: string[] = [];
  if (a.status === 'resolved')
    lines.push(`✅ **Resolved**${a.resolvedAt !== undefined ? ` ${cardDate(a.resolvedAt)}` : ''}: no longer seen`);
  if (a.acknowledged) lines.push(`👀 Acknowledged by ${actorName(a.acknowledged.by)} ${cardDate(a.acknowledged.at)}`);
  if (a.status === 'snoozed' && a.snoozed)
    lines.push(
      `💤 Snoozed by ${actorName(a.snoozed.by)} until ${cardDate(a.snoozed.until)}: ${escapeCardText(a.snoozed.reason, { maxLength: 200 })}`,
    );
  if (a.finding.expected)
    lines.push(
      `ℹ️ Expected: root use announced by ${actorName(a.finding.expected.by)} until ${cardDate(a.finding.expected.until)}: ${escapeCardText(a.finding.expected.reason, { maxLength: 200 })}`,
    );
  const r = a.remediation;
  if (r && r.status !== 'none') {
    const c = r.checked;
    const use = c
      ? ` Key was ${c.status}, last used ${c.lastUsedAt === null ? 'never' : cardDate(c.lastUsedAt)}${c.service ? ` (${escapeCardText(c.service, { maxLength: 40 })})` : ''}.`
      : '';
    const by = (x: typeof r.decidedBy) => (x ? actorName(x) : 'an approver');
    const line: Record<string, string> = {
      pending_approval: `⏳ **Deactivation requested** by ${by(r.requestedBy)}; a security approver must approve.${use}`,
      approved: `⚙️ Deactivation approved by ${by(r.decidedBy)}; applying…`,
      done: `🔒 **Key deactivated** (approved by ${by(r.decidedBy)}).${r.reversibleUntil !== undefined && now <= r.reversibleUntil ? ` It can be reactivated until ${cardDate(r.reversibleUntil)}; ${a.rotation ? 'keyless offers Delete only after the waiting period, with another approval.' : 'keyless never deletes keys.'}` : ''}`,
      denied: `⛔ Deactivation denied by ${by(r.decidedBy)}: ${escapeCardText(r.reason, { maxLength: 200 }) || 'no reason given'}`,
      failed: `❌ Deactivation failed: ${escapeCardText(r.failure, { maxLength: 200 })}`,
      reverted: `🔓 Key reactivated by ${by(r.revertedBy)}`,
    };
    if (line[r.status]) lines.push(line[r.status]!);
  }
  const d = a.rotation?.deletion;
  if (d && d.status !== 'none') {
    const by = (x: typeof d.decidedBy) => (x ? actorName(x) : 'someone');
    const line: Record<string, string> = {
      pending_approval: `⏳ **Deletion requested** by ${by(d.requestedBy)}; a security approver must approve. Deleting cannot be undone.`,
      approved: `⚙️ Deletion approved by ${by(d.decidedBy)}; applying…`,
      done: `🗑️ **Old key deleted** (approved by ${by(d.decidedBy)}). Recorded; it cannot be undone.`,
      denied: `⛔ Deletion denied by ${by(d.decidedBy)}: ${escapeCardText(d.reason, { maxLength: 200 }) || 'no reason given'}`,
      failed: `❌ Deletion not done: ${escapeCardText(d.failure, { maxLength: 200 })}`,
    };
    if (line[d.status]) lines.push(line[d.status]!);
  }
  return lines;
}

/** The card's actions: the domain decides which (`availableAlertActions`), this decides how they look. */
export function alertActions(a: Alert, now: number): CardElement[] {
  const data = { dedupeKey: a.dedupeKey };
  const toActions: Record<AlertAction, () => CardElement[]> = {
    acknowledge: () => [exec('Acknowledge', AlertVerbs.acknowledge, data)],
    snooze: () => [
      showCard(
        'Snooze',
        [
          {
            type: 'Input.ChoiceSet',
            id: 'snoozeDays',
            value: '7',
            choices: [
              { title: '7 days', value: '7' },
              { title: '30 days', value: '30' },
            ],
          },
          {
            type: 'Input.Text',
            id: AlertInputs.snoozeReason,
            label: 'Why can it wait?',
            isRequired: true,
            errorMessage: 'Give a reason',
            maxLength: 500,
          },
        ],
        [exec('Snooze', AlertVerbs.snooze, data)],
      ),
    ],
    deactivate: () => [exec('Deactivate key', AlertVerbs.deactivate, data, 'destructive')],
    approve_deactivation: () => [exec('Approve deactivation', AlertVerbs.approveDeactivation, data, 'destructive')],
    deny_deactivation: () => [exec('Deny', AlertVerbs.denyDeactivation, data)],
    reactivate: () => [exec('Reactivate', AlertVerbs.reactivate, data)],
    delete_key: () => [exec('Delete the old key (cannot be undone)', AlertVerbs.deleteKey, data, 'destructive')],
    approve_deletion: () => [exec('Approve deletion', AlertVerbs.approveDeletion, data, 'destructive')],
    deny_deletion: () => [exec('Deny deletion', AlertVerbs.denyDeletion, data)],
    announce_root: () => [
      showCard(
        'Announce root use',
        [
          {
            type: 'Input.Text',
            id: AlertInputs.rootWindowDuration,
            label: 'For how long (e.g. 2h)',
            isRequired: true,
            errorMessage: 'Give a duration such as 2h (at most 24h).',
            value: '1h',
          },
          {
            type: 'Input.Text',
            id: AlertInputs.rootWindowReason,
            label: 'Why is root needed?',
            isRequired: true,
            errorMessage: 'Say why root is needed.',
            maxLength: 500,
          },
        ],
        [exec('Announce', AlertVerbs.announceRoot, { accountId: a.finding.account.id })],
      ),
    ],
  };
  return availableAlertActions(a, now).flatMap((action) => toActions[action]());
}

/**
 * How often and how lately: a repeat of the same fact (the next reconcile, the next scan) moves
 * these on this card (updated in place) instead of posting another one.
 */
export function seenText(a: Alert): string {
  const times = `seen ${a.occurrences} time${a.occurrences === 1 ? '' : 's'}`;
  const last = a.occurrences > 1 ? ` · last seen ${cardDate(a.lastSeenAt)}` : ` · ${cardDate(a.firstSeenAt)}`;
  return `${times}${last}${a.incident > 1 ? ` · incident ${a.incident}` : ''}`;
}

export function alertCard(a: Alert, now: number): AdaptiveCard {
  const f = a.finding;
  const resolved = a.status === 'resolved';
  const body: CardElement[] = [
    heading(
      `${resolved ? '✅' : f.severity === 'critical' ? '🚨' : '⚠️'} ${escapeCardText(f.title, { maxLength: 150 })}${resolved ? ' (resolved)' : ''}`,
    ),
    text(`**${SEVERITY[f.severity].label}** · ${seenText(a)}`, {
      color: SEVERITY[f.severity].color,
      spacing: 'None',
    }),
    evidenceFacts(f),
  ];
  if (f.advice) body.push(text(`**What to do:** ${escapeCardText(f.advice, { maxLength: 500 })}`));
  for (const line of statusTexts(a, now)) body.push(text(line));
  body.push(text(freshness(f), { isSubtle: true, size: 'Small' }));
  return adaptiveCard(body, { actions: alertActions(a, now) });
}

/** The rotation assistant's one card (Teams: the security channel), updated in place at every step. */
export function rotationCard(a: Alert, now: number): AdaptiveCard {
  const f = a.finding;
  const r = a.rotation!;
  const body: CardElement[] = [
    heading(
      `🔑 Rotate access key of ${escapeCardText(f.principal.name, { maxLength: 80 })} in ${escapeCardText(f.account.name, { maxLength: 80 })}`,
    ),
    text(
      `**${r.step === 'deleted' ? 'Done' : 'What to do now'}:** ${escapeCardText(ROTATION_STEP_TEXT[r.step], { maxLength: 600 })}`,
    ),
    text(
      `Old key …${escapeCardText((f.accessKeyId ?? '').slice(-4), { maxLength: 8 })}, last used ${r.oldKeyLastUsedAt == null ? 'never' : cardDate(r.oldKeyLastUsedAt)}` +
        (r.newKey
          ? ` · new key …${escapeCardText(r.newKey.accessKeyId.slice(-4), { maxLength: 8 })}, ${r.newKey.lastUsedAt === null ? 'not used yet' : `last used ${cardDate(r.newKey.lastUsedAt)}`}`
          : ''),
    ),
  ];
  if (r.step === 'rolled_back' && r.rolledBackAt !== undefined)
    body.push(
      text(`⚠️ **Rollback**: the old key was used again after it was deactivated (seen ${cardDate(r.rolledBackAt)}).`),
    );
  for (const line of statusTexts(a, now).filter((l) => !l.startsWith('✅'))) body.push(text(line));
  body.push(
    text('keyless never creates or sees secret keys: it reads key ids, status and last use.', {
      isSubtle: true,
      size: 'Small',
    }),
  );
  const keyVerbs: readonly string[] = [
    AlertVerbs.reactivate,
    AlertVerbs.deleteKey,
    AlertVerbs.approveDeactivation,
    AlertVerbs.denyDeactivation,
    AlertVerbs.approveDeletion,
    AlertVerbs.denyDeletion,
  ];
  const deactivate = r.step === 'ready_to_deactivate' || r.step === 'rolled_back';
  const actions = alertActions(a, now).filter((x) => {
    const verb = (x as { verb?: string }).verb ?? '';
    return keyVerbs.includes(verb) || (verb === AlertVerbs.deactivate && deactivate);
  });
  return adaptiveCard(body, { actions });
}

export function alertRepeatCard(a: Alert, f: Finding): AdaptiveCard {
  return adaptiveCard([
    text(`🔁 **Again** (${a.occurrences} in this incident): ${escapeCardText(f.title, { maxLength: 150 })}`),
    evidenceFacts(f),
  ]);
}

const MAX_DIGEST_ITEMS = 20;

export function digestCard(d: AlertDigest, alerts: readonly Alert[], now: number): AdaptiveCard {
  const body: CardElement[] = [
    heading(`Security digest · ${d.date} · ${alerts.length} finding${alerts.length === 1 ? '' : 's'}`),
    text('Stale and unused access keys, read-only and AssumeRoot root activity.', { isSubtle: true, spacing: 'None' }),
  ];
  for (const a of alerts.slice(0, MAX_DIGEST_ITEMS)) {
    const f = a.finding;
    const e = f.evidence;
    const facts = [
      e.keyLast4 ? `key …${escapeCardText(e.keyLast4, { maxLength: 40 })}` : undefined,
      e.keyAgeDays !== undefined ? `${e.keyAgeDays} days old` : undefined,
      e.lastUsedAt === null
        ? 'never used'
        : e.lastUsedAt !== undefined
          ? `last used ${Math.floor((now - e.lastUsedAt) / 86_400_000)} days ago`
          : undefined,
    ].filter(Boolean);
    const title = `${escapeCardText(f.title, { maxLength: 150 })} · ${escapeCardText(f.principal.name, { maxLength: 80 })} · ${escapeCardText(f.account.name, { maxLength: 80 })} (${f.account.id})`;
    const items: CardElement[] = [
      text(a.status === 'resolved' ? `~~${title}~~` : `**${title}**`),
      ...(facts.length ? [text(facts.join(' · '), { spacing: 'None', isSubtle: true })] : []),
      ...statusTexts(a, now).map((l) => text(l, { spacing: 'None' })),
    ];
    const actions = alertActions(a, now).filter((x) => x.type === 'Action.Execute');
    if (actions.length > 0) items.push({ type: 'ActionSet', actions });
    body.push({ type: 'Container', separator: true, items });
  }
  if (alerts.length > MAX_DIGEST_ITEMS)
    body.push(text(`…and ${alerts.length - MAX_DIGEST_ITEMS} more.`, { isSubtle: true }));
  return adaptiveCard(body);
}
