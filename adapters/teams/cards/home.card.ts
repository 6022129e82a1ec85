import {
  describePeople,
  formatDuration,
  formatLocalTime,
  grantAcceptsActions,
  startsText,
  type AccessRequest,
  type Grant,
} from '../../../src';
import { Verbs } from '../verbs';
import { denyForm, requestStatusLine } from './approval.card';
import { adaptiveCard, b, execute, heading, showCard, text, type AdaptiveCard, type CardElement } from './card';
import { escapeCardText } from './escape';
import { extendForm } from './journey.card';

/**
 * The bot's home card in a person's 1:1 chat (Teams' counterpart of Slack's App Home): their live
 * grants with Extend / End now, their open requests with Cancel, and what waits for their approval
 * with Approve / Deny. Sent on `home` and on install; every button answers with this card redrawn
 * from the engine, so what the person sees is always the current state.
 */
export interface HomeState {
  grants: readonly Grant[];
  requests: readonly AccessRequest[];
  approvals: readonly AccessRequest[];
  /** The reader's own time zone (UTC when unknown; formatLocalTime says so). */
  zone?: string;
  /** The outcome of the last click, shown at the top. */
  notice?: { text: string; tone: 'attention' | 'good' | 'default' };
  /** Shown when something could not be loaded (for example an identity keyless cannot verify). */
  problem?: string;
}

/** Where the home card's buttons come from: their answers redraw the home card. */
export const HOME_VIEW = { view: 'home' } as const;

const account = (r: Pick<Grant, 'accountName' | 'accountId'>) => b(`${r.accountName} (${r.accountId})`);

/** The same facts as Slack's App Home line: what, where, until when (in the reader's zone), which grant. */
export function homeGrantLine(g: Grant, zone: string | undefined): string {
  const state =
    g.status === 'active' && g.expiresAt !== undefined
      ? `active until ${formatLocalTime(g.expiresAt, zone)}`
      : g.status === 'provisioning'
        ? `being set up in AWS (${formatDuration(g.durationSeconds)} once active)`
        : g.status === 'scheduled'
          ? startsText(g, zone)
          : g.status;
  return `${b(g.permissionSetName)} in ${account(g)} · ${state} · grant ${escapeCardText(g.id)}`;
}

function decideByLine(r: AccessRequest, zone: string | undefined): string {
  return `Decide by ${formatLocalTime(r.decideBy, zone)}`;
}

function actionSet(actions: CardElement[]): CardElement {
  return { type: 'ActionSet', actions };
}

const TONE_COLOR = { attention: 'Attention', good: 'Good', default: 'Default' } as const;

export function homeCard(s: HomeState): AdaptiveCard {
  const body: CardElement[] = [heading('keyless: just-in-time AWS access')];
  if (s.notice) {
    body.push(
      text(escapeCardText(s.notice.text, { multiline: true }), {
        color: TONE_COLOR[s.notice.tone],
        weight: 'Bolder',
      }),
    );
  }
  if (s.problem) body.push(text(`⚠️ ${escapeCardText(s.problem, { multiline: true })}`, { color: 'Attention' }));

  body.push(text('Your access', { weight: 'Bolder', separator: true }));
  if (s.grants.length === 0) body.push(text('No live grants.', { isSubtle: true }));
  for (const g of s.grants) {
    body.push(text(homeGrantLine(g, s.zone)));
    // Buttons only while they can do something: a grant that is ending shows its state, nothing to click.
    if (grantAcceptsActions(g)) {
      body.push(
        actionSet([
          showCard('Extend…', extendForm(g.id, HOME_VIEW)),
          execute('End now', Verbs.endGrant, { grantId: g.id, ...HOME_VIEW }, 'destructive'),
        ]),
      );
    }
  }

  if (s.requests.length > 0) {
    body.push(text('Your pending requests', { weight: 'Bolder', separator: true }));
    for (const r of s.requests) {
      const status = requestStatusLine(r);
      body.push(
        text(
          `${b(r.permissionSetName)} in ${account(r)} for ${formatDuration(r.durationSeconds)} · request ${escapeCardText(r.id)}`,
        ),
        text(
          [
            status.text,
            r.approvers ? `Approvers: ${escapeCardText(describePeople(r.approvers), { maxLength: 300 })}` : '',
            decideByLine(r, s.zone),
          ]
            .filter(Boolean)
            .join(' · '),
          { isSubtle: true },
        ),
        actionSet([execute('Cancel request', Verbs.cancel, { requestId: r.id, ...HOME_VIEW })]),
      );
    }
  }

  body.push(text('Waiting for your approval', { weight: 'Bolder', separator: true }));
  if (s.approvals.length === 0) body.push(text('Nothing waits for you.', { isSubtle: true }));
  for (const r of s.approvals) {
    body.push(
      text(
        `${b(r.requester.displayName)} asks for ${b(r.permissionSetName)} in ${account(r)} for ${formatDuration(r.durationSeconds)}: ${escapeCardText(r.reason, { maxLength: 300 })}`,
      ),
      text(`${requestStatusLine(r).text} · ${decideByLine(r, s.zone)} · request ${escapeCardText(r.id)}`, {
        isSubtle: true,
      }),
      actionSet([
        execute('Approve', Verbs.approve, { requestId: r.id, ...HOME_VIEW }, 'positive'),
        showCard('Deny…', denyForm(r.id, HOME_VIEW)),
      ]),
    );
  }

  body.push(text('Send `help` to see every command.', { isSubtle: true, separator: true }));
  return adaptiveCard(body, {
    actions: [
      execute('Request access', Verbs.startForm, { breakGlass: false }, 'positive'),
      execute('Refresh', Verbs.homeRefresh, {}),
    ],
  });
}
