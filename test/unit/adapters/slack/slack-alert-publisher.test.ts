import { silentLogger } from '../../../../src';
import { SlackAlertPublisher } from '../../../../adapters/slack/slack-alert-publisher';
import { alertMessage } from '../../../../adapters/slack/blocks/alert.blocks';
import type { SlackApi } from '../../../../adapters/slack/slack-api';
import { T0 } from '../../../builders';
import { aDriftAlert, DRIFT_PERMISSION_SET_ARN, DRIFT_PRINCIPAL_ID } from '../../../builders/drift-alert';

function fakeApi() {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  let ts = 0;
  const api = {
    async call(method: string, params: Record<string, unknown>) {
      calls.push({ method, params });
      return method === 'chat.postMessage'
        ? { ok: true, channel: params.channel, ts: `1795424400.00010${++ts}` }
        : { ok: true };
    },
  };
  return { api: api as unknown as SlackApi, calls };
}

/** What a person reads on the message: its blocks without button values (those go back to keyless, unseen). */
const shown = (params: unknown) => JSON.stringify(params, (k, v: unknown) => (k === 'value' ? undefined : v));

/** The mrkdwn Slack parses (mentions, links): the notification text and every mrkdwn object. */
function mrkdwn(m: { text: string; blocks: unknown[] }): string[] {
  const out = [m.text];
  JSON.stringify(m.blocks, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'mrkdwn')
      out.push((v as { text: string }).text);
    return v;
  });
  return out;
}

describe('the security feed in Slack: one message per fact', () => {
  it('updates the message already posted when a drift is seen again, with the count and the last sighting', async () => {
    const { api, calls } = fakeApi();
    const publisher = new SlackAlertPublisher({
      api,
      logger: silentLogger,
      securityChannel: 'C0SECURITY',
      now: () => T0,
    });
    const first = aDriftAlert({ messages: [] });
    const refs = await publisher.publishAlert({ type: 'alert_raised', alert: first });
    expect(refs).toEqual([{ platform: 'slack', channel: 'C0SECURITY', messageId: '1795424400.000101' }]);

    const again = aDriftAlert({ repeats: 2, messages: refs! });
    await publisher.publishAlert({ type: 'alert_updated', alert: again, change: 'seen' });
    expect(calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    const update = calls[1]!.params;
    expect(update).toMatchObject({ channel: 'C0SECURITY', ts: '1795424400.000101' });
    const text = shown(update.blocks);
    expect(text).toContain('3 times');
    expect(text).toContain(`last seen <!date^${(T0 + 120_000) / 1000}^`);
    expect(shown(calls[0]!.params.blocks)).toContain('1 time');
    expect(shown(calls[0]!.params.blocks)).not.toContain('last seen');
  });

  it('names the person and the permission set, never their ids', () => {
    const m = alertMessage(aDriftAlert(), T0);
    const text = shown(m);
    expect(text).toContain('Olga (olga@example.com) has AdministratorAccess without a keyless grant');
    expect(m.text).toBe('High: Olga (olga@example.com) has AdministratorAccess without a keyless grant in prod');
    expect(text).toContain('*Permission set* AdministratorAccess');
    expect(text).not.toContain(DRIFT_PRINCIPAL_ID);
    expect(text).not.toContain(DRIFT_PERMISSION_SET_ARN);
  });

  it('says so when a name could not be read', () => {
    const unresolved = aDriftAlert();
    unresolved.finding.evidence.unresolvedNames = 'Identity Center did not give the name of the user (id x).';
    expect(JSON.stringify(alertMessage(unresolved, T0))).toContain(
      ':grey_question: Identity Center did not give the name',
    );
  });

  it('escapes names from Identity Center, in the blocks and in the notification text', () => {
    const m = alertMessage(
      aDriftAlert({
        person: { userName: 'x', email: 'x@example.com', displayName: '<!channel> <https://evil|click>' },
      }),
      T0,
    );
    for (const text of mrkdwn(m)) {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<https://evil|click>');
    }
    expect(m.text).toContain('&lt;!channel&gt;');
    expect(mrkdwn(m).join('\n')).toContain('*Principal*\n&lt;!channel&gt; &lt;https://evil|click&gt; (x@example.com)');
  });
});
