import { z } from 'zod';
import { ErrorCodes, KeylessError } from './errors';
import { ABSOLUTE_MAX_SECONDS, DURATION_FORMS, parseSpan } from './duration';

/**
 * The policy file (design §8): who may request what, who approves, how many approvals,
 * the longest grant, auto-approval and break-glass. Validated once, at the edge, by zod; a
 * JSON Schema generated from this file (`npm run schema`) lets editors check it as people type.
 */

/**
 * Parses a duration written in a policy file (no time of day here) into seconds, or undefined. The
 * same reader as requests and the environment (duration.ts `parseSpan`).
 */
export function policyDurationSeconds(text: string): number | undefined {
  try {
    return parseSpan(text);
  } catch {
    return undefined;
  }
}

const durationText = z
  .string()
  .describe('A duration: 90m, 2h, 1h30m, 1d, or ISO 8601 such as PT2H.')
  .refine((v) => {
    const s = policyDurationSeconds(v);
    return s !== undefined && s >= 60 && s <= ABSOLUTE_MAX_SECONDS;
  }, `must be a duration between 1m and 30d: ${DURATION_FORMS}`);

/** A regular expression written as text: it must compile. */
const regexText = z
  .string()
  .min(1)
  .max(200)
  .refine((v) => {
    try {
      new RegExp(v);
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression');

/** Per-kind overrides of the security feed's user thresholds (days). */
const userThresholds = z
  .object({
    staleKeyDays: z.number().int().min(1).optional().describe('Overrides alerts.staleKeyDays for this kind.'),
    unusedKeyDays: z.number().int().min(1).optional().describe('Overrides alerts.unusedKeyDays for this kind.'),
    newKeyGraceDays: z.number().int().min(0).optional().describe('Overrides alerts.newKeyGraceDays for this kind.'),
    passwordUnusedDays: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Overrides alerts.passwordUnusedDays for this kind.'),
    passwordNeverUsedGraceDays: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Overrides alerts.passwordNeverUsedGraceDays for this kind.'),
  })
  .strict()
  .default({});

const accountMatcher = z
  .string()
  .describe('A 12-digit account id, "ou:<ou id>" (the OU and everything below it), "tag:<key>=<value>", or "*".')
  .regex(/^(\d{12}|ou:(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})|tag:[^=]+=.*|\*)$/, {
    message: 'must be a 12-digit account id, ou:ou-xxxx-xxxxxxxx, tag:key=value, or *',
  });

/** An Identity Center group display name, as a rule names it (no "*": every governed group is named). */
const groupName = z
  .string()
  .min(1)
  .max(1024)
  .refine((v) => v.trim() === v && v !== '*', 'must be a group display name (no "*", no surrounding spaces)');

const people = z
  .object({
    groups: z.array(z.string().min(1)).default([]).describe('Identity Center group display names. "*" is everyone.'),
    emails: z.array(z.email()).default([]).describe('Identity Center user emails.'),
  })
  .strict();

/** A PagerDuty schedule, named by its id: `pagerduty:PXXXXXX`. */
export const ON_CALL_REF = /^pagerduty:P[A-Z0-9]{5,13}$/;

const onCallRef = z
  .string()
  .describe('An on-call schedule: "pagerduty:<schedule id>" (the id in the schedule\'s PagerDuty URL, P…).')
  .regex(ON_CALL_REF, { message: 'must be a PagerDuty schedule such as pagerduty:PABC123' });

const approvers = people
  .extend({
    oncall: z
      .array(onCallRef)
      .default([])
      .describe('On-call schedules: whoever is on call on one of them at the moment of the click may approve.'),
    count: z.number().int().min(1).max(10).default(1).describe('How many distinct approvers must approve (N of M).'),
  })
  .strict();

const autoApprove = z
  .union([
    z.boolean(),
    z
      .object({
        whenOnCall: z
          .array(onCallRef)
          .min(1)
          .describe('The requester is approved at once when on call now on one of these schedules.'),
      })
      .strict(),
  ])
  .default(false)
  .describe(
    'true: grant at once, with no approver. { whenOnCall: [...] }: grant at once when the requester is on call now (announced in the approvals channel); anyone else needs the approvers.',
  );

const escalation = z
  .object({
    remindAfter: durationText
      .optional()
      .describe('Remind the approvers this long after the request was made, if nobody has decided.'),
    escalateAfter: durationText
      .optional()
      .describe('This long after the request was made, the `to` approvers may approve too, and are asked.'),
    to: approvers
      .omit({ count: true })
      .optional()
      .describe('The second approver set (groups, emails, on-call schedules) asked at escalateAfter.'),
  })
  .strict()
  .describe('Reminder and escalation of a request nobody has answered, before the approval window ends.');

const channelPair = z
  .object({
    approvals: z.string().min(1).optional().describe('Channel for approval requests.'),
    security: z.string().min(1).optional().describe('Channel for the security feed and break-glass notices.'),
  })
  .strict();

const channels = z
  .object({
    slack: channelPair.optional().describe('Slack channel ids (C…).'),
    teams: channelPair.optional().describe('Teams conversation ids (19:…@thread.tacv2).'),
  })
  .strict()
  .default({});

/**
 * Ending open sessions at a scheduled expiry (README "Security model"). An early end (End now, a
 * revoke, break-glass closed, drift removed) always cuts when the deployment has session cut on;
 * a scheduled expiry cuts only where this says so, and only when the permission set's sessions
 * last longer than the grant (a session opened at its start would outlive it).
 */
const sessionCut = z
  .object({
    atExpiry: z
      .boolean()
      .describe(
        "true: at a scheduled expiry, end the grant's open sessions (as End now does) when the permission set's session duration is longer than the grant. Needs KEYLESS_SESSION_CUT=on.",
      ),
  })
  .strict();

const rule = z
  .object({
    name: z.string().min(1).max(64).describe('Unique name, shown in decisions and audit events.'),
    description: z.string().optional().describe('For people reading the policy.'),
    effect: z.enum(['allow', 'deny']).default('allow').describe('A deny rule that matches always wins.'),
    accounts: z
      .array(accountMatcher)
      .default([])
      .describe('The accounts this rule covers (with permissionSets). A rule names accounts, groups, or both.'),
    permissionSets: z.array(z.string().min(1)).default([]).describe('Permission set names, or "*".'),
    groups: z
      .array(groupName)
      .default([])
      .describe(
        'Identity Center groups (display names) whose membership this rule may grant for a while (`request group:<name> 1h …`). Groups named here are governed by keyless: a membership no grant explains is drift.',
      ),
    requesters: people.default({ groups: [], emails: [] }).describe('Who may ask under this rule.'),
    approvers: approvers
      .optional()
      .describe('Who approves, and how many must (absent with autoApprove: true; the fallback of whenOnCall).'),
    maxDuration: durationText
      .default('1h')
      .describe('The longest grant under this rule (a duration: 90m, 4h, 1d, PT2H).'),
    selfApproval: z.boolean().default(false).describe('May a requester approve their own request?'),
    maxStartAhead: durationText
      .optional()
      .describe('How far ahead a start (`--from`) may be asked under this rule (default: the policy maxStartAhead).'),
    autoApprove,
    escalation: escalation.optional(),
    channels: channels.optional().describe('Where this rule posts approval requests (default: the global channels).'),
    sessionCut: sessionCut.optional().describe("Overrides the policy's sessionCut for the grants of this rule."),
  })
  .strict();

const breakGlass = z
  .object({
    accounts: z.array(accountMatcher).min(1).default(['*']).describe('Accounts break-glass may open.'),
    permissionSets: z.array(z.string().min(1)).min(1).describe('Permission sets break-glass may give.'),
    requesters: people.default({ groups: ['*'], emails: [] }).describe('Who may break the glass.'),
    maxDuration: durationText.default('1h').describe('The short cap of an emergency grant.'),
    notify: z.enum(['security', 'approvals']).default('security').describe('The channel that is told, loudly.'),
  })
  .strict()
  .describe('Emergency access: granted at once with a mandatory reason, capped, and announced.');

export const policySchema = z
  .object({
    $schema: z.string().optional(),
    identityCenter: z
      .object({
        instanceArn: z
          .string()
          .describe('The IAM Identity Center instance ARN.')
          .regex(/^arn:[a-z-]+:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/, {
            message: 'must be an instance ARN such as arn:aws:sso:::instance/ssoins-1234567890abcdef',
          }),
        identityStoreId: z
          .string()
          .regex(/^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
            message: 'must be an identity store id such as d-1234567890',
          })
          .describe('The identity store id of the instance (d-…).'),
        region: z
          .string()
          .describe('The region of the Identity Center instance.')
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as us-east-1' }),
      })
      .strict()
      .describe('Which Identity Center keyless works with.'),
    channels: channels.describe('Default chat channels (Slack channel ids, Teams conversation ids).'),
    rules: z
      .array(rule)
      .default([])
      .describe('Who may request what. No matching rule means no access; a matching deny rule always wins.'),
    breakGlass: breakGlass.optional(),
    sessionCut: sessionCut
      .optional()
      .describe(
        "Ending open sessions at a scheduled expiry, for every rule and break-glass (a rule may say otherwise). Default: the deployment's setting (off).",
      ),
    admins: people
      .default({ groups: [], emails: [] })
      .describe('People who may revoke any grant early (requesters and approvers may revoke their own).'),
    approvalWindow: durationText.default('24h').describe('A pending request times out after this long.'),
    reminderBefore: durationText.default('10m').describe('The requester is reminded this long before expiry.'),
    maxAccountsPerRequest: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(10)
      .describe(
        'At most this many accounts in one request (`request prod,staging,ou:Payments …`, after OUs are expanded); each account is still decided by its own rule.',
      ),
    maxStartAhead: durationText
      .default('7d')
      .describe('How far ahead access may be asked to start (`--from`), unless a rule says otherwise.'),
    reconcile: z
      .object({
        removeUnknown: z
          .boolean()
          .default(false)
          .describe('Remove assignments of managed permission sets that no active grant explains.'),
        managedPermissionSets: z
          .array(z.string())
          .default([])
          .describe('Names keyless owns; empty = those of the rules.'),
      })
      .strict()
      .default({ removeUnknown: false, managedPermissionSets: [] })
      .describe('How Identity Center drift (assignments no grant explains) is handled.'),
    alerts: z
      .object({
        staleKeyDays: z.number().int().min(1).default(90).describe('An access key older than this is stale.'),
        unusedKeyDays: z.number().int().min(1).default(45).describe('An active key unused this long is reported.'),
        newKeyGraceDays: z
          .number()
          .int()
          .min(0)
          .default(7)
          .describe('A key never used is reported only after this grace period.'),
        passwordUnusedDays: z
          .number()
          .int()
          .min(1)
          .default(90)
          .describe('A console password not used for this many days is reported (remove it).'),
        passwordNeverUsedGraceDays: z
          .number()
          .int()
          .min(0)
          .default(7)
          .describe('A console password never used is reported once it was set this many days ago.'),
        rootPasswordUsedDays: z
          .number()
          .int()
          .min(1)
          .default(30)
          .describe('Root password use within this many days is reported.'),
        scanEvery: durationText.default('6h').describe('How often the accounts are scanned for stale keys.'),
        human: userThresholds.describe('Thresholds for human IAM users, over the ones above.'),
        machine: userThresholds.describe(
          'Thresholds for machine IAM users (see machineUsers), over the ones above. Machine users are never told to move to Identity Center.',
        ),
        rotation: z
          .object({
            enabled: z
              .boolean()
              .default(true)
              .describe('Walk the owner of a key past staleKeyDays through its rotation, and watch it.'),
            ownerTag: z
              .string()
              .min(1)
              .max(128)
              .default('owner')
              .describe("The IAM user tag holding the owner's email; without it the security channel is told."),
            deleteAfterDays: z
              .number()
              .int()
              .min(1)
              .max(365)
              .default(7)
              .describe('Delete is offered once the old key was inactive and unused for this many days.'),
          })
          .strict()
          .default({ enabled: true, ownerTag: 'owner', deleteAfterDays: 7 })
          .describe('The rotation assistant: new key, deactivate the old one, then delete it (each approved).'),
        machineUsers: z
          .object({
            namePattern: regexText
              .optional()
              .describe('A user whose name matches this regular expression is a machine user, e.g. ^(svc|ci)-.'),
            pathPrefix: z
              .string()
              .regex(/^\/([\w+=,.@-]+\/)*$/, 'must be an IAM path such as /machine/')
              .optional()
              .describe('A user whose IAM path starts with this (e.g. /machine/) is a machine user.'),
            tag: z
              .object({
                key: z.string().min(1).max(128).describe('The tag key, e.g. keyless:user-kind.'),
                value: z.string().max(256).optional().describe('Any value when omitted.'),
              })
              .strict()
              .optional()
              .describe('A user with this tag is a machine user (read with ListUserTags).'),
          })
          .strict()
          .default({})
          .describe('How keyless tells machine users from humans; every other IAM user is human.'),
      })
      .strict()
      .default({
        staleKeyDays: 90,
        unusedKeyDays: 45,
        newKeyGraceDays: 7,
        passwordUnusedDays: 90,
        passwordNeverUsedGraceDays: 7,
        rootPasswordUsedDays: 30,
        scanEvery: '6h',
        human: {},
        machine: {},
        rotation: { enabled: true, ownerTag: 'owner', deleteAfterDays: 7 },
        machineUsers: {},
      })
      .describe('The security feed: thresholds for access keys, console passwords and root use.'),
  })
  .strict()
  .superRefine((policy, ctx) => {
    checkGovernedGroups(policy, ctx);
    const seen = new Set<string>();
    policy.rules.forEach((r, i) => {
      if (seen.has(r.name)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `duplicate rule name "${r.name}"` });
      }
      seen.add(r.name);
      checkTargets(r, i, ctx);
      if (r.requesters.groups.length === 0 && r.requesters.emails.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'requesters'], message: 'name at least one group or email' });
      }
      if (r.effect === 'deny') {
        if (r.approvers || r.autoApprove) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i],
            message: 'a deny rule takes no approvers and no autoApprove',
          });
        }
        return;
      }
      if (r.autoApprove === true && r.approvers) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'approvers'],
          message: 'autoApprove and approvers exclude each other',
        });
      }
      if (!r.autoApprove && !r.approvers) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'approvers'],
          message: 'an allow rule needs approvers or autoApprove',
        });
      }
      if (
        r.approvers &&
        r.approvers.groups.length === 0 &&
        r.approvers.emails.length === 0 &&
        r.approvers.oncall.length === 0
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'approvers'],
          message: 'name at least one approver group, email or on-call schedule',
        });
      }
      checkEscalation(r, i, policy.approvalWindow, ctx);
      if (
        r.approvers &&
        r.approvers.groups.length === 0 &&
        r.approvers.oncall.length === 0 &&
        r.approvers.emails.length < r.approvers.count
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'approvers', 'count'],
          message: `needs ${r.approvers.count} approvals but lists only ${r.approvers.emails.length} approver email(s)`,
        });
      }
    });
  });

