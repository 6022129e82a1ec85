import { groupTargetFields, parseGroupId, systemActor, transitionGrant, type Grant } from '../../../src';
import { judge } from '../../../bench/support/crash-harness';
import { aGrant, T0 } from '../../builders';

const actor = systemActor('test');

/** A scheduled grant driven through start and confirmation at the given instants. */
function started(startsAt: number, startAt: number, confirmAt: number): Grant {
  const g = aGrant({ status: 'scheduled', startsAt, durationSeconds: 60 });
  // The machine refuses an early start: forge one as a faulty engine would have written it.
  const provisioning =
    startAt >= startsAt
      ? transitionGrant(g, { type: 'start_reached', actor, at: startAt })!.next
      : {
          ...g,
          status: 'provisioning' as const,
          version: 2,
          history: [
            ...g.history,
            {
              ...g.history[0]!,
              key: 'v2',
              version: 2,
              event: 'start_reached',
              from: 'scheduled',
              to: 'provisioning',
              at: startAt,
            },
          ],
        };
  return transitionGrant(provisioning, { type: 'assignment_confirmed', actor, at: confirmAt })!.next;
}

const input = (grants: Grant[]) => ({
  written: [],
  grants,
  requests: [],
  assignments: grants.map((g) => ({
    principalId: g.principalId,
    accountId: g.accountId,
    permissionSetArn: g.permissionSetArn,
  })),
  runs: [],
  checkedAt: T0 + 10_000,
});

describe("the crash harness's judge: none started early", () => {
  it('counts nothing for access started at or after its start', () => {
    const result = judge(input([started(T0 + 1000, T0 + 1000, T0 + 1200)]));
    expect(result.started_early).toBe(0);
  });

  it('counts a grant that started before its start', () => {
    const result = judge(input([started(T0 + 1000, T0 + 999, T0 + 1200)]));
    expect(result.started_early).toBe(1);
    expect(result.violations.join('\n')).toMatch(/before its start/);
  });
});

describe("the crash harness's judge: group memberships", () => {
  const group = { id: parseGroupId('3634e42a-44b2-427d-8f75-ca8a199edb49'), name: 'db-admins' };
  /** A group grant created at T0, its membership confirmed at T0 + 100, then expired and removed. */
  const groupGrant = (ended: boolean): Grant => {
    const g = aGrant({ ...groupTargetFields(group), group, rule: 'db-admins-for-a-while', durationSeconds: 60 });
    const active = transitionGrant(g, { type: 'assignment_confirmed', actor, at: T0 + 100 })!.next;
    if (!ended) return active;
    const leaving = transitionGrant(active, { type: 'expiry_reached', actor, at: T0 + 60_100 })!.next;
    return transitionGrant(leaving, { type: 'unassignment_confirmed', actor, at: T0 + 60_200 })!.next;
  };
  const judged = (grants: Grant[], memberships: { at: number }[], members: number) =>
    judge({
      ...input([]),
      grants,
      assignments: [],
      checkedAt: T0 + 120_000,
      memberships: Array.from({ length: members }, () => ({ principalId: grants[0]!.principalId, groupId: group.id })),
      membershipCreates: memberships.map(({ at }) => ({ principalId: grants[0]!.principalId, groupId: group.id, at })),
    });

  it('counts nothing for a membership created while its grant was provisioning, held while active, then removed', () => {
    expect(judged([groupGrant(true)], [{ at: T0 + 50 }], 0)).toMatchObject({
      leaked_memberships: 0,
      duplicate_memberships: 0,
      violations: [],
    });
    // Still active at the end: its member is explained.
    expect(judged([groupGrant(false)], [{ at: T0 + 50 }], 1).leaked_memberships).toBe(0);
  });

  it('counts a member left in the group once the grant ended', () => {
    const result = judged([groupGrant(true)], [{ at: T0 + 50 }], 1);
    expect(result.leaked_memberships).toBe(1);
    expect(result.violations.join('\n')).toMatch(/leaked membership/);
  });

  it('counts a membership created twice for one grant, or with no grant provisioning it', () => {
    const twice = judged([groupGrant(true)], [{ at: T0 + 50 }, { at: T0 + 80 }], 0);
    expect(twice.duplicate_memberships).toBe(1);
    expect(twice.violations.join('\n')).toMatch(/created its membership 2 times/);
    // Re-created after the grant was confirmed (a retry that should have been a no-op) or after it ended.
    const late = judged([groupGrant(true)], [{ at: T0 + 50 }, { at: T0 + 70_000 }], 0);
    expect(late.duplicate_memberships).toBe(1);
    expect(late.violations.join('\n')).toMatch(/no grant provisioning it/);
  });
});
