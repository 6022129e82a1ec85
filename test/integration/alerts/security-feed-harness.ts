/**
 * The security feed's adapters on an in-process AWS emulator: the IAM scanner (audit and
 * remediation roles through STS), and an SQS client, with test-speed pacing and polling.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsIamScanner, type IamRoleOptions } from '../../../adapters/aws/iam/iam-scanner';
import { AwsSts } from '../../../adapters/aws/sts/sts';
import {
  loadDemoSeed,
  parseSeed,
  startAwsEmulator,
  type RunningAwsEmulator,
} from '../../../adapters/local/aws-emulator';
import type { IamSeedInput } from '../../../adapters/local/aws-emulator/services/iam';
import { clientConfig } from '../aws/emulator-harness';

export const FEED_QUEUE = 'keyless-root-activity';
export const FEED_DLQ = 'keyless-root-activity-dlq';
export const MAX_RECEIVES = 3;

export interface SecurityFeedEnv {
  emulator: RunningAwsEmulator;
  scanner: AwsIamScanner;
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  stop(): Promise<void>;
}

export async function startSecurityFeedEnv(
  iam: IamSeedInput,
  scanner: Partial<IamRoleOptions> = {},
): Promise<SecurityFeedEnv> {
  const demo = loadDemoSeed();
  const emulator = await startAwsEmulator({
    seed: parseSeed({
      ...demo,
      memberRoles: { externalId: 'keyless-ext-1' },
      iam,
      sqs: {
        queues: [
          { name: FEED_QUEUE, deadLetterQueue: FEED_DLQ, maxReceiveCount: MAX_RECEIVES, visibilityTimeoutSeconds: 30 },
        ],
      },
    }),
    port: 0,
  });
  const config = clientConfig(emulator.url);
  const sts = new STSClient(config);
  const iamScanner = new AwsIamScanner(new AwsSts(sts), {
    auditRoleName: 'keyless-audit',
    remediationRoleName: 'keyless-remediation',
    externalId: 'keyless-ext-1',
    perAccountTps: 200,
    assumeTps: 200,
    reportPollMs: 5,
    baseDelayMs: 5,
    maxDelayMs: 20,
    client: { endpoint: emulator.url, region: 'us-east-1' },
    ...scanner,
  });
  const sqs = new SQSClient(config);
  const host = new URL(emulator.url).host;
  return {
    emulator,
    scanner: iamScanner,
    sqs,
    queueUrl: `http://${host}/${demo.organization.managementAccountId}/${FEED_QUEUE}`,
    dlqUrl: `http://${host}/${demo.organization.managementAccountId}/${FEED_DLQ}`,
    async stop() {
      iamScanner.stop();
      sts.destroy();
      sqs.destroy();
      await emulator.stop();
    },
  };
}