/** A rule covers accounts (with permission sets), groups, or both; never half of an account pair. */
function checkTargets(r: z.output<typeof rule>, i: number, ctx: z.core.$RefinementCtx<unknown>): void {
  const at = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: ['rules', i, path], message });
  if (r.accounts.length === 0 && r.groups.length === 0) at('accounts', 'name accounts (with permissionSets) or groups');
  if (r.accounts.length > 0 && r.permissionSets.length === 0) at('permissionSets', 'accounts need permissionSets');
  if (r.permissionSets.length > 0 && r.accounts.length === 0) at('accounts', 'permissionSets need accounts');
}

/**
 * A group keyless grants for a while must not decide who may ask or approve: a membership granted
 * through keyless would otherwise make its holder an approver (or a requester of more).
 */
function checkGovernedGroups(policy: ParsedPolicy, ctx: z.core.$RefinementCtx<unknown>): void {
  const governed = new Set(governedGroupNames(policy).map((g) => g.toLowerCase()));
  if (governed.size === 0) return;
  const check = (groups: readonly string[], path: (string | number)[]) => {
    groups.forEach((g, k) => {
      if (governed.has(g.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, k],
          message: `"${g}" is a group keyless grants membership of; it cannot also say who may ask or approve`,
        });
      }
    });
  };
  policy.rules.forEach((r, i) => {
    check(r.requesters.groups, ['rules', i, 'requesters', 'groups']);
    check(r.approvers?.groups ?? [], ['rules', i, 'approvers', 'groups']);
    check(r.escalation?.to?.groups ?? [], ['rules', i, 'escalation', 'to', 'groups']);
  });
  check(policy.admins.groups, ['admins', 'groups']);
  if (policy.breakGlass) check(policy.breakGlass.requesters.groups, ['breakGlass', 'requesters', 'groups']);
}

