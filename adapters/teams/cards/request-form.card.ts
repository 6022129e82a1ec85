import { accountLabel, formatDuration, type Account, type PermissionSet } from '../../../src';
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
        isRequired: true,
        errorMessage: 'Choose an account.',
        placeholder: 'Search by name, OU or id',
        ...(selected ? { value: selected } : {}),
        choices: accounts.slice(0, MAX_SEARCH_RESULTS).map(accountChoice),
        'choices.data': { type: 'Data.Query', dataset: ACCOUNT_DATASET, count: MAX_SEARCH_RESULTS },
      },
    ],
    { actions: [execute('Next', Verbs.chooseAccount, { formId: ctx.formId, breakGlass: ctx.breakGlass })] },
  );
}

export interface DetailsValues {
  permissionSet?: string;
  duration?: string;
  reason?: string;
  ticket?: string;
  /** Comma-separated account ids of "More accounts". */
  moreAccounts?: string;
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
