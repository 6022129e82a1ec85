import { formatDuration, formatLocalTime } from './duration';
import { ErrorCodes, KeylessError } from './errors';
import { isLiveGrant, type Grant } from './grant';

/**
 * What a person is told when they act (End now, Extend) on a grant that has already ended or is
 * ending: the real state, with the time in their own zone. Plain text (the adapters escape it).
 * `undefined` while the grant can still be ended or extended.
 */
export function endedGrantText(grant: Grant, zone?: string): string | undefined {
  const at = grant.endedAt !== undefined ? ` at ${formatLocalTime(grant.endedAt, zone)}` : '';
  const by = grant.endedBy && grant.endedBy.kind === 'user' ? ` by ${grant.endedBy.name}` : '';
  switch (grant.status) {
    case 'provisioning':
    case 'active':
      return undefined;
    case 'scheduled':
      return `This access has not started: it ${startsText(grant, zone)}. Cancel it (End now) and ask again to change it.`;
    case 'deprovisioning':
      return grant.endReason === 'revoked'
        ? `This access is already ending (revoked${by}${at}): it is being removed from AWS.`
        : `This access is already ending (expired${grant.expiresAt !== undefined ? ` at ${formatLocalTime(grant.expiresAt, zone)}` : ''}): it is being removed from AWS.`;
    case 'expired':
      return `This access already ended${at} (expired).`;
    case 'revoked':
      return grant.startsAt !== undefined && grant.activatedAt === undefined
        ? `This scheduled access was cancelled${by}${at}, before it started.`
        : `This access already ended${at} (revoked${by}).`;
    case 'failed':
      return `This access was never set up: AWS refused the assignment${grant.failure?.code ? ` (${grant.failure.code})` : ''}.`;
  }
}

/** The refusal of an action on a grant that is no longer live (GRANT_ENDED), worded by `endedGrantText`. */
export function grantEndedError(grant: Grant, zone?: string): KeylessError {
  return new KeylessError(
    ErrorCodes.GrantEnded,
    endedGrantText(grant, zone) ?? `Grant ${grant.id} is ${grant.status}.`,
    {
      hint: 'Ask for new access if you still need it.',
      details: { grantId: grant.id, status: grant.status, ...(grant.endReason ? { endReason: grant.endReason } : {}) },
    },
  );
}

/** True when End now / Extend can still do something to this grant. */
export function grantAcceptsActions(grant: Pick<Grant, 'status'>): boolean {
  return isLiveGrant(grant) && grant.status !== 'deprovisioning';
}

/**
 * When access that starts later begins and how long it lasts, in the reader's zone:
 * `starts at Tue 24 Nov, 09:00 (UTC) for 2h`. Plain text (the adapters escape it).
 */
export function startsText(grant: Pick<Grant, 'startsAt' | 'durationSeconds'>, zone?: string): string {
  const when = grant.startsAt !== undefined ? formatLocalTime(grant.startsAt, zone) : 'later';
  return `starts at ${when} for ${formatDuration(grant.durationSeconds)}`;
}
