import { currentApproverSets, type AccessRequest } from './access-request';
import { describePeople } from './decision';
import { formatLocalTime } from './duration';
import { sessionOutlivesText } from './session-outlives';

/**
 * The on-call and escalation facts of a request, as plain text lines (the adapters escape them),
 * the same on Slack and Teams: who may decide now, when the reminder and the escalation come (or
 * came), an on-call auto-approval, and sessions that outlive the grant. Times are in the reader's zone (`formatLocalTime`).
 */
export function escalationLines(r: AccessRequest, zone?: string): string[] {
  const lines: string[] = [];
  if (r.onCallSchedule) lines.push(`Approved automatically: the requester was on call on ${r.onCallSchedule}.`);
  const viaOnCall = r.approvals.filter((a) => a.via);
  for (const a of viaOnCall) lines.push(`${a.actor.name} approved as the on-call of ${a.via}.`);
  if (r.status === 'pending') {
    const waiting = currentApproverSets(r).map((s) => describePeople(s));
    if (waiting.length > 0) lines.push(`Waiting for: ${waiting.join('; ')}.`);
  }
  if (r.sessionOutlives) lines.push(sessionOutlivesText(r.permissionSetName, r.sessionOutlives));
  const e = r.escalation;
  if (!e) return lines;
  const to = e.to ? describePeople({ groups: e.to.groups, emails: e.to.emails, oncall: e.to.oncall }) : undefined;
  if (r.remindedAt !== undefined) lines.push(`Approvers reminded at ${formatLocalTime(r.remindedAt, zone)}.`);
  else if (
    r.status === 'pending' &&
    e.remindAt !== undefined &&
    r.escalatedAt === undefined &&
    e.remindAt < r.decideBy
  ) {
    lines.push(`Approvers are reminded at ${formatLocalTime(e.remindAt, zone)}.`);
  }
  if (r.escalatedAt !== undefined && to) lines.push(`Escalated to ${to} at ${formatLocalTime(r.escalatedAt, zone)}.`);
  else if (r.status === 'pending' && e.escalateAt !== undefined && to && e.escalateAt < r.decideBy) {
    lines.push(`Escalates to ${to} at ${formatLocalTime(e.escalateAt, zone)}.`);
  }
  return lines;
}
