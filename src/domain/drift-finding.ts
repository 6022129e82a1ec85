import { dedupeKeys, type Finding } from './alert';
import type { AssignmentDrift } from './events';
import type { GroupRef } from './group-target';

/** Who a principal id is, as Identity Center answered (undefined: the lookup failed or found nobody). */
export interface DriftPerson {
  userName: string;
  email?: string;
  displayName?: string;
}

/** The names a drift finding shows; each may be missing when its lookup failed. */
export interface DriftNames {
  accountName: string;
  person?: DriftPerson | undefined;
  permissionSetName?: string | undefined;
}

/** `Ada Lovelace (ada@example.com)`, or the one name Identity Center has. */
export function personLabel(p: DriftPerson): string {
  const id = p.email ?? p.userName;
  return p.displayName && p.displayName !== id ? `${p.displayName} (${id})` : id;
}

const SEVERITY: Record<AssignmentDrift['kind'], Finding['severity']> = {
  unknown_assignment: 'high',
  outlived_grant: 'high',
  vanished_assignment: 'medium',
};

const ADVICE: Record<AssignmentDrift['kind'], string> = {
  unknown_assignment:
    'Someone assigned this permission set in Identity Center without keyless. Find out who (CloudTrail CreateAccountAssignment) and remove it, or ask for it through keyless.',
  outlived_grant:
    'The grant for this assignment has ended but the assignment is still there. Remove it in Identity Center, and check why keyless could not.',
  vanished_assignment:
    'The assignment of an active grant was removed outside keyless; keyless revoked the grant so its record tells the truth. Check who removed it.',
};

/**
 * One drift of the reconciler as a finding of the security feed: its dedupe key is the fact (kind,
 * person, account, permission set), so that the same drift seen by every later reconcile is the same
 * alert, counted on its message, never posted again. Names are shown; an id only when the name could
 * not be read, and the card says so.
 */
export function driftFinding(drift: AssignmentDrift, names: DriftNames): Finding {
  if (drift.group) return membershipDriftFinding(drift, drift.group, names);
  const a = drift.assignment;
  const who = names.person ? personLabel(names.person) : `user ${a.principalId}`;
  const ps = names.permissionSetName ?? a.permissionSetArn;
  const unresolved = [
    ...(names.person ? [] : [`the user (id ${a.principalId})`]),
    ...(names.permissionSetName ? [] : [`the permission set (${a.permissionSetArn})`]),
  ];
  const title =
    drift.kind === 'unknown_assignment'
      ? `${who} has ${ps} without a keyless grant`
      : drift.kind === 'outlived_grant'
        ? `${who} still has ${ps} after the grant ended`
        : `${who} lost ${ps} outside keyless`;
  return {
    dedupeKey: dedupeKeys.drift(drift.kind, a.principalId, a.accountId, a.permissionSetArn),
    kind: drift.kind,
    severity: SEVERITY[drift.kind],
    delivery: 'immediate',
    source: 'reconcile',
    account: { id: a.accountId, name: names.accountName || a.accountId },
    principal: { type: 'person', name: who },
    title,
    advice: ADVICE[drift.kind],
    evidence: {
      checkedAt: drift.detectedAt,
      permissionSet: ps,
      ...(drift.grantId ? { grantId: drift.grantId } : {}),
      ...(drift.removed ? { removed: true } : {}),
      ...(unresolved.length > 0
        ? { unresolvedNames: `Identity Center did not give the name of ${unresolved.join(' or ')}.` }
        : {}),
    },
    observedAt: drift.detectedAt,
  };
}

const GROUP_ADVICE: Record<AssignmentDrift['kind'], string> = {
  unknown_assignment:
    'Someone added this person to a group keyless governs, without keyless. Find out who (CloudTrail CreateGroupMembership) and remove the membership, or ask for it through keyless.',
  outlived_grant:
    'The grant for this group membership has ended but the membership is still there. Remove it in Identity Center, and check why keyless could not.',
  vanished_assignment:
    'The group membership of an active grant was removed outside keyless; keyless revoked the grant so its record tells the truth. Check who removed it.',
};

/** A drift of a governed group's membership: the same fact-keyed finding, worded for a group. */
function membershipDriftFinding(drift: AssignmentDrift, group: GroupRef, names: DriftNames): Finding {
  const a = drift.assignment;
  const who = names.person ? personLabel(names.person) : `user ${a.principalId}`;
  const title =
    drift.kind === 'unknown_assignment'
      ? `${who} is in group ${group.name} without a keyless grant`
      : drift.kind === 'outlived_grant'
        ? `${who} is still in group ${group.name} after the grant ended`
        : `${who} left group ${group.name} outside keyless`;
  return {
    dedupeKey: dedupeKeys.drift(drift.kind, a.principalId, `group:${group.id}`, 'membership'),
    kind: drift.kind,
    severity: SEVERITY[drift.kind],
    delivery: 'immediate',
    source: 'reconcile',
    account: { id: `group:${group.id}`, name: `group ${group.name}` },
    principal: { type: 'person', name: who },
    title,
    advice: GROUP_ADVICE[drift.kind],
    evidence: {
      checkedAt: drift.detectedAt,
      group: group.name,
      ...(drift.grantId ? { grantId: drift.grantId } : {}),
      ...(drift.removed ? { removed: true } : {}),
      ...(names.person
        ? {}
        : { unresolvedNames: `Identity Center did not give the name of the user (id ${a.principalId}).` }),
    },
    observedAt: drift.detectedAt,
  };
}
