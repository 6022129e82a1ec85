import {
  ErrorCodes,
  KeylessError,
  decide,
  formatDuration,
  groupNameFromText,
  groupTargetFields,
  maxRequestableSeconds,
  membershipSlot,
  onCallRefsToCheck,
  parseDuration,
  parsePrincipalId,
  requestCreated,
  userActor,
  type Decision,
  type GroupRef,
  type Principal,
  type RequestKind,
} from '../domain';
import type { EngineContext } from './deps';
import { fulfilInBackground } from './fulfil-request';
import { principalOf } from './identity';
import { onCallSchedulesOf } from './on-call';
import {
  approverEmails,
  escalationPlan,
  liveHolder,
  requestIdFor,
  validateReason,
  validateTicket,
  type RequestAccessInput,
  type RequestAccessResult,
} from './request-access';

/**
 * The group a request names (`group:<name>`): the policy is asked first, so a group no rule lets
 * this person join is refused without telling whether it exists; then the identity store.
 */
export async function groupByText(ctx: EngineContext, text: string): Promise<GroupRef> {
  const name = groupNameFromText(text);
  if (name === undefined) {
    throw new KeylessError(ErrorCodes.InvalidInput, `"${text.trim()}" does not name a group.`, {
      hint: 'Write group:<name>, for example group:db-admins.',
    });
  }
  const group = await ctx.identity.findGroup(name);
  if (!group) {
    throw new KeylessError(ErrorCodes.UnknownGroup, `There is no Identity Center group called "${name}".`, {
      hint: 'Group names are exact, letter case included.',
    });
  }
  return group;
}

/**
 * Request a membership of an Identity Center group for a while: the same path as an account
 * request (policy, approvals, one live grant per (user, group) — a second request extends it —,
 * fulfilment, expiry and revocation), with a group membership as the grant's target.
 */
