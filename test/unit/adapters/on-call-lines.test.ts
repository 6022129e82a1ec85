/**
 * The same truth on both platforms (issue item 4): who may decide now, when the reminder and the
 * escalation come or came, who approved as on-call, and an on-call auto-approval.
 */
import { systemActor, type AccessRequest, type PrincipalId } from '../../../src';
import { approvalMessage } from '../../../adapters/slack/blocks/approval.blocks';
import { approvalCard } from '../../../adapters/teams/cards/approval.card';
import { requestStatusCard } from '../../../adapters/teams/cards/journey.card';
import { T0, aRequest } from '../../builders';

const MIN = 60_000;
const REF = 'pagerduty:PSRE001';
const escalating = (over: Partial<AccessRequest> = {}) =>
  aRequest({
    approvers: { groups: [], emails: [], oncall: [REF], count: 1 },
    escalation: { remindAt: T0 + 10 * MIN, escalateAt: T0 + 20 * MIN, to: { groups: ['security'], emails: [] } },
    decideBy: T0 + 60 * MIN,
    requester: { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com', timeZone: 'UTC' },
    ...over,
  });

const slack = (r: AccessRequest) => JSON.stringify(approvalMessage(r).blocks);
const teams = (r: AccessRequest) =>
  JSON.stringify(approvalCard(r, { kind: 'base' })) + JSON.stringify(requestStatusCard(r));

describe('on-call and escalation lines, on Slack and Teams alike', () => {
  it('say who is waiting, and when the reminder and the escalation will come', () => {
    for (const out of [slack(escalating()), teams(escalating())]) {
      expect(out).toContain(`Waiting for: the on-call of ${REF}.`);
      expect(out).toContain('Approvers are reminded at');
      expect(out).toContain('Escalates to group security at');
    }
  });

  it('say when the reminder and the escalation came, and that the second set may decide now', () => {
    const r = escalating({ remindedAt: T0 + 10 * MIN, escalatedAt: T0 + 20 * MIN });
    for (const out of [slack(r), teams(r)]) {
      expect(out).toContain('Approvers reminded at');
      expect(out).toContain('Escalated to group security at');
      expect(out).toContain(`Waiting for: the on-call of ${REF}; group security.`);
      expect(out).not.toContain('Escalates to');
    }
  });

  it('name the on-call approver and an on-call auto-approval', () => {
    const approved = escalating({
      status: 'approved',
      approvals: [
        {
          actor: { ...systemActor('x'), kind: 'user', name: 'Bob' },
          principalId: 'p' as PrincipalId,
          at: T0,
          via: REF,
        },
      ],
    });
    for (const out of [slack(approved), teams(approved)]) {
      expect(out).toContain(`Bob approved as the on-call of ${REF}.`);
      expect(out).not.toContain('Waiting for');
    }
    const auto = aRequest({ status: 'approved', approvalsRequired: 0, onCallSchedule: REF });
    for (const out of [slack(auto), teams(auto)]) {
      expect(out).toContain(`Approved automatically: the requester was on call on ${REF}.`);
    }
  });
});
