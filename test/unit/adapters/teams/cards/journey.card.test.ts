import type { Grant } from '../../../../../src';
import {
  grantActiveCard,
  grantEndedCard,
  grantExtendedCard,
  grantFailedCard,
  grantReminderCard,
  requestStatusCard,
} from '../../../../../adapters/teams/cards/journey.card';
import { executeActions } from '../../../../../adapters/local/teams-connector';
import { T0, aChatUser, aGrant, aRequest } from '../../../../builders';

const rita = aChatUser({ platform: 'teams', id: 'aad-rita', displayName: 'Rita', timeZone: 'Europe/Paris' });
const active = (): Grant => ({
  ...aGrant({ id: 'grt-active-1' as never, requester: rita }),
  status: 'active',
  activatedAt: T0,
  expiresAt: T0 + 2 * 3600_000,
});

describe("the requester's journey cards", () => {
  test('an extension or a merge shows the real end, and says when nothing was added', () => {
    const actor = { kind: 'system' as const, id: 'system:provisioner', name: 'provisioner' };
    const moved = JSON.stringify(grantExtendedCard(active(), actor, { addSeconds: 3600, capped: false }));
    expect(moved).toContain('Access extended');
    expect(moved).toContain('**1h** more');
    expect(moved).toContain('Mon 23 Nov, 12:00 (Europe/Paris)');
    const merged = JSON.stringify(grantExtendedCard(active(), actor, { addSeconds: 0, capped: false }));
    expect(merged).toContain('Access unchanged');
    expect(merged).toContain('already lasts beyond what was asked');
    expect(merged).toContain('Mon 23 Nov, 12:00 (Europe/Paris)');
  });

  test('a submitted request shows its approvers and progress, with Cancel', () => {
    const card = requestStatusCard(aRequest({ id: 'req-1' as never, requester: rita }));
    expect(card).toMatchSnapshot();
    expect(executeActions(card).map((a) => a.title)).toEqual(['Cancel request']);
  });

  test("active access shows its end in the requester's own time zone, with Extend and End now", () => {
    const card = grantActiveCard(active());
    expect(JSON.stringify(card)).toContain('Mon 23 Nov, 12:00 (Europe/Paris)');
    expect(executeActions(card).map((a) => a.title)).toEqual(['Extend', 'End now']);
    expect(card).toMatchSnapshot();
  });

  test('the reminder says how long is left', () => {
    const card = grantReminderCard(active(), T0 + 2 * 3600_000 - 15 * 60_000);
    expect(JSON.stringify(card)).toContain('ends in **15m**, at Mon 23 Nov, 12:00 (Europe/Paris)');
    expect(executeActions(card).map((a) => a.title)).toEqual(['Extend', 'End now']);
  });

  test('ended access says whether it expired or was revoked, without buttons', () => {
    const expired = grantEndedCard({ ...active(), status: 'expired', endReason: 'expired' });
    const revoked = grantEndedCard({
      ...active(),
      status: 'revoked',
      endReason: 'revoked',
      endedBy: { kind: 'user', id: 'slack:U0ANN', name: 'Ann' },
    });
    expect(JSON.stringify(expired)).toContain('expired; the assignment is removed');
    expect(JSON.stringify(revoked)).toContain('was revoked by Ann');
    expect(expired.actions).toBeUndefined();
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
