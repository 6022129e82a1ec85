import { parsePolicy, type OnCallDirectory } from '../../../src';
import { groupPolicyInput } from '../../builders/policy';
import { testEngine, users } from '../../builders/test-engine';

const SCHEDULE = 'pagerduty:PSRE001';

class OnCallNow implements OnCallDirectory {
  readonly onCall = new Map<string, string[]>();
  whoIsOnCall(schedule: string): Promise<string[]> {
    return Promise.resolve(this.onCall.get(schedule) ?? []);
  }
}

/** The group form's choices: the groups a rule lets this person ask to join, each with its longest duration. */
describe('the groups a person may ask to join from the form', () => {
  it('offers a group to the requesters its rule names, with the rule maximum, and to nobody else', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    expect(await t.engine.requestGroupOptions({ user: users.rita })).toEqual({
      groups: [{ name: 'db-admins', maxSeconds: 2 * 3600 }],
    });
    // Olga is in finance, not engineers: the rule does not let her ask.
    expect(await t.engine.requestGroupOptions({ user: users.olga })).toEqual({ groups: [] });
  });

  it('offers nothing when no rule governs a group', async () => {
    const t = testEngine();
    expect((await t.engine.requestGroupOptions({ user: users.rita })).groups).toEqual([]);
  });

  it('offers a group whose rule serves only the on-call to whoever is on call now', async () => {
    const directory = new OnCallNow();
    const policy = parsePolicy(
      groupPolicyInput({ approvers: undefined, autoApprove: { whenOnCall: [SCHEDULE] }, maxDuration: '1h' }),
    );
    const t = testEngine({ policy, onCall: directory });
    expect((await t.engine.requestGroupOptions({ user: users.rita })).groups).toEqual([]);
    directory.onCall.set(SCHEDULE, ['rita@example.com']);
    expect((await t.engine.requestGroupOptions({ user: users.rita })).groups).toEqual([
      { name: 'db-admins', maxSeconds: 3600 },
    ]);
  });

  it('offers what the engine then accepts: the choice and the request agree', async () => {
    const t = testEngine({ policy: parsePolicy(groupPolicyInput()) });
    const [offered] = (await t.engine.requestGroupOptions({ user: users.rita })).groups;
    const { request } = await t.engine.requestAccess({
      requester: users.rita,
      account: `group:${offered!.name}`,
      permissionSet: '',
      duration: '2h',
      reason: 'INC-7 fix the replica',
    });
    expect(request.group?.name).toBe('db-admins');
  });
});