/** Every group some rule names: the groups keyless governs (their memberships are reconciled). */
export function governedGroupNames(policy: Pick<ParsedPolicy, 'rules'>): string[] {
  const names = new Set<string>();
  for (const r of policy.rules) if (r.effect === 'allow') for (const g of r.groups) names.add(g);
  return [...names].sort();
}

function checkEscalation(
  r: z.output<typeof rule>,
  i: number,
  approvalWindow: string,
  ctx: z.core.$RefinementCtx<unknown>,
): void {
  const e = r.escalation;
  if (!e) return;
  const at = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['rules', i, 'escalation', path], message });
  if (!r.approvers)
    at('remindAfter', 'escalation needs approvers (a rule that always auto-approves has no one to remind)');
  if (e.remindAfter === undefined && e.escalateAfter === undefined) {
    at('remindAfter', 'name remindAfter, escalateAfter, or both');
  }
  if (e.escalateAfter !== undefined && !e.to) at('to', 'escalateAfter needs the approvers to escalate to');
  if (e.to && e.escalateAfter === undefined) at('escalateAfter', 'to needs escalateAfter');
  if (e.to && e.to.groups.length === 0 && e.to.emails.length === 0 && e.to.oncall.length === 0) {
    at('to', 'name at least one group, email or on-call schedule to escalate to');
  }
  const window = policyDurationSeconds(approvalWindow) ?? 86400;
  const remind = e.remindAfter === undefined ? undefined : policyDurationSeconds(e.remindAfter);
  const escalate = e.escalateAfter === undefined ? undefined : policyDurationSeconds(e.escalateAfter);
  if (remind !== undefined && remind >= window)
    at('remindAfter', `must be shorter than the approvalWindow (${approvalWindow})`);
  if (escalate !== undefined && escalate >= window) {
    at('escalateAfter', `must be shorter than the approvalWindow (${approvalWindow})`);
  }
  if (remind !== undefined && escalate !== undefined && escalate <= remind) {
    at('escalateAfter', 'must be longer than remindAfter (both count from when the request was made)');
  }
}

