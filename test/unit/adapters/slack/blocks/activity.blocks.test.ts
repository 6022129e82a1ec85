import { activityBlocks, activityMessage } from '../../../../../adapters/slack/blocks/activity.blocks';
import { summariseActivity, type TrailEvent } from '../../../../../src';
import { aGrant, T0 } from '../../../../builders';

const ev = (eventName: string, over: Partial<TrailEvent> = {}): TrailEvent => ({
  eventName,
  eventSource: 's3.amazonaws.com',
  eventTime: T0,
  region: 'eu-west-1',
  readOnly: false,
  ...over,
});

const hostile = summariseActivity({
  lookup: {
    events: [ev('Delete<!channel>'), ev('Put<https://evil.example|Click>`x`'), ev('ListBuckets', { readOnly: true })],
    regions: ['eu-west-1'],
    truncated: true,
    unavailable: [{ region: 'us-east-1', message: 'AccessDenied: <@U0BOSS> said no' }],
  },
  accountId: '111111111111',
  username: 'rita|<!here>@example.com',
  from: T0,
  to: T0 + 3600_000,
  fetchedAt: T0 + 4000_000,
  final: false,
});

describe('the activity summary in Slack', () => {
  const text = JSON.stringify(activityBlocks(hostile));

  it('shows the counts, each write, what is not covered, and the CloudTrail link', () => {
    expect(text).toContain('(early summary): at least 1 read call, 2 writes in eu-west-1');
    expect(text).toContain('s3:Delete&lt;!channel&gt; — destructive');
    expect(text).toContain('The lookup stopped at its limit');
    expect(text).toContain('us-east-1 could not be read');
    expect(text).toContain('|CloudTrail event history>');
  });

  it('escapes every text from AWS and the directory: no mention, no link, no broken link label', () => {
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).not.toContain('<@U0BOSS>');
    expect(text).not.toContain('<https://evil');
    // The only link is CloudTrail's, and the user name inside it cannot end its label early.
    expect(text.match(/<https?:/g)).toHaveLength(1);
    const link = /<(https:[^|>]+)\|CloudTrail event history>/.exec(text)![1]!;
    expect(link).toContain('Username=rita%7C%3C%21here%3E%40example.com');
  });

  it('names the grant in the message to the requester and in the thread', () => {
    const m = activityMessage(aGrant({ status: 'revoked' }), hostile, true);
    expect(m.text).toContain('Activity of');
    expect(JSON.stringify(m.blocks)).toContain('What the access to');
    expect(JSON.stringify(activityMessage(aGrant({ status: 'revoked' }), hostile, false).blocks)).toContain('Updated');
  });
});
