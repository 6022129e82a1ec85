import { approvalMessage } from '../../../../../adapters/slack/blocks/approval.blocks';
import { systemActor, type Actor, type GrantId, type PrincipalId, type RequestId } from '../../../../../src';
import { T0, aGrant, aRequest } from '../../../../builders';

const ann: Actor = { kind: 'user', id: 'slack:U0ANN', name: 'Ann' };
const bob: Actor = { kind: 'user', id: 'teams:aad-bob', name: 'Bob <!here>' };
const pending = () =>
  aRequest({
    id: 'req000001' as RequestId,
    reason: 'INC-42 <!channel> see <https://evil.example|runbook>',
    ticket: 'https://jira.example/OPS-7',
  });
const approval = (actor: Actor, n: number) => ({ actor, principalId: `p${n}` as PrincipalId, at: T0 + n });
const text = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
const mrkdwnOf = (value: unknown): string =>
  JSON.stringify(value, (key, v: unknown) =>
    v && typeof v === 'object' && (v as { type?: string }).type === 'plain_text' ? undefined : v,
  );
const titles = (m: { blocks: { type: string }[] }) =>
  m.blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b as unknown as { elements: { text: { text: string } }[] }).elements)
    .map((e) => e.text.text);

describe('the approval message', () => {
  it('shows requester, account, permission set, duration, reason, ticket, progress and both buttons while pending', () => {
    const m = approvalMessage(pending());
    expect(m).toMatchSnapshot();
    const t = text(m);
    expect(t).toContain('*Requester*\\n<@U0REQUEST>');
    expect(t).toContain('*Account*\\nprod (`111111111111`)');
    expect(t).toContain('*Permission set*\\nAdministratorAccess');
    expect(t).toContain('*Duration*\\n1h');
    expect(t).toContain('*Ticket*\\n<https://jira.example/OPS-7>');
    expect(t).toContain('0 of 2');
    expect(titles(m)).toEqual(['Approve', 'Deny…']);
  });

  it('never lets the reason or names broadcast, mention or link', () => {
    const m = approvalMessage({
      ...pending(),
      accountName: 'acct <!everyone>',
      permissionSetName: 'PS <@U0EVE>',
    });
    // mrkdwn is where Slack reads <!…> and <@…>; the header is plain_text, shown as typed.
    const t = mrkdwnOf(m.blocks) + m.text;
    expect(t).toContain('*Reason*\\nINC-42 &lt;!channel&gt; see &lt;https://evil.example|runbook&gt;');
    expect(t).toContain('acct &lt;!everyone&gt;');
    expect(t).toContain('PS &lt;@U0EVE&gt;');
    expect(t).not.toMatch(/<!channel>|<!everyone>|<@U0EVE>|<https:\/\/evil/);
  });

  it('carries only the request id in the button values', () => {
    const actions = approvalMessage(pending()).blocks.find((b) => b.type === 'actions') as {
      elements: { value: string }[];
    };
    expect(actions.elements.map((e) => e.value)).toEqual(['req000001', 'req000001']);
  });

  it('shows N of M and who approved, mentioning Slack users and escaping other names', () => {
    const m = approvalMessage({ ...pending(), approvals: [approval(ann, 1)] });
    expect(text(m)).toContain('1 of 2');
    expect(text(m)).toContain('approved by <@U0ANN>');
    const teams = approvalMessage({ ...pending(), approvals: [approval(bob, 2)] });
    expect(text(teams)).toContain('Bob &lt;!here&gt;');
  });

  it('drops the buttons and keeps the outcome once approved, with the grant state', () => {
    const request = { ...pending(), status: 'approved' as const, approvals: [approval(ann, 1), approval(bob, 2)] };
    const grant = aGrant({ id: 'grt000001' as GrantId, status: 'active', expiresAt: T0 + 2 * 3600_000 });
    const m = approvalMessage(request, grant);
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    // The expiry in the requester's zone (Rita: Europe/Paris), as Teams' card writes it.
    expect(text(m)).toContain('Access active until Mon 23 Nov, 12:00 GMT+1 (Europe/Paris)');
    expect(m).toMatchSnapshot();
  });

  it("writes the grant's end in the zone it is given, with its offset, and says UTC without one", () => {
    const request = { ...pending(), status: 'approved' as const, approvals: [approval(ann, 1), approval(bob, 2)] };
    const grant = {
      ...aGrant({ status: 'expired', requester: { ...pending().requester, timeZone: undefined } }),
      endedAt: T0,
    } as const;
    expect(text(approvalMessage(request, grant))).toContain('Access expired at Mon 23 Nov, 09:00 (UTC)');
    expect(text(approvalMessage(request, grant, 'America/New_York'))).toContain(
      'Access expired at Mon 23 Nov, 04:00 EST (America/New_York)',
    );
  });

  it.each([
    [
      'denied',
      { status: 'denied' as const, denial: { actor: ann, at: T0, reason: 'not now <@U1>' } },
      'Denied* by <@U0ANN>: not now &lt;@U1&gt;',
    ],
    ['cancelled', { status: 'cancelled' as const }, 'Cancelled'],
    ['timed out', { status: 'timed_out' as const }, 'Timed out'],
  ])('keeps the outcome visible when %s, without buttons', (_name, over, expected) => {
    const m = approvalMessage({ ...pending(), ...over });
    expect(text(m)).toContain(expected);
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('says so when a system actor decided (a timeout)', () => {
    expect(
      text(
        approvalMessage({ ...pending(), status: 'denied', denial: { actor: systemActor('x'), at: T0, reason: 'r' } }),
      ),
    ).toContain('by keyless');
  });
});
