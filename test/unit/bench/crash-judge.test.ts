import { systemActor, transitionGrant, type Grant } from '../../../src';
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
