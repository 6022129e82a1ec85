import type { Account, PermissionSet } from './catalog';
import { normalizeEmail, type Principal } from './chat-user';
import { formatDuration } from './duration';
import {
  governedGroupNames,
  ruleMaxSeconds,
  type ApproverSpec,
  type EscalationSpec,
  type PeopleSpec,
  type Policy,
  type PolicyRule,
} from './policy';

/**
 * Decisions are data (design §8): `decide(policy, request)` returns the outcome, a reason a person
 * can read, the rule that decided, and who must approve. Pure: no clock, no I/O.
 */
export type Outcome = 'auto_approve' | 'needs_approval' | 'break_glass' | 'deny';

export interface Decision {
  outcome: Outcome;
  reason: string;
  rule?: string;
  approvers?: ApproverSpec;
  selfApproval: boolean;
  maxDurationSeconds?: number;
  /** Rule-specific approval channels, if any. */
  channels?: PolicyRule['channels'];
  /** Auto-approved because the requester is on call now on this schedule (announced loudly). */
  onCallSchedule?: string;
  /** The rule's reminder and escalation, for a request that needs approval. */
  escalation?: EscalationSpec;
}

export interface DecisionInput {
  principal: Principal;
  account: Account;
  permissionSet: Pick<PermissionSet, 'name'>;
  durationSeconds: number;
  breakGlass?: boolean;
  /**
   * The on-call schedules the requester is on call for now (resolved by the engine before deciding:
   * see `onCallRefsToCheck`). Absent or empty: on call nowhere.
   */
  onCall?: ReadonlySet<string>;
}

/** A request for a membership of an Identity Center group (`request group:<name> …`). */
export interface GroupDecisionInput {
  principal: Principal;
  group: { name: string };
  durationSeconds: number;
  breakGlass?: boolean;
  onCall?: ReadonlySet<string>;
}

/** What `decide` reads: an account and permission set, or a group. */
export type AnyDecisionInput = DecisionInput | GroupDecisionInput;

export function isGroupDecision(input: AnyDecisionInput): input is GroupDecisionInput {
  return 'group' in input;
}

/** Group names compare as Identity Center's displayName lookups do: exactly. */
export function matchesGroup(names: readonly string[], name: string): boolean {
  return names.includes(name);
}

export function matchesAccount(matchers: readonly string[], account: Account): boolean {
  return matchers.some((m) => {
    if (m === '*') return true;
    if (m.startsWith('ou:')) return account.ouPath.includes(m.slice(3));
    if (m.startsWith('tag:')) {
      const eq = m.indexOf('=');
      const key = m.slice(4, eq);
      return account.tags[key] === m.slice(eq + 1);
    }
    return m === account.id;
  });
}

export function matchesPermissionSet(names: readonly string[], name: string): boolean {
  return names.some((n) => n === '*' || n.toLowerCase() === name.toLowerCase());
}

export function matchesPeople(spec: PeopleSpec, principal: Principal): boolean {
  const email = normalizeEmail(principal.email);
  return (
    spec.groups.some((g) => g === '*' || principal.groups.some((pg) => pg.toLowerCase() === g.toLowerCase())) ||
    spec.emails.some((e) => normalizeEmail(e) === email)
  );
}

/**
 * May this person approve under these specs (the rule's approvers, and after an escalation the set it
 * escalated to)? The requester is excluded unless self-approval is allowed. `onCall` holds the
 * schedules the approver is on call for at the moment of the click; an approver listed only through
 * an on-call schedule they are no longer on call for is refused with `not_on_call`.
 */
export function isEligibleApprover(
  specs: ApproverSpec | readonly ApproverSpec[],
  approver: Principal,
  requesterPrincipalId: string,
  selfApproval: boolean,
  onCall: ReadonlySet<string> = new Set(),
): { eligible: true; via?: string } | { eligible: false; why: 'self' | 'not_listed' | 'not_on_call' } {
  if (approver.principalId === requesterPrincipalId && !selfApproval) return { eligible: false, why: 'self' };
  const list = Array.isArray(specs) ? (specs as readonly ApproverSpec[]) : [specs as ApproverSpec];
  if (list.some((s) => matchesPeople(s, approver))) return { eligible: true };
  const via = list.flatMap((s) => s.oncall ?? []).find((ref) => onCall.has(ref));
  if (via) return { eligible: true, via };
  return list.some((s) => (s.oncall ?? []).length > 0)
    ? { eligible: false, why: 'not_on_call' }
    : { eligible: false, why: 'not_listed' };
}

/** The on-call schedules a rule uses to auto-approve (`autoApprove: { whenOnCall }`). */
export function autoApproveSchedules(r: Pick<PolicyRule, 'autoApprove'>): string[] {
  return typeof r.autoApprove === 'object' ? r.autoApprove.whenOnCall : [];
}

