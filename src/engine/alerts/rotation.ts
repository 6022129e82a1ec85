import {
  DAY_MS,
  ErrorCodes,
  KeylessError,
  dedupeKeys,
  isRotationActive,
  last4,
  matchesPeople,
  observeRotation,
  ownerFromTags,
  rotationChanged,
  systemActor,
  userActor,
  type Alert,
  type ChatUser,
  type KeyRotation,
  type LiveKey,
} from '../../domain';
import { resolveChatUser } from '../identity';
import { announceChange, commitAlert, loadAlert, publish } from './commit';
import type { AlertContext, ScanAccount } from './deps';
import { recordFinding } from './record-finding';

/**
 * The rotation assistant (issue 19) on the alerts of keys past their rotation age: it starts a
 * rotation (one message to the key's owner, or the security channel), watches the user's keys on
 * every scan, offers Deactivate and then Delete (both approval-gated), and flags a rollback.
 * keyless never creates a key and never handles a secret.
 */

const ROTATOR = systemActor('key-rotation');
const REMEDIATION = systemActor('key-remediation');

/** The user's keys with their last use, read live (ListAccessKeys, GetAccessKeyLastUsed). */
async function liveKeys(ctx: AlertContext, accountId: string, userName: string): Promise<LiveKey[]> {
  const scanner = ctx.scanner;
  if (!scanner) throw new KeylessError(ErrorCodes.ConfigInvalid, 'No IAM scanner is configured.');
  const keys = await scanner.listAccessKeys(accountId, userName);
  const out: LiveKey[] = [];
  for (const k of keys) {
    const used = await scanner.keyLastUsed(accountId, k.accessKeyId);
    out.push({ ...k, lastUsedAt: used.lastUsedAt });
  }
  return out;
}

const isDetailed = (keys: readonly LiveKey[] | undefined): keys is LiveKey[] =>
  keys !== undefined && keys.every((k) => k.lastUsedAt !== undefined);

const waitMs = (ctx: AlertContext) => ctx.policy().alerts.rotation.deleteAfterDays * DAY_MS;

/**
 * After a scan of one account: starts a rotation for each open stale-key alert that has none, and
 * moves every rotation in progress on. `known` holds keys the scan already read live (no re-read).
 */
export async function rotateKeys(
  ctx: AlertContext,
  account: ScanAccount,
  known: ReadonlyMap<string, readonly LiveKey[]> = new Map(),
): Promise<void> {
  const spec = ctx.policy().alerts.rotation;
  for (const alert of await ctx.store.listLiveAlerts({ accountId: account.id })) {
    const { accessKeyId, userName, kind } = alert.finding;
    if (kind !== 'stale_access_key' || !accessKeyId || !userName) continue;
    try {
      const cached = known.get(userName);
      const keys = isDetailed(cached as LiveKey[] | undefined)
        ? [...cached!]
        : await liveKeys(ctx, account.id, userName);
      if (!alert.rotation) {
        if (spec.enabled && alert.status === 'open') await startRotation(ctx, alert, keys);
      } else if (isRotationActive(alert.rotation)) {
        await advanceRotation(ctx, alert, keys);
      }
    } catch (error) {
      ctx.logger.warn(
        { accountId: account.id, keyLast4: last4(accessKeyId), err: error },
        'key rotation could not be checked',
      );
    }
  }
}

async function startRotation(ctx: AlertContext, alert: Alert, keys: LiveKey[]): Promise<void> {
  const now = ctx.clock.now();
  const { account, userName } = alert.finding;
  const tags = ctx.scanner?.listUserTags ? await ctx.scanner.listUserTags(account.id, userName!) : undefined;
  const owner = ownerFromTags(tags, ctx.policy().alerts.rotation.ownerTag);
  const fresh: KeyRotation = {
    step: 'waiting_new_key',
    startedAt: now,
    ...(owner ? { owner } : {}),
    deletion: { status: 'none' },
    messages: [],
    checkedAt: now,
  };
  const rotation = observeRotation(fresh, {
    oldKeyId: alert.finding.accessKeyId!,
    keys,
    remediation: alert.remediation,
    now,
    waitMs: waitMs(ctx),
  });
  const { alert: started, changed } = await commitAlert(
    ctx,
    alert.dedupeKey,
    (a) => (a.rotation ? undefined : { type: 'rotation_started', actor: ROTATOR, at: now, rotation }),
    alert,
  );
  if (changed) await postRotation(ctx, started);
}

/** Posts the rotation's one message and records where it went. */
async function postRotation(ctx: AlertContext, alert: Alert): Promise<Alert> {
  const messages = await publish(ctx, { type: 'rotation_posted', alert });
  if (messages.length === 0) return alert;
  const { alert: next } = await commitAlert(ctx, alert.dedupeKey, () => ({
    type: 'rotation_posted',
    actor: ROTATOR,
    at: ctx.clock.now(),
    messages,
  }));
  return next;
}

