import { GROUP_PREFIX, accountLabel, formatDuration, type Account, type PermissionSet } from '../../../src';
import { ACCOUNT_DATASET, Inputs, MAX_SEARCH_RESULTS, Verbs } from '../verbs';
import { adaptiveCard, b, execute, heading, text, type AdaptiveCard, type CardElement } from './card';
import { escapeCardText } from './escape';

/**
 * The request form, in two steps answered in place by Action.Execute: pick an account (a choice set
 * with type-ahead search), then the permission sets this person may ask for there, with each one's
 * longest duration, the duration, a reason and a ticket. `formId` makes a double submit one request.
 */

export interface FormContext {
  formId: string;
  breakGlass: boolean;
  /** Shown in red above the inputs: what was wrong with the last submit. */
  notice?: string;
  /** The first choices of "More accounts" (the type-ahead finds every other one). */
  moreChoices?: readonly Account[];
  /** The groups this person may ask to join for a while: step 1 offers them beside the accounts. */
  groups?: readonly GroupChoice[];
  /** The person's IANA zone (their Teams client's `localTimezone`): the start is read in it. */
  zone?: string;
}

/** A group the policy lets this person ask to join, with its longest duration. */
export interface GroupChoice {
  name: string;
  maxSeconds: number;
}

function noticeBlock(notice: string | undefined): CardElement[] {
  return notice ? [text(escapeCardText(notice, { multiline: true }), { color: 'Attention', weight: 'Bolder' })] : [];
}

const title = (breakGlass: boolean) => (breakGlass ? '🚨 Break-glass access' : 'Request AWS access');

/** How an account reads in the picker, in the card's first choices and in every search answer alike. */
export function accountChoice(a: Account): { title: string; value: string } {
  return { title: `${accountLabel(a)}${a.ouNames?.length ? ` · ${a.ouNames.join(' / ')}` : ''}`, value: a.id };
}

/**
 * Step 1. The picker is a dynamic type-ahead: it opens on the first accounts and, as the person
 * types, Teams asks the bot (`application/search`, dataset ACCOUNT_DATASET) for the accounts that
 * match by name, id or OU, page by page; so every account of the organization can be chosen.
 */
export function accountStepCard(accounts: readonly Account[], ctx: FormContext, selected?: string): AdaptiveCard {
  // Break-glass is for accounts only; a group is offered when some rule lets this person ask for one.
  const groups = ctx.breakGlass ? [] : (ctx.groups ?? []);
  return adaptiveCard(
    [
      heading(title(ctx.breakGlass)),
      ...(ctx.breakGlass
        ? [
            text('Break-glass gives access at once and alerts the security channel. Use it for emergencies.', {
              color: 'Warning',
            }),
          ]
        : []),
      ...noticeBlock(ctx.notice),
      {
        type: 'Input.ChoiceSet',
        id: Inputs.account,
        label: 'Account',
        // "filtered" with choices.data: Teams' dynamic type-ahead (the dropdown shows at most 15).
        style: 'filtered',
        // With groups offered, either one is chosen: the bot checks that exactly one is.
        isRequired: groups.length === 0,
        errorMessage: 'Choose an account.',
        placeholder: 'Search by name, OU or id',
        ...(selected ? { value: selected } : {}),
        choices: accounts.slice(0, MAX_SEARCH_RESULTS).map(accountChoice),
        'choices.data': { type: 'Data.Query', dataset: ACCOUNT_DATASET, count: MAX_SEARCH_RESULTS },
      },
      ...(groups.length > 0
        ? [
            {
              type: 'Input.ChoiceSet',
              id: Inputs.group,
              label: 'Or a group: membership of an Identity Center group for a while',
              style: 'compact',
              placeholder: 'Choose a group',
              choices: groups.map(groupChoice),
            },
          ]
        : []),
    ],
    { actions: [execute('Next', Verbs.chooseAccount, { formId: ctx.formId, breakGlass: ctx.breakGlass })] },
  );
}

function groupChoice(g: GroupChoice): { title: string; value: string } {
  return { title: `${g.name} (up to ${formatDuration(g.maxSeconds)})`, value: g.name };
}

export interface DetailsValues {
  permissionSet?: string;
  duration?: string;
  reason?: string;
  ticket?: string;
  /** Comma-separated account ids of "More accounts". */
  moreAccounts?: string;
  /** "Start later": the day (YYYY-MM-DD) and the time of day (HH:mm) in the person's zone. */
  startDate?: string;
  startTime?: string;
}

/**
 * "Start later": a day and a time, both optional, read together in the person's zone by the same
 * rules as a typed `--from 2026-12-24 09:00`. Break-glass starts now, so it has none.
 */
function startInputs(ctx: FormContext, values: DetailsValues): CardElement[] {
  const where = ctx.zone ? `your time zone, ${ctx.zone}` : 'UTC (your Teams client sent no time zone)';
  return [
    {
      type: 'Input.Date',
      id: Inputs.startDate,
      label: 'Start later (optional): day',
      ...(values.startDate ? { value: values.startDate } : {}),
    },
    {
      type: 'Input.Time',
      id: Inputs.startTime,
      label: `Start later: time, in ${where}`,
      ...(values.startTime ? { value: values.startTime } : {}),
    },
    text('Leave both empty to start as soon as it is approved; the duration counts from the start.', {
      isSubtle: true,
      size: 'Small',
      spacing: 'None',
    }),
  ];
}