/**
 * The on-call schedules whose answer can change this decision: those of the auto-approving rules
 * that apply to the request. The engine asks the on-call directory about these only.
 */
export function onCallRefsToCheck(
  policy: Policy,
  input: Omit<DecisionInput, 'onCall'> | Omit<GroupDecisionInput, 'onCall'>,
): string[] {
  if (input.breakGlass) return [];
  const refs = new Set<string>();
  for (const r of policy.rules) {
    if (r.effect === 'allow' && ruleApplies(r, input)) for (const ref of autoApproveSchedules(r)) refs.add(ref);
  }
  return [...refs].sort();
}

function ruleApplies(
  r: PolicyRule,
  input: Omit<DecisionInput, 'onCall'> | Omit<GroupDecisionInput, 'onCall'>,
): boolean {
  if ('group' in input) {
    return matchesGroup(r.groups, input.group.name) && matchesPeople(r.requesters, input.principal);
  }
  return (
    matchesAccount(r.accounts, input.account) &&
    matchesPermissionSet(r.permissionSets, input.permissionSet.name) &&
    matchesPeople(r.requesters, input.principal)
  );
}

const target = (input: AnyDecisionInput) =>
  isGroupDecision(input)
    ? `membership of group ${input.group.name}`
    : `${input.permissionSet.name} in ${input.account.name} (${input.account.id})`;

export function decide(policy: Policy, input: AnyDecisionInput): Decision {
  const deny = policy.rules.find((r) => r.effect === 'deny' && ruleApplies(r, input));
  if (deny) {
    return {
      outcome: 'deny',
      reason: `rule "${deny.name}" denies ${target(input)}`,
      rule: deny.name,
      selfApproval: false,
    };
  }

  if (input.breakGlass) return decideBreakGlass(policy, input);

  const onCall = input.onCall ?? new Set<string>();
  const onCallVia = (r: PolicyRule) => autoApproveSchedules(r).find((ref) => onCall.has(ref));
  // A rule that auto-approves only the on-call and names no approvers does not apply to anyone else.
  const allows = policy.rules.filter(
    (r) =>
      r.effect === 'allow' &&
      ruleApplies(r, input) &&
      (r.autoApprove === true || r.approvers !== undefined || onCallVia(r) !== undefined),
  );
  if (allows.length === 0) {
    const onlyOnCall = policy.rules.find(
      (r) => r.effect === 'allow' && ruleApplies(r, input) && autoApproveSchedules(r).length > 0,
    );
    return {
      outcome: 'deny',
      reason: onlyOnCall
        ? `rule "${onlyOnCall.name}" gives ${target(input)} only to whoever is on call now on ${autoApproveSchedules(onlyOnCall).join(', ')}, and you are not`
        : `no rule lets you request ${target(input)}`,
      ...(onlyOnCall ? { rule: onlyOnCall.name } : {}),
      selfApproval: false,
    };
  }
  const fitting = allows.filter((r) => input.durationSeconds <= ruleMaxSeconds(r));
  if (fitting.length === 0) {
    const longest = Math.max(...allows.map(ruleMaxSeconds));
    return {
      outcome: 'deny',
      reason: `${formatDuration(input.durationSeconds)} is longer than the ${formatDuration(longest)} allowed for ${target(input)}`,
      rule: allows.find((r) => ruleMaxSeconds(r) === longest)?.name,
      selfApproval: false,
      maxDurationSeconds: longest,
    };
  }
  // The least demanding rule that fits wins: auto-approval first, then the fewest approvals.
  const auto = fitting.find((r) => r.autoApprove === true);
  const onCallRule = auto ? undefined : fitting.find((r) => onCallVia(r) !== undefined);
  if (onCallRule) {
    const via = onCallVia(onCallRule)!;
    return {
      outcome: 'auto_approve',
      reason: `rule "${onCallRule.name}" approves ${target(input)} at once for whoever is on call on ${via}, for up to ${formatDuration(ruleMaxSeconds(onCallRule))}`,
      rule: onCallRule.name,
      selfApproval: onCallRule.selfApproval,
      maxDurationSeconds: ruleMaxSeconds(onCallRule),
      channels: onCallRule.channels,
      onCallSchedule: via,
    };
  }
  if (auto) {
    return {
      outcome: 'auto_approve',
      reason: `rule "${auto.name}" approves ${target(input)} automatically for up to ${formatDuration(ruleMaxSeconds(auto))}`,
      rule: auto.name,
      selfApproval: auto.selfApproval,
      maxDurationSeconds: ruleMaxSeconds(auto),
      channels: auto.channels,
    };
  }
  const chosen = [...fitting]
    .filter((r) => r.approvers !== undefined)
    .sort((a, b) => (a.approvers?.count ?? 1) - (b.approvers?.count ?? 1))[0]!;
  const spec = chosen.approvers!;
  return {
    outcome: 'needs_approval',
    reason: `rule "${chosen.name}" allows ${target(input)} for up to ${formatDuration(ruleMaxSeconds(chosen))} with ${spec.count} approval(s) from ${describePeople(spec)}`,
    rule: chosen.name,
    approvers: spec,
    selfApproval: chosen.selfApproval,
    maxDurationSeconds: ruleMaxSeconds(chosen),
    channels: chosen.channels,
    ...(chosen.escalation ? { escalation: chosen.escalation } : {}),
  };
}

