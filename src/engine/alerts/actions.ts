import {
  ErrorCodes,
  KeylessError,
  matchesPeople,
  parseDuration,
  systemActor,
  transitionAlert,
  userActor,
  type Alert,
  type ChatUser,
  type Principal,
  type Remediation,
  type RootWindow,
} from '../../domain';
import { resolveChatUser } from '../identity';
import { announceChange, commitAlert, loadAlert } from './commit';
import type { AlertContext } from './deps';
import { refreshRotation, showToApprovers } from './rotation';

const REMEDIATION = systemActor('key-remediation');
export const SNOOZE_DAYS = [7, 30] as const;

function principalOf(ctx: AlertContext, user: ChatUser): Promise<Principal> {
  return resolveChatUser(
    ctx.directory,
    user,
    `I could not read a verified email for you on ${user.platform}, so I cannot tell who you are.`,
  );
}

/** Deactivations are approved by a security approver (default: the policy's admins), never the requester. */
async function requireApprover(ctx: AlertContext, alert: Alert, actor: ChatUser): Promise<void> {
  const spec = ctx.options.securityApprovers ?? ctx.policy().admins;
  const principal = await principalOf(ctx, actor);
  if (!matchesPeople(spec, principal)) {
    throw new KeylessError(
      ErrorCodes.NotEligibleApprover,
      'Only a security approver can decide on a key deactivation.',
    );
  }
  if (alert.remediation?.requestedBy?.id === userActor(actor).id) {
    throw new KeylessError(
      ErrorCodes.SelfApprovalForbidden,
      'You asked for this deactivation; another security approver must approve it.',
    );
  }
}

export async function acknowledge(ctx: AlertContext, input: { dedupeKey: string; actor: ChatUser }): Promise<Alert> {
  const now = ctx.clock.now();
  const { alert, changed } = await commitAlert(ctx, input.dedupeKey, (a) =>
    a.status === 'acknowledged' ? undefined : { type: 'acknowledge', actor: userActor(input.actor), at: now },
  );
  if (changed) await announceChange(ctx, alert, 'acknowledged');
  return alert;
}

export async function snooze(
  ctx: AlertContext,
  input: { dedupeKey: string; actor: ChatUser; days: number; reason: string },
): Promise<Alert> {
  if (!(SNOOZE_DAYS as readonly number[]).includes(input.days)) {
    throw new KeylessError(ErrorCodes.InvalidInput, `An alert can be snoozed for ${SNOOZE_DAYS.join(' or ')} days.`);
  }
  const reason = input.reason.trim().slice(0, 500);
  if (!reason) throw new KeylessError(ErrorCodes.ReasonRequired, 'Say why this alert can wait.');
  const now = ctx.clock.now();
  const { alert, changed } = await commitAlert(ctx, input.dedupeKey, () => ({
    type: 'snooze',
    actor: userActor(input.actor),
    at: now,
    until: now + input.days * 86_400_000,
    reason,
  }));
  if (changed) await announceChange(ctx, alert, 'snoozed');
  return alert;
}

function requireRemediation(ctx: AlertContext) {
  if (!ctx.scanner || !ctx.remediator) {
    throw new KeylessError(ErrorCodes.ConfigInvalid, 'Key deactivation is not configured (no remediation role).');
  }
  return { scanner: ctx.scanner, remediator: ctx.remediator };
}

/** Re-reads a key's state: owner and last use (GetAccessKeyLastUsed), status (ListAccessKeys). */
async function checkKey(ctx: AlertContext, accountId: string, accessKeyId: string) {
  const { scanner } = requireRemediation(ctx);
  const used = await scanner.keyLastUsed(accountId, accessKeyId);
  const key = (await scanner.listAccessKeys(accountId, used.userName)).find((k) => k.accessKeyId === accessKeyId);
  if (!key) throw new KeylessError(ErrorCodes.InvalidInput, 'This access key no longer exists.');
  const checked: NonNullable<Remediation['checked']> = {
    status: key.status,
    lastUsedAt: used.lastUsedAt,
    ...(used.service ? { service: used.service } : {}),
    ...(used.region ? { region: used.region } : {}),
    at: ctx.clock.now(),
  };
  return { userName: used.userName, checked };
}