/** Every on-call schedule a policy names (approvers, escalation targets, auto-approval). */
export function policyOnCallRefs(policy: Pick<ParsedPolicy, 'rules'>): string[] {
  const refs = new Set<string>();
  for (const r of policy.rules) {
    for (const ref of r.approvers?.oncall ?? []) refs.add(ref);
    for (const ref of r.escalation?.to?.oncall ?? []) refs.add(ref);
    if (typeof r.autoApprove === 'object') for (const ref of r.autoApprove.whenOnCall) refs.add(ref);
  }
  return [...refs].sort();
}

/**
 * Does a scheduled expiry of a grant decided by `ruleName` end its open sessions (when they outlive
 * it)? The rule's `sessionCut.atExpiry`, else the policy's, else undefined (the deployment decides).
 * Break-glass grants (rule "break-glass") follow the policy's.
 */
export function sessionCutAtExpiry(
  policy: Pick<ParsedPolicy, 'rules' | 'sessionCut'>,
  ruleName: string | undefined,
): boolean | undefined {
  const rule = ruleName === undefined ? undefined : policy.rules.find((r) => r.name === ruleName);
  return rule?.sessionCut?.atExpiry ?? policy.sessionCut?.atExpiry;
}

export type PolicyInput = z.input<typeof policySchema>;
type ParsedPolicy = z.output<typeof policySchema>;
export type PolicyRule = ParsedPolicy['rules'][number];
export type BreakGlassPolicy = NonNullable<ParsedPolicy['breakGlass']>;
export type PeopleSpec = z.output<typeof people>;
/** `oncall` may be absent on a request stored before on-call approvers existed. */
export type ApproverSpec = Omit<z.output<typeof approvers>, 'oncall'> & { oncall?: string[] };
export type EscalationSpec = z.output<typeof escalation>;

