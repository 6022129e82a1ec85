/**
 * Auditors by Slack user group as `keyless start` wires them (adapters/main/config.ts and compose.ts):
 * KEYLESS_AUDITORS names `@security-auditors`, the composition gives the Slack adapter the group and
 * the audit reader the adapter's check. Over HTTP on the loopback workspace: a member of the group is
 * answered, a person outside it is refused.
 */
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { startSlackWorkspace, type RunningSlackWorkspace } from '../../../adapters/local/slack-workspace';
import { startKeyless, type Keyless } from '../../../adapters/main/compose';
import { loadConfig } from '../../../adapters/main/config';
import { silentLogger } from '../../../src';
import { uniqueTableName } from '../../support/dynamodb-client';
import { startDynalite } from '../../support/dynalite';

jest.setTimeout(60_000);

const SIGNING_SECRET = 'auditors-wiring-signing-secret';
const BOT_TOKEN = 'xoxb-auditors-wiring';

describe('auditors by Slack user group, wired by startKeyless', () => {
  const saved = { ...process.env };
  let emulator: RunningAwsEmulator;
  let dynamo: { endpoint: string; stop: () => Promise<void> };
  let slack: RunningSlackWorkspace;
  let keyless: Keyless;

  beforeAll(async () => {
    [emulator, dynamo, slack] = await Promise.all([
      startAwsEmulator({ seed: loadDemoSeed(), port: 0 }),
      startDynalite(),
      startSlackWorkspace({
        signingSecret: SIGNING_SECRET,
        botToken: BOT_TOKEN,
        userGroups: [{ id: 'S0SECAUDIT', handle: 'security-auditors', name: 'Security auditors', users: ['U0SAM'] }],
      }),
    ]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAAUDITORSWIRING00',
      AWS_SECRET_ACCESS_KEY: 'auditors-wiring',
    });
    const config = loadConfig({
      KEYLESS_MODE: 'local',
      KEYLESS_PORT: '0',
      KEYLESS_TABLE: uniqueTableName(),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      KEYLESS_AUDITORS: 'carl@example.com,@security-auditors',
    });
    keyless = await startKeyless(config, {
      logger: silentLogger,
      createTable: true,
      scanAtStart: false,
      slackApiUrl: slack.apiUrl,
    });
    slack.client.botUrl = `${keyless.url}/slack/events`;
  });
  afterAll(async () => {
    await keyless?.stop();
    await Promise.all([emulator?.stop(), dynamo?.stop(), slack?.stop()]);
    process.env = saved;
  });

  const answerTo = async (user: string) => {
    await slack.client.command(user, 'audit --since 1d');
    for (let i = 0; i < 50 && slack.state.ephemeralsOf(user).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const e = slack.state.ephemeralsOf(user).at(-1);
    return `${e?.text ?? ''} ${JSON.stringify(e?.blocks ?? [])}`;
  };

  it('answers a member of the group and refuses a person outside it', async () => {
    const member = await answerTo('U0SAM');
    expect(member).toContain('Audit');
    expect(member).not.toContain('Only members of the auditors group');
    expect(await answerTo('U0OLGA')).toContain('Only members of the auditors group can read the audit');
    expect(slack.state.calls.map((c) => c.method)).toEqual(
      expect.arrayContaining(['usergroups.list', 'usergroups.users.list']),
    );
  });
});
