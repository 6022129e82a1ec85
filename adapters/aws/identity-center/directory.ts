/**
 * Who people are in Identity Center (identitystore): what a chat platform verified → user id, their
 * groups for policy, and the members of approver groups. Cached with a bounded lifetime; a
 * person who is missing is not cached, so adding them to Identity Center works at once.
 *
 * The rule, the same whatever was looked up before (caches are keyed by exactly what is sent):
 * 1. An external id (Teams: the Entra ID object id) with the configured `externalIdIssuer`:
 *    GetUserId with AlternateIdentifier.ExternalId {Issuer, Id}. SCIM provisioning from Entra ID
 *    records the object id there, so this holds even when the email differs or is missing.
 * 2. Else the email in its one normalised form (`normalizeEmail`: trimmed, wholly lower-cased),
 *    as `emails.value`, then as `userName`. Identity Center may match these case-sensitively, so
 *    addresses there must be stored lower-case; keyless never tries other spellings.
 */
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  ListGroupMembershipsForMemberCommand,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import { ErrorCodes, KeylessError, normalizeEmail, type Principal, type VerifiedIdentity } from '../../../src';
import { TtlCache } from '../../shared/ttl-cache';
import type { AwsCaller } from './aws-caller';
import { isNotFound } from './aws-errors';
import { listMemberUserIds } from './group-memberships';

export interface DirectoryOptions {
  identityStoreId: string;
  /**
   * The Issuer of the ExternalIds that SCIM provisioning gives users (DescribeUser shows it).
   * Unset: external ids are not looked up and people are found by email only.
   */
  externalIdIssuer?: string;
  /** Lifetime of a resolved person (and their groups). */
  principalTtlMs: number;
  /** Lifetime of group names and group member lists. */
  groupTtlMs: number;
  maxEntries: number;
}

export const defaultDirectoryOptions: Omit<DirectoryOptions, 'identityStoreId'> = {
  principalTtlMs: 5 * 60_000,
  groupTtlMs: 10 * 60_000,
  maxEntries: 5000,
};

export class IdentityStoreDirectory {
  private readonly options: DirectoryOptions;
  private readonly byEmail: TtlCache<string>;
  private readonly byExternalId: TtlCache<string | null>;
  private readonly byId: TtlCache<Principal>;
  private readonly groupNames: TtlCache<string>;
  private readonly groupMembers: TtlCache<string[]>;

  constructor(
    private readonly client: IdentitystoreClient,
    private readonly caller: AwsCaller,
    options: Partial<DirectoryOptions> & { identityStoreId: string },
  ) {
    this.options = { ...defaultDirectoryOptions, ...options };
    const { principalTtlMs, groupTtlMs, maxEntries } = this.options;
    this.byEmail = new TtlCache({ ttlMs: principalTtlMs, maxEntries });
    this.byExternalId = new TtlCache({ ttlMs: principalTtlMs, maxEntries });
    this.byId = new TtlCache({ ttlMs: principalTtlMs, maxEntries });
    this.groupNames = new TtlCache({ ttlMs: groupTtlMs, maxEntries });
    this.groupMembers = new TtlCache({ ttlMs: groupTtlMs, maxEntries });
  }

  async resolvePrincipal(who: string | VerifiedIdentity): Promise<Principal> {
    const identity = typeof who === 'string' ? { email: who } : who;
    const email = identity.email?.trim() ? normalizeEmail(identity.email) : undefined;
    const byExternal = identity.externalId ? await this.userIdByExternalId(identity.externalId) : undefined;
    if (byExternal) return structuredClone(await this.principalById(byExternal, email));
    if (!email) {
      throw new KeylessError(
        ErrorCodes.PrincipalNotFound,
        "I couldn't find you in IAM Identity Center by your directory id, and your chat account shows no verified email. Ask your AWS administrator to add you.",
        { details: { principal: identity.externalId } },
      );
    }
    const userId = await this.byEmail.get(email, async () => {
      // Most directories hold the email as emails.value; some use it as the user name.
      const id = (await this.findUserId('emails.value', email)) ?? (await this.findUserId('userName', email));
      if (!id) {
        throw new KeylessError(
          ErrorCodes.PrincipalNotFound,
          `I couldn't find you in IAM Identity Center (looked for ${email}). Ask your AWS administrator to add you.`,
          {
            details: { principal: email },
            hint: 'Identity Center must hold the address in lower case, as emails.value or as the user name.',
          },
        );
      }
      return id;
    });
    return structuredClone(await this.principalById(userId, email));
  }

