import type { Alert, RootWindow } from '../../../src';
import { AlertActions, AlertBlocks, AlertViews } from '../alert-ids';
import { escapeText } from '../escape';
import { md, plain, section, slackDate, type ModalView, type SlackMessage } from './common.blocks';
import { snoozeText } from './alert.blocks';

/**
 * The forms of the security feed: why an alert can wait (Snooze), and for how long and why root
 * will be used (Announce root use). private_metadata carries only the record they are about.
 */

export function snoozeModal(dedupeKey: string, days: number): ModalView {
  return {
    type: 'modal',
    callback_id: AlertViews.snooze,
    title: plain(`Snooze ${days} days`),
    submit: plain('Snooze'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ dedupeKey, days }),
    blocks: [
      section(`The alert stays quiet for ${snoozeText(days)}, then comes back if it is still true.`),
      {
        type: 'input',
        block_id: AlertBlocks.snoozeReason,
        label: plain('Why can it wait?'),
        hint: plain('The security channel sees this.'),
        element: {
          type: 'plain_text_input',
          action_id: AlertActions.snoozeReasonInput,
          multiline: true,
          min_length: 3,
          max_length: 500,
        },
      },
    ],
  };
}

export function rootWindowModal(accountId: string): ModalView {
  return {
    type: 'modal',
    callback_id: AlertViews.rootWindow,
    title: plain('Announce root use'),
    submit: plain('Announce'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ accountId }),
    blocks: [
      {
        type: 'section',
        text: md(
          `Root activity in account \`${escapeText(accountId, { maxLength: 20 })}\` during the window is still posted, marked as expected and announced by you.`,
        ),
      },
      {
        type: 'input',
        block_id: AlertBlocks.rootDuration,
        label: plain('For how long'),
        hint: plain('At most 24h. Examples: 30m, 2h.'),
        element: {
          type: 'plain_text_input',
          action_id: AlertActions.rootDurationInput,
          initial_value: '1h',
          max_length: 20,
        },
      },
      {
        type: 'input',
        block_id: AlertBlocks.rootReason,
        label: plain('Why is root needed?'),
        element: {
          type: 'plain_text_input',
          action_id: AlertActions.rootReasonInput,
          multiline: true,
          min_length: 3,
          max_length: 500,
        },
      },
    ],
  };
}

/** The private answer to a click on an alert: what happened, in one line. */
export function alertActionReply(alert: Alert, change: string): SlackMessage {
  const text = `${change}: ${alert.finding.title} in ${alert.finding.account.name}`;
  return { text, blocks: [section(`:white_check_mark: ${escapeText(text, { maxLength: 500 })}`)] };
}

export function rootWindowReply(w: RootWindow): SlackMessage {
  const text = `Root use in ${w.accountId} is announced until ${new Date(w.until).toISOString()}.`;
  return {
    text,
    blocks: [
      section(
        `:white_check_mark: Root use in \`${w.accountId}\` is announced until ${slackDate(w.until)}: root alerts in this window are marked as expected (they are still posted).`,
      ),
    ],
  };
}
