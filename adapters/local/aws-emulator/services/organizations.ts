/**
 * organizations (JSON 1.1, `AWSOrganizationsV20161128.<Op>`): the tree, accounts and tags.
 * Shapes: https://docs.aws.amazon.com/organizations/latest/APIReference/API_Operations.html
 */
import { AwsError, epochSeconds, paginate, requireString, type JsonService, type ServiceContext } from '../protocol';
import type { EmuAccount } from '../world';

const JOINED = Date.UTC(2024, 0, 1);

function accountShape(a: EmuAccount, ctx: ServiceContext): Record<string, unknown> {
  return {
    Id: a.id,
    Arn: `arn:aws:organizations::${ctx.world.managementAccountId}:account/${ctx.world.organizationId}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    JoinedMethod: a.id === ctx.world.managementAccountId ? 'INVITED' : 'CREATED',
    JoinedTimestamp: epochSeconds(JOINED),
  };
}

function checkParent(parentId: string, ctx: ServiceContext): void {
  if (parentId !== ctx.world.rootId && !ctx.world.ous.has(parentId)) {
    throw new AwsError('ParentNotFoundException', `We can't find a root or OU with the ParentId that you specified.`);
  }
}

export const organizationsService: JsonService = {
  name: 'organizations',
  targetPrefix: 'AWSOrganizationsV20161128',
  throttleCode: 'TooManyRequestsException',
  identityCenterLimit: false,
  operations: {
    ListRoots(input, ctx) {
      const { page, NextToken } = paginate(
        [
          {
            Id: ctx.world.rootId,
            Arn: `arn:aws:organizations::${ctx.world.managementAccountId}:root/${ctx.world.organizationId}/${ctx.world.rootId}`,
            Name: 'Root',
            PolicyTypes: [],
          },
        ],
        input,
        20,
      );
      return { Roots: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListOrganizationalUnitsForParent(input, ctx) {
      const parentId = requireString(input, 'ParentId');
      checkParent(parentId, ctx);
      const ous = [...ctx.world.ous.values()]
        .filter((o) => o.parentId === parentId)
        .map((o) => ({
          Id: o.id,
          Arn: `arn:aws:organizations::${ctx.world.managementAccountId}:ou/${ctx.world.organizationId}/${o.id}`,
          Name: o.name,
        }));
      const { page, NextToken } = paginate(ous, input, 20);
      return { OrganizationalUnits: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListAccountsForParent(input, ctx) {
      const parentId = requireString(input, 'ParentId');
      checkParent(parentId, ctx);
      const accounts = [...ctx.world.accounts.values()]
        .filter((a) => a.parentId === parentId)
        .map((a) => accountShape(a, ctx));
      const { page, NextToken } = paginate(accounts, input, 20);
      return { Accounts: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListAccounts(input, ctx) {
      const { page, NextToken } = paginate(
        [...ctx.world.accounts.values()].map((a) => accountShape(a, ctx)),
        input,
        20,
      );
      return { Accounts: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListParents(input, ctx) {
      const childId = requireString(input, 'ChildId');
      const parentId = ctx.world.accounts.get(childId)?.parentId ?? ctx.world.ous.get(childId)?.parentId;
      if (parentId === undefined)
        throw new AwsError(
          'ChildNotFoundException',
          `We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.`,
        );
      return { Parents: [{ Id: parentId, Type: parentId === ctx.world.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
    },
    ListTagsForResource(input, ctx) {
      const id = requireString(input, 'ResourceId');
      const account = ctx.world.accounts.get(id);
      if (!account)
        throw new AwsError(
          'TargetNotFoundException',
          `We can't find a resource with the ResourceId that you specified.`,
        );
      const tags = Object.entries(account.tags).map(([Key, Value]) => ({ Key, Value }));
      const { page, NextToken } = paginate(tags, input, 100);
      return { Tags: page, ...(NextToken ? { NextToken } : {}) };
    },
  },
};
