import { errorReply, helpReply, problemReply } from '../../../../../adapters/slack/blocks/replies.blocks';
import { ErrorCodes, KeylessError } from '../../../../../src';

describe('ephemeral replies', () => {
  it('lists every subcommand in help', () => {
    const text = JSON.stringify(helpReply());
    for (const sub of ['request', 'list', 'revoke', 'extend', 'approvals', 'why', 'accounts', 'break-glass']) {
      expect(text).toContain(`/aws-access ${sub}`);
    }
  });

  it('shows a problem with its corrected example', () => {
    expect(problemReply({ kind: 'problem', message: 'x <y>', example: '/aws-access list' })).toMatchSnapshot();
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
