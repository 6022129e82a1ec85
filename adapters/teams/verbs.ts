import { normalizeEmail } from '../../src';

/**
 * Every id the Teams adapter puts on the wire, in one place: Action.Execute verbs, input ids, the
 * command menu, and the keys of stored conversation references. Cards, handlers, the manifest and
 * the tests all read them from here.
 */

/** `Action.Execute` verbs (Universal Actions). A verb not listed here is refused. */
export const Verbs = {
  approve: 'keyless.request.approve',
  deny: 'keyless.request.deny',
  cancel: 'keyless.request.cancel',
  /** The automatic refresh of an approval card: answers the viewer's own view. */
  refresh: 'keyless.request.refresh',
  /** Request form, step 1 → 2: an account was chosen. */
  chooseAccount: 'keyless.form.account',
  /** Request form, step 2: submit. */
  submitRequest: 'keyless.form.submit',
  extendGrant: 'keyless.grant.extend',
  endGrant: 'keyless.grant.end',
  /** The home card: redrawn from the engine. */
  homeRefresh: 'keyless.home.refresh',
  /** The home card's "Request access": answers with the request form in place. */
  startForm: 'keyless.form.start',
  /** A multi-account request: approve / deny every account the clicker may decide, end every live one. */
  approveBundle: 'keyless.bundle.approve',
  denyBundle: 'keyless.bundle.deny',
  endBundle: 'keyless.bundle.end',
} as const;

export type Verb = (typeof Verbs)[keyof typeof Verbs];

const verbSet: ReadonlySet<string> = new Set(Object.values(Verbs));
export const isVerb = (value: unknown): value is Verb => typeof value === 'string' && verbSet.has(value);

/**
 * What the clicker sees when a card action's verb or data is not one keyless made (tampered with,
 * or damaged): nothing is done. Neither the verb nor the data is echoed or logged.
 */
export const INVALID_CARD_ACTION_TEXT =
  'This button is not valid (its data was changed or is damaged), so nothing was done. Use the buttons on the latest card, or send "list".';

/** Input ids of the cards' forms (Teams merges input values into `action.data` by id). */
export const Inputs = {
  account: 'account',
  permissionSet: 'permissionSet',
  duration: 'duration',
  reason: 'reason',
  ticket: 'ticket',
  breakGlass: 'breakGlass',
  denyReason: 'denyReason',
  extendBy: 'extendBy',
  /** The request form's "More accounts" (multi-select type-ahead): a multi-account request. */
  moreAccounts: 'moreAccounts',
  /** The request form's group choice (a group membership for a while). */
  group: 'group',
  /** The request form's "Start later": Input.Date (YYYY-MM-DD) and Input.Time (HH:mm), in the person's zone. */
  startDate: 'startDate',
  startTime: 'startTime',
} as const;

/** The invoke name of Universal Actions. */
export const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';
/** The invoke Teams sends as a person types in a dynamic type-ahead (`choices.data` of type Data.Query). */
export const SEARCH_INVOKE = 'application/search';
export const SEARCH_RESPONSE_CONTENT_TYPE = 'application/vnd.microsoft.search.searchResponse';
/** The Data.Query dataset of the request form's account picker. */
export const ACCOUNT_DATASET = 'keyless.accounts';
/** Teams shows at most 15 options in a type-ahead dropdown: one answer holds at most this many. */
export const MAX_SEARCH_RESULTS = 15;
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ERROR_CONTENT_TYPE = 'application/vnd.microsoft.error';
/** An Action.Execute answer that shows a message and leaves the card unchanged. */
export const MESSAGE_CONTENT_TYPE = 'application/vnd.microsoft.activity.message';

export interface CommandSpec {
  name: string;
  /** What the command menu shows (manifest `commandLists`, at most 32 characters). */
  description: string;
  /** False: understood when typed, left out of the command menu (Teams allows 10 there). */
  menu?: boolean;
  usage: string;
  example: string;
}

/**
 * Text commands, mirroring Slack's `/aws-access` subcommands. The manifest's command menu lists the
 * same names (Teams allows at most 10); a test holds the two together.
 */
export const Commands = [
  {
    name: 'request',
    description: 'Ask for AWS access',
    usage: 'request [account permission-set duration reason… [--from 09:00 | --from tomorrow 09:00]]',
    example: 'request prod AdministratorAccess 2h INC-1234 restore the queue',
  },
  { name: 'home', description: 'Your access and approvals', usage: 'home', example: 'home' },
  { name: 'list', description: 'Your grants and open requests', usage: 'list', example: 'list' },
  { name: 'approvals', description: 'Requests waiting for you', usage: 'approvals', example: 'approvals' },
  {
    name: 'extend',
    description: 'More time on a grant',
    usage: 'extend <grant-id> <duration> [reason…]',
    example: 'extend g-7f3a 1h still debugging',
  },
  {
    name: 'revoke',
    description: 'End a grant now',
    usage: 'revoke <grant-id> [reason…]',
    example: 'revoke g-7f3a done',
  },
  {
    name: 'cancel',
    description: 'Withdraw an open request',
    usage: 'cancel <request-id>',
    example: 'cancel r-7f3a',
    menu: false,
  },
  {
    name: 'why',
    description: 'Explain what you may ask for',
    usage: 'why <account> <permission-set>',
    example: 'why prod AdministratorAccess',
  },
  { name: 'accounts', description: 'Find an account', usage: 'accounts [filter]', example: 'accounts payments' },
  {
    name: 'break-glass',
    description: 'Emergency access, loudly',
    usage: 'break-glass <account> <permission-set> <duration> <reason…>',
    example: 'break-glass prod AdministratorAccess 30m INC-99 outage',
  },
  {
    name: 'root-window',
    description: 'Announce root use ahead',
    usage: 'root-window <account> <duration> <reason…>',
    example: 'root-window prod 2h CHG-42 close the old support plan',
  },
  {
    name: 'posture',
    description: 'IAM posture (security team)',
    usage: 'posture',
    example: 'posture',
    menu: false,
  },
  {
    name: 'audit',
    description: 'Who had which access (auditors)',
    usage:
      'audit [--since <date|90d>] [--until <date>] [--user <email>] [--actor <email>] [--account <id>] [--permission-set <name>] [--rule <name>] [--page <n>]',
    example: 'audit --since 2026-11-01 --user rita@example.com',
    menu: false,
  },
  { name: 'help', description: 'What keyless can do', usage: 'help', example: 'help', menu: false },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof Commands)[number]['name'];

/** The commands of the bot's command menu (the manifest lists exactly these, at most 10). */
export const MenuCommands: readonly CommandSpec[] = Commands.filter((c: CommandSpec) => c.menu !== false);

/** Keys of the ConversationStore (values are Bot Framework ConversationReferences). */
export const ConversationKeys = {
  /** A person's 1:1 chat with the bot, by aadObjectId. */
  user: (aadObjectId: string) => `teams:user:${aadObjectId}`,
  /** The same 1:1 chat, by the email the roster verified (to reach approvers named by email). */
  email: (email: string) => `teams:email:${normalizeEmail(email)}`,
  /** Any conversation the bot has seen or posted to, by conversation id (to update messages in place). */
  conversation: (conversationId: string) => `teams:conversation:${conversationId}`,
  /** Where the Teams service was last reached (serviceUrl, tenant, bot): to open 1:1 chats and post by id. */
  service: 'teams:service',
} as const;
