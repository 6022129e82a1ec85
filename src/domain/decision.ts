import type { Account, PermissionSet } from './catalog';
import { normalizeEmail, type Principal } from './chat-user';
import { formatDuration } from './duration';
import { ruleMaxSeconds, type ApproverSpec, type PeopleSpec, type Policy, type PolicyRule } from './policy';

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
}

export interface DecisionInput {
  principal: Principal;
  account: Account;
  permissionSet: Pick<PermissionSet, 'name'>;
  durationSeconds: number;
  breakGlass?: boolean;
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

/** May this person approve under this spec? The requester is excluded unless self-approval is allowed. */
export function isEligibleApprover(
  spec: ApproverSpec,
  approver: Principal,
  requesterPrincipalId: string,
  selfApproval: boolean,
): { eligible: true } | { eligible: false; why: 'self' | 'not_listed' } {
  if (approver.principalId === requesterPrincipalId && !selfApproval) return { eligible: false, why: 'self' };
  return matchesPeople(spec, approver) ? { eligible: true } : { eligible: false, why: 'not_listed' };
}

function ruleApplies(r: PolicyRule, input: DecisionInput): boolean {
  return (
    matchesAccount(r.accounts, input.account) &&
    matchesPermissionSet(r.permissionSets, input.permissionSet.name) &&
    matchesPeople(r.requesters, input.principal)
  );
}

const target = (input: DecisionInput) => `${input.permissionSet.name} in ${input.account.name} (${input.account.id})`;

export function decide(policy: Policy, input: DecisionInput): Decision {
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

  const allows = policy.rules.filter((r) => r.effect === 'allow' && ruleApplies(r, input));
  if (allows.length === 0) {
    return { outcome: 'deny', reason: `no rule lets you request ${target(input)}`, selfApproval: false };
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
  const auto = fitting.find((r) => r.autoApprove);
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
  const chosen = [...fitting].sort((a, b) => (a.approvers?.count ?? 1) - (b.approvers?.count ?? 1))[0]!;
  const spec = chosen.approvers!;
  return {
    outcome: 'needs_approval',
    reason: `rule "${chosen.name}" allows ${target(input)} for up to ${formatDuration(ruleMaxSeconds(chosen))} with ${spec.count} approval(s) from ${describePeople(spec)}`,
    rule: chosen.name,
    approvers: spec,
    selfApproval: chosen.selfApproval,
    maxDurationSeconds: ruleMaxSeconds(chosen),
    channels: chosen.channels,
  };
}

function decideBreakGlass(policy: Policy, input: DecisionInput): Decision {
  const bg = policy.breakGlass;
  if (!bg) return { outcome: 'deny', reason: 'break-glass is not enabled in the policy', selfApproval: false };
  if (
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

export function describePeople(spec: PeopleSpec): string {
  const parts = [...spec.groups.map((g) => (g === '*' ? 'anyone' : `group ${g}`)), ...spec.emails.map((e) => e)];
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
): T[] {
  return sets.filter((ps) => {
    const probe: DecisionInput = { principal, account, permissionSet: ps, durationSeconds: 60 };
    return decide(policy, probe).outcome !== 'deny';
  });
}

/** The longest duration any rule allows this person for this target, or undefined when none does. */
export function maxRequestableSeconds(
  policy: Policy,
  input: Omit<DecisionInput, 'durationSeconds'>,
): number | undefined {
  const d = decide(policy, { ...input, durationSeconds: 60 });
  if (d.outcome === 'deny') return undefined;
  const allows = policy.rules.filter((r) => r.effect === 'allow' && ruleApplies(r, { ...input, durationSeconds: 60 }));
  return Math.max(...allows.map(ruleMaxSeconds));
}
