import { ROOT_WINDOW_SUBCOMMAND } from './alert-ids';
import { COMMAND } from './ids';
import { isMultiAccountTarget, splitAccountTargets, takeStartOption } from '../../src';

/**
 * `/aws-access <subcommand> …` as typed, turned into a typed command or into the exact problem with
 * a corrected example. Pure: no engine, no Slack; the engine validates meaning (accounts, durations,
 * policy) and its errors carry their own hints.
 */
export type SlashCommand =
  | { kind: 'help'; topic?: Subcommand }
  | { kind: 'modal' }
  | {
      kind: 'request';
      account: string;
      permissionSet: string;
      duration: string;
      reason: string;
      ticket?: string;
      /** Several accounts (`prod,staging,ou:Payments`): one request per account, tied (bundle). */
      accounts?: string[];
      /** `--from …`: access that starts later, as typed (the engine reads it in the person's zone). */
      start?: string;
    }
  | { kind: 'list' }
  | { kind: 'revoke'; grantId: string; reason?: string }
  | { kind: 'extend'; grantId: string; duration: string; reason?: string }
  | { kind: 'cancel'; requestId: string }
  | { kind: 'approvals' }
  | { kind: 'why'; account: string; permissionSet: string }
  | { kind: 'accounts'; filter: string }
  | { kind: 'break-glass'; account: string; permissionSet: string; duration?: string; reason: string }
  | { kind: 'root-window'; account: string; duration: string; reason: string }
  | { kind: 'posture' }
  | { kind: 'audit'; words: string[] };

export interface CommandProblem {
  kind: 'problem';
  /** What is wrong, in one sentence. */
  message: string;
  /** A corrected command the person can copy. */
  example: string;
}

export const SUBCOMMANDS = [
  'request',
  'list',
  'revoke',
  'extend',
  'cancel',
  'approvals',
  'why',
  'accounts',
  'break-glass',
  ROOT_WINDOW_SUBCOMMAND,
  'posture',
  'audit',
  'help',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export const USAGE: Record<Subcommand, { usage: string; example: string; summary: string }> = {
  request: {
    usage: `${COMMAND} request <account> <permission-set> <duration> <reason…> [--ticket <key or link>] [--from <start>]  ·  ${COMMAND} request group:<name> <duration> <reason…>`,
    example: `${COMMAND} request prod AdministratorAccess 2h INC-1234 restore the payments queue`,
    summary:
      'ask for access (with no arguments: open the request form); --from 09:00 or --from tomorrow 09:00 starts it later',
  },
  list: { usage: `${COMMAND} list`, example: `${COMMAND} list`, summary: 'your grants and pending requests' },
  revoke: {
    usage: `${COMMAND} revoke <grant id> [reason…]`,
    example: `${COMMAND} revoke g0123456789abcdef`,
    summary: 'end a grant now',
  },
  extend: {
    usage: `${COMMAND} extend <grant id> <duration> [reason…]`,
    example: `${COMMAND} extend g0123456789abcdef 1h`,
    summary: 'ask for more time on a grant',
  },
  cancel: {
    usage: `${COMMAND} cancel <request id>`,
    example: `${COMMAND} cancel r0123456789abcdef`,
    summary: 'withdraw a pending request',
  },
  approvals: {
    usage: `${COMMAND} approvals`,
    example: `${COMMAND} approvals`,
    summary: 'requests waiting for your approval',
  },
  why: {
    usage: `${COMMAND} why <account> <permission-set>  ·  ${COMMAND} why group:<name>`,
    example: `${COMMAND} why prod AdministratorAccess`,
    summary: "the policy's answer for you, and why",
  },
  accounts: {
    usage: `${COMMAND} accounts [filter]`,
    example: `${COMMAND} accounts prod`,
    summary: 'find accounts by name, id or OU',
  },
  'break-glass': {
    usage: `${COMMAND} break-glass <account> <permission-set> [duration] <reason…>`,
    example: `${COMMAND} break-glass prod AdministratorAccess INC-1234 database is down`,
    summary: 'emergency access now, announced to security',
  },
  'root-window': {
    usage: `${COMMAND} root-window <account> <duration> <reason…>`,
    example: `${COMMAND} root-window prod 2h CHG-42 close the account's old support plan`,
    summary: 'announce root use ahead, so its alerts are marked expected',
  },
  posture: {
    usage: `${COMMAND} posture`,
    example: `${COMMAND} posture`,
    summary: 'IAM users, key ages, root use and MFA gaps per account (security team only)',
  },
  audit: {
    usage: `${COMMAND} audit [--since <date|90d>] [--until <date>] [--user <email>] [--actor <email>] [--account <id>] [--permission-set <name>] [--rule <name>] [--page <n>]`,
    example: `${COMMAND} audit --since 2026-11-01 --user rita@example.com`,
    summary: 'who had which access and who approved it (auditors only)',
  },
  help: { usage: `${COMMAND} help [subcommand]`, example: `${COMMAND} help request`, summary: 'this help' },
};

const DURATION = /^(?:(?:\d+d)?(?:\d+h)?(?:\d+m(?:in)?)?|P[0-9TDHMS.]+)$/i;
const TIME_OF_DAY = /^\d{1,2}:\d{2}$/;

function isDurationToken(token: string | undefined): boolean {
  return !!token && /\d/.test(token) && DURATION.test(token);
}

/** Splits on whitespace; straight or curly double quotes group words ("Administrator Access"). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /["“”]([^"“”]*)["“”]|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) tokens.push((m[1] ?? m[2] ?? '').trim());
  return tokens.filter((t) => t !== '');
}

function problem(sub: Subcommand, message: string): CommandProblem {
  return { kind: 'problem', message, example: USAGE[sub].example };
}

/** Reads a duration at `tokens[i]`: `2h`, `PT2H`, or the two words `until 18:00`. */
function durationAt(tokens: string[], i: number): { duration: string; next: number } | undefined {
  const t = tokens[i];
  if (t?.toLowerCase() === 'until' && TIME_OF_DAY.test(tokens[i + 1] ?? '')) {
    return { duration: `until ${tokens[i + 1]}`, next: i + 2 };
  }
  return isDurationToken(t) ? { duration: t!, next: i + 1 } : undefined;
}

/** Takes `--ticket X` or `--ticket=X` out of the words of a reason. */
function takeTicket(words: string[]): { words: string[]; ticket?: string } {
  const out: string[] = [];
  let ticket: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.toLowerCase() === '--ticket') ticket = words[++i];
    else if (w.toLowerCase().startsWith('--ticket=')) ticket = w.slice('--ticket='.length);
    else out.push(w);
  }
  return ticket ? { words: out, ticket } : { words: out };
}

