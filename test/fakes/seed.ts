import type { AccountId, PermissionSet, Principal } from '../../src';
import { ADMIN, READONLY, anAccount } from '../builders';

/** A small organization for engine tests. */
export function demoSeed(): {
  principals: Principal[];
  accounts: ReturnType<typeof anAccount>[];
  permissionSets: PermissionSet[];
  groups: string[];
} {
  const p = (n: number, user: string, groups: string[]): Principal => ({
    principalId: `90670000-0000-0000-0000-00000000000${n}`,
    userName: user,
    email: `${user}@example.com`,
    displayName: user[0]!.toUpperCase() + user.slice(1),
    groups,
  });
  return {
    principals: [
      p(1, 'rita', ['engineers']),
      p(2, 'ann', ['sre-leads', 'engineers']),
      p(3, 'bob', ['sre-leads']),
      p(4, 'carl', ['sre-leads']),
      p(5, 'olga', ['finance']),
      p(6, 'sam', ['security']),
    ],
    accounts: [
      anAccount(),
      anAccount({
        id: '222222222222' as AccountId,
        name: 'sandbox',
        ouPath: ['r-ab12', 'ou-ab12-22222222'],
        tags: { env: 'sandbox' },
      }),
      anAccount({
        id: '333333333333' as AccountId,
        name: 'payments',
        ouPath: ['r-ab12', 'ou-ab12-11111111'],
        tags: { env: 'prod', pci: 'true' },
      }),
    ],
    permissionSets: [
      { arn: ADMIN, name: 'AdministratorAccess', sessionDurationSeconds: 3600 },
      { arn: READONLY, name: 'ReadOnlyAccess', sessionDurationSeconds: 3600 },
    ],
    // A group keyless grants membership of for a while; nobody is in it for good.
    groups: ['db-admins'],
  };
}