/** Re-derives the rotation from the keys; a change updates its message, and a rollback is flagged. */
async function advanceRotation(ctx: AlertContext, alert: Alert, keys: LiveKey[]): Promise<Alert> {
  const now = ctx.clock.now();
  const before = alert.rotation!;
  const next = observeRotation(before, {
    oldKeyId: alert.finding.accessKeyId!,
    keys,
    remediation: alert.remediation,
    now,
    waitMs: waitMs(ctx),
  });
  let current = alert;
  if (rotationChanged(before, next)) {
    const { alert: stored, changed } = await commitAlert(
      ctx,
      alert.dedupeKey,
      (a) =>
        isRotationActive(a.rotation)
          ? { type: 'rotation_observed', actor: ROTATOR, at: now, rotation: next }
          : undefined,
      alert,
    );
    current = stored;
    if (changed) {
      if (next.step === 'rolled_back' && before.step !== 'rolled_back') await flagRollback(ctx, stored);
      if (before.step === 'rolled_back' && next.step !== 'rolled_back') await clearRollback(ctx, stored);
      await announceChange(ctx, stored, `rotation:${next.step}`);
    }
  }
  if (current.rotation && current.rotation.messages.length === 0) current = await postRotation(ctx, current);
  return current;
}

/** Re-reads the keys of a rotation now (after Deactivate, Reactivate or Delete), not at the next scan. */
export async function refreshRotation(ctx: AlertContext, alert: Alert): Promise<Alert> {
  if (!isRotationActive(alert.rotation)) return alert;
  const keys = await liveKeys(ctx, alert.finding.account.id, alert.finding.userName!);
  return advanceRotation(ctx, alert, keys);
}

const rollbackKey = (a: Alert) =>
  dedupeKeys.key(a.finding.account.id, a.finding.accessKeyId!, 'key_rotation_rolled_back');

async function flagRollback(ctx: AlertContext, alert: Alert): Promise<void> {
  const r = alert.rotation!;
  const now = ctx.clock.now();
  await recordFinding(ctx, {
    dedupeKey: rollbackKey(alert),
    kind: 'key_rotation_rolled_back',
    severity: 'high',
    delivery: 'immediate',
    source: 'monitor',
    account: alert.finding.account,
    principal: alert.finding.principal,
    title: 'A rotated access key was used again after it was deactivated',
    advice:
      'Something still depends on the old key, or it was re-enabled: find what used it, move it to the new key, then deactivate the old key again.',
    evidence: {
      keyLast4: last4(alert.finding.accessKeyId!),
      lastUsedAt: r.oldKeyLastUsedAt ?? null,
      checkedAt: now,
    },
    observedAt: now,
    accessKeyId: alert.finding.accessKeyId!,
    userName: alert.finding.userName!,
  });
}

async function clearRollback(ctx: AlertContext, alert: Alert): Promise<void> {
  const flagged = await ctx.store.getAlert(rollbackKey(alert));
  if (!flagged || flagged.status === 'resolved') return;
  const now = ctx.clock.now();
  const { alert: next, changed } = await commitAlert(
    ctx,
    flagged.dedupeKey,
    (a) =>
      a.status === 'resolved'
        ? undefined
        : { type: 'resolve', actor: ROTATOR, at: now, reason: 'the old key is inactive again' },
    flagged,
  );
  if (changed) await announceChange(ctx, next, 'resolved');
}

/**
 * A request (Deactivate, Delete) must reach a security approver: a rotation told only its owner (a
 * direct message) and an alert not yet in a digest are posted to the security channel.
 */
export async function showToApprovers(ctx: AlertContext, alert: Alert): Promise<Alert> {
  if (alert.messages.length > 0 || alert.digestId) return alert;
  const messages = await publish(ctx, { type: 'alert_raised', alert });
  if (messages.length === 0) return alert;
  const { alert: next } = await commitAlert(ctx, alert.dedupeKey, () => ({
    type: 'posted',
    actor: ROTATOR,
    at: ctx.clock.now(),
    messages,
  }));
  return next;
}

async function principalOf(ctx: AlertContext, user: ChatUser) {
  return resolveChatUser(
    ctx.directory,
    user,
    `I could not read a verified email for you on ${user.platform}, so I cannot tell who you are.`,
  );
}