function decideBreakGlass(policy: Policy, input: AnyDecisionInput): Decision {
  const bg = policy.breakGlass;
  if (!bg) return { outcome: 'deny', reason: 'break-glass is not enabled in the policy', selfApproval: false };
  if (
    isGroupDecision(input) ||
    !matchesAccount(bg.accounts, input.account) ||
    !matchesPermissionSet(bg.permissionSets, input.permissionSet.name)
  ) {
    return {
      outcome: 'deny',
      reason: `break-glass does not cover ${target(input)}`,
      rule: 'break-glass',
      selfApproval: false,
    };
  }
  if (!matchesPeople(bg.requesters, input.principal)) {
    return {
      outcome: 'deny',
      reason: 'you are not allowed to use break-glass',
      rule: 'break-glass',
      selfApproval: false,
    };
  }
  const max = ruleMaxSeconds(bg);
  if (input.durationSeconds > max) {
    return {
      outcome: 'deny',
      reason: `break-glass grants at most ${formatDuration(max)}`,
      rule: 'break-glass',
      selfApproval: false,
      maxDurationSeconds: max,
    };
  }
  return {
    outcome: 'break_glass',
    reason: `break-glass grants ${target(input)} at once for up to ${formatDuration(max)}, and tells the ${bg.notify} channel`,
    rule: 'break-glass',
    selfApproval: false,
    maxDurationSeconds: max,
  };
}

export function describePeople(spec: PeopleSpec & { oncall?: readonly string[] | undefined }): string {
  const parts = [
    ...spec.groups.map((g) => (g === '*' ? 'anyone' : `group ${g}`)),
    ...spec.emails.map((e) => e),
    ...(spec.oncall ?? []).map((ref) => `the on-call of ${ref}`),
  ];
  return parts.length ? parts.join(', ') : 'nobody';
}

/** One sentence for `/aws-access why`. */
export function explainDecision(decision: Decision): string {
  switch (decision.outcome) {
    case 'auto_approve':
      return `Yes: ${decision.reason}.`;
    case 'needs_approval':
      return `Yes, with approval: ${decision.reason}${decision.selfApproval ? '' : ' (you cannot approve your own request)'}.`;
    case 'break_glass':
      return `In an emergency: ${decision.reason}.`;
    case 'deny':
      return `No: ${decision.reason}.`;
  }
}

/** The permission sets a person may ask for in an account (to fill a picker). */
export function requestablePermissionSets<T extends Pick<PermissionSet, 'name'>>(
  policy: Policy,
  principal: Principal,
  account: Account,
  sets: readonly T[],
  onCall?: ReadonlySet<string>,
): T[] {
  return sets.filter((ps) => {
    const probe: DecisionInput = {
      principal,
      account,
      permissionSet: ps,
      durationSeconds: 60,
      ...(onCall ? { onCall } : {}),
    };
    return decide(policy, probe).outcome !== 'deny';
  });
}

/** The longest duration any rule allows this person for this target, or undefined when none does. */
export function maxRequestableSeconds(
  policy: Policy,
  input: Omit<DecisionInput, 'durationSeconds'> | Omit<GroupDecisionInput, 'durationSeconds'>,
): number | undefined {
  const d = decide(policy, { ...input, durationSeconds: 60 });
  if (d.outcome === 'deny') return undefined;
  const onCall = input.onCall ?? new Set<string>();
  // The same rules as decide(): one that serves only the on-call counts for whoever is on call now.
  const allows = policy.rules.filter(
    (r) =>
      r.effect === 'allow' &&
      ruleApplies(r, { ...input, durationSeconds: 60 }) &&
      (r.autoApprove === true || r.approvers !== undefined || autoApproveSchedules(r).some((ref) => onCall.has(ref))),
  );
  return Math.max(...allows.map(ruleMaxSeconds));
}

/** The groups a person may ask to join for a while (to fill a picker), by display name. */
export function requestableGroups(policy: Policy, principal: Principal): string[] {
  return governedGroupNames(policy).filter(
    (name) => decide(policy, { principal, group: { name }, durationSeconds: 60 }).outcome !== 'deny',
  );
}
