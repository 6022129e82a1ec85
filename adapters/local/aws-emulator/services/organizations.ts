/**
 * organizations (JSON 1.1, `AWSOrganizationsV20161128.<Op>`): the tree, accounts and tags.
 * Shapes: https://docs.aws.amazon.com/organizations/latest/APIReference/API_Operations.html
 */
import { randomBytes } from 'node:crypto';
import {
  AwsError,
  epochSeconds,
  optionalString,
  paginate,
  requireString,
  type JsonInput,
  type JsonService,
  type ServiceContext,
} from '../protocol';
import type { EmuAccount, EmuPolicy } from '../world';
import { parseScp, SCP_MAX_PER_TARGET } from './scp';

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

const SCP = 'SERVICE_CONTROL_POLICY';
const POLICY_TYPES = new Set([
  SCP,
  'RESOURCE_CONTROL_POLICY',
  'TAG_POLICY',
  'BACKUP_POLICY',
  'AISERVICES_OPT_OUT_POLICY',
  'CHATBOT_POLICY',
  'DECLARATIVE_POLICY_EC2',
]);
/** Organizations' quota: policies of one type in an organization. */
const MAX_POLICIES = 1000;

function policyArn(p: EmuPolicy, ctx: ServiceContext): string {
  return p.awsManaged
    ? `arn:aws:organizations::aws:policy/service_control_policy/${p.id}`
    : `arn:aws:organizations::${ctx.world.managementAccountId}:policy/${ctx.world.organizationId}/service_control_policy/${p.id}`;
}

function policySummary(p: EmuPolicy, ctx: ServiceContext): Record<string, unknown> {
  return {
    Id: p.id,
    Arn: policyArn(p, ctx),
    Name: p.name,
    Description: p.description,
    Type: SCP,
    AwsManaged: p.awsManaged,
  };
}

const policyShape = (p: EmuPolicy, ctx: ServiceContext) => ({
  Policy: { PolicySummary: policySummary(p, ctx), Content: p.content },
});

/** The `Filter`/`Type` of a policy call: a known type (only SCPs are modelled: the others have no policies). */
function policyType(input: JsonInput, field: 'Filter' | 'Type'): boolean {
  const type = requireString(input, field);
  if (!POLICY_TYPES.has(type)) {
    throw new AwsError(
      'InvalidInputException',
      `You provided a value that does not match the required pattern: ${field}.`,
      400,
      { Reason: 'INVALID_ENUM_POLICY_TYPE' },
    );
  }
  return type === SCP;
}

function requirePolicy(input: JsonInput, ctx: ServiceContext): EmuPolicy {
  const id = requireString(input, 'PolicyId');
  if (!/^p-[0-9a-zA-Z_]{8,128}$/.test(id)) {
    throw new AwsError('InvalidInputException', 'You specified an invalid value.', 400, {
      Reason: 'INVALID_PATTERN',
    });
  }
  const policy = ctx.world.policies.get(id);
  if (!policy)
    throw new AwsError('PolicyNotFoundException', "We can't find a policy with the PolicyId that you specified.");
  return policy;
}