/** A validated policy, with its durations already in seconds. */
export interface Policy extends ParsedPolicy {
  approvalWindowSeconds: number;
  reminderBeforeSeconds: number;
}

/**
 * How far ahead a start may be asked under the rule named `ruleName` (its `maxStartAhead`, else the
 * policy's); break-glass and unknown rules: the policy's.
 */
export function maxStartAheadSeconds(
  policy: Pick<ParsedPolicy, 'rules' | 'maxStartAhead'>,
  ruleName: string | undefined,
): number {
  const rule = policy.rules.find((r) => r.name === ruleName);
  const text = rule?.maxStartAhead ?? policy.maxStartAhead;
  return policyDurationSeconds(text) ?? 7 * 86400;
}

export function ruleMaxSeconds(r: { maxDuration: string }): number {
  return policyDurationSeconds(r.maxDuration) ?? 3600;
}

/** Formats zod issues as `path: message` lines, every problem at once. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return `${path || '(root)'}: ${issue.message}`;
  });
}

/**
 * Validates an already-parsed policy document (from YAML or JSON). An invalid policy raises one
 * error that lists every problem with its path.
 */
export function parsePolicy(document: unknown, source = 'policy'): Policy {
  const result = policySchema.safeParse(document);
  if (!result.success) {
    const lines = formatIssues(result.error.issues);
    throw new KeylessError(
      ErrorCodes.InvalidPolicy,
      `The ${source} has ${lines.length} problem(s):\n- ${lines.join('\n- ')}`,
      {
        details: { problems: lines },
      },
    );
  }
  const p = result.data;
  return {
    ...p,
    approvalWindowSeconds: policyDurationSeconds(p.approvalWindow) ?? 86400,
    reminderBeforeSeconds: policyDurationSeconds(p.reminderBefore) ?? 600,
  };
}