  /** The user with this external id under the configured issuer; undefined when none (or no issuer). */
  private async userIdByExternalId(externalId: string): Promise<string | undefined> {
    const issuer = this.options.externalIdIssuer;
    if (!issuer) return undefined;
    // Misses are cached too (null): a person found by email then is not asked for again on each turn.
    const id = await this.byExternalId.get(externalId, async () => {
      try {
        const out = await this.caller.send(
          { action: 'identitystore:GetUserId', details: { principal: externalId } },
          () =>
            this.client.send(
              new GetUserIdCommand({
                IdentityStoreId: this.storeId,
                AlternateIdentifier: { ExternalId: { Issuer: issuer, Id: externalId } },
              }),
            ),
          { passThrough: isNotFound },
        );
        return out.UserId ?? null;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    });
    return id ?? undefined;
  }

  async listGroupMembers(groupName: string): Promise<Principal[]> {
    const ids = await this.groupMembers.get(groupName, async () => {
      const groupId = await this.findGroupId(groupName);
      if (!groupId) return [];
      return listMemberUserIds(this.client, this.caller, this.storeId, groupId, groupName);
    });
    const members = await Promise.all(ids.map((id) => this.principalById(id).catch(() => undefined)));
    return members.filter((m): m is Principal => m !== undefined).map((m) => structuredClone(m));
  }

  private get storeId(): string {
    return this.options.identityStoreId;
  }

  private async findUserId(attributePath: 'emails.value' | 'userName', value: string): Promise<string | undefined> {
    try {
      const out = await this.caller.send(
        { action: 'identitystore:GetUserId', details: { principal: value } },
        () =>
          this.client.send(
            new GetUserIdCommand({
              IdentityStoreId: this.storeId,
              AlternateIdentifier: { UniqueAttribute: { AttributePath: attributePath, AttributeValue: value } },
            }),
          ),
        { passThrough: isNotFound },
      );
      return out.UserId;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async findGroupId(name: string): Promise<string | undefined> {
    try {
      const out = await this.caller.send(
        { action: 'identitystore:GetGroupId', details: { group: name } },
        () =>
          this.client.send(
            new GetGroupIdCommand({
              IdentityStoreId: this.storeId,
              AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } },
            }),
          ),
        { passThrough: isNotFound },
      );
      return out.GroupId;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private principalById(userId: string, lookedUpEmail?: string): Promise<Principal> {
    return this.byId.get(userId, async () => {
      const [user, groupIds] = await Promise.all([
        this.caller.send({ action: 'identitystore:DescribeUser', details: { principal: userId } }, () =>
          this.client.send(new DescribeUserCommand({ IdentityStoreId: this.storeId, UserId: userId })),
        ),
        this.groupIdsOf(userId),
      ]);
      const groups = await Promise.all(groupIds.map((id) => this.groupName(id)));
      const emails = user.Emails ?? [];
      const email = (emails.find((e) => e.Primary) ?? emails[0])?.Value ?? lookedUpEmail ?? user.UserName ?? userId;
      return {
        principalId: userId,
        userName: user.UserName ?? email,
        email,
        displayName: user.DisplayName ?? user.Name?.Formatted ?? user.UserName ?? email,
        groups: groups.filter((g): g is string => g !== undefined).sort(),
      };
    });
  }

  private async groupIdsOf(userId: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.caller.send(
        { action: 'identitystore:ListGroupMembershipsForMember', details: { principal: userId } },
        () =>
          this.client.send(
            new ListGroupMembershipsForMemberCommand({
              IdentityStoreId: this.storeId,
              MemberId: { UserId: userId },
              MaxResults: 100,
              NextToken: token,
            }),
          ),
      );
      for (const m of page.GroupMemberships ?? []) if (m.GroupId) ids.push(m.GroupId);
      token = page.NextToken;
    } while (token);
    return ids;
  }

  private async groupName(groupId: string): Promise<string | undefined> {
    try {
      return await this.groupNames.get(groupId, async () => {
        const out = await this.caller.send(
          { action: 'identitystore:DescribeGroup', details: { group: groupId } },
          () => this.client.send(new DescribeGroupCommand({ IdentityStoreId: this.storeId, GroupId: groupId })),
          { passThrough: isNotFound },
        );
        return out.DisplayName ?? groupId;
      });
    } catch (error) {
      // A group deleted between the two calls simply does not count.
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
