import {
  ErrorCodes,
  KeylessError,
  assignmentKeyString,
  decide,
  describePeople,
  onCallRefsToCheck,
  policyDurationSeconds,
  formatDuration,
  formatLocalTime,
  isLiveGrant,
  grantAssignment,
  grantSpan,
  maxStartAheadSeconds,
  normalizeEmail,
  parseStartTime,
  spansOverlap,
  ABSOLUTE_MAX_SECONDS,
  parseDuration,
  parsePrincipalId,
  requestCreated,
  sessionOutlives,
  sessionOutlivesText,
  userActor,
  type AccessRequest,
  type ApproverSpec,
  type ChatUser,
  type EscalationSpec,
  type RequestEscalation,
  type Decision,
  type Grant,
  type RequestId,
  type RequestKind,
  type RequestBundle,
} from '../domain';
import type { EngineContext } from './deps';
import { fulfilInBackground } from './fulfil-request';
import { accountByText, permissionSetByText, principalOf } from './identity';
import { onCallEmails, onCallSchedulesOf } from './on-call';
import { expiryCutsSessions } from './session-cut';

export interface RequestAccessInput {
  requester: ChatUser;
  /** Account id or exact name. */
  account: string;
  /** Permission set name (or ARN). */
  permissionSet: string;
  /** As typed: `2h`, `90m`, `PT2H`, `until 18:00`… */
  duration: string;
  /**
   * Access that starts later, as typed (`09:00`, `tomorrow 09:00`, an ISO date-time), read in the
   * requester's time zone (UTC when unknown). Absent or `now`: at once.
   */
  start?: string;
  reason: string;
  ticket?: string;
  breakGlass?: boolean;
  /**
   * `extend`: the time asked is added to the live grant's end. Otherwise a request for a live
   * (user, account, permission set) ends it at the later of the two ends. Both are cut to the cap.
   */
  addsTime?: boolean;
  /**
   * A key unique to this submission (a chat delivery or view id). A retry with the same key returns
   * the request already created instead of a second one.
   */
  idempotencyKey?: string;
  /**
   * One account of a multi-account request (request-bundle.ts): recorded on the request, and the
   * bundle announces itself once (`bundle_submitted`) instead of each request on its own.
   */
  bundle?: RequestBundle;
  /** Decide only: everything is checked and the request returned, but nothing is written or told. */
  dryRun?: boolean;
}

export interface RequestAccessResult {
  request: AccessRequest;
  decision: Decision;
  /**
   * Said to the requester with the answer (and on the approval message, from the request's
   * `sessionOutlives`): the permission set's sessions last longer than the grant.
   */
  sessionWarning?: string;
  /** True when the same submission had already been received. */
  duplicate: boolean;
}

const MAX_REASON = 500;
const TICKET = /^(https:\/\/\S{1,300}|[A-Z][A-Z0-9]{1,15}-\d{1,9})$/;

export function validateReason(reason: string, breakGlass: boolean): string {
  const text = reason.trim().replace(/\s+/g, ' ');
  if (text.length < 3) {
    throw new KeylessError(
      ErrorCodes.ReasonRequired,
      breakGlass ? 'Break-glass needs a reason: say what is on fire.' : 'Please give a reason for this access.',
      { hint: 'For example: "INC-1234 restore the payments queue".' },
    );
  }
  if (text.length > MAX_REASON) {
    throw new KeylessError(
      ErrorCodes.InvalidInput,
      `The reason is ${text.length} characters long; keep it under ${MAX_REASON}.`,
    );
  }
  return text;
}

export function validateTicket(ticket: string | undefined): string | undefined {
  const t = ticket?.trim();
  if (!t) return undefined;
  if (!TICKET.test(t)) {
    throw new KeylessError(ErrorCodes.InvalidInput, `"${t}" is not a ticket link or key.`, {
      hint: 'Use an https:// link or a key such as OPS-123.',
    });
  }
  return t;
}

