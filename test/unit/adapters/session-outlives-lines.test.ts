/**
 * Sessions that outlast the grant (issue #15, item 2): the requester's answer and the approval
 * message say so, on Slack and Teams alike.
 */
import { sessionOutlivesText, type AccessRequest } from '../../../src';
import { approvalMessage } from '../../../adapters/slack/blocks/approval.blocks';
import { requestReply } from '../../../adapters/slack/blocks/replies.blocks';
import { requestSentModal } from '../../../adapters/slack/blocks/request-modal.blocks';
import { approvalCard } from '../../../adapters/teams/cards/approval.card';
import { requestStatusCard } from '../../../adapters/teams/cards/journey.card';
import { aRequest } from '../../builders';

const outliving = (cutAtExpiry: boolean, over: Partial<AccessRequest> = {}) =>
  aRequest({
    durationSeconds: 3600,
    sessionOutlives: { sessionSeconds: 8 * 3600, grantSeconds: 3600, cutAtExpiry },
    ...over,
  });

const LEFT_OPEN =
  'Sessions from AdministratorAccess last up to 8h, longer than the 1h grant; a session opened during the grant keeps working after it ends';
const CUT =
  'Sessions from AdministratorAccess last up to 8h, longer than the 1h grant; keyless ends the open sessions when the grant expires.';

describe('sessions that outlast the grant, on Slack and Teams alike', () => {
  it('are on the approval message of both platforms and on the Teams requester card', () => {
    const r = outliving(false);
    for (const out of [
      JSON.stringify(approvalMessage(r).blocks),
      JSON.stringify(approvalCard(r, { kind: 'base' })),
      JSON.stringify(requestStatusCard(r)),
    ]) {
      expect(out).toContain(LEFT_OPEN);
    }
    expect(JSON.stringify(approvalMessage(outliving(true)).blocks)).toContain(CUT);
    expect(JSON.stringify(approvalCard(outliving(true), { kind: 'base' }))).toContain(CUT);
  });

  it('are in the Slack answer to the command and on the form once sent', () => {
    const r = outliving(false, { status: 'pending' });
    const decision = { outcome: 'needs_approval' as const, reason: 'rule "prod-admin" allows it', selfApproval: false };
    const reply = requestReply({
      request: r,
      decision,
      duplicate: false,
      sessionWarning: sessionOutlivesText(r.permissionSetName, r.sessionOutlives!),
    });
    expect(JSON.stringify(reply.blocks)).toContain(LEFT_OPEN);
    expect(JSON.stringify(requestSentModal(r).blocks)).toContain(LEFT_OPEN);
  });

  it('are not mentioned when the sessions end before the grant', () => {
    const r = aRequest();
    expect(JSON.stringify(approvalMessage(r).blocks)).not.toContain('Sessions from');
    expect(JSON.stringify(requestSentModal(r).blocks)).not.toContain('Sessions from');
    expect(JSON.stringify(approvalCard(r, { kind: 'base' }))).not.toContain('Sessions from');
  });
});
