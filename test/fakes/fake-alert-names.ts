import type { AlertNames, DriftPerson, PermissionSet, Principal } from '../../src';
import { demoSeed } from './seed';

/** Identity Center's names in memory, from the demo seed; lookups can be made to fail. */
export class FakeAlertNames implements AlertNames {
  failing = false;
  calls = 0;
  readonly people: Principal[];
  readonly sets: PermissionSet[];

  constructor(seed: { principals: Principal[]; permissionSets: PermissionSet[] } = demoSeed()) {
    this.people = seed.principals.map((p) => ({ ...p }));
    this.sets = seed.permissionSets.map((p) => ({ ...p }));
  }

  async person(principalId: string): Promise<DriftPerson | undefined> {
    this.calls++;
    if (this.failing) throw new Error('identitystore:DescribeUser AccessDenied');
    const p = this.people.find((x) => x.principalId === principalId);
    return p && { userName: p.userName, email: p.email, displayName: p.displayName };
  }

  async permissionSetName(arn: string): Promise<string | undefined> {
    this.calls++;
    if (this.failing) throw new Error('sso:ListPermissionSets AccessDenied');
    return this.sets.find((s) => s.arn === arn)?.name;
  }
}