export function requestIdFor(ctx: EngineContext, idempotencyKey: string | undefined): RequestId {
  if (!idempotencyKey) return ctx.ids.next('request') as RequestId;
  // The same submission always maps to the same id, so a retry collides with the first write.
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < idempotencyKey.length; i++) {
    const c = idempotencyKey.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `r${h1.toString(36)}${h2.toString(36)}`.padEnd(8, '0') as RequestId;
}

/**
 * Request access. Decides with the policy, records the request, and either waits for approvers,
 * or (auto-approval, break-glass) starts provisioning at once in the background. A request for a
 * (user, account, permission set) that already has a live grant becomes an extension of it.
 */
export async function requestAccess(ctx: EngineContext, input: RequestAccessInput): Promise<RequestAccessResult> {
  const now = ctx.clock.now();
  const policy = ctx.policy();
  const breakGlass = input.breakGlass === true;
  const reason = validateReason(input.reason, breakGlass);
  const ticket = validateTicket(input.ticket);
  const zone = input.requester.timeZone ? { zone: input.requester.timeZone } : {};
  // Read first with the widest bound; the rule's own bound (`maxStartAhead`) is checked once decided.
  const startsAt = parseStartTime(input.start, { nowMs: now, ...zone, maxAheadSeconds: ABSOLUTE_MAX_SECONDS });
  if (startsAt !== undefined && (breakGlass || input.addsTime === true)) {
    throw new KeylessError(
      ErrorCodes.InvalidInput,
      breakGlass ? 'Break-glass is access now: it cannot start later.' : 'More time on a grant cannot start later.',
      { hint: breakGlass ? 'Leave --from out.' : 'Ask for a new request with --from instead.' },
    );
  }
  // `until 18:00` counts from the start: the duration is the access itself, never the wait before it.
  const durationSeconds = parseDuration(input.duration, { nowMs: startsAt ?? now, ...zone });
  const [principal, account, permissionSet] = await Promise.all([
    principalOf(ctx, input.requester),
    accountByText(ctx, input.account),
    permissionSetByText(ctx, input.permissionSet),
  ]);
  const principalId = parsePrincipalId(principal.principalId);
  const key = { principalId, accountId: account.id, permissionSetArn: permissionSet.arn };

  // Access that starts later never extends the live grant: it must not overlap it (nor any other
  // scheduled grant of the same access), so each span of access has exactly one grant.
  await refuseOverlap(
    ctx,
    key,
    { from: startsAt ?? now, to: (startsAt ?? now) + durationSeconds * 1000 },
    startsAt,
    input.requester.timeZone,
  );
  const holder = startsAt === undefined ? await liveHolder(ctx, key) : undefined;
  // `extend` asks for the access that will remain after it: what is left, plus the new time. Another
  // request for a live grant asks only for its own time (the grant then ends at the later end).
  const addsTime = holder !== undefined && input.addsTime === true;
  const remaining = !addsTime
    ? 0
    : holder.expiresAt !== undefined
      ? Math.max(0, Math.ceil((holder.expiresAt - now) / 1000))
      : holder.durationSeconds;
  const probe = { principal, account, permissionSet, durationSeconds: remaining + durationSeconds, breakGlass };
  // Only the schedules that can change this decision are asked about (through the short cache).
  const onCall = await onCallSchedulesOf(ctx, principal.email, onCallRefsToCheck(policy, probe));
  const decision = decide(policy, { ...probe, onCall });
  if (decision.outcome === 'deny') {
    throw new KeylessError(ErrorCodes.PolicyDenied, `Access denied: ${decision.reason}.`, {
      hint:
        decision.maxDurationSeconds !== undefined
          ? `Ask for ${formatDuration(Math.max(60, decision.maxDurationSeconds - remaining))} or less.`
          : `Run \`why ${account.id} ${permissionSet.name}\` to see which rules apply.`,
      details: { rule: decision.rule ?? 'none' },
    });
  }

  // Sessions opened during the grant last the permission set's session duration, whatever its end.
  const holderLeft =
    holder === undefined
      ? 0
      : holder.expiresAt !== undefined
        ? Math.max(0, Math.ceil((holder.expiresAt - now) / 1000))
        : holder.durationSeconds;
  const grantSeconds = addsTime ? remaining + durationSeconds : Math.max(holderLeft, durationSeconds);
  const outlives = sessionOutlives(
    permissionSet.sessionDurationSeconds,
    grantSeconds,
    expiryCutsSessions(ctx, decision.rule, account.id),
  );

  if (startsAt !== undefined) {
    // The rule that decided bounds how far ahead one may ask (else the policy's `maxStartAhead`).
    parseStartTime(input.start, { nowMs: now, ...zone, maxAheadSeconds: maxStartAheadSeconds(policy, decision.rule) });
  }

  const kind: RequestKind = holder ? 'extension' : breakGlass ? 'break_glass' : 'grant';
  const immediate = decision.outcome === 'auto_approve' || decision.outcome === 'break_glass';
  const id = requestIdFor(ctx, input.idempotencyKey);
  const created = requestCreated(
    {
      id,
      status: immediate ? 'approved' : 'pending',
      kind,
      requester: input.requester,
      principalId,
      principalName: principal.userName,
      accountId: account.id,
      accountName: account.name,
      permissionSetArn: permissionSet.arn,
      permissionSetName: permissionSet.name,
      durationSeconds,
      reason,
      ...(ticket ? { ticket } : {}),
      ...(startsAt !== undefined ? { startsAt } : {}),
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
      ...(outlives ? { sessionOutlives: outlives } : {}),
      ...(input.bundle ? { bundle: input.bundle } : {}),
      createdAt: now,
      decideBy: now + policy.approvalWindowSeconds * 1000,
      ...(immediate ? { decidedAt: now } : {}),
    },
    userActor(input.requester),
  ).next;

  if (input.dryRun) return { request: created, decision, duplicate: false, ...warningOf(created) };
  try {
    await ctx.store.createRequest(created);
  } catch (error) {
    const existing = input.idempotencyKey ? await ctx.store.getRequest(id) : undefined;
    if (existing) return { request: existing, decision, duplicate: true, ...warningOf(existing) };
    throw error;
  }
  ctx.logger.info(
    {
      requestId: id,
      principal: principal.userName,
      accountId: account.id,
      permissionSet: permissionSet.name,
      platform: input.requester.platform,
      code: decision.outcome,
    },
    'access requested',
  );

  if (immediate) {
    if (created.onCallSchedule) {
      ctx.logger.info({ requestId: id, schedule: created.onCallSchedule }, 'auto-approved: the requester is on call');
      await ctx.publish({
        type: 'on_call_auto_approved',
        request: created,
        ...(decision.channels ? { channels: decision.channels } : {}),
      });
    }
    fulfilInBackground(ctx, created);
  } else if (!input.bundle) {
    await ctx.publish({
      type: 'request_submitted',
      request: created,
      approverEmails: await approverEmails(ctx, created),
      ...(decision.channels ? { channels: decision.channels } : {}),
    });
  }
  return { request: created, decision, duplicate: false, ...warningOf(created) };
}

