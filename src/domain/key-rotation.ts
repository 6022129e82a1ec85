import type { KeyRotation, Remediation, RotationStep } from './alert';
import type { LiveKey } from './credential-report';

/**
 * The rotation assistant (issue 19): for an access key past its rotation age, keyless walks the
 * key's owner through the rotation and watches the account. keyless never creates a key and never
 * sees a secret: the owner creates the new key; keyless reads key ids, status and last use, and
 * offers the two steps it can take, each approval-gated: deactivate the old key (reversible) and,
 * after a waiting period with no use of the old key, delete it (recorded, never reversible).
 *
 * Steps, derived from the live keys on every scan:
 * - waiting_new_key      the old key is the newest active key: create a second one;
 * - new_key_unused       a newer active key exists, not used yet: move the users to it;
 * - ready_to_deactivate  the newer key is used while the old one is still active: offer Deactivate;
 * - old_key_deactivated  the old key is inactive, the waiting period runs;
 * - ready_to_delete      inactive and unused for the whole waiting period: offer Delete;
 * - rolled_back          the old key was used again after it was deactivated: flagged;
 * - deleted              the old key is gone (deleted by keyless, or outside it).
 */
export const TERMINAL_ROTATION_STEPS: ReadonlySet<RotationStep> = new Set<RotationStep>(['deleted']);

export const isRotationActive = (r: KeyRotation | undefined): r is KeyRotation =>
  r !== undefined && !TERMINAL_ROTATION_STEPS.has(r.step);

/** When the old key was deactivated: by keyless (the latest Deactivate), or as first seen inactive. */
export function deactivatedAt(rotation: KeyRotation, remediation: Remediation | undefined): number | undefined {
  const byKeyless =
    remediation && (remediation.status === 'done' || remediation.status === 'reverted')
      ? remediation.doneAt
      : undefined;
  const times = [byKeyless, rotation.oldInactiveSince].filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

/**
 * The rotation's next state from the user's live keys (with their last use). Pure: the facts and
 * `now` in, the rotation out (unchanged facts give an equal rotation).
 */
export function observeRotation(
  rotation: KeyRotation,
  input: {
    oldKeyId: string;
    keys: readonly LiveKey[];
    remediation: Remediation | undefined;
    now: number;
    waitMs: number;
  },
): KeyRotation {
  const { keys, now } = input;
  if (rotation.step === 'deleted') return rotation;
  const old = keys.find((k) => k.accessKeyId === input.oldKeyId);
  if (!old) return { ...rotation, step: 'deleted', checkedAt: now };
  const newer = keys
    .filter((k) => k.accessKeyId !== old.accessKeyId && k.createdAt > old.createdAt && k.status === 'Active')
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  const oldInactiveSince = old.status === 'Inactive' ? (rotation.oldInactiveSince ?? now) : undefined;
  const base: KeyRotation = {
    ...rotation,
    checkedAt: now,
    oldKeyLastUsedAt: old.lastUsedAt ?? null,
    ...(newer
      ? { newKey: { accessKeyId: newer.accessKeyId, createdAt: newer.createdAt, lastUsedAt: newer.lastUsedAt ?? null } }
      : {}),
  };
  if (oldInactiveSince === undefined) delete base.oldInactiveSince;
  else base.oldInactiveSince = oldInactiveSince;
  const since = deactivatedAt(base, input.remediation);
  const usedAfter = since !== undefined && typeof old.lastUsedAt === 'number' && old.lastUsedAt > since;
  if (usedAfter) return { ...base, step: 'rolled_back', rolledBackAt: rotation.rolledBackAt ?? now };
  if (old.status === 'Inactive') {
    const waited = now - (since ?? now) >= input.waitMs;
    return { ...base, step: waited ? 'ready_to_delete' : 'old_key_deactivated' };
  }
  if (!newer) return { ...base, step: 'waiting_new_key' };
  return { ...base, step: newer.lastUsedAt == null ? 'new_key_unused' : 'ready_to_deactivate' };
}

/** Did a step change anything a person reads (the step, the new key, a rollback)? */
export function rotationChanged(a: KeyRotation, b: KeyRotation): boolean {
  return (
    a.step !== b.step ||
    a.newKey?.accessKeyId !== b.newKey?.accessKeyId ||
    (a.newKey?.lastUsedAt === null) !== (b.newKey?.lastUsedAt === null) ||
    a.rolledBackAt !== b.rolledBackAt ||
    a.oldInactiveSince !== b.oldInactiveSince
  );
}

/** The owner of an IAM user, from its owner tag: only a plausible email is taken. */
export function ownerFromTags(tags: Record<string, string> | undefined, tagKey: string): string | undefined {
  const value = tags?.[tagKey]?.trim();
  return value && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) && value.length <= 254 ? value.toLowerCase() : undefined;
}

/** What the owner is asked to do at each step (the rotation message's body). */
export const ROTATION_STEP_TEXT: Record<RotationStep, string> = {
  waiting_new_key:
    'Step 1 of 4: create a second access key for this user yourself (IAM console or `aws iam create-access-key`); keyless never creates or sees secret keys. Put the new key wherever the old one is used.',
  new_key_unused:
    'Step 2 of 4: a new key exists but has not been used yet. Move every user of the old key to the new one.',
  ready_to_deactivate:
    'Step 3 of 4: the new key is in use while the old one is still active. Deactivate the old key (a security approver approves; it can be undone for a while).',
  old_key_deactivated:
    'Step 3 of 4: the old key is deactivated. keyless waits to be sure nothing still needs it before offering to delete it.',
  ready_to_delete:
    'Step 4 of 4: the old key has not been used since it was deactivated. Delete it (a security approver approves). Deleting cannot be undone.',
  rolled_back:
    'Rollback: the old key was used again after it was deactivated. Something still depends on it: find it, move it to the new key, then deactivate the old key again.',
  deleted: 'Done: the old key is deleted. The rotation is complete.',
};
