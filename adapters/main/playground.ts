import { join } from 'node:path';
import { loadDemoSeed, startAwsEmulator } from '../local/aws-emulator';
import { startEmbeddedDynamo } from '../local/embedded-dynamodb';
import type { KeylessConfig } from './config';
import { startKeyless, type Keyless, type StartOverrides } from './compose';

export interface Playground {
  keyless: Keyless;
  awsUrl: string;
  dynamoUrl: string;
  stop(): Promise<void>;
}

const external = (url: string) => ({ url, stop: () => Promise.resolve() });

/**
 * `npm start` with no accounts: the embedded DynamoDB on disk, the local AWS emulator with the demo
 * organization, and the real keyless server, all on 127.0.0.1 in one process. The AWS SDK reaches
 * the emulators through its standard endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB);
 * where one is already set (an emulator in its own process, as the crash harness runs), it is used
 * and nothing is started for it.
 */
export async function startPlayground(
  config: KeylessConfig,
  overrides: StartOverrides & { ephemeral?: boolean } = {},
): Promise<Playground> {
  const dynamo = process.env.AWS_ENDPOINT_URL_DYNAMODB
    ? external(process.env.AWS_ENDPOINT_URL_DYNAMODB)
    : await startEmbeddedDynamo(overrides.ephemeral ? {} : { path: join(config.dataDir, 'dynamodb') });
  const aws = process.env.AWS_ENDPOINT_URL
    ? external(process.env.AWS_ENDPOINT_URL)
    : await startAwsEmulator({ seed: loadDemoSeed() });
  process.env.AWS_ENDPOINT_URL = aws.url;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
  process.env.AWS_REGION ??= config.policy.identityCenter.region;
  // The emulators accept any signature; the SDK still wants credentials to sign with.
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIAPLAYGROUND000000';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'playground';
  try {
    const keyless = await startKeyless(config, { createTable: true, ...overrides });
    return {
      keyless,
      awsUrl: aws.url,
      dynamoUrl: dynamo.url,
      async stop() {
        await keyless.stop();
        await Promise.all([aws.stop(), dynamo.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([aws.stop(), dynamo.stop()]);
    throw error;
  }
}