function warningOf(request: AccessRequest): { sessionWarning?: string } {
  return request.sessionOutlives
    ? { sessionWarning: sessionOutlivesText(request.permissionSetName, request.sessionOutlives) }
    : {};
}

/**
 * The one-active-grant guard over time: a request whose span overlaps a live grant (when it starts
 * later) or a scheduled grant of the same (user, account, permission set) is refused, saying which
 * and until when. A request for now on a live grant is an extension, not an overlap.
 */
async function refuseOverlap(
  ctx: EngineContext,
  key: Parameters<EngineContext['store']['getActiveSlot']>[0],
  span: { from: number; to: number },
  startsAt: number | undefined,
  zone: string | undefined,
): Promise<void> {
  const now = ctx.clock.now();
  const same = (g: Grant) => assignmentKeyString(grantAssignment(g)) === assignmentKeyString(key);
  const scheduled = (await ctx.store.listGrants({ status: 'scheduled' })).filter(same);
  const holderId = startsAt !== undefined ? await ctx.store.getActiveSlot(key) : undefined;
  const holder = holderId ? await ctx.store.getGrant(holderId) : undefined;
  const live = holder && isLiveGrant(holder) && holder.status !== 'deprovisioning' ? [holder] : [];
  const clash = [...live, ...scheduled].find((g) => spansOverlap(span, grantSpan(g, now)));
  if (!clash) return;
  const clashSpan = grantSpan(clash, now);
  throw new KeylessError(
    ErrorCodes.OverlappingGrant,
    clash.status === 'scheduled'
      ? `You already have this access scheduled from ${formatLocalTime(clashSpan.from, zone)} to ${formatLocalTime(clashSpan.to, zone)} (grant ${clash.id}).`
      : `You already have this access until ${formatLocalTime(clashSpan.to, zone)} (grant ${clash.id}).`,
    {
      hint:
        clash.status === 'scheduled'
          ? `Cancel it (\`revoke ${clash.id}\`) or ask for a time that does not overlap it.`
          : `Ask to start after it ends, or use \`extend ${clash.id}\` for more time.`,
      details: { grantId: clash.id, status: clash.status },
    },
  );
}