function closest(word: string): Subcommand | undefined {
  const w = word.toLowerCase();
  const byPrefix = SUBCOMMANDS.find((s) => s.startsWith(w.slice(0, 3)));
  if (byPrefix) return byPrefix;
  let best: { s: Subcommand; d: number } | undefined;
  for (const s of SUBCOMMANDS) {
    const d = editDistance(w, s);
    if (!best || d < best.d) best = { s, d };
  }
  return best && best.d <= 3 ? best.s : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

const ALIASES: Record<string, Subcommand> = {
  ls: 'list',
  mine: 'list',
  status: 'list',
  approve: 'approvals',
  breakglass: 'break-glass',
  rootwindow: 'root-window',
  root: 'root-window',
  emergency: 'break-glass',
  end: 'revoke',
  '?': 'help',
};

/** `group:<name>` names an Identity Center group instead of an account (group grants). */
export function isGroupText(word: string): boolean {
  return /^group:\S+$/i.test(word);
}

/** `request group:<name> <duration> <reason…>`: a membership of the group for a while. */
function groupRequest(args: string[]): SlashCommand | CommandProblem {
  const account = args[0]!;
  const d = durationAt(args, 1);
  if (!d) {
    return problem(
      'request',
      args[1]
        ? `"${args[1]}" is not a duration: put one such as 90m, 2h or "until 18:00" after the group, for example \`request ${account} 1h INC-1234 fix the replica\`.`
        : `Say how long you need to be in ${account}, then why.`,
    );
  }
  const { words, ticket } = takeTicket(args.slice(d.next));
  if (words.length === 0) return problem('request', 'Please give a reason after the duration.');
  return {
    kind: 'request',
    account,
    permissionSet: '',
    duration: d.duration,
    reason: words.join(' '),
    ...(ticket ? { ticket } : {}),
  };
}

export function parseCommand(text: string): SlashCommand | CommandProblem {
  const tokens = tokenize(text);
  const head = tokens[0]?.toLowerCase();
  if (head === undefined) return { kind: 'modal' };
  const sub = (SUBCOMMANDS as readonly string[]).includes(head) ? (head as Subcommand) : ALIASES[head];
  const args = tokens.slice(1);

  switch (sub) {
    case undefined: {
      const guess = closest(head);
      return {
        kind: 'problem',
        message: `I don't know the subcommand "${tokens[0]}".${guess ? ` Did you mean \`${guess}\`?` : ''}`,
        example: guess ? USAGE[guess].example : USAGE.help.example,
      };
    }
    case 'help': {
      const topic = args[0]?.toLowerCase();
      const known = (SUBCOMMANDS as readonly string[]).includes(topic ?? '') ? (topic as Subcommand) : undefined;
      return known ? { kind: 'help', topic: known } : { kind: 'help' };
    }
    case 'request': {
      if (args.length === 0) return { kind: 'modal' };
      if (isGroupText(args[0]!)) return groupRequest(args);
      const [account, permissionSet] = args;
      if (!account || !permissionSet) {
        return problem('request', 'A one-line request needs an account, a permission set, a duration and a reason.');
      }
      const d = durationAt(args, 2);
      if (!d) {
        return problem(
          'request',
          args[2]
            ? `"${args[2]}" is not a duration: put one such as 90m, 2h or "until 18:00" after the permission set.`
            : 'Say how long you need the access, then why.',
        );
      }
      const later = takeStartOption(args.slice(d.next));
      if (later.missing) {
        return {
          kind: 'problem',
          message: 'Say when the access should start after --from: 09:00, tomorrow 09:00 or a date and a time.',
          example: `${USAGE.request.example} --from tomorrow 09:00`,
        };
      }
      const { words, ticket } = takeTicket(later.words);
      if (words.length === 0) return problem('request', 'Please give a reason after the duration.');
      return {
        kind: 'request',
        account,
        permissionSet,
        duration: d.duration,
        reason: words.join(' '),
        ...(ticket ? { ticket } : {}),
        ...(isMultiAccountTarget(account) ? { accounts: splitAccountTargets(account) } : {}),
        ...(later.start ? { start: later.start } : {}),
      };
    }
    case 'list':
      return { kind: 'list' };
    case 'approvals':
      return { kind: 'approvals' };
    case 'revoke': {
      const [grantId, ...reason] = args;
      if (!grantId) return problem('revoke', 'Which grant? Give its id (`list` shows them).');
      return { kind: 'revoke', grantId, ...(reason.length ? { reason: reason.join(' ') } : {}) };
    }
    case 'extend': {
      const [grantId] = args;
      if (!grantId) return problem('extend', 'Which grant, and for how long? Give its id and a duration.');
      const d = durationAt(args, 1);
      if (!d) {
        return problem(
          'extend',
          args[1] ? `"${args[1]}" is not a duration such as 30m, 1h or 1h30m.` : 'Say how much more time you need.',
        );
      }
      const reason = args.slice(d.next).join(' ');
      return { kind: 'extend', grantId, duration: d.duration, ...(reason ? { reason } : {}) };
    }
    case 'cancel': {
      const [requestId] = args;
      if (!requestId) return problem('cancel', 'Which request? Give its id (`list` shows them).');
      return { kind: 'cancel', requestId };
    }
    case 'why': {
      const [account, permissionSet] = args;
      if (account && isGroupText(account)) return { kind: 'why', account, permissionSet: '' };
      if (!account || !permissionSet) return problem('why', 'Name an account and a permission set.');
      return { kind: 'why', account, permissionSet };
    }
    case 'accounts':
      return { kind: 'accounts', filter: args.join(' ') };
    case 'break-glass': {
      const [account, permissionSet] = args;
      if (!account || !permissionSet) {
        return problem('break-glass', 'Break-glass needs an account, a permission set and a reason.');
      }
      const d = durationAt(args, 2);
      const words = args.slice(d ? d.next : 2);
      if (words.length === 0) return problem('break-glass', 'Break-glass needs a reason: say what is on fire.');
      return {
        kind: 'break-glass',
        account,
        permissionSet,
        ...(d ? { duration: d.duration } : {}),
        reason: words.join(' '),
      };
    }
    case 'root-window': {
      const [account] = args;
      if (!account) return problem('root-window', 'Name the account where root will be used, then how long and why.');
      const d = durationAt(args, 1);
      if (!d) {
        return problem(
          'root-window',
          args[1] ? `"${args[1]}" is not a duration such as 30m or 2h.` : 'Say for how long root will be used.',
        );
      }
      const words = args.slice(d.next);
      if (words.length === 0) return problem('root-window', 'Please say why root will be used.');
      return { kind: 'root-window', account, duration: d.duration, reason: words.join(' ') };
    }
    case 'posture':
      return { kind: 'posture' };
    case 'audit':
      return { kind: 'audit', words: args };
    default:
      return { kind: 'help' };
  }
}
