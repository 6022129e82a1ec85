import { formatDuration, type AccessRequest, type AssignmentDrift, type Grant } from '../../../src';
import { escapeText } from '../escape';
import { accountText, context, header, requestFields, section, slackDate, type SlackMessage } from './common.blocks';

/** Break-glass access is given at once and announced loudly to the security channel. */
export function breakGlassMessage(g: Grant, r: AccessRequest): SlackMessage {
  return {
    text: `Break-glass: ${g.permissionSetName} in ${g.accountName} for ${r.requester.displayName}`,
    blocks: [
      header(`:rotating_light: Break-glass: ${g.permissionSetName} in ${g.accountName}`),
      requestFields(r),
      context(`Grant \`${g.id}\` · ${formatDuration(g.durationSeconds)} · no approval was asked`),
    ],
  };
}

const DRIFT: Record<AssignmentDrift['kind'], string> = {
  unknown_assignment: 'An assignment exists that no grant explains',
  outlived_grant: 'An assignment outlived its grant',
  vanished_assignment: 'A grant lost its assignment',
};

export function driftMessage(d: AssignmentDrift): SlackMessage {
  const a = d.assignment;
  return {
    text: `${DRIFT[d.kind]} in account ${a.accountId}`,
    blocks: [
      section(
        `:mag: *${DRIFT[d.kind]}*: principal \`${escapeText(a.principalId)}\`, account \`${a.accountId}\`, permission set \`${escapeText(a.permissionSetArn)}\`${d.grantId ? `, grant \`${escapeText(d.grantId)}\`` : ''}. ${d.removed ? 'It was removed.' : 'It was left in place.'}`,
      ),
      context(`Detected ${slackDate(d.detectedAt)}`),
    ],
  };
}

export function revocationStuckMessage(g: Grant, attempts: number, message: string): SlackMessage {
  return {
    text: `Revocation stuck: grant ${g.id}`,
    blocks: [
      section(
        `:warning: *Revocation keeps failing* for grant \`${g.id}\` (${escapeText(g.principalName)}, ${escapeText(g.permissionSetName)} in ${accountText(g)}) after ${attempts} attempts: _${escapeText(message)}_. keyless keeps trying; please look.`,
      ),
    ],
  };
}

/** A changed policy was refused: every problem (at most 20 shown), and the old policy stays in force. */
export function policyRefusedMessage(source: string, problems: string[]): SlackMessage {
  const shown = problems.slice(0, 20).map((p) => `• ${escapeText(p.slice(0, 300))}`);
  if (problems.length > shown.length) shown.push(`• …and ${problems.length - shown.length} more (see the logs)`);
  return {
    text: `A new policy was refused: ${problems.length} problem(s); the policy in force stays`,
    blocks: [
      section(
        `:no_entry: *A new policy was refused* (${escapeText(source)}): ${problems.length} problem(s). The policy in force stays until a valid one replaces it.`,
      ),
      section(shown.join('\n').slice(0, 2900)),
    ],
  };
}

/** The live session cuts could not be written: every cut stays recorded and is retried. */
export function sessionCutFailedMessage(message: string, people: number): SlackMessage {
  return {
    text: `Sessions of revoked grants are not being ended: ${people} people waiting`,
    blocks: [
      section(
        `:warning: *Live sessions of revoked grants are not being ended*: ${escapeText(message.slice(0, 500))} (${people} people waiting). keyless keeps every cut and retries; please look.`,
      ),
    ],
  };
}
