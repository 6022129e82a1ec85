import {
  endedGrantText,
  formatDuration,
  formatLocalTime,
  isKeylessError,
  startsText,
  type AccessRequest,
  type Account,
  type Grant,
  type RequestAccessResult,
  type RevokeResult,
} from '../../../src';
import { escapeText } from '../escape';
import { COMMAND } from '../ids';
import { SUBCOMMANDS, USAGE, type CommandProblem, type Subcommand } from '../parse-command';
import { accountText, context, requestStatusLine, section, type SlackMessage } from './common.blocks';

/** Ephemeral answers to `/aws-access …`: only the person who typed it sees them. */

export function helpReply(topic?: Subcommand): SlackMessage {
  if (topic) {
    const u = USAGE[topic];
    return {
      text: `${COMMAND} ${topic}: ${u.summary}`,
      blocks: [section(`*\`${u.usage}\`*\n${u.summary}.\nExample: \`${u.example}\``)],
    };
  }
  const lines = SUBCOMMANDS.map((s) => `• \`${USAGE[s].usage}\`: ${USAGE[s].summary}`);
  return {
    text: `${COMMAND}: just-in-time AWS access`,
    blocks: [
      section(
        `*${COMMAND}*: just-in-time AWS access. \`${COMMAND}\` alone opens the request form.\n${lines.join('\n')}`,
      ),
      context('Durations: 90m, 2h, 1h30m, PT2H or "until 18:00" (your time zone).'),
    ],
  };
}

export function problemReply(p: CommandProblem): SlackMessage {
  return {
    text: p.message,
    blocks: [section(`:warning: ${escapeText(p.message)}`), context(`Example: \`${escapeText(p.example)}\``)],
  };
}

