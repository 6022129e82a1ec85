/**
 * The running bot (startKeyless) follows its policy file: a valid change is in force for the engine's
 * next decision; a bad change is refused, the engine keeps deciding with the policy in force, and
 * the security channels (the notifier fan-out that feeds Slack and Teams) are told every problem.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type ChatUser } from '../../../src';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../../adapters/local/aws-emulator';
import { startKeyless, type Keyless } from '../../../adapters/main/compose';
import { PLAYGROUND_POLICY, loadConfig } from '../../../adapters/main/config';
import { policyRefusedMessage } from '../../../adapters/slack/blocks/security.blocks';
import { policyRefusedCard } from '../../../adapters/teams/cards/journey.card';
import { RecordingNotifier } from '../../fakes/recording-notifier';
import { uniqueTableName } from '../../support/dynamodb-client';
import { startDynalite } from '../../support/dynalite';

jest.setTimeout(60_000);

const VALID = readFileSync(PLAYGROUND_POLICY, 'utf8');
const rita: ChatUser = { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' };
const saved = { ...process.env };
const dir = mkdtempSync(join(tmpdir(), 'keyless-reload-'));
const policyFile = join(dir, 'policy.yaml');
let emulator: RunningAwsEmulator;
let dynamo: { endpoint: string; stop: () => Promise<void> };
let keyless: Keyless;
const notifier = new RecordingNotifier();

beforeAll(async () => {
  writeFileSync(policyFile, VALID);
  [emulator, dynamo] = await Promise.all([startAwsEmulator({ seed: loadDemoSeed(), port: 0 }), startDynalite()]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAPOLICYRELOAD0000',
    AWS_SECRET_ACCESS_KEY: 'policy-reload',
  });
  const config = loadConfig({
    KEYLESS_MODE: 'local',
    KEYLESS_PORT: '0',
    KEYLESS_TABLE: uniqueTableName(),
    KEYLESS_POLICY: policyFile,
    KEYLESS_POLICY_RELOAD_EVERY: '0',
  });
  keyless = await startKeyless(config, {
    logger: silentLogger,
    createTable: true,
    scanAtStart: false,
    notifiers: [notifier],
  });
});
afterAll(async () => {
  await keyless?.stop();
  await Promise.all([emulator?.stop(), dynamo?.stop()]);
  process.env = saved;
});

const sandboxAdmin = () =>
  keyless.engine.explain({ user: rita, account: 'sandbox', permissionSet: 'AdministratorAccess' });

describe('a running keyless and its policy file', () => {
  it('decides with a valid new policy as soon as it is reloaded', async () => {
    expect(await sandboxAdmin()).toMatch(/automatically/);
    // The sandbox rule no longer auto-approves: it needs an approver.
    writeFileSync(
      policyFile,
      VALID.replace(
        '    autoApprove: true\n    maxDuration: 8h',
        '    approvers: { groups: [sre-leads], count: 1 }\n    maxDuration: 2h',
      ),
    );
    await keyless.policy.check();
    expect(notifier.ofType('policy_refused')).toEqual([]);
    expect(await sandboxAdmin()).toMatch(/with 1 approval\(s\) from group sre-leads/);
  });

  it('refuses a bad policy: the policy in force stays, and the security channels hear every problem', async () => {
    const before = await sandboxAdmin();
    writeFileSync(policyFile, VALID.replace('identityStoreId: d-1234567890', 'identityStoreId: 42') + '\nextra: <b>\n');
    await keyless.policy.check();
    expect(await sandboxAdmin()).toBe(before);
    const [refused] = notifier.ofType('policy_refused');
    expect(refused?.source).toBe(policyFile);
    expect(refused?.problems.length).toBeGreaterThanOrEqual(2);
    expect(refused?.problems.join('\n')).toMatch(/identityStoreId/);
    expect(refused?.problems.join('\n')).toMatch(/extra/);

    // What people see in Slack and Teams: every problem, user text escaped.
    const slack = policyRefusedMessage(refused!.source, refused!.problems);
    const slackText = JSON.stringify(slack.blocks);
    expect(slack.text).toContain(`${refused!.problems.length} problem(s)`);
    expect(slackText).toContain('The policy in force stays');
    expect(slackText).toContain('identityStoreId');
    expect(slackText).toContain('extra');
    // Problems quote user text: Slack's control characters never reach mrkdwn raw.
    expect(JSON.stringify(policyRefusedMessage('<!channel>', ['a <@U1> & b']).blocks)).not.toMatch(/<!channel>|<@U1>/);
    const card = JSON.stringify(policyRefusedCard(refused!.source, refused!.problems));
    expect(card).toContain('A new policy was refused');
    expect(card).toContain('identityStoreId');
  });
});
