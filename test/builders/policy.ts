import { parsePolicy, type Policy, type PolicyInput } from '../../src';
import { IDENTITY_STORE_ID, INSTANCE_ARN } from './index';

/** The policy of the design (§8), for engine tests. */
export function demoPolicyInput(): PolicyInput {
  return {
    identityCenter: { instanceArn: INSTANCE_ARN, identityStoreId: IDENTITY_STORE_ID, region: 'us-east-1' },
    channels: { slack: { approvals: 'C0APPROVALS', security: 'C0SECURITY' } },
    rules: [
      {
        name: 'prod-admin',
        accounts: ['111111111111', 'ou:ou-ab12-11111111'],
        permissionSets: ['AdministratorAccess'],
        requesters: { groups: ['engineers'] },
        approvers: { groups: ['sre-leads'], count: 2 },
        maxDuration: '4h',
      },
      {
        name: 'sandbox-readonly',
        accounts: ['tag:env=sandbox'],
        permissionSets: ['ReadOnlyAccess', 'AdministratorAccess'],
        requesters: { groups: ['*'] },
        autoApprove: true,
        maxDuration: '8h',
      },
      {
        name: 'no-pci-for-engineers',
        effect: 'deny',
        accounts: ['tag:pci=true'],
        permissionSets: ['*'],
        requesters: { groups: ['finance'] },
      },
    ],
    breakGlass: { permissionSets: ['AdministratorAccess'], maxDuration: '1h', requesters: { groups: ['sre-leads'] } },
    admins: { groups: ['security'] },
  };
}

export function demoPolicy(over: Partial<PolicyInput> = {}): Policy {
  return parsePolicy({ ...demoPolicyInput(), ...over });
}

/** The demo policy plus a rule that grants membership of db-admins for up to 2 h, with one approval. */
export function groupPolicyInput(over: Partial<NonNullable<PolicyInput['rules']>[number]> = {}): PolicyInput {
  const base = demoPolicyInput();
  return {
    ...base,
    rules: [
      ...(base.rules ?? []),
      {
        name: 'db-admins-for-a-while',
        groups: ['db-admins'],
        requesters: { groups: ['engineers'] },
        approvers: { groups: ['sre-leads'], count: 1 },
        maxDuration: '2h',
        ...over,
      },
    ],
  };
}
