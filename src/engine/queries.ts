import {
  decide,
  explainDecision,
  governedGroupNames,
  groupNameFromText,
  isEligibleApprover,
  maxRequestableSeconds,
  onCallRefsToCheck,
  requestablePermissionSets,
  searchAccounts,
  sessionCutAtExpiry,
  sessionCutExplainText,
  type AccessRequest,
  type Account,
  type ChatUser,
  type Grant,
  type PermissionSet,
} from '../domain';
import type { EngineContext } from './deps';
import { accountByText, permissionSetByText, principalOf } from './identity';
import { onCallSchedulesOf } from './on-call';
import { explainGroup } from './request-group-access';

/** `why <account> <permission set>`: the policy's answer for this person, in one sentence. */
export async function explain(
  ctx: EngineContext,
  input: { user: ChatUser; account: string; permissionSet: string },
): Promise<string> {
  if (groupNameFromText(input.account) !== undefined) {
    return explainDecision(await explainGroup(ctx, { user: input.user, group: input.account }));
  }
  const [principal, account, permissionSet] = await Promise.all([
    principalOf(ctx, input.user),
    accountByText(ctx, input.account),
    permissionSetByText(ctx, input.permissionSet),
  ]);
  const policy = ctx.policy();
  const probe = { principal, account, permissionSet };
  const onCall = await onCallSchedulesOf(
    ctx,
    principal.email,
    onCallRefsToCheck(policy, { ...probe, durationSeconds: 60 }),
  );
  const max = maxRequestableSeconds(policy, { ...probe, onCall });
  const decision = decide(policy, { ...probe, durationSeconds: max ?? 60, onCall });
  const answer = explainDecision(decision);
  if (decision.outcome === 'deny') return answer;
  const o = ctx.options.sessionCut;
  const sessions = sessionCutExplainText({
    permissionSetName: permissionSet.name,
    sessionSeconds: permissionSet.sessionDurationSeconds,
    policyAtExpiry: sessionCutAtExpiry(policy, decision.rule),
    deploymentDefault: o.expiryCutsWhenSessionOutlives,
    enabled: o.enabled && ctx.sessionCuts !== undefined,
    managementAccount: o.managementAccountId !== undefined && account.id === o.managementAccountId,
  });
  return `${answer} ${sessions}`;
}

/** A person's live grants and open requests. */
export async function listMine(
  ctx: EngineContext,
  user: ChatUser,
): Promise<{ grants: Grant[]; requests: AccessRequest[] }> {
  const principal = await principalOf(ctx, user);
  const [provisioning, active, pending, scheduled] = await Promise.all([
    ctx.store.listGrants({ status: 'provisioning' }),
    ctx.store.listGrants({ status: 'active' }),
    ctx.store.listRequests({ status: 'pending' }),
    ctx.store.listGrants({ status: 'scheduled' }),
  ]);
  return {
    grants: [...active, ...provisioning, ...scheduled].filter((g) => g.principalId === principal.principalId),
    requests: pending.filter((r) => r.principalId === principal.principalId),
  };
}

/** Pending requests this person may approve and has not approved yet. */
export async function approvalsFor(ctx: EngineContext, user: ChatUser): Promise<AccessRequest[]> {
  const principal = await principalOf(ctx, user);
  const pending = await ctx.store.listRequests({ status: 'pending' });
  return pending.filter(
    (r) =>
      r.approvers !== undefined &&
      isEligibleApprover(r.approvers, principal, r.principalId, r.selfApproval).eligible &&
      !r.approvals.some((a) => a.principalId === principal.principalId),
  );
}

export async function findAccounts(ctx: EngineContext, query: string, limit = 100): Promise<Account[]> {
  return searchAccounts(await ctx.identity.listAccounts(), query, limit);
}

/** What a person may ask for in an account: the permission sets and, for each, the longest duration. */
export async function requestOptions(
  ctx: EngineContext,
  input: { user: ChatUser; account: string },
): Promise<{ account: Account; options: { permissionSet: PermissionSet; maxSeconds: number }[] }> {
  const [principal, account, sets] = await Promise.all([
    principalOf(ctx, input.user),
    accountByText(ctx, input.account),
    ctx.identity.listPermissionSets(),
  ]);
  const policy = ctx.policy();
  // A rule that serves only the on-call (autoApprove.whenOnCall) is offered to whoever is on call now.
  const refs = [
    ...new Set(
      sets.flatMap((permissionSet) =>
        onCallRefsToCheck(policy, { principal, account, permissionSet, durationSeconds: 60 }),
      ),
    ),
  ];
  const onCall = await onCallSchedulesOf(ctx, principal.email, refs);
  const options = requestablePermissionSets(policy, principal, account, sets, onCall).map((permissionSet) => ({
    permissionSet,
    maxSeconds: maxRequestableSeconds(policy, { principal, account, permissionSet, onCall }) ?? 0,
  }));
  return { account, options };
}

/**
 * The groups a person may ask to join for a while (the form's group choice), each with the longest
 * duration: the groups some rule governs whose policy answer for this person is not a refusal,
 * counting a rule that serves only the on-call for whoever is on call now (as `requestOptions`).
 * The policy only: whether the group exists is checked when the request is filed.
 */
export async function requestGroupOptions(
  ctx: EngineContext,
  input: { user: ChatUser },
): Promise<{ groups: { name: string; maxSeconds: number }[] }> {
  const principal = await principalOf(ctx, input.user);
  const policy = ctx.policy();
  const names = governedGroupNames(policy);
  const refs = [
    ...new Set(names.flatMap((name) => onCallRefsToCheck(policy, { principal, group: { name }, durationSeconds: 60 }))),
  ];
  const onCall = await onCallSchedulesOf(ctx, principal.email, refs);
  const groups = names
    .filter((name) => decide(policy, { principal, group: { name }, durationSeconds: 60, onCall }).outcome !== 'deny')
    .map((name) => ({ name, maxSeconds: maxRequestableSeconds(policy, { principal, group: { name }, onCall }) ?? 0 }));
  return { groups };
}
