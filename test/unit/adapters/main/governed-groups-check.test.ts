import { governedGroupsCheck } from '../../../../adapters/main/doctor';
import type { KeylessConfig } from '../../../../adapters/main/config';
import { parsePolicy } from '../../../../src';
import { demoPolicyInput, groupPolicyInput } from '../../../builders/policy';
import { FakeIdentityCenter } from '../../../fakes/fake-identity-center';
import { demoSeed } from '../../../fakes/seed';

const configWith = (policy: ReturnType<typeof parsePolicy>) => ({ policy }) as unknown as KeylessConfig;

describe('doctor: the groups the policy grants membership of', () => {
  it('passes when every governed group exists, and says how many members each holds now', async () => {
    const check = await governedGroupsCheck(
      configWith(parsePolicy(groupPolicyInput())),
      new FakeIdentityCenter(demoSeed()),
    );
    expect(check.status).toBe('ok');
    expect(check.detail).toContain('db-admins (0 member(s) now)');
  });

  it('fails with the fix when a governed group is missing from the identity store', async () => {
    const policy = parsePolicy(groupPolicyInput({ groups: ['db-owners'] }));
    const check = await governedGroupsCheck(configWith(policy), new FakeIdentityCenter(demoSeed()));
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('db-owners');
    expect(check.fix).toContain('exactly this display name');
  });

  it('says so when no rule grants a group', async () => {
    const check = await governedGroupsCheck(
      configWith(parsePolicy(demoPolicyInput())),
      new FakeIdentityCenter(demoSeed()),
    );
    expect(check.status).toBe('ok');
    expect(check.detail).toBe('no rule grants a group membership');
  });
});
