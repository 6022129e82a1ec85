import {
  activeDm,
  decisionDm,
  endedDm,
  extendedDm,
  failedDm,
  grantDmNow,
  reminderDm,
  submittedDm,
} from '../../../../../adapters/slack/blocks/requester.blocks';
import type { Actor, Grant, GrantId } from '../../../../../src';
import { T0, aGrant, aRequest } from '../../../../builders';

const carl: Actor = { kind: 'user', id: 'slack:U0CARL', name: 'Carl' };
const text = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
const buttons = (m: { blocks: { type: string }[] }) =>
  m.blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b as unknown as { elements: { action_id: string; value: string }[] }).elements)
    .map((e) => [e.action_id, e.value]);
const active = (over: Partial<Grant> = {}): Grant => ({
  ...aGrant({ id: 'grt000001' as GrantId, accountName: 'prod <!channel>', permissionSetName: 'Admin <@U0EVE>' }),
  status: 'active',
  activatedAt: T0,
  expiresAt: Date.UTC(2026, 10, 23, 17, 0),
  ...over,
});

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

  it('says in the grant-ended DM whether open sessions are being ended, or not in the management account', () => {
    const revoked = aGrant({ status: 'revoked', endReason: 'revoked', endedAt: T0 });
    expect(text(endedDm(revoked, 'UTC'))).toContain('keep working until their own session ends');
    const cut = text(endedDm({ ...revoked, sessionCut: { from: T0 + 30_000 } }, 'UTC'));
    expect(cut).toContain('sessions opened before now are being ended');
    expect(cut).not.toContain('keep working');
    expect(text(endedDm({ ...revoked, sessionCut: { skipped: 'management_account' } }, 'UTC'))).toContain(
      'Sessions in the management account are not ended',
    );
  });

  it("gives the expiry in the requester's own time zone, with its offset and name", () => {
    expect(text(activeDm(active(), 'Europe/Paris'))).toContain('Mon 23 Nov, 18:00 GMT+1 (Europe/Paris)');
    expect(text(activeDm(active(), 'Asia/Tokyo'))).toContain('Tue 24 Nov, 02:00 GMT+9 (Asia/Tokyo)');
    expect(text(activeDm(active(), undefined))).toContain('Mon 23 Nov, 17:00 (UTC)');
    expect(activeDm(active(), 'Europe/Paris')).toMatchSnapshot();
  });

  it('names the account and the permission set, escaped: no broadcast or mention from their names', () => {
    const t = text(activeDm(active(), 'UTC'));
    expect(t).toContain('Admin &lt;@U0EVE&gt;');
    expect(t).toContain('prod &lt;!channel&gt; (`111111111111`)');
    expect(t).not.toMatch(/<!channel>|<@U0EVE>/);
  });

  it('offers End now (the grant id only) while the access is live', () => {
    expect(buttons(activeDm(active(), 'UTC'))).toEqual([['revoke_grant', 'grt000001']]);
  });

  it('reminds before expiry with Extend and End now, both carrying the grant id', () => {
    const m = reminderDm(active(), 'UTC', Date.UTC(2026, 10, 23, 16, 50));
    expect(text(m)).toContain('(in 10m)');
    expect(buttons(m)).toEqual([
      ['extend_grant', 'grt000001'],
      ['revoke_grant', 'grt000001'],
    ]);
  });

  it('redraws a grant DM without any button once the grant is ending, ended or failed', () => {
    expect(buttons(grantDmNow(active(), 'UTC'))).toEqual([['revoke_grant', 'grt000001']]);
    const ended: Grant[] = [
      active({ status: 'deprovisioning', endReason: 'expired', endedAt: T0 + 3600_000 }),
      active({ status: 'expired', endReason: 'expired', endedAt: T0 + 3600_000 }),
      active({ status: 'revoked', endReason: 'revoked', endedBy: carl, endedAt: T0 + 3600_000 }),
      active({ status: 'failed', failure: { code: 'X', message: 'quota' } }),
    ];
    for (const g of ended) {
      const m = grantDmNow(g, 'Europe/Paris');
      expect(buttons(m)).toEqual([]);
      expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    }
    expect(text(grantDmNow(ended[1]!, 'Europe/Paris'))).toContain('expired at Mon 23 Nov, 11:00 GMT+1 (Europe/Paris)');
    expect(text(grantDmNow(ended[0]!, 'UTC'))).toContain('being removed');
  });

  it('confirms a submitted request with its id, the target and Cancel; the reason never becomes a mention', () => {
    const r = aRequest({ reason: '<!here> please', permissionSetName: 'ReadOnly' });
    const m = submittedDm(r);
    expect(text(m)).toContain('*ReadOnly* in prod (`111111111111`)');
    expect(text(m)).not.toContain('<!here>');
    expect(buttons(m)).toEqual([['cancel_request', r.id]]);
  });

  it("tells who approved, and shows a denial's reason escaped", () => {
    const r = aRequest({ approvals: [{ actor: carl, principalId: 'p' as never, at: T0 }] });
    expect(text(decisionDm(r, carl))).toContain('<@U0CARL> approved your request');
    const denied = aRequest({ status: 'denied', denial: { actor: carl, at: T0, reason: '<!channel> no' } });
    expect(text(decisionDm(denied, carl))).toContain('&lt;!channel&gt; no');
  });

  it("says when access ended and how, and passes on AWS's reason for a failure", () => {
    const revoked = active({ status: 'revoked', endReason: 'revoked', endedBy: carl, endedAt: T0 });
    expect(text(endedDm(revoked, 'UTC'))).toContain('was revoked by <@U0CARL> at Mon 23 Nov, 09:00 (UTC)');
    const failed = aGrant({
      status: 'failed',
      failure: { code: 'ASSIGNMENT_FAILED', message: 'IAM role quota <exceeded>' },
    });
    expect(text(failedDm(failed))).toContain('IAM role quota &lt;exceeded&gt;');
  });
});
