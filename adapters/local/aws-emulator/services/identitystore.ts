/**
 * identitystore (JSON 1.1, `AWSIdentityStore.<Op>`): users, groups, memberships.
 * Shapes: https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_Operations.html
 */
import {
  AwsError,
  paginate,
  requireObject,
  requireString,
  type JsonInput,
  type JsonService,
  type ServiceContext,
} from '../protocol';
import type { EmuGroup, EmuUser } from '../world';

function checkStore(input: JsonInput, ctx: ServiceContext): void {
  const id = requireString(input, 'IdentityStoreId');
  if (id !== ctx.world.identityStoreId)
    throw new AwsError('ResourceNotFoundException', `Identity store ${id} does not exist.`, 400, {
      ResourceType: 'IDENTITY_STORE',
      ResourceId: id,
    });
}

function uniqueAttribute(input: JsonInput): { path: string; value: string } {
  const alternate = requireObject(input, 'AlternateIdentifier');
  const unique = alternate.UniqueAttribute as JsonInput | undefined;
  if (!unique || typeof unique.AttributePath !== 'string') {
    throw new AwsError('ValidationException', 'Only UniqueAttribute alternate identifiers are supported here.');
  }
  if (typeof unique.AttributeValue !== 'string')
    throw new AwsError('ValidationException', 'AttributeValue must be a string.');
  return { path: unique.AttributePath, value: unique.AttributeValue };
}

function notFound(type: 'USER' | 'GROUP' | 'GROUP_MEMBERSHIP', id: string): AwsError {
  return new AwsError('ResourceNotFoundException', `${type} not found.`, 400, { ResourceType: type, ResourceId: id });
}

function user(input: JsonInput, ctx: ServiceContext): EmuUser {
  const id = requireString(input, 'UserId');
  const u = ctx.world.users.get(id);
  if (!u) throw notFound('USER', id);
  return u;
}

function group(id: string, ctx: ServiceContext): EmuGroup {
  const g = ctx.world.groups.get(id);
  if (!g) throw notFound('GROUP', id);
  return g;
}

const membershipId = (groupId: string, userId: string): string => `${groupId.slice(0, 8)}-m-${userId.slice(0, 8)}`;

export const identityStoreService: JsonService = {
  name: 'identitystore',
  targetPrefix: 'AWSIdentityStore',
  throttleCode: 'ThrottlingException',
  identityCenterLimit: true,
  operations: {
    GetUserId(input, ctx) {
      checkStore(input, ctx);
      const { path, value } = uniqueAttribute(input);
      let found: EmuUser | undefined;
      if (path === 'userName') found = ctx.world.userByName(value);
      else if (path === 'emails.value') found = ctx.world.userByEmail(value);
      else throw new AwsError('ValidationException', `AttributePath ${path} is not a unique attribute of users.`);
      if (!found) throw notFound('USER', value);
      return { UserId: found.id, IdentityStoreId: ctx.world.identityStoreId };
    },
    DescribeUser(input, ctx) {
      checkStore(input, ctx);
      const u = user(input, ctx);
      const [given, ...family] = u.displayName.split(' ');
      return {
        IdentityStoreId: ctx.world.identityStoreId,
        UserId: u.id,
        UserName: u.userName,
        DisplayName: u.displayName,
        Name: { GivenName: given, FamilyName: family.join(' ') || given, Formatted: u.displayName },
        Emails: [{ Value: u.email, Type: 'work', Primary: true }],
      };
    },
    GetGroupId(input, ctx) {
      checkStore(input, ctx);
      const { path, value } = uniqueAttribute(input);
      if (path !== 'displayName')
        throw new AwsError('ValidationException', `AttributePath ${path} is not a unique attribute of groups.`);
      const g = ctx.world.groupByName(value);
      if (!g) throw notFound('GROUP', value);
      return { GroupId: g.id, IdentityStoreId: ctx.world.identityStoreId };
    },
    DescribeGroup(input, ctx) {
      checkStore(input, ctx);
      const g = group(requireString(input, 'GroupId'), ctx);
      return {
        GroupId: g.id,
        DisplayName: g.name,
        ...(g.description !== undefined ? { Description: g.description } : {}),
        IdentityStoreId: ctx.world.identityStoreId,
      };
    },
    ListGroupMemberships(input, ctx) {
      checkStore(input, ctx);
      const g = group(requireString(input, 'GroupId'), ctx);
      const members = [...(ctx.world.memberships.get(g.id) ?? [])].map((userId) => ({
        IdentityStoreId: ctx.world.identityStoreId,
        MembershipId: membershipId(g.id, userId),
        GroupId: g.id,
        MemberId: { UserId: userId },
      }));
      const { page, NextToken } = paginate(members, input, 100);
      return { GroupMemberships: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListGroupMembershipsForMember(input, ctx) {
      checkStore(input, ctx);
      const member = requireObject(input, 'MemberId');
      const userId = typeof member.UserId === 'string' ? member.UserId : '';
      if (!ctx.world.users.has(userId)) throw notFound('USER', userId);
      const memberships = [...ctx.world.memberships.entries()]
        .filter(([, users]) => users.has(userId))
        .map(([groupId]) => ({
          IdentityStoreId: ctx.world.identityStoreId,
          MembershipId: membershipId(groupId, userId),
          GroupId: groupId,
          MemberId: { UserId: userId },
        }));
      const { page, NextToken } = paginate(memberships, input, 100);
      return { GroupMemberships: page, ...(NextToken ? { NextToken } : {}) };
    },
  },
};