export async function requestGroupAccess(ctx: EngineContext, input: RequestAccessInput): Promise<RequestAccessResult> {
  const now = ctx.clock.now();
  const policy = ctx.policy();
  const name = groupNameFromText(input.account);
  if (name === undefined) throw new KeylessError(ErrorCodes.InvalidInput, 'Name a group as group:<name>.');
  if (input.breakGlass === true) {
    throw new KeylessError(ErrorCodes.PolicyDenied, 'Access denied: break-glass covers accounts, not groups.', {
      hint: `Ask for group:${name} with a normal request.`,
    });
  }
  if (input.start !== undefined) {
    throw new KeylessError(
      ErrorCodes.InvalidStart,
      'A group membership starts when it is approved: --from is for account access.',
      {
        hint: `Ask for group:${name} without --from, when you need it.`,
      },
    );
  }
  const reason = validateReason(input.reason, false);
  const ticket = validateTicket(input.ticket);
  const durationSeconds = parseDuration(input.duration, {
    nowMs: now,
    ...(input.requester.timeZone ? { zone: input.requester.timeZone } : {}),
  });
  const principal = await principalOf(ctx, input.requester);
  const principalId = parsePrincipalId(principal.principalId);
  // The policy first: a group no rule offers this person is refused before the identity store is asked.
  const refusal = decideGroup(ctx, principal, name, durationSeconds, new Set());
  if (refusal.outcome === 'deny' && refusal.maxDurationSeconds === undefined) throw denied(refusal, name, 0);
  const group = await groupByText(ctx, input.account);
  const key = membershipSlot({ principalId, groupId: group.id });

  const holder = await liveHolder(ctx, key);
  const addsTime = holder !== undefined && input.addsTime === true;
  const remaining = !addsTime
    ? 0
    : holder.expiresAt !== undefined
      ? Math.max(0, Math.ceil((holder.expiresAt - now) / 1000))
      : holder.durationSeconds;
  const probe = { principal, group: { name: group.name }, durationSeconds: remaining + durationSeconds };
  const onCall = await onCallSchedulesOf(ctx, principal.email, onCallRefsToCheck(policy, probe));
  const decision = decide(policy, { ...probe, onCall });
  if (decision.outcome === 'deny') throw denied(decision, group.name, remaining);

  const kind: RequestKind = holder ? 'extension' : 'grant';
  const immediate = decision.outcome === 'auto_approve';
  const id = requestIdFor(ctx, input.idempotencyKey);
  const created = requestCreated(
    {
      id,
      status: immediate ? 'approved' : 'pending',
      kind,
      requester: input.requester,
      principalId,
      principalName: principal.userName,
      ...groupTargetFields(group),
      group,
      durationSeconds,
      reason,
      ...(ticket ? { ticket } : {}),
      rule: decision.rule ?? 'none',
      ...(decision.approvers ? { approvers: decision.approvers } : {}),
      approvalsRequired: immediate ? 0 : (decision.approvers?.count ?? 1),
      selfApproval: decision.selfApproval,
      approvals: [],
      ...(holder ? { extendsGrantId: holder.id } : {}),
      ...(decision.maxDurationSeconds !== undefined ? { capSeconds: decision.maxDurationSeconds } : {}),
      ...(addsTime ? { addsTime: true } : {}),
      ...(decision.onCallSchedule ? { onCallSchedule: decision.onCallSchedule } : {}),
      ...(!immediate && decision.escalation ? { escalation: escalationPlan(decision.escalation, now) } : {}),
      createdAt: now,
      decideBy: now + policy.approvalWindowSeconds * 1000,
      ...(immediate ? { decidedAt: now } : {}),
    },
    userActor(input.requester),
  ).next;

  try {
    await ctx.store.createRequest(created);
  } catch (error) {
    const existing = input.idempotencyKey ? await ctx.store.getRequest(id) : undefined;
    if (existing) return { request: existing, decision, duplicate: true };
    throw error;
  }
  ctx.logger.info(
    {
      requestId: id,
      principal: principal.userName,
      group: group.name,
      platform: input.requester.platform,
      code: decision.outcome,
    },
    'group membership requested',
  );
  if (immediate) {
    if (created.onCallSchedule) {
      await ctx.publish({
        type: 'on_call_auto_approved',
        request: created,
        ...(decision.channels ? { channels: decision.channels } : {}),
      });
    }
    fulfilInBackground(ctx, created);
  } else {
    await ctx.publish({
      type: 'request_submitted',
      request: created,
      approverEmails: await approverEmails(ctx, created),
      ...(decision.channels ? { channels: decision.channels } : {}),
    });
  }
  return { request: created, decision, duplicate: false };
}

function decideGroup(
  ctx: EngineContext,
  principal: Principal,
  name: string,
  durationSeconds: number,
  onCall: ReadonlySet<string>,
): Decision {
  return decide(ctx.policy(), { principal, group: { name }, durationSeconds, onCall });
}

function denied(decision: Decision, name: string, remaining: number): KeylessError {
  return new KeylessError(ErrorCodes.PolicyDenied, `Access denied: ${decision.reason}.`, {
    hint:
      decision.maxDurationSeconds !== undefined
        ? `Ask for ${formatDuration(Math.max(60, decision.maxDurationSeconds - remaining))} or less.`
        : `Run \`why group:${name}\` to see which rules apply.`,
    details: { rule: decision.rule ?? 'none' },
  });
}

/** `why group:<name>`: the policy's answer for this person, in one sentence (no AWS call). */
export async function explainGroup(
  ctx: EngineContext,
  input: { user: Parameters<typeof principalOf>[1]; group: string },
) {
  const name = groupNameFromText(input.group) ?? input.group.trim();
  const principal = await principalOf(ctx, input.user);
  const policy = ctx.policy();
  const max = maxRequestableSeconds(policy, { principal, group: { name } });
  return decide(policy, { principal, group: { name }, durationSeconds: max ?? 60 });
}
