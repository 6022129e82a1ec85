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
import { adaptiveCard, heading, text, type AdaptiveCard, type CardElement } from './card';
import { escapeCardText } from './escape';

export const POSTURE_ACCOUNTS_SHOWN = 15;

/**
 * Teams limits a message (card JSON included) to a few tens of KB: the chart goes inline as a
 * `data:` URI only while it stays under this many characters; above it the card says so.
 */
export const MAX_CHART_DATA_URI_CHARS = 24_000;

/** The PNG as an Image element's `data:` URI (Adaptive Cards 1.2+ accept data URIs); undefined when too big. */
export function chartDataUri(png: Buffer): string | undefined {
  const uri = `data:image/png;base64,${png.toString('base64')}`;
  return uri.length <= MAX_CHART_DATA_URI_CHARS ? uri : undefined;
}

/** The IAM posture (the weekly post and the `posture` command), with the chart when there is one. */
export function postureCard(
  report: PostureReport,
  title: string,
  chart?: { png: Buffer; altText: string },
): AdaptiveCard {
  const deltas = postureDeltas(report.totals, report.previous?.totals);
  const body: CardElement[] = [
    heading(escapeCardText(title, { maxLength: 150 })),
    text(
      `${report.accounts.length} account${report.accounts.length === 1 ? '' : 's'} read · root use in the last 7 days · keys by age: ${KEY_AGE_BANDS.map((b) => KEY_AGE_BAND_LABELS[b]).join(', ')}${report.previous ? '' : ' · no snapshot of last week yet: changes show from next week'}`,
      { isSubtle: true, spacing: 'None' },
    ),
    {
      type: 'FactSet',
      facts: POSTURE_METRICS.map((m) => {
        const d = deltas[m];
        return {
          title: POSTURE_METRIC_LABELS[m],
          value: `${d.now}${d.change !== undefined ? ` (${formatChange(d.change)} since ${report.previous!.week})` : ''}`,
        };
      }),
    },
  ];
  if (chart) {
    const url = chartDataUri(chart.png);
    body.push(
      url
        ? { type: 'Image', url, altText: chart.altText.slice(0, 1000), size: 'Stretch' }
        : text('The chart is too large to show in Teams; the numbers above are the same.', { isSubtle: true }),
    );
  }
  const attention = accountsByAttention(report).filter((a) => attentionOf(a.counts) > 0);
  if (attention.length > 0) {
    body.push(text('**Accounts to look at**', { separator: true }));
    for (const a of attention.slice(0, POSTURE_ACCOUNTS_SHOWN)) {
      body.push(
        text(
          `**${escapeCardText(a.accountName, { maxLength: 60 })}** (${a.accountId}): ${postureLine(a.counts, report.previous?.accounts[a.accountId])}`,
          { spacing: 'None' },
        ),
      );
    }
    if (attention.length > POSTURE_ACCOUNTS_SHOWN) {
      body.push(
        text(`…and ${attention.length - POSTURE_ACCOUNTS_SHOWN} more accounts with something to fix.`, {
          isSubtle: true,
        }),
      );
    }
  } else if (report.accounts.length > 0) {
    body.push(text('No account has people on IAM users, old keys, MFA gaps or root use.'));
  }
  if (report.unread.length > 0) {
    body.push(
      text(
        `⚠ **Not read** (not counted above): ${report.unread
          .slice(0, 20)
          .map(
            (u) =>
              `${escapeCardText(u.accountName, { maxLength: 40 })} (${u.accountId}, ${escapeCardText(u.reason, { maxLength: 40 })})`,
          )
          .join(', ')}${report.unread.length > 20 ? `, and ${report.unread.length - 20} more` : ''}`,
      ),
    );
  }
  body.push(
    text('People belong in Identity Center (keyless for elevation); keys of machines are rotated.', {
      isSubtle: true,
    }),
  );
  return adaptiveCard(body);
}
