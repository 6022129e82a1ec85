/**
 * Group grants in the identity store: CreateGroupMembership / DeleteGroupMembership, both
 * idempotent, with AWS's errors handled as the API reference documents them
 * (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_Operations.html):
 * - Create answers ConflictException both when the membership exists (Reason
 *   UNIQUENESS_CONSTRAINT_VIOLATION) and on a concurrent change (CONCURRENT_MODIFICATION): keyless
 *   asks GetGroupMembershipId, so an existing membership counts as added and anything else is retried.
 * - Delete takes the MembershipId (GetGroupMembershipId first); ResourceNotFoundException on either
 *   call means the membership is already gone.
 * - ThrottlingException and 5xx are retried by the shared caller, under Identity Center's pace.
 */
import {
  CreateGroupMembershipCommand,
  DeleteGroupMembershipCommand,
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  ListGroupMembershipsCommand,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import {
  ErrorCodes,
  KeylessError,
  parseGroupId,
  type GroupId,
  type GroupRef,
  type MembershipKey,
  type PrincipalId,
} from '../../../src';
import type { AwsCaller } from './aws-caller';
import { awsErrorName, isConflict, isNotFound } from './aws-errors';

/** How often a Create that met a concurrent change is tried again (each after the caller's own retries). */
const CONFLICT_ROUNDS = 5;

export class IdentityStoreGroups {
  constructor(
    private readonly client: IdentitystoreClient,
    private readonly caller: AwsCaller,
    private readonly identityStoreId: string,
  ) {}

  async findGroup(name: string): Promise<GroupRef | undefined> {
    try {
      const out = await this.caller.send(
        { action: 'identitystore:GetGroupId', details: { group: name } },
        () =>
          this.client.send(
            new GetGroupIdCommand({
              IdentityStoreId: this.identityStoreId,
              AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } },
            }),
          ),
        { passThrough: isNotFound },
      );
      return out.GroupId ? { id: parseGroupId(out.GroupId), name } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The membership's id, or undefined when the user is not a member. Throws when the group is gone. */
  async membershipId(key: MembershipKey): Promise<string | undefined> {
    try {
      const out = await this.caller.send(
        { action: 'identitystore:GetGroupMembershipId', details: { group: key.groupId, principal: key.principalId } },
        () =>
          this.client.send(
            new GetGroupMembershipIdCommand({
              IdentityStoreId: this.identityStoreId,
              GroupId: key.groupId,
              MemberId: { UserId: key.principalId },
            }),
          ),
        { passThrough: isNotFound },
      );
      return out.MembershipId;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async addGroupMember(key: MembershipKey): Promise<void> {
    for (let round = 0; ; round++) {
      try {
        await this.caller.send(
          {
            action: 'identitystore:CreateGroupMembership',
            details: { group: key.groupId, principal: key.principalId },
          },
          () =>
            this.client.send(
              new CreateGroupMembershipCommand({
                IdentityStoreId: this.identityStoreId,
                GroupId: key.groupId,
                MemberId: { UserId: key.principalId },
              }),
            ),
          { passThrough: (e) => isConflict(e) || isNotFound(e) },
        );
        return;
      } catch (error) {
        if (isNotFound(error)) throw missing(error, key);
        if (!isConflict(error)) throw error;
        // Already a member (uniqueness) or a concurrent change: the membership id tells which.
        if ((await this.membershipId(key)) !== undefined) return;
        if (round + 1 >= CONFLICT_ROUNDS) {
          throw new KeylessError(
            ErrorCodes.Unavailable,
            'Identity Center is busy with another change to this group. Try again in a minute.',
            { details: { group: key.groupId, awsError: awsErrorName(error) }, cause: error },
          );
        }
      }
    }
  }

  async removeGroupMember(key: MembershipKey): Promise<void> {
    const id = await this.membershipId(key);
    if (id === undefined) return;
    try {
      await this.caller.send(
        { action: 'identitystore:DeleteGroupMembership', details: { group: key.groupId, principal: key.principalId } },
        () =>
          this.client.send(
            new DeleteGroupMembershipCommand({ IdentityStoreId: this.identityStoreId, MembershipId: id }),
          ),
        { passThrough: isNotFound },
      );
    } catch (error) {
      if (isNotFound(error)) return; // removed by someone else since: gone is what was asked
      throw error;
    }
  }

  async listGroupMemberIds(groupId: GroupId): Promise<PrincipalId[]> {
    const ids = await listMemberUserIds(this.client, this.caller, this.identityStoreId, groupId, groupId);
    return ids as PrincipalId[];
  }
}

/** ResourceNotFoundException on Create: the group or the user does not exist (AWS says which). */
function missing(error: unknown, key: MembershipKey): KeylessError {
  const type = (error as { ResourceType?: string }).ResourceType;
  const message = (error as { message?: string }).message ?? '';
  const user = type === 'USER' || /user/i.test(message);
  return user
    ? new KeylessError(ErrorCodes.PrincipalNotFound, `The user ${key.principalId} is not in IAM Identity Center.`, {
        cause: error,
      })
    : new KeylessError(ErrorCodes.UnknownGroup, `The group ${key.groupId} is not in IAM Identity Center.`, {
        cause: error,
        hint: 'Run `keyless doctor`: it checks that every group the policy names exists.',
      });
}

/** Every user id in a group (ListGroupMemberships, all pages); members that are groups are left out. */
export async function listMemberUserIds(
  client: IdentitystoreClient,
  caller: AwsCaller,
  identityStoreId: string,
  groupId: string,
  label: string,
): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await caller.send({ action: 'identitystore:ListGroupMemberships', details: { group: label } }, () =>
      client.send(
        new ListGroupMembershipsCommand({
          IdentityStoreId: identityStoreId,
          GroupId: groupId,
          MaxResults: 100,
          NextToken: token,
        }),
      ),
    );
    for (const m of page.GroupMemberships ?? []) {
      const member = m.MemberId as { UserId?: string } | undefined;
      if (member?.UserId) ids.push(member.UserId);
    }
    token = page.NextToken;
  } while (token);
  return ids;
}
