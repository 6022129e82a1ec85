import { Commands, type CommandName } from './verbs';
import { isMultiAccountTarget, splitAccountTargets, takeStartOption } from '../../src';

/** A text command, parsed. Pure: no engine call, no I/O. */
export type Command =
  | { name: 'help' }
  | { name: 'home' }
  | { name: 'list' }
  | { name: 'approvals' }
  | { name: 'accounts'; filter: string }
  | { name: 'why'; account: string; permissionSet: string }
  | { name: 'revoke'; grantId: string; reason?: string }
  | { name: 'cancel'; requestId: string }
  | { name: 'extend'; grantId: string; duration: string; reason?: string }
  | { name: 'root-window'; account: string; duration: string; reason: string }
  | { name: 'posture' }
  /** The audit (auditors only, in the 1:1 chat): the words after `audit`. */
  | { name: 'audit'; words: string[] }
  /** `request` or `break-glass` with no arguments: show the form. */
  | { name: 'request' | 'break-glass'; form: true }
  | {
      name: 'request' | 'break-glass';
      form: false;
      account: string;
      permissionSet: string;
      duration: string;
      reason: string;
      /** Several accounts (`prod,staging,ou:Payments`): one request per account, tied (bundle). */
      accounts?: string[];
      /** `--from …` (request only): access that starts later, as typed. */
      start?: string;
    };

export type ParseResult = { ok: true; command: Command } | { ok: false; problem: string; example: string };

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/**
 * The text a person typed, without what Teams adds around it: the `<at>keyless</at>` mention in
 * channels, HTML tags and entities, a leading slash.
 */
export function normalizeCommandText(raw: string | undefined): string {
  return (raw ?? '')
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|apos|#39);/g, (_, e: string) => ENTITIES[e] ?? ' ')
    .replace(/[\u201c\u201d]/g, '"')
    .trim()
    .replace(/^\/+/, '')
    .trim();
}

/** Splits on spaces, keeping "double quoted words" together (account names may have spaces). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) tokens.push(m[1] ?? m[2] ?? '');
  return tokens.filter((t) => t.length > 0);
}

const spec = (name: CommandName) => Commands.find((c) => c.name === name)!;
const bad = (name: CommandName, problem: string): ParseResult => ({
  ok: false,
  problem,
  example: spec(name).example,
});

/** `group:<name>` names an Identity Center group instead of an account (group grants). */
export function isGroupWord(word: string): boolean {
  return /^group:\S+$/i.test(word);
}

export function parseCommand(raw: string | undefined): ParseResult {
  const text = normalizeCommandText(raw);
  const tokens = tokenize(text);
  const [first, ...args] = tokens;
  const word = (first ?? 'help').toLowerCase().replace(/^break_?glass$/, 'break-glass');
  const rest = (from: number) => args.slice(from).join(' ').trim();

  switch (word) {
    case 'help':
    case '?':
      return { ok: true, command: { name: 'help' } };
    case 'home':
      return { ok: true, command: { name: 'home' } };
    case 'list':
      return { ok: true, command: { name: 'list' } };
    case 'approvals':
      return { ok: true, command: { name: 'approvals' } };
    case 'posture':
      return { ok: true, command: { name: 'posture' } };
    case 'accounts':
      return { ok: true, command: { name: 'accounts', filter: rest(0) } };
    case 'why': {
      const [account, permissionSet] = args;
      if (account && isGroupWord(account)) return { ok: true, command: { name: 'why', account, permissionSet: '' } };
      if (!account || !permissionSet) {
        return bad('why', '`why` needs an account and a permission set.');
      }
      return { ok: true, command: { name: 'why', account, permissionSet } };
    }
    case 'revoke': {
      const [grantId] = args;
      if (!grantId) return bad('revoke', '`revoke` needs the id of a grant (`list` shows yours).');
      const reason = rest(1);
      return { ok: true, command: { name: 'revoke', grantId, ...(reason ? { reason } : {}) } };
    }
    case 'cancel': {
      const [requestId] = args;
      if (!requestId) return bad('cancel', '`cancel` needs the id of one of your open requests (`list` shows them).');
      return { ok: true, command: { name: 'cancel', requestId } };
    }
    case 'extend': {
      const [grantId, duration] = args;
      if (!grantId || !duration) {
        return bad('extend', '`extend` needs the id of a grant and how much more time you need.');
      }
      const reason = rest(2);
      return { ok: true, command: { name: 'extend', grantId, duration, ...(reason ? { reason } : {}) } };
    }
    case 'root-window': {
      const [account, duration] = args;
      const reason = rest(2);
      if (!account || !duration || !reason) {
        return bad('root-window', '`root-window` needs an account, a duration (at most 24h) and a reason.');
      }
      return { ok: true, command: { name: 'root-window', account, duration, reason } };
    }
    case 'audit':
      return { ok: true, command: { name: 'audit', words: args } };
    case 'request':
    case 'break-glass': {
      const name = word;
      if (args.length === 0) return { ok: true, command: { name, form: true } };
      const later = takeStartOption(args);
      if (later.missing || (later.start && name === 'break-glass')) {
        return bad(
          name,
          name === 'break-glass'
            ? 'Break-glass is access now: leave --from out.'
            : 'Say when the access should start after --from: 09:00, tomorrow 09:00 or a date and a time.',
        );
      }
      const [account, permissionSet, duration] = later.words;
      const reason = later.words.slice(3).join(' ').trim();
      if (name === 'request' && isGroupWord(later.words[0] ?? '')) {
        const [group, duration] = later.words;
        const groupReason = later.words.slice(2).join(' ').trim();
        if (!duration || !groupReason) {
          return bad(
            name,
            `\`request ${group}\` needs a duration and a reason, for example \`request ${group} 1h INC-1234 fix the replica\`.`,
          );
        }
        return {
          ok: true,
          command: {
            name,
            form: false,
            account: group!,
            permissionSet: '',
            duration,
            reason: groupReason,
            ...(later.start ? { start: later.start } : {}),
          },
        };
      }
      if (!account || !permissionSet || !duration || !reason) {
        const missing = [!permissionSet && 'a permission set', !duration && 'a duration', !reason && 'a reason'].filter(
          Boolean,
        );
        return bad(
          name,
          `\`${name}\` needs an account, a permission set, a duration and a reason; ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing. Send \`${name}\` alone for a form.`,
        );
      }
      const accounts = name === 'request' && isMultiAccountTarget(account) ? splitAccountTargets(account) : undefined;
      return {
        ok: true,
        command: {
          name,
          form: false,
          account,
          permissionSet,
          duration,
          reason,
          ...(accounts ? { accounts } : {}),
          ...(later.start ? { start: later.start } : {}),
        },
      };
    }
    default:
      return {
        ok: false,
        problem: `I don't know the command "${first ?? ''}". I understand: ${Commands.map((c) => c.name).join(', ')}.`,
        example: spec('help').example,
      };
  }
}
