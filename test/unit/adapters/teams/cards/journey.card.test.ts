import type { Grant } from '../../../../../src';
import {
  grantActiveCard,
  grantCard,
  grantEndedCard,
  grantExtendedCard,
  grantFailedCard,
  grantReminderCard,
  requestStatusCard,
} from '../../../../../adapters/teams/cards/journey.card';
import { executeActions } from '../../../../../adapters/local/teams-connector';
import { Verbs } from '../../../../../adapters/teams/verbs';
import { T0, aChatUser, aGrant, aRequest } from '../../../../builders';

const rita = aChatUser({ platform: 'teams', id: 'aad-rita', displayName: 'Rita', timeZone: 'Europe/Paris' });
const active = (over: Partial<Grant> = {}): Grant => ({
  ...aGrant({ id: 'grt-active-1' as never, requester: rita }),
  status: 'active',
  activatedAt: T0,
  expiresAt: T0 + 2 * 3600_000,
  ...over,
});
const titles = (card: { actions?: unknown[] }) => (card.actions ?? []).map((a) => (a as { title?: string }).title);
const ann = { kind: 'user' as const, id: 'slack:U0ANN', name: 'Ann' };

describe("the requester's journey cards", () => {
  test('an extension or a merge shows the real end, and says when nothing was added', () => {
    const actor = { kind: 'system' as const, id: 'system:provisioner', name: 'provisioner' };
    const moved = JSON.stringify(grantExtendedCard(active(), actor, { addSeconds: 3600, capped: false }));
    expect(moved).toContain('Access extended');
    expect(moved).toContain('**1h** more');
    expect(moved).toContain('Mon 23 Nov, 12:00 GMT+1 (Europe/Paris)');
    const merged = JSON.stringify(grantExtendedCard(active(), actor, { addSeconds: 0, capped: false }));
    expect(merged).toContain('Access unchanged');
    expect(merged).toContain('already lasts beyond what was asked');
    expect(merged).toContain('Mon 23 Nov, 12:00 GMT+1 (Europe/Paris)');
  });

  test('a submitted request shows its approvers and progress, with Cancel', () => {
    const card = requestStatusCard(
      aRequest({ id: 'req-1' as never, requester: rita, reason: 'fix [it](https://x.example)' }),
    );
    expect(card).toMatchSnapshot();
    expect(executeActions(card).map((a) => a.title)).toEqual(['Cancel request']);
    const t = JSON.stringify(card);
    expect(t).toContain('**AdministratorAccess** on **prod (111111111111)**');
    expect(t).toContain('fix \\\\[it\\\\](https://x.example)');
  });

  test("active access shows its end in the requester's own time zone, with Extend and End now", () => {
    const card = grantActiveCard(active());
    expect(JSON.stringify(card)).toContain('Mon 23 Nov, 12:00 GMT+1 (Europe/Paris)');
    expect(titles(card)).toEqual(['Extend…', 'End now']);
    expect(executeActions(card).map((a) => [a.title, a.verb])).toEqual([
      ['Extend', Verbs.extendGrant],
      ['End now', Verbs.endGrant],
    ]);
    expect(card).toMatchSnapshot();
  });

  test('the same instant reads the same in any zone it is given, and says UTC without one', () => {
    expect(JSON.stringify(grantCard(active(), 'America/New_York'))).toContain(
      'Mon 23 Nov, 06:00 EST (America/New_York)',
    );
    expect(JSON.stringify(grantCard(active(), undefined))).toContain('Mon 23 Nov, 11:00 (UTC)');
  });

  test('the account and permission set names cannot become links or formatting', () => {
    const t = JSON.stringify(
      grantCard(active({ accountName: '[prod](https://evil.example)', permissionSetName: '**Admin**' }), 'UTC'),
    );
    expect(t).toContain('\\\\[prod\\\\](https://evil.example)');
    expect(t).toContain('\\\\*\\\\*Admin\\\\*\\\\*');
  });

  test('the reminder says how long is left', () => {
    const card = grantReminderCard(active(), T0 + 2 * 3600_000 - 15 * 60_000);
    expect(JSON.stringify(card)).toContain('ends in **15m**, at Mon 23 Nov, 12:00 GMT+1 (Europe/Paris)');
    expect(titles(card)).toEqual(['Extend…', 'End now']);
  });

  test('ended access says whether it expired or was revoked, and when, without buttons', () => {
    const expired = grantEndedCard(active({ status: 'expired', endReason: 'expired', endedAt: T0 + 7200_000 }));
    const revoked = grantEndedCard(active({ status: 'revoked', endReason: 'revoked', endedBy: ann, endedAt: T0 }));
    expect(JSON.stringify(expired)).toContain(
      'expired at Mon 23 Nov, 12:00 GMT+1 (Europe/Paris); the assignment is removed',
    );
    expect(JSON.stringify(revoked)).toContain('was revoked by Ann at Mon 23 Nov, 10:00 GMT+1 (Europe/Paris)');
    expect(expired.actions).toBeUndefined();
    expect(revoked.actions).toBeUndefined();
  });

  it('says on the grant-ended card whether open sessions are being ended, or not in the management account', () => {
    const revoked = active({ status: 'revoked', endReason: 'revoked', endedAt: T0 });
    expect(JSON.stringify(grantEndedCard({ ...revoked, sessionCut: { from: T0 + 30_000 } }))).toContain(
      'sessions opened before now are being ended',
    );
    expect(JSON.stringify(grantEndedCard({ ...revoked, sessionCut: { skipped: 'management_account' } }))).toContain(
      'Sessions in the management account are not ended',
    );
  });

  test.each([
    ['being removed', active({ status: 'deprovisioning', endReason: 'expired' })],
    ['expired', active({ status: 'expired', endReason: 'expired', endedAt: T0 })],
    ['revoked', active({ status: 'revoked', endReason: 'revoked', endedBy: ann, endedAt: T0 })],
    ['failed', active({ status: 'failed', failure: { code: 'X', message: 'quota' } })],
  ])('a grant %s is drawn (and redrawn in place) with no End now or Extend', (_name, grant) => {
    for (const card of [grantCard(grant, 'UTC'), grantActiveCard(grant), grantReminderCard(grant, T0)]) {
      expect(card.actions ?? []).toEqual([]);
      expect(executeActions(card)).toEqual([]);
    }
  });

  test('a notice (the answer to a click) is shown with the grant as it is', () => {
    const card = grantCard(
      active({ status: 'expired', endReason: 'expired', endedAt: T0 }),
      'UTC',
      'This access already ended.',
    );
    expect(JSON.stringify(card)).toContain('This access already ended.');
    expect(card.actions).toBeUndefined();
  });

  test("a failure gives AWS's reason", () => {
    const card = grantFailedCard({
      ...active(),
      status: 'failed',
      failure: { code: 'ASSIGNMENT_FAILED', message: 'Role quota exceeded' },
    });
    expect(JSON.stringify(card)).toContain('Role quota exceeded');
  });
});
