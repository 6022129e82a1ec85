import {
  activeDm,
  decisionDm,
  endedDm,
  extendedDm,
  failedDm,
  reminderDm,
} from '../../../../../adapters/slack/blocks/requester.blocks';
import type { Actor, GrantId } from '../../../../../src';
import { T0, aGrant, aRequest } from '../../../../builders';

const carl: Actor = { kind: 'user', id: 'slack:U0CARL', name: 'Carl' };
const text = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
const active = () =>
  aGrant({ id: 'grt000001' as GrantId, status: 'active', activatedAt: T0, expiresAt: Date.UTC(2026, 10, 23, 17, 0) });

describe("the requester's DMs", () => {
  it('tells the real end after an extension or a merge, never "+N" on top of what was asked', () => {
    const g = { ...active(), capSeconds: 8 * 3600 };
    const moved = text(extendedDm(g, 'UTC', { addSeconds: 2 * 3600, capped: false }));
    expect(moved).toContain('got 2h more');
    expect(moved).toContain('active until Mon 23 Nov, 17:00 (UTC)');
    const merged = text(extendedDm(g, 'UTC', { addSeconds: 0, capped: false }));
    expect(merged).toContain('already lasts beyond what you asked');
    expect(merged).toContain('active until Mon 23 Nov, 17:00 (UTC)');
    expect(merged).not.toContain('more:');
    const cut = text(extendedDm(g, 'UTC', { addSeconds: 0, capped: true }));
    expect(cut).toContain('could not get more time');
    expect(cut).toContain('no more than 8h at a time');
    const provisioning = aGrant({ durationSeconds: 4 * 3600, capSeconds: 4 * 3600 });
    expect(text(extendedDm(provisioning, 'UTC', { addSeconds: 3600, capped: false }))).toContain(
      'lasting 4h once active',
    );
  });

  it("gives the expiry in the requester's own time zone", () => {
    expect(text(activeDm(active(), 'Europe/Paris'))).toContain('Mon 23 Nov, 18:00 (Europe/Paris)');
    expect(text(activeDm(active(), 'Asia/Tokyo'))).toContain('Tue 24 Nov, 02:00 (Asia/Tokyo)');
    expect(activeDm(active(), 'Europe/Paris')).toMatchSnapshot();
  });

  it('reminds before expiry with Extend and End now, both carrying the grant id', () => {
    const m = reminderDm(active(), 'UTC', Date.UTC(2026, 10, 23, 16, 50));
    expect(text(m)).toContain('(in 10m)');
    const actions = m.blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      ['extend_grant', 'grt000001'],
      ['revoke_grant', 'grt000001'],
    ]);
  });

  it("tells who approved, and shows a denial's reason escaped", () => {
    const r = aRequest({ approvals: [{ actor: carl, principalId: 'p' as never, at: T0 }] });
    expect(text(decisionDm(r, carl))).toContain('<@U0CARL> approved your request');
    const denied = aRequest({ status: 'denied', denial: { actor: carl, at: T0, reason: '<!channel> no' } });
    expect(text(decisionDm(denied, carl))).toContain('&lt;!channel&gt; no');
  });

  it("says when access ended and how, and passes on AWS's reason for a failure", () => {
    const revoked = {
      ...active(),
      status: 'revoked' as const,
      endReason: 'revoked' as const,
      endedBy: carl,
      endedAt: T0,
    };
    expect(text(endedDm(revoked, 'UTC'))).toContain('was revoked by <@U0CARL>');
    const failed = aGrant({
      status: 'failed',
      failure: { code: 'ASSIGNMENT_FAILED', message: 'IAM role quota <exceeded>' },
    });
    expect(text(failedDm(failed))).toContain('IAM role quota &lt;exceeded&gt;');
  });
});