/** Deactivate key, step 1: re-check the key and show its recent use; a security approver decides. */
export async function requestDeactivation(
  ctx: AlertContext,
  input: { dedupeKey: string; actor: ChatUser },
): Promise<Alert> {
  const current = await loadAlert(ctx, input.dedupeKey);
  const accessKeyId = current.finding.accessKeyId;
  if (!accessKeyId) throw new KeylessError(ErrorCodes.InvalidInput, 'This alert is not about an access key.');
  await principalOf(ctx, input.actor);
  const { userName, checked } = await checkKey(ctx, current.finding.account.id, accessKeyId);
  if (checked.status === 'Inactive') {
    throw new KeylessError(ErrorCodes.InvalidInput, `Access key …${accessKeyId.slice(-4)} is already inactive.`);
  }
  const { alert, changed } = await commitAlert(ctx, input.dedupeKey, () => ({
    type: 'deactivation_requested',
    actor: userActor(input.actor),
    at: ctx.clock.now(),
    accessKeyId,
    userName,
    checked,
  }));
  if (!changed) return alert;
  const shown = alert.rotation ? await showToApprovers(ctx, alert) : alert;
  await announceChange(ctx, shown, 'deactivation_requested');
  return shown;
}

/** Step 2: approved → re-check → UpdateAccessKey Status=Inactive through the remediation role. */
export async function approveDeactivation(
  ctx: AlertContext,
  input: { dedupeKey: string; actor: ChatUser },
): Promise<Alert> {
  const { remediator } = requireRemediation(ctx);
  const current = await loadAlert(ctx, input.dedupeKey);
  if (current.remediation?.status !== 'pending_approval') {
    if (current.remediation?.status === 'done' || current.remediation?.status === 'approved') return current;
    throw new KeylessError(ErrorCodes.InvalidTransition, 'There is no deactivation waiting for approval here.');
  }
  await requireApprover(ctx, current, input.actor);
  const { alert: approved, changed } = await commitAlert(ctx, input.dedupeKey, (a) =>
    a.remediation?.status === 'pending_approval'
      ? { type: 'deactivation_approved', actor: userActor(input.actor), at: ctx.clock.now() }
      : undefined,
  );
  if (!changed) return approved;
  const r = approved.remediation!;
  try {
    const { checked } = await checkKey(ctx, approved.finding.account.id, r.accessKeyId);
    if (checked.status === 'Active') {
      await remediator.setAccessKeyStatus(approved.finding.account.id, r.userName, r.accessKeyId, 'Inactive');
    }
    const now = ctx.clock.now();
    const { alert } = await commitAlert(ctx, input.dedupeKey, () => ({
      type: 'deactivated',
      actor: REMEDIATION,
      at: now,
      reversibleUntil: now + ctx.options.reactivateWindowMs,
    }));
    ctx.logger.info(
      { accountId: alert.finding.account.id, actor: userActor(input.actor).id, keyLast4: r.accessKeyId.slice(-4) },
      'access key deactivated',
    );
    await announceChange(ctx, alert, 'deactivated');
    return await afterKeyChange(ctx, alert);
  } catch (error) {
    const { alert } = await commitAlert(ctx, input.dedupeKey, () => ({
      type: 'deactivation_failed',
      actor: REMEDIATION,
      at: ctx.clock.now(),
      message: (error as Error).message.slice(0, 300),
    }));
    await announceChange(ctx, alert, 'deactivation_failed');
    throw error;
  }
}

export async function denyDeactivation(
  ctx: AlertContext,
  input: { dedupeKey: string; actor: ChatUser; reason?: string },
): Promise<Alert> {
  const current = await loadAlert(ctx, input.dedupeKey);
  await requireApprover(ctx, current, input.actor);
  const { alert, changed } = await commitAlert(ctx, input.dedupeKey, (a) =>
    a.remediation?.status === 'pending_approval'
      ? {
          type: 'deactivation_denied',
          actor: userActor(input.actor),
          at: ctx.clock.now(),
          reason: input.reason?.trim().slice(0, 500) || 'denied',
        }
      : undefined,
  );
  if (changed) await announceChange(ctx, alert, 'deactivation_denied');
  return alert;
}

