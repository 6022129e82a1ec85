import {
  errorReply,
  grantEndingReply,
  helpReply,
  problemReply,
} from '../../../../../adapters/slack/blocks/replies.blocks';
import { ErrorCodes, KeylessError, grantEndedError, type Grant } from '../../../../../src';
import { T0, aGrant } from '../../../../builders';

const endedAt = T0 + 2 * 3600_000;
const grant = (over: Partial<Grant>): Grant => ({ ...aGrant({ id: 'grt000042' as never }), ...over });

describe('ephemeral replies', () => {
  it('lists every subcommand in help', () => {
    const text = JSON.stringify(helpReply());
    for (const sub of ['request', 'list', 'revoke', 'extend', 'approvals', 'why', 'accounts', 'break-glass']) {
      expect(text).toContain(`/aws-access ${sub}`);
    }
  });

  it('shows a problem with its corrected example', () => {
    const m = problemReply({ kind: 'problem', message: 'x <!channel>', example: '/aws-access list <@U1>' });
    expect(m).toMatchSnapshot();
    const t = JSON.stringify(m.blocks);
    expect(t).toContain('x &lt;!channel&gt;');
    expect(t).toContain('Example: `/aws-access list &lt;@U1&gt;`');
    expect(t).not.toMatch(/<!channel>|<@U1>/);
  });

  it('answers End now on a live grant: the removal starts now', () => {
    const live = grant({ status: 'deprovisioning', endReason: 'revoked' });
    expect(JSON.stringify(grantEndingReply({ outcome: 'revoking', grant: live }).blocks)).toContain(
      'removing it from AWS now',
    );
  });

  it.each([
    [
      'expired',
      grant({ status: 'expired', endReason: 'expired', endedAt }),
      'This access already ended at Mon 23 Nov, 12:00 GMT+1 (Europe/Paris) (expired).',
    ],
    [
      'revoked',
      grant({
        status: 'revoked',
        endReason: 'revoked',
        endedAt,
        endedBy: { kind: 'user', id: 'slack:U0ANN', name: 'Ann <!here>' },
      }),
      'This access already ended at Mon 23 Nov, 12:00 GMT+1 (Europe/Paris) (revoked by Ann &lt;!here&gt;).',
    ],
    ['failed', grant({ status: 'failed', failure: { code: 'QUOTA', message: 'x' } }), 'never set up'],
  ])('answers End now on a grant that %s with its real state, never "removing it now"', (_n, g, expected) => {
    const t = JSON.stringify(grantEndingReply({ outcome: 'already_ended', grant: g }, 'Europe/Paris').blocks);
    expect(t).toContain(expected);
    expect(t).toContain('nothing was changed');
    expect(t).not.toContain('removing it from AWS now');
  });

  it('answers Extend on an ended grant with the engine’s GRANT_ENDED words, in the reader’s zone', () => {
    const g = grant({ status: 'expired', endReason: 'expired', endedAt });
    const t = JSON.stringify(errorReply(grantEndedError(g, 'America/New_York')).blocks);
    expect(t).toContain('This access already ended at Mon 23 Nov, 06:00 EST (America/New_York) (expired).');
    expect(t).toContain('Ask for new access');
  });

  it("shows an engine error's message and hint, and hides anything else", () => {
    const e = new KeylessError(ErrorCodes.UnknownAccount, 'I don\'t know an account called "<!here>".', {
      hint: 'Use the id.',
    });
    const text = JSON.stringify(errorReply(e));
    expect(text).toContain('&lt;!here&gt;');
    expect(text).toContain('Use the id.');
    expect(JSON.stringify(errorReply(new Error('ECONNREFUSED 10.0.0.1')))).not.toContain('ECONNREFUSED');
  });
});