/** The group form: which group was chosen, for how long, why. A membership starts when approved. */
export function groupStepCard(group: GroupChoice, ctx: FormContext, values: DetailsValues = {}): AdaptiveCard {
  const value = (v: string | undefined) => (v ? { value: v } : {});
  return adaptiveCard(
    [
      heading(title(false)),
      text(`Group: ${b(escapeCardText(group.name))} (membership, up to ${formatDuration(group.maxSeconds)})`),
      ...noticeBlock(ctx.notice),
      {
        type: 'Input.Text',
        id: Inputs.duration,
        label: 'For how long?',
        placeholder: '1h, 90m, until 18:00',
        isRequired: true,
        errorMessage: 'Give a duration such as 1h.',
        ...value(values.duration),
      },
      {
        type: 'Input.Text',
        id: Inputs.reason,
        label: 'Reason',
        placeholder: 'INC-1234 fix the replica',
        isMultiline: true,
        isRequired: true,
        maxLength: 500,
        errorMessage: 'Say why you need this access.',
        ...value(values.reason),
      },
      {
        type: 'Input.Text',
        id: Inputs.ticket,
        label: 'Ticket (optional)',
        placeholder: 'OPS-123 or https://…',
        maxLength: 300,
        ...value(values.ticket),
      },
      text('A group membership starts when it is approved and is removed at its end.', { isSubtle: true }),
    ],
    {
      actions: [
        execute('Submit', Verbs.submitRequest, {
          formId: ctx.formId,
          breakGlass: false,
          account: `${GROUP_PREFIX}${group.name}`,
        }),
        execute('Choose another account or group', Verbs.chooseAccount, {
          formId: ctx.formId,
          breakGlass: false,
          restart: true,
        }),
      ],
    },
  );
}

export function detailsStepCard(
  account: Account,
  options: readonly { permissionSet: PermissionSet; maxSeconds: number }[],
  ctx: FormContext,
  values: DetailsValues = {},
): AdaptiveCard {
  const header = [
    heading(title(ctx.breakGlass)),
    text(`Account: ${b(accountLabel(account))}`),
    ...noticeBlock(ctx.notice),
  ];
  if (options.length === 0) {
    return adaptiveCard(
      [
        ...header,
        text('No rule lets you ask for anything in this account. `why <account> <permission set>` explains.'),
      ],
      {
        actions: [
          execute('Choose another account', Verbs.chooseAccount, {
            formId: ctx.formId,
            breakGlass: ctx.breakGlass,
            restart: true,
          }),
        ],
      },
    );
  }
  const value = (v: string | undefined) => (v ? { value: v } : {});
  return adaptiveCard(
    [
      ...header,
      {
        type: 'Input.ChoiceSet',
        id: Inputs.permissionSet,
        label: 'Permission set',
        style: 'compact',
        isRequired: true,
        errorMessage: 'Choose a permission set.',
        ...value(values.permissionSet ?? (options.length === 1 ? options[0]?.permissionSet.name : undefined)),
        choices: options.map((o) => ({
          title: `${o.permissionSet.name} (up to ${formatDuration(o.maxSeconds)})`,
          value: o.permissionSet.name,
        })),
      },
      {
        type: 'Input.Text',
        id: Inputs.duration,
        label: 'For how long?',
        placeholder: '2h, 90m, until 18:00',
        isRequired: true,
        errorMessage: 'Give a duration such as 2h.',
        ...value(values.duration),
      },
      {
        type: 'Input.Text',
        id: Inputs.reason,
        label: 'Reason',
        placeholder: 'INC-1234 restore the payments queue',
        isMultiline: true,
        isRequired: true,
        maxLength: 500,
        errorMessage: 'Say why you need this access.',
        ...value(values.reason),
      },
      ...(ctx.breakGlass ? [] : startInputs(ctx, values)),
      ...(ctx.breakGlass
        ? []
        : [
            {
              type: 'Input.ChoiceSet',
              id: Inputs.moreAccounts,
              label: 'More accounts (optional): the same access there too, each decided by its own rule',
              style: 'filtered',
              isMultiSelect: true,
              placeholder: 'Search by name, OU or id',
              ...value(values.moreAccounts),
              // At least one choice (the parser requires it): the first accounts other than the chosen one.
              choices: (ctx.moreChoices?.filter((a) => a.id !== account.id) ?? [])
                .slice(0, MAX_SEARCH_RESULTS)
                .map(accountChoice)
                .concat(ctx.moreChoices?.some((a) => a.id !== account.id) ? [] : [accountChoice(account)]),
              'choices.data': { type: 'Data.Query', dataset: ACCOUNT_DATASET, count: MAX_SEARCH_RESULTS },
            },
          ]),
      {
        type: 'Input.Text',
        id: Inputs.ticket,
        label: 'Ticket (optional)',
        placeholder: 'OPS-123 or https://…',
        maxLength: 300,
        ...value(values.ticket),
      },
    ],
    {
      actions: [
        execute(
          ctx.breakGlass ? 'Break the glass' : 'Submit',
          Verbs.submitRequest,
          {
            formId: ctx.formId,
            breakGlass: ctx.breakGlass,
            account: account.id,
          },
          ctx.breakGlass ? 'destructive' : 'positive',
        ),
      ],
    },
  );
}
