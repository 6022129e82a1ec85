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

describe('the approval message', () => {
  it('shows requester, account, permission set, duration, reason, ticket, progress and both buttons while pending', () => {
    expect(approvalMessage(pending())).toMatchSnapshot();
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
    expect(m).toMatchSnapshot();
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