/** Reactivate, within the reversible window: the key is Active again. */
export async function reactivate(ctx: AlertContext, input: { dedupeKey: string; actor: ChatUser }): Promise<Alert> {
  const { remediator } = requireRemediation(ctx);
  const current = await loadAlert(ctx, input.dedupeKey);
  const spec = ctx.options.securityApprovers ?? ctx.policy().admins;
  if (!matchesPeople(spec, await principalOf(ctx, input.actor))) {
    throw new KeylessError(ErrorCodes.NotEligibleApprover, 'Only a security approver can reactivate a key.');
  }
  const event = { type: 'reactivated' as const, actor: userActor(input.actor), at: ctx.clock.now() };
  if (!transitionAlert(current, event)) return current; // already reactivated: a double click
  const r = current.remediation!;
  await remediator.setAccessKeyStatus(current.finding.account.id, r.userName, r.accessKeyId, 'Active');
  const { alert, changed } = await commitAlert(ctx, input.dedupeKey, () => event);
  if (changed) await announceChange(ctx, alert, 'reactivated');
  return changed ? afterKeyChange(ctx, alert) : alert;
}

/** A rotation's step follows a key's status at once; a failed re-read waits for the next scan. */
async function afterKeyChange(ctx: AlertContext, alert: Alert): Promise<Alert> {
  try {
    return await refreshRotation(ctx, alert);
  } catch (error) {
    ctx.logger.warn({ err: error, keyLast4: alert.finding.accessKeyId?.slice(-4) }, 'rotation not re-read');
    return alert;
  }
}

/**
 * `/aws-access root-window <account> <duration> <reason>`: root activity in the window is expected.
 * It is still posted, labelled with who announced it; live root alerts in the window are relabelled.
 */
export async function announceRootWindow(
  ctx: AlertContext,
  input: { actor: ChatUser; account: string; duration: string; reason: string },
): Promise<RootWindow> {
  await principalOf(ctx, input.actor);
  const reason = input.reason.trim().slice(0, 500);
  if (!reason) throw new KeylessError(ErrorCodes.ReasonRequired, 'Say why root will be used.');
  const accounts = await ctx.refreshAccounts();
  const needle = input.account.trim().toLowerCase();
  const account = accounts.find((a) => a.id === needle) ?? accounts.find((a) => a.name.toLowerCase() === needle);
  if (!account) {
    throw new KeylessError(ErrorCodes.UnknownAccount, `I don't know an account called "${input.account.trim()}".`);
  }
  const now = ctx.clock.now();
  const seconds = parseDuration(input.duration, { nowMs: now });
  if (seconds * 1000 > ctx.options.maxRootWindowMs) {
    throw new KeylessError(ErrorCodes.DurationTooLong, 'A root window lasts at most 24 hours.');
  }
  const actor = userActor(input.actor);
  // CloudTrail events reach keyless minutes late: the window opens a quarter of an hour back.
  const window: RootWindow = {
    id: `${account.id}-${now}`,
    accountId: account.id,
    from: now - 15 * 60_000,
    until: now + seconds * 1000,
    reason,
    announcedBy: actor,
  };
  await ctx.store.addRootWindow(window);
  for (const a of await ctx.store.listLiveAlerts({ accountId: account.id })) {
    const t = a.finding.evidence.eventTime;
    if (a.finding.source !== 'cloudtrail' || t === undefined || t < window.from || t > window.until) continue;
    const { alert, changed } = await commitAlert(
      ctx,
      a.dedupeKey,
      () => ({ type: 'expected_marked', actor, at: now, expected: { by: actor, reason, until: window.until } }),
      a,
    );
    if (changed) await announceChange(ctx, alert, 'expected');
  }
  ctx.logger.info({ accountId: account.id, actor: actor.id, until: window.until }, 'root window announced');
  return window;
}
