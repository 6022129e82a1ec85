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
import { stableUuid, type EmuGroup, type EmuUser, type EmulatorWorld } from '../world';

function checkStore(input: JsonInput, ctx: ServiceContext): void {
  const id = requireString(input, 'IdentityStoreId');
  if (id !== ctx.world.identityStoreId)
    throw new AwsError('ResourceNotFoundException', `Identity store ${id} does not exist.`, 400, {
      ResourceType: 'IDENTITY_STORE',
      ResourceId: id,
    });
}

type Alternate = { kind: 'unique'; path: string; value: string } | { kind: 'external'; issuer: string; id: string };

/** AWS's pattern for ExternalId.Issuer and .Id: 1–256 letters, marks, symbols, numbers or punctuation. */
const EXTERNAL_ID_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,256}$/u;

/**
 * The AlternateIdentifier union (API_AlternateIdentifier): exactly one of ExternalId {Issuer, Id}
 * or UniqueAttribute {AttributePath, AttributeValue}; anything else is a ValidationException.
 */
function alternateIdentifier(input: JsonInput): Alternate {
  const alternate = requireObject(input, 'AlternateIdentifier');
  const external = alternate.ExternalId as JsonInput | undefined;
  const unique = alternate.UniqueAttribute as JsonInput | undefined;
  if ((external === undefined) === (unique === undefined)) {
    throw new AwsError(
      'ValidationException',
      'AlternateIdentifier must have exactly one of ExternalId and UniqueAttribute.',
    );
  }
  if (external !== undefined) {
    if (typeof external !== 'object' || external === null) {
      throw new AwsError('ValidationException', 'ExternalId must be an object with Issuer and Id.');
    }
    for (const field of ['Issuer', 'Id'] as const) {
      const v = external[field];
      if (typeof v !== 'string' || !EXTERNAL_ID_PATTERN.test(v)) {
        throw new AwsError(
          'ValidationException',
          `1 validation error detected: Value at 'alternateIdentifier.externalId.${field.toLowerCase()}' failed to satisfy constraint: Member must have length between 1 and 256 and match the pattern [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+`,
        );
      }
    }
    return { kind: 'external', issuer: external.Issuer as string, id: external.Id as string };
  }
  if (typeof unique !== 'object' || unique === null || typeof unique.AttributePath !== 'string') {
    throw new AwsError('ValidationException', 'UniqueAttribute must have an AttributePath.');
  }
  if (typeof unique.AttributeValue !== 'string' || unique.AttributeValue.length === 0)
    throw new AwsError('ValidationException', 'AttributeValue must be a non-empty string.');
  return { kind: 'unique', path: unique.AttributePath, value: unique.AttributeValue };
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

/**
 * The MembershipId of a membership: seeded ones get a stable id on first sight; each one created
 * through the API gets a new one (a membership removed and made again is a new object in AWS).
 */
function membershipId(world: EmulatorWorld, groupId: string, userId: string): string {
  const key = `${groupId}#${userId}`;
  let id = world.membershipIds.get(key);
  if (!id) {
    id = stableUuid(`membership:${key}`);
    world.membershipIds.set(key, id);
  }
  return id;
}

// https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroupMembership.html
const RESOURCE_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

/** GroupId, MembershipId and MemberId.UserId: 1–47 characters of AWS's id pattern, else ValidationException. */
function requireResourceId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 47 || !RESOURCE_ID.test(value)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}`,
    );
  }
  return value;
}

/** MemberId is a union with one member, UserId. */
function memberUserId(input: JsonInput): string {
  const member = requireObject(input, 'MemberId');
  const keys = Object.keys(member);
  if (keys.length !== 1 || keys[0] !== 'UserId') {
    throw new AwsError('ValidationException', 'MemberId must have exactly one member: UserId.');
  }
  return requireResourceId(member.UserId, 'memberId.userId');
}

export const identityStoreService: JsonService = {
  name: 'identitystore',
  targetPrefix: 'AWSIdentityStore',
  throttleCode: 'ThrottlingException',
  identityCenterLimit: true,
  operations: {
    GetUserId(input, ctx) {
      checkStore(input, ctx);
      const alternate = alternateIdentifier(input);
      let found: EmuUser | undefined;
      if (alternate.kind === 'external') {
        found = ctx.world.userByExternalId(alternate.issuer, alternate.id);
        if (!found) throw notFound('USER', alternate.id);
      } else {
        const { path, value } = alternate;
        if (path !== 'userName' && path !== 'emails.value')
          throw new AwsError('ValidationException', `AttributePath ${path} is not a unique attribute of users.`);
        // Exact match, letter case included (see EmulatorWorld.userByUniqueAttribute).
        found = ctx.world.userByUniqueAttribute(path, value);
        if (!found) throw notFound('USER', value);
      }
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
        ...(u.externalIds.length ? { ExternalIds: u.externalIds.map((e) => ({ Issuer: e.issuer, Id: e.id })) } : {}),
      };
    },
    GetGroupId(input, ctx) {
      checkStore(input, ctx);
      const alternate = alternateIdentifier(input);
      // Groups here carry no external ids: an ExternalId lookup finds none, as for an unprovisioned group.
      if (alternate.kind === 'external') throw notFound('GROUP', alternate.id);
      const { path, value } = alternate;
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
        MembershipId: membershipId(ctx.world, g.id, userId),
        GroupId: g.id,
        MemberId: { UserId: userId },
      }));
      const { page, NextToken } = paginate(members, input, 100);
      return { GroupMemberships: page, ...(NextToken ? { NextToken } : {}) };
    },
    /** Errors as documented: ResourceNotFoundException (group or user), ConflictException when the user is a member already. */
    CreateGroupMembership(input, ctx) {
      checkStore(input, ctx);
      const groupId = requireResourceId(input.GroupId, 'groupId');
      const userId = memberUserId(input);
      const g = group(groupId, ctx);
      if (!ctx.world.users.has(userId)) throw notFound('USER', userId);
      const members = ctx.world.memberships.get(g.id)!;
      if (members.has(userId)) {
        throw new AwsError('ConflictException', 'Member is already in the group.', 400, {
          Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION',
        });
      }
      members.add(userId);
      ctx.world.recordMembershipChange('create', g.id, userId);
      const id = stableUuid(`membership:${g.id}#${userId}#${++ctx.world.membershipSerial}`);
      ctx.world.membershipIds.set(`${g.id}#${userId}`, id);
      return { MembershipId: id, IdentityStoreId: ctx.world.identityStoreId };
    },
    /** ResourceNotFoundException (GROUP or USER) when the group or user does not exist, or the user is not a member. */
    GetGroupMembershipId(input, ctx) {
      checkStore(input, ctx);
      const groupId = requireResourceId(input.GroupId, 'groupId');
      const userId = memberUserId(input);
      const g = group(groupId, ctx);
      if (!ctx.world.users.has(userId)) throw notFound('USER', userId);
      if (!ctx.world.memberships.get(g.id)!.has(userId)) throw notFound('GROUP_MEMBERSHIP', `${g.id}/${userId}`);
      return { MembershipId: membershipId(ctx.world, g.id, userId), IdentityStoreId: ctx.world.identityStoreId };
    },
    /** Takes the MembershipId; one that does not exist (any more) is a ResourceNotFoundException. */
    DeleteGroupMembership(input, ctx) {
      checkStore(input, ctx);
      const id = requireResourceId(input.MembershipId, 'membershipId');
      for (const [key, value] of ctx.world.membershipIds) {
        if (value !== id) continue;
        const [groupId, userId] = key.split('#') as [string, string];
        const members = ctx.world.memberships.get(groupId);
        if (!members?.has(userId)) break;
        members.delete(userId);
        ctx.world.membershipIds.delete(key);
        ctx.world.recordMembershipChange('delete', groupId, userId);
        return {};
      }
      throw notFound('GROUP_MEMBERSHIP', id);
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
          MembershipId: membershipId(ctx.world, groupId, userId),
          GroupId: groupId,
          MemberId: { UserId: userId },
        }));
      const { page, NextToken } = paginate(memberships, input, 100);
      return { GroupMemberships: page, ...(NextToken ? { NextToken } : {}) };
    },
  },
};