/** An engine error: its message, then its hint (the engine writes them for people). */
export function errorReply(error: unknown, example?: string): SlackMessage {
  if (isKeylessError(error)) {
    const extra = [
      error.hint ? escapeText(error.hint, { maxLength: 1000 }) : '',
      example ? `Example: \`${escapeText(example)}\`` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return {
      text: error.message,
      blocks: [
        section(`:warning: ${escapeText(error.message, { maxLength: 1000 })}`),
        ...(extra ? [context(extra)] : []),
      ],
    };
  }
  return {
    text: 'Something went wrong on my side.',
    blocks: [section(':boom: Something went wrong on my side; nothing was changed. Please try again in a moment.')],
  };
}

export function requestReply(result: RequestAccessResult): SlackMessage {
  const r = result.request;
  const starts = r.startsAt !== undefined ? ` starting ${formatLocalTime(r.startsAt, r.requester.timeZone)}` : '';
  const base = `*${escapeText(r.permissionSetName)}* in ${accountText(r)} for ${formatDuration(r.durationSeconds)}${starts}`;
  const text =
    r.status === 'pending'
      ? `:inbox_tray: Request \`${r.id}\` for ${base} sent: it needs ${r.approvalsRequired} approval(s). I'll DM you as it moves.`
      : r.kind === 'break_glass'
        ? `:rotating_light: Break-glass \`${r.id}\`: ${base}. Access is being set up now; security has been told.`
        : r.startsAt !== undefined
          ? `:white_check_mark: ${base} is approved by policy (\`${escapeText(r.rule)}\`). Nothing is assigned before the start; I'll DM you when it is active.`
          : `:white_check_mark: ${base} is approved by policy (\`${escapeText(r.rule)}\`); setting it up now. I'll DM you when it is active.`;
  const blocks = [section(text), context(escapeText(result.decision.reason))];
  if (result.sessionWarning) blocks.push(context(`:hourglass: ${escapeText(result.sessionWarning)}`));
  return { text: `Request ${r.id}: ${r.status}`, blocks };
}

export function listReply(mine: { grants: Grant[]; requests: AccessRequest[] }, zone?: string): SlackMessage {
  const grants = mine.grants.map(
    (g) =>
      `• \`${g.id}\` *${escapeText(g.permissionSetName)}* in ${accountText(g)}: ${
        g.status === 'active' && g.expiresAt !== undefined
          ? `active until ${formatLocalTime(g.expiresAt, zone)}`
          : g.status === 'scheduled'
            ? escapeText(startsText(g, zone))
            : g.status
      }`,
  );
  const requests = mine.requests.map(
    (r) =>
      `• \`${r.id}\` *${escapeText(r.permissionSetName)}* in ${accountText(r)} for ${formatDuration(r.durationSeconds)}: ${r.approvals.length} of ${r.approvalsRequired} approvals`,
  );
  return {
    text: `${mine.grants.length} grant(s), ${mine.requests.length} pending request(s)`,
    blocks: [
      section(`*Your access*\n${grants.join('\n') || 'No live grants.'}`),
      section(`*Your pending requests*\n${requests.join('\n') || 'None.'}`),
      context(`\`${COMMAND} revoke <grant id>\` ends a grant; \`${COMMAND} extend <grant id> 1h\` asks for more time.`),
    ],
  };
}

export function approvalsReply(requests: AccessRequest[]): SlackMessage {
  const lines = requests.map(
    (r) =>
      `• \`${r.id}\` ${r.requester.platform === 'slack' ? `<@${r.requester.id}>` : escapeText(r.requester.displayName)}: *${escapeText(r.permissionSetName)}* in ${accountText(r)} for ${formatDuration(r.durationSeconds)}: ${escapeText(r.reason, { maxLength: 120 })} (${r.approvals.length} of ${r.approvalsRequired})`,
  );
  return {
    text: `${requests.length} request(s) wait for your approval`,
    blocks: [
      section(`*Waiting for your approval*\n${lines.join('\n') || 'Nothing waits for you.'}`),
      ...(requests.length ? [context('Approve or deny from the approval message or the app Home tab.')] : []),
    ],
  };
}

export function accountsReply(accounts: Account[], filter: string, limit: number): SlackMessage {
  const lines = accounts
    .slice(0, limit)
    .map(
      (a) =>
        `• *${escapeText(a.name)}* \`${a.id}\`${a.ouNames?.length ? ` · ${escapeText(a.ouNames.join(' / '))}` : ''}`,
    );
  const more = accounts.length > limit ? `\n…and more: narrow it down, for example \`${COMMAND} accounts prod\`.` : '';
  return {
    text: `${accounts.length} account(s)`,
    blocks: [
      section(
        lines.length
          ? `*Accounts${filter ? ` matching "${escapeText(filter, { maxLength: 60 })}"` : ''}*\n${lines.join('\n')}${more}`
          : `No account matches "${escapeText(filter, { maxLength: 60 })}". Try part of a name, an id or an OU.`,
      ),
    ],
  };
}

export function whyReply(explanation: string): SlackMessage {
  return { text: explanation, blocks: [section(`:scales: ${escapeText(explanation, { maxLength: 1000 })}`)] };
}

/**
 * The answer to End now / `revoke`: the removal started, or, on a grant that had already ended or
 * was ending, what happened to it and when (in the reader's zone). Never "removing it now" for a
 * grant that is gone.
 */
export function grantEndingReply(result: RevokeResult, zone?: string): SlackMessage {
  const g = result.grant;
  const ended = result.outcome === 'already_ended' ? endedGrantText(g, zone) : undefined;
  if (ended !== undefined) {
    return {
      text: ended,
      blocks: [
        section(
          `:information_source: ${escapeText(ended, { maxLength: 500 })} Grant \`${g.id}\` (*${escapeText(g.permissionSetName)}* in ${accountText(g)}); nothing was changed.`,
        ),
      ],
    };
  }
  return {
    text: `Ending grant ${g.id}`,
    blocks: [
      section(
        `:white_circle: Ending \`${g.id}\` (*${escapeText(g.permissionSetName)}* in ${accountText(g)}): removing it from AWS now.`,
      ),
    ],
  };
}

export function requestStateReply(r: AccessRequest): SlackMessage {
  return { text: `Request ${r.id}: ${r.status}`, blocks: [section(requestStatusLine(r))] };
}

/** A refusal shown only to the person who clicked. */
export function refusalReply(error: unknown): SlackMessage {
  return errorReply(error);
}
