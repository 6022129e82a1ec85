import { ErrorCodes, KeylessError, type Logger } from '../../src';
import { TtlCache } from '../shared/ttl-cache';
import { slackErrorCode, type SlackApi } from './slack-api';
import type { SlackUserGroupRef } from './usergroup-ref';

/** What a person is told when a group cannot be checked, by Slack's error code. */
function whyNot(code: string | undefined, group: SlackUserGroupRef): string {
  switch (code) {
    case 'missing_scope':
      return 'the keyless Slack app lacks the usergroups:read scope (reinstall it from manifest/slack/manifest.yml)';
    case 'no_such_subteam':
      return `Slack knows no enabled user group ${group.label}`;
    case 'plan_upgrade_required':
      return 'this Slack workspace has no user groups (they need a Standard plan or above)';
    case undefined:
      return 'Slack did not answer';
    default:
      return `Slack answered ${code}`;
  }
}

interface UserGroupsList {
  usergroups?: { id?: string; handle?: string; date_delete?: number }[];
}

/**
 * Who is in the auditors' Slack user groups: usergroups.users.list per group (a handle is first
 * found with usergroups.list), each answer cached briefly (`ttlMs`, default one minute) so that a
 * person removed from the group loses the audit within that time. It fails closed: when Slack
 * cannot answer for a group (missing scope, unknown group, network), nobody is taken for a member
 * of it; a person who is in none of the groups Slack did answer for is refused with the reason.
 */
export class SlackUserGroups {
  private readonly members: TtlCache<ReadonlySet<string>>;
  private readonly handles: TtlCache<string>;

  constructor(
    private readonly api: SlackApi,
    private readonly logger: Logger,
    private readonly groups: readonly SlackUserGroupRef[],
    ttlMs = 60_000,
  ) {
    this.members = new TtlCache({ ttlMs, maxEntries: 1000 });
    this.handles = new TtlCache({ ttlMs, maxEntries: 1000 });
  }

  get configured(): boolean {
    return this.groups.length > 0;
  }

  /**
   * Whether the Slack user `userId` is in one of the groups. False when in none; a KeylessError
   * (NOT_ALLOWED) naming what went wrong when they are in none of the groups Slack answered for
   * and at least one group could not be checked.
   */
  async isMember(userId: string): Promise<boolean> {
    const problems: string[] = [];
    for (const group of this.groups) {
      try {
        if ((await this.membersOf(group)).has(userId)) return true;
      } catch (error) {
        const code = error instanceof KeylessError ? 'no_such_subteam' : slackErrorCode(error);
        this.logger.warn(
          { code: 'AUDITORS_GROUP_UNCHECKED', slackError: code ?? 'no_answer', group: group.label },
          'a Slack auditors group could not be checked; its members are not taken for auditors',
        );
        problems.push(`${group.label}: ${whyNot(code, group)}`);
      }
    }
    if (problems.length === 0) return false;
    throw new KeylessError(
      ErrorCodes.NotAllowed,
      `keyless could not check the auditors group in Slack (${problems.join('; ')}), so the audit stays closed to its members.`,
      { hint: 'Tell your Slack admins; the audit opens again once Slack answers.' },
    );
  }

  private async membersOf(group: SlackUserGroupRef): Promise<ReadonlySet<string>> {
    const id = 'id' in group ? group.id : await this.idOf(group.handle, group);
    return this.members.get(id, async () => {
      const answer = (await this.api.call('usergroups.users.list', { usergroup: id })) as { users?: unknown };
      const users = Array.isArray(answer.users) ? answer.users.filter((u): u is string => typeof u === 'string') : [];
      return new Set(users);
    });
  }

  /** The id of the enabled group with this handle (usergroups.list leaves disabled groups out). */
  private idOf(handle: string, group: SlackUserGroupRef): Promise<string> {
    return this.handles.get(handle, async () => {
      const answer = (await this.api.call('usergroups.list', {})) as UserGroupsList;
      const found = (answer.usergroups ?? []).find((g) => g.handle === handle && !g.date_delete);
      if (!found?.id) throw new KeylessError(ErrorCodes.NotAllowed, `no Slack user group ${group.label}`);
      return found.id;
    });
  }
}