function requireTarget(input: JsonInput, ctx: ServiceContext): string {
  const id = requireString(input, 'TargetId');
  if (id !== ctx.world.rootId && !ctx.world.ous.has(id) && !ctx.world.accounts.has(id)) {
    throw new AwsError(
      'TargetNotFoundException',
      "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    );
  }
  return id;
}

function requireScpEnabled(ctx: ServiceContext): void {
  if (!ctx.world.scpEnabled) {
    throw new AwsError(
      'PolicyTypeNotEnabledException',
      "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    );
  }
}

/** A change the emulator is told to answer with ConcurrentModificationException (faults.conflictNext). */
function concurrent(operation: string, ctx: ServiceContext): void {
  if (ctx.faults.takeConflict(operation)) {
    throw new AwsError(
      'ConcurrentModificationException',
      "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.",
    );
  }
}

function checkName(name: string): void {
  if (!/^[\s\S]{1,128}$/.test(name)) {
    throw new AwsError('InvalidInputException', 'You provided a value that does not match the required pattern.', 400, {
      Reason: 'INVALID_NAME',
    });
  }
}

function checkNameFree(name: string, ctx: ServiceContext, except?: string): void {
  for (const p of ctx.world.policies.values()) {
    if (p.name === name && p.id !== except) {
      throw new AwsError('DuplicatePolicyException', 'A policy with the same name already exists.');
    }
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
            PolicyTypes: ctx.world.scpEnabled ? [{ Type: SCP, Status: 'ENABLED' }] : [],
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
    ListPolicies(input, ctx) {
      const scp = policyType(input, 'Filter');
      const { page, NextToken } = paginate(
        scp ? [...ctx.world.policies.values()].map((p) => policySummary(p, ctx)) : [],
        input,
        20,
      );
      return { Policies: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListPoliciesForTarget(input, ctx) {
      const target = requireTarget(input, ctx);
      const scp = policyType(input, 'Filter');
      const attached = [...(scp ? (ctx.world.attachments.get(target) ?? []) : [])].map((id) =>
        policySummary(ctx.world.policies.get(id)!, ctx),
      );
      const { page, NextToken } = paginate(attached, input, 20);
      return { Policies: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListTargetsForPolicy(input, ctx) {
      const policy = requirePolicy(input, ctx);
      const targets = [...ctx.world.attachments.entries()]
        .filter(([, ids]) => ids.has(policy.id))
        .map(([id]) => {
          const type = id === ctx.world.rootId ? 'ROOT' : ctx.world.ous.has(id) ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT';
          const name =
            type === 'ROOT'
              ? 'Root'
              : type === 'ACCOUNT'
                ? ctx.world.accounts.get(id)!.name
                : ctx.world.ous.get(id)!.name;
          return {
            TargetId: id,
            Type: type,
            Name: name,
            Arn: `arn:aws:organizations::${ctx.world.managementAccountId}:${type === 'ROOT' ? 'root' : type === 'ACCOUNT' ? 'account' : 'ou'}/${ctx.world.organizationId}/${id}`,
          };
        });
      const { page, NextToken } = paginate(targets, input, 20);
      return { Targets: page, ...(NextToken ? { NextToken } : {}) };
    },
    DescribePolicy(input, ctx) {
      return policyShape(requirePolicy(input, ctx), ctx);
    },
    CreatePolicy(input, ctx) {
      if (!policyType(input, 'Type')) {
        throw new AwsError(
          'PolicyTypeNotEnabledException',
          "The specified policy type isn't currently enabled in this root.",
        );
      }
      const name = requireString(input, 'Name');
      const description = input.Description;
      if (typeof description !== 'string') requireString(input, 'Description');
      const content = requireString(input, 'Content');
      checkName(name);
      parseScp(content);
      concurrent('CreatePolicy', ctx);
      checkNameFree(name, ctx);
      if ([...ctx.world.policies.values()].filter((p) => !p.awsManaged).length >= MAX_POLICIES) {
        throw new AwsError(
          'ConstraintViolationException',
          'You attempted to exceed the number of policies that you can have in an organization.',
          400,
          { Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED' },
        );
      }
      const tags = Array.isArray(input.Tags)
        ? Object.fromEntries((input.Tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]))
        : {};
      const policy: EmuPolicy = {
        id: `p-${randomBytes(4).toString('hex')}`,
        name,
        description: description as string,
        content,
        awsManaged: false,
        tags,
      };
      ctx.world.policies.set(policy.id, policy);
      return policyShape(policy, ctx);
    },
    UpdatePolicy(input, ctx) {
      const policy = requirePolicy(input, ctx);
      const name = optionalString(input, 'Name');
      const description = optionalString(input, 'Description');
      const content = optionalString(input, 'Content');
      if (policy.awsManaged) {
        throw new AwsError(
          'AccessDeniedException',
          "You don't have permissions to perform the requested operation: an AWS managed policy can't be changed.",
        );
      }
      if (name !== undefined) {
        checkName(name);
        checkNameFree(name, ctx, policy.id);
      }
      if (content !== undefined) parseScp(content);
      concurrent('UpdatePolicy', ctx);
      if (name !== undefined) policy.name = name;
      if (description !== undefined) policy.description = description;
      if (content !== undefined) policy.content = content;
      return policyShape(policy, ctx);
    },
    AttachPolicy(input, ctx) {
      const policy = requirePolicy(input, ctx);
      const target = requireTarget(input, ctx);
      requireScpEnabled(ctx);
      concurrent('AttachPolicy', ctx);
      const attached = ctx.world.attachments.get(target) ?? new Set<string>();
      if (attached.has(policy.id)) {
        throw new AwsError(
          'DuplicatePolicyAttachmentException',
          'The selected policy is already attached to the specified target.',
        );
      }
      if (attached.size >= SCP_MAX_PER_TARGET) {
        throw new AwsError(
          'ConstraintViolationException',
          'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
          400,
          { Reason: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' },
        );
      }
      attached.add(policy.id);
      ctx.world.attachments.set(target, attached);
      return {};
    },
    DetachPolicy(input, ctx) {
      const policy = requirePolicy(input, ctx);
      const target = requireTarget(input, ctx);
      concurrent('DetachPolicy', ctx);
      const attached = ctx.world.attachments.get(target);
      if (!attached?.has(policy.id)) {
        throw new AwsError(
          'PolicyNotAttachedException',
          "The policy isn't attached to the specified target in the specified root.",
        );
      }
      if (attached.size === 1) {
        throw new AwsError(
          'ConstraintViolationException',
          'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
          400,
          { Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' },
        );
      }
      attached.delete(policy.id);
      return {};
    },
    DeletePolicy(input, ctx) {
      const policy = requirePolicy(input, ctx);
      if (policy.awsManaged) {
        throw new AwsError(
          'AccessDeniedException',
          "You don't have permissions to perform the requested operation: an AWS managed policy can't be deleted.",
        );
      }
      concurrent('DeletePolicy', ctx);
      if ([...ctx.world.attachments.values()].some((ids) => ids.has(policy.id))) {
        throw new AwsError(
          'PolicyInUseException',
          'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
        );
      }
      ctx.world.policies.delete(policy.id);
      return {};
    },
  },
};
