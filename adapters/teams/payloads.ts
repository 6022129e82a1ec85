import { z } from 'zod';
import { AlertInputs, AlertVerbs, type AlertVerb } from './alert-verbs';
import { Verbs, type Verb } from './verbs';

/**
 * zod at the edge: what an `adaptiveCard/action` invoke may carry. The actor never comes from here
 * (it is the verified `activity.from`); the data only names the record a button is about, so a
 * tampered value can at worst name another record, which the engine then authorizes as usual.
 */

const entityId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'not a keyless id');
const formId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'not a form id');
/** Teams sends input values as strings; a toggle may arrive as "true"/"false". */
const flag = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .optional()
  .transform((v) => v === true || v === 'true');
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : undefined));

export const InvokeValueSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(100),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});
export type InvokeValue = z.infer<typeof InvokeValueSchema>;

/** Which card a button sits on, so that the answer redraws that card (the home card, the status card…). */
const onHome = z.enum(['home']).optional();

export const ActionData = {
  [Verbs.approve]: z.object({ requestId: entityId, view: onHome }),
  [Verbs.deny]: z.object({ requestId: entityId, denyReason: optionalText(500), view: onHome }),
  [Verbs.cancel]: z.object({ requestId: entityId, view: z.enum(['status', 'approval', 'home']).optional() }),
  [Verbs.refresh]: z.object({ requestId: entityId }),
  [Verbs.chooseAccount]: z.object({
    formId,
    breakGlass: flag,
    account: optionalText(200),
    /** The group chosen instead of an account (step 1). */
    group: optionalText(200),
    restart: flag,
  }),
  [Verbs.submitRequest]: z.object({
    formId,
    breakGlass: flag,
    account: z.string().min(1).max(200),
    permissionSet: optionalText(200),
    duration: optionalText(50),
    reason: optionalText(500),
    ticket: optionalText(300),
    /** A multi-select's values, comma-separated (Adaptive Cards' Input.ChoiceSet isMultiSelect). */
    moreAccounts: optionalText(2000),
    /** "Start later": Input.Date and Input.Time values (checked by the engine's start rules). */
    startDate: optionalText(20),
    startTime: optionalText(20),
  }),
  [Verbs.extendGrant]: z.object({
    grantId: entityId,
    extendBy: optionalText(50),
    reason: optionalText(500),
    view: onHome,
  }),
  [Verbs.endGrant]: z.object({ grantId: entityId, view: onHome }),
  [Verbs.homeRefresh]: z.object({}),
  [Verbs.startForm]: z.object({ breakGlass: flag }),
  [Verbs.approveBundle]: z.object({ requestId: entityId }),
  [Verbs.denyBundle]: z.object({ requestId: entityId, denyReason: optionalText(500) }),
  [Verbs.endBundle]: z.object({ requestId: entityId }),
} satisfies Record<Verb, z.ZodType>;

/**
 * An `application/search` invoke (dynamic type-ahead): what the person typed, the dataset the card
 * named, and the page Teams asks for. Bounds keep a forged query cheap.
 */
export const SearchInvokeValueSchema = z.object({
  dataset: z.string().max(100),
  queryText: z.string().max(200).optional().default(''),
  queryOptions: z
    .object({
      skip: z.coerce.number().int().min(0).max(100_000).optional().default(0),
      top: z.coerce.number().int().min(1).max(1000).optional().default(15),
    })
    .partial()
    .optional(),
});
export type SearchInvokeValue = z.infer<typeof SearchInvokeValueSchema>;

export type ActionDataOf<V extends Verb> = z.output<(typeof ActionData)[V]>;

/** An alert's dedupe key: printable, no spaces, bounded (it only names the alert). */
const dedupeKey = z.string().regex(/^[\x21-\x7e]{1,512}$/, 'not an alert key');
const byKey = z.object({ dedupeKey });

export const AlertActionData = {
  [AlertVerbs.acknowledge]: byKey,
  [AlertVerbs.snooze]: z.object({
    dedupeKey,
    snoozeDays: z.coerce.number().int().optional(),
    [AlertInputs.snoozeReason]: optionalText(500),
  }),
  [AlertVerbs.deactivate]: byKey,
  [AlertVerbs.approveDeactivation]: byKey,
  [AlertVerbs.denyDeactivation]: byKey,
  [AlertVerbs.reactivate]: byKey,
  [AlertVerbs.deleteKey]: byKey,
  [AlertVerbs.approveDeletion]: byKey,
  [AlertVerbs.denyDeletion]: byKey,
  [AlertVerbs.announceRoot]: z.object({
    accountId: z.string().regex(/^\d{12}$/, 'not an account id'),
    [AlertInputs.rootWindowDuration]: optionalText(20),
    [AlertInputs.rootWindowReason]: optionalText(500),
  }),
} satisfies Record<AlertVerb, z.ZodType>;

export type AlertActionDataOf<V extends AlertVerb> = z.output<(typeof AlertActionData)[V]>;
