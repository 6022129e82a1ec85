import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { ErrorCodes, type Logger } from '../../src';

/**
 * Which Slack workspaces a request speaks for, read from the body of every kind of delivery
 * (slash command, block action, view submission or close, options load, shortcut, event):
 * - `teams`: the workspace the request comes from (`team_id`, `team.id`, `view.team_id`);
 * - `enterprises`: its Enterprise Grid organization (`enterprise_id`, `enterprise.id`,
 *   `team.enterprise_id`);
 * - `userTeams`: the person's own workspace when Slack says it (`user.team_id`, an event's
 *   `user_team`), which differs from `teams` for a Slack Connect guest from another organization.
 */
export interface SlackOrigin {
  teams: string[];
  enterprises: string[];
  userTeams: string[];
}

const SLACK_ID = /^[TE][A-Z0-9]{2,}$/;

function ids(...values: unknown[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

export function slackOrigin(body: unknown): SlackOrigin {
  const b = record(body);
  const team = record(b.team);
  const user = record(b.user);
  const view = record(b.view);
  const event = record(b.event);
  const enterprise = record(b.enterprise);
  return {
    teams: ids(b.team_id, team.id, view.team_id),
    enterprises: ids(b.enterprise_id, enterprise.id, team.enterprise_id),
    userTeams: ids(user.team_id, b.user_team_id, event.user_team),
  };
}

/**
 * The rule (fail closed):
 * 1. The workspace must be served: each of `teams` is listed, or the request's Enterprise Grid
 *    organization is (every id in `enterprises` listed). A request naming no workspace and no
 *    organization is refused.
 * 2. The person must be served too: each of `userTeams` is listed, or is the request's own
 *    workspace (checked in 1). A Slack Connect guest from an unlisted workspace is refused even in
 *    a channel of a served one, so an email of theirs never reaches Identity Center.
 */
export function isServedOrigin(allowed: ReadonlySet<string>, origin: SlackOrigin): boolean {
  const enterpriseServed = origin.enterprises.length > 0 && origin.enterprises.every((e) => allowed.has(e));
  const workspaceServed =
    origin.teams.length > 0 ? origin.teams.every((t) => allowed.has(t) || enterpriseServed) : enterpriseServed;
  const personServed = origin.userTeams.every((u) => allowed.has(u) || origin.teams.includes(u));
  return workspaceServed && personServed;
}

/** What a refused person reads. Ids are shown only in their plain Slack form (they are the person's own). */
export function refusalText(origin: SlackOrigin): string {
  const shown = [...new Set([...origin.userTeams, ...origin.teams, ...origin.enterprises])].filter((id) =>
    SLACK_ID.test(id),
  );
  const where = shown.length ? ` (${shown.join(', ')})` : '';
  return `keyless does not serve your Slack workspace${where}: it grants AWS access only to the workspaces its administrators listed. Nothing was done.`;
}

type Args = AnyMiddlewareArgs & {
  ack?: (response?: unknown) => Promise<void>;
  respond?: (message: Record<string, unknown>) => Promise<unknown>;
};

/**
 * One global Bolt middleware in front of every listener: a request from a workspace keyless does
 * not serve is answered (ephemerally where Slack allows it) and goes no further: no listener, no
 * Slack API call, no Identity Center lookup. Logged as one line without the payload, with the code
 * FOREIGN_WORKSPACE (so `keyless_errors_total{code="FOREIGN_WORKSPACE"}` counts it).
 */
export function workspaceGate(allowedIds: readonly string[], logger: Logger): Middleware<AnyMiddlewareArgs> {
  const allowed = new Set(allowedIds);
  return async (raw) => {
    const args = raw as unknown as Args & { next: () => Promise<void> };
    const origin = slackOrigin(args.body);
    if (isServedOrigin(allowed, origin)) {
      await args.next();
      return;
    }
    const body = record(args.body);
    const kind =
      typeof body.command === 'string' ? 'slash_command' : typeof body.type === 'string' ? body.type : 'unknown';
    logger.warn(
      {
        code: ErrorCodes.ForeignWorkspace,
        platform: 'slack',
        kind,
        teamIds: origin.teams.join(',') || undefined,
        enterpriseIds: origin.enterprises.join(',') || undefined,
        userTeamIds: origin.userTeams.join(',') || undefined,
      },
      'request from a Slack workspace keyless does not serve refused',
    );
    const text = refusalText(origin);
    switch (kind) {
      case 'slash_command':
        return args.ack?.({ response_type: 'ephemeral', text });
      case 'view_submission':
        return args.ack?.({
          response_action: 'update',
          view: {
            type: 'modal',
            title: { type: 'plain_text', text: 'keyless' },
            close: { type: 'plain_text', text: 'Close' },
            blocks: [{ type: 'section', text: { type: 'plain_text', text } }],
          },
        });
      case 'block_suggestion':
        return args.ack?.({ options: [] });
      case 'block_actions':
        await args.ack?.();
        // response_url needs no token: the answer goes to the person who clicked, in their workspace.
        await args.respond?.({ response_type: 'ephemeral', replace_original: false, text }).catch((error: unknown) => {
          logger.warn({ err: error, platform: 'slack' }, 'could not tell a refused person why');
        });
        return;
      default:
        // Events are acknowledged by Bolt already; shortcuts and view closes take an empty ack.
        return args.ack?.();
    }
  };
}