/** Delete, step 1: the rotation must be at ready_to_delete (re-checked live now). */
export async function requestDeletion(
  ctx: AlertContext,
  input: { dedupeKey: string; actor: ChatUser },
): Promise<Alert> {
  await principalOf(ctx, input.actor);
  let current = await loadAlert(ctx, input.dedupeKey);
  if (!current.rotation) throw new KeylessError(ErrorCodes.InvalidInput, 'This alert has no key rotation.');
  current = await refreshRotation(ctx, current);
  const { alert, changed } = await commitAlert(ctx, input.dedupeKey, () => ({
    type: 'deletion_requested',
    actor: userActor(input.actor),
    at: ctx.clock.now(),
  }));
  if (!changed) return alert;
  const shown = await showToApprovers(ctx, alert);
  await announceChange(ctx, shown, 'deletion_requested');
  return shown;
}

async function requireDeletionApprover(ctx: AlertContext, alert: Alert, actor: ChatUser): Promise<void> {
  const spec = ctx.options.securityApprovers ?? ctx.policy().admins;
  if (!matchesPeople(spec, await principalOf(ctx, actor))) {
    throw new KeylessError(ErrorCodes.NotEligibleApprover, 'Only a security approver can decide on deleting a key.');
  }
  if (alert.rotation?.deletion.requestedBy?.id === userActor(actor).id) {
    throw new KeylessError(
      ErrorCodes.SelfApprovalForbidden,
      'You asked for this deletion; another security approver must approve it.',
    );
  }
}

/**
 * Delete, step 2: approved → the keys are re-read → DeleteAccessKey only if the old key is still
 * inactive and unused since its deactivation. Recorded in the alert's history; nothing undoes it.
 */
export async function approveDeletion(
  ctx: AlertContext,
  input: { dedupeKey: string; actor: ChatUser },
): Promise<Alert> {
  const remediator = ctx.remediator;
  if (!remediator?.deleteAccessKey) {
    throw new KeylessError(ErrorCodes.ConfigInvalid, 'Key deletion is not configured (no remediation role).');
  }
  const current = await loadAlert(ctx, input.dedupeKey);
  const status = current.rotation?.deletion.status;
  if (status === 'approved' || status === 'done') return current;
  if (status !== 'pending_approval') {
    throw new KeylessError(ErrorCodes.InvalidTransition, 'There is no deletion waiting for approval here.');
  }
  await requireDeletionApprover(ctx, current, input.actor);
  const { alert: approved, changed } = await commitAlert(ctx, input.dedupeKey, (a) =>
    a.rotation?.deletion.status === 'pending_approval'
      ? { type: 'deletion_approved', actor: userActor(input.actor), at: ctx.clock.now() }
      : undefined,
  );
  if (!changed) return approved;
  const { account, userName, accessKeyId } = approved.finding;
  try {
    const checked = await refreshRotation(ctx, approved);
    if (checked.rotation?.step !== 'ready_to_delete') {
      throw new KeylessError(
        ErrorCodes.InvalidTransition,
        checked.rotation?.step === 'deleted'
          ? 'The old key is already gone.'
          : 'The old key is no longer safe to delete (it was used again, or is active): not deleted.',
      );
    }
    await remediator.deleteAccessKey(account.id, userName!, accessKeyId!);
    const { alert } = await commitAlert(ctx, input.dedupeKey, () => ({
      type: 'key_deleted',
      actor: REMEDIATION,
      at: ctx.clock.now(),
    }));
    ctx.logger.info(
      { accountId: account.id, actor: userActor(input.actor).id, keyLast4: last4(accessKeyId!) },
      'access key deleted',
    );
    await announceChange(ctx, alert, 'deleted');
    return alert;
  } catch (error) {
    const { alert } = await commitAlert(ctx, input.dedupeKey, (a) =>
      a.rotation?.deletion.status === 'approved'
        ? {
            type: 'deletion_failed',
            actor: REMEDIATION,
            at: ctx.clock.now(),
            message: (error as Error).message.slice(0, 300),
          }
        : undefined,
    );
    await announceChange(ctx, alert, 'deletion_failed');
    throw error;
  }
}

export async function denyDeletion(
  ctx: AlertContext,
  input: { dedupeKey: string; actor: ChatUser; reason?: string },
): Promise<Alert> {
  const current = await loadAlert(ctx, input.dedupeKey);
  await requireDeletionApprover(ctx, current, input.actor);
  const { alert, changed } = await commitAlert(ctx, input.dedupeKey, (a) =>
    a.rotation?.deletion.status === 'pending_approval'
      ? {
          type: 'deletion_denied',
          actor: userActor(input.actor),
          at: ctx.clock.now(),
          reason: input.reason?.trim().slice(0, 500) || 'denied',
        }
      : undefined,
  );
  if (changed) await announceChange(ctx, alert, 'deletion_denied');
  return alert;
}