export async function liveHolder(
  ctx: EngineContext,
  key: Parameters<EngineContext['store']['getActiveSlot']>[0],
): Promise<Grant | undefined> {
  const holderId = await ctx.store.getActiveSlot(key);
  if (!holderId) return undefined;
  const holder = await ctx.store.getGrant(holderId);
  if (!holder || !isLiveGrant(holder) || holder.status === 'deprovisioning') return undefined;
  ctx.logger.debug({ grantId: holderId, slot: assignmentKeyString(key) }, 'request becomes an extension');
  return holder;
}

/** The reminder and escalation instants of a request made at `now`, from its rule. */
export function escalationPlan(spec: EscalationSpec, now: number): RequestEscalation {
  const at = (d: string | undefined) => {
    const s = d === undefined ? undefined : policyDurationSeconds(d);
    return s === undefined ? undefined : now + s * 1000;
  };
  const remindAt = at(spec.remindAfter);
  const escalateAt = at(spec.escalateAfter);
  return {
    ...(remindAt !== undefined ? { remindAt } : {}),
    ...(escalateAt !== undefined && spec.to ? { escalateAt, to: spec.to } : {}),
  };
}

/**
 * The emails of everyone who may approve a request (the requester only when self-approval is on):
 * the members of its groups, its emails, and whoever is on call now on its schedules. `spec`
 * defaults to the rule's approvers (an escalation passes the set it escalates to).
 */
export async function approverEmails(
  ctx: EngineContext,
  request: AccessRequest,
  spec: Omit<ApproverSpec, 'count'> | undefined = request.approvers,
): Promise<string[]> {
  if (!spec) return [];
  const members = await Promise.all(spec.groups.filter((g) => g !== '*').map((g) => ctx.identity.listGroupMembers(g)));
  const emails = new Map<string, string>();
  for (const p of members.flat()) {
    if (p.principalId !== request.principalId || request.selfApproval) emails.set(normalizeEmail(p.email), p.email);
  }
  for (const e of spec.emails) emails.set(normalizeEmail(e), e);
  for (const e of await onCallEmails(ctx, spec.oncall ?? [])) emails.set(normalizeEmail(e), e);
  if (!request.selfApproval && request.requester.email) emails.delete(normalizeEmail(request.requester.email));
  ctx.logger.debug(
    { requestId: request.id, approvers: describePeople(spec), count: emails.size },
    'approvers resolved',
  );
  return [...emails.values()];
}
