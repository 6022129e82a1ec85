import {
  KEY_AGE_BAND_LABELS,
  KEY_AGE_BANDS,
  POSTURE_METRICS,
  POSTURE_METRIC_LABELS,
  accountsByAttention,
  attentionOf,
  formatChange,
  postureDeltas,
  postureLine,
  type PostureReport,
} from '../../../src';
import { escapeText } from '../escape';
import { context, header, md, section, slackDate, type Block, type SlackMessage } from './common.blocks';

/** Accounts listed by name in the message; the rest are counted (the totals hold every account). */
export const POSTURE_ACCOUNTS_SHOWN = 15;

/**
 * The IAM posture (the weekly post and `/aws-access posture`): totals with the change since last
 * week, then the accounts that need attention first. Account names are escaped.
 */
export function postureMessage(report: PostureReport, title: string): SlackMessage {
  const deltas = postureDeltas(report.totals, report.previous?.totals);
  const fields = POSTURE_METRICS.map((m) => {
    const d = deltas[m];
    const change = d.change !== undefined ? ` (${formatChange(d.change)} since ${report.previous!.week})` : '';
    return md(`*${POSTURE_METRIC_LABELS[m]}*\n${d.now}${change}`);
  });
  const blocks: Block[] = [
    header(title),
    context(
      `${report.accounts.length} account${report.accounts.length === 1 ? '' : 's'} read · root use since ${slackDate(report.periodStart)} · keys by age: ${KEY_AGE_BANDS.map((b) => KEY_AGE_BAND_LABELS[b]).join(', ')}${report.previous ? '' : ' · no snapshot of last week yet: changes show from next week'}`,
    ),
    { type: 'section', fields: fields.slice(0, 10) },
  ];
  const attention = accountsByAttention(report).filter((a) => attentionOf(a.counts) > 0);
  if (attention.length > 0) {
    const lines = attention.slice(0, POSTURE_ACCOUNTS_SHOWN).map((a) => {
      const before = report.previous?.accounts[a.accountId];
      return `• *${escapeText(a.accountName, { maxLength: 60 })}* (\`${a.accountId}\`): ${postureLine(a.counts, before)}`;
    });
    blocks.push(section(`*Accounts to look at*\n${lines.join('\n')}`.slice(0, 2900)));
    if (attention.length > POSTURE_ACCOUNTS_SHOWN) {
      blocks.push(context(`…and ${attention.length - POSTURE_ACCOUNTS_SHOWN} more accounts with something to fix.`));
    }
  } else if (report.accounts.length > 0) {
    blocks.push(section('No account has people on IAM users, old keys, MFA gaps or root use. :tada:'));
  }
  if (report.unread.length > 0) {
    blocks.push(
      section(
        `:warning: *Not read* (not counted above): ${report.unread
          .slice(0, 20)
          .map(
            (u) =>
              `${escapeText(u.accountName, { maxLength: 40 })} (\`${u.accountId}\`, ${escapeText(u.reason, { maxLength: 40 })})`,
          )
          .join(', ')}${report.unread.length > 20 ? `, and ${report.unread.length - 20} more` : ''}`,
      ),
    );
  }
  blocks.push(
    context(
      `The way off IAM users: people belong in Identity Center (keyless for elevation); keys of machines are rotated. Read ${slackDate(report.generatedAt)}.`,
    ),
  );
  const t = report.totals;
  return {
    text: `${title}: ${t.humanIamUsers} people on IAM users, ${KEY_AGE_BANDS.map((b) => `${t.keysByAge[b]} keys ${KEY_AGE_BAND_LABELS[b]}`).join(', ')}, root used in ${t.rootUsed} accounts, ${t.mfaGaps} MFA gaps`,
    blocks,
  };
}
