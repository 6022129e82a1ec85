import { formatLocalTime, type ChatUser, type Grant } from '../../../../../src';
import { approvalCard } from '../../../../../adapters/teams/cards/approval.card';
import { executeActions } from '../../../../../adapters/local/teams-connector';
import { Verbs } from '../../../../../adapters/teams/verbs';
import { T0, aGrant, aRequest } from '../../../../builders';

const ann: ChatUser = { platform: 'slack', id: 'U0ANN', displayName: 'Ann', email: 'ann@example.com' };
const approval = (who: ChatUser, n: number) => ({
  actor: { kind: 'user' as const, id: `${who.platform}:${who.id}`, name: who.displayName },
  principalId: `90670000-0000-0000-0000-00000000000${n}` as never,
  at: T0 + 60_000,
});
const pending = () =>
  aRequest({ id: 'req-pending-1' as never, reason: 'INC-42 restore [queue](https://evil.example)', ticket: 'OPS-42' });
const titles = (card: unknown) => executeActions(card).map((a) => a.title);
const showCards = (card: { actions?: { type: string; title?: string }[] }) =>
  (card.actions ?? []).filter((a) => a.type === 'Action.ShowCard').map((a) => a.title);

describe('the approval card', () => {
  test('a pending request shows who asks for what, why, the progress, and Approve / Deny', () => {
    const card = approvalCard(pending(), { kind: 'base' }, { refreshUserIds: ['29:aad-bob', '29:aad-rita'] });
    expect(card).toMatchSnapshot();
    expect(titles(card)).toEqual(['Approve', 'Deny']);
    expect(card.refresh?.userIds).toEqual(['29:aad-bob', '29:aad-rita']);
    expect(card.version).toBe('1.5');
  });

  test('while open, everyone reads who may decide and until when; once decided, who decided', () => {
    const open = JSON.stringify(approvalCard({ ...pending(), approvals: [approval(ann, 2)] }, { kind: 'base' }));
    expect(open).toContain('"title":"Approvers","value":"group sre-leads"');
    expect(open).toContain(
      `"title":"Decide by","value":"${formatLocalTime(pending().decideBy, pending().requester.timeZone)}"`,
    );
    expect(open).toContain('approved by Ann');
    const decided = approvalCard(
      {
        ...pending(),
        status: 'denied',
        denial: { actor: { kind: 'user', id: 'teams:aad-bob', name: 'Bob' }, at: T0, reason: 'no' },
      },
      { kind: 'base' },
    );
    expect(JSON.stringify(decided)).not.toContain('Decide by');
    expect(JSON.stringify(decided)).toContain('Denied by Bob: no');
    // A system actor is "keyless", never an internal component name.
    const auto = approvalCard(
      {
        ...pending(),
        status: 'approved',
        approvals: [{ ...approval(ann, 2), actor: { kind: 'system', id: 'provisioner', name: 'provisioner' } }],
      },
      { kind: 'base' },
    );
    expect(JSON.stringify(auto)).toContain('Approved by keyless');
    expect(JSON.stringify(auto)).not.toContain('provisioner');
  });

  test('the reason cannot become a link', () => {
    const text = JSON.stringify(approvalCard(pending(), { kind: 'base' }));
    expect(text).toContain('restore \\\\[queue\\\\](https://evil.example)');
  });

  test('N-of-M progress names who approved', () => {
    const card = approvalCard({ ...pending(), approvals: [approval(ann, 2)] }, { kind: 'base' });
    expect(JSON.stringify(card)).toContain('Waiting for 1 more approval (1 of 2; approved by Ann)');
  });

  test('the requester sees Cancel, not Approve', () => {
    const card = approvalCard(pending(), { kind: 'requester' });
    expect(titles(card)).toEqual(['Cancel request']);
  });

  test('an approver who already approved, or an observer, sees no buttons', () => {
    const mine = approvalCard({ ...pending(), approvals: [approval(ann, 2)] }, { kind: 'already_approved' });
    expect(mine.actions).toBeUndefined();
    expect(JSON.stringify(mine)).toContain('You approved this request.');
    expect(approvalCard(pending(), { kind: 'observer' }).actions).toBeUndefined();
  });

  test('a refusal is shown to the person who clicked', () => {
    const card = approvalCard(
      pending(),
      { kind: 'requester' },
      {
        notice: { text: 'You cannot approve or deny your own request; another approver must.', tone: 'attention' },
      },
    );
    expect(card.body.at(-1)).toEqual({
      type: 'TextBlock',
      text: 'You cannot approve or deny your own request; another approver must.',
      wrap: true,
      color: 'Attention',
      weight: 'Bolder',
    });
  });

  test('Deny asks for a reason in a sub-card that sends the deny verb', () => {
    const card = approvalCard(pending(), { kind: 'approver' });
    expect(showCards(card)).toEqual(['Deny…']);
    expect(executeActions(card).find((a) => a.title === 'Deny')?.verb).toBe(Verbs.deny);
  });

  test('once approved, the buttons and the refresh are gone and the grant shows', () => {
    const grant: Grant = {
      ...aGrant({ id: 'grt-1' as never, requester: { ...pending().requester, timeZone: 'Europe/Paris' } }),
      status: 'active',
      expiresAt: T0 + 2 * 3600_000,
    };
    const card = approvalCard(
      { ...pending(), status: 'approved', approvals: [approval(ann, 2), approval(ann, 3)] },
      { kind: 'approver' },
      { grant },
    );
    expect(card).toMatchSnapshot();
    expect(card.actions).toBeUndefined();
    expect(card.refresh).toBeUndefined();
    // The requester's zone, written as Slack's approval message writes it.
    expect(JSON.stringify(card)).toContain('Access active until Mon 23 Nov, 12:00 GMT+1 (Europe/Paris)');
  });

  test('who asks for what, for how long and why, with names that cannot format or link', () => {
    const card = approvalCard(
      {
        ...pending(),
        requester: { ...pending().requester, displayName: 'Rita [admin](https://evil.example)' },
        accountName: '**prod**',
      },
      { kind: 'base' },
    );
    const t = JSON.stringify(card);
    expect(t).toContain('**Rita \\\\[admin\\\\](https://evil.example)** asks for **AdministratorAccess**');
    expect(t).toContain('on **\\\\*\\\\*prod\\\\*\\\\* (111111111111)** for **1h**');
    expect(t).toContain('"title":"Reason"');
    expect(t).toContain('"title":"Ticket","value":"OPS-42"');
  });

  test('a denial shows who denied and why', () => {
    const card = approvalCard(
      { ...pending(), status: 'denied', denial: { actor: approval(ann, 2).actor, at: T0, reason: 'use *read-only*' } },
      { kind: 'base' },
    );
    expect(JSON.stringify(card)).toContain('Denied by Ann: use \\\\*read-only\\\\*');
    expect(card.actions).toBeUndefined();
  });

  test('refresh lists at most 60 people', () => {
    const ids = Array.from({ length: 75 }, (_, i) => `29:user-${i}`);
    expect(approvalCard(pending(), { kind: 'base' }, { refreshUserIds: ids }).refresh?.userIds).toHaveLength(60);
  });
});
