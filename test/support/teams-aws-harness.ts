/**
 * The Teams harness (teams-harness.ts) on the real back end, as the Slack stack's `backend: 'aws'`:
 * DynamoDB on dynalite through the real store, and IAM Identity Center on the local AWS emulator
 * (the demo organization) through the real adapter, over HTTP. Tests read what AWS holds from
 * `aws` (the emulator's state and request log).
 */
import type { AwsIdentityCenter } from '../../adapters/aws/identity-center';
import { DynamoGrantStore, ensureTable } from '../../adapters/dynamodb';
import { loadDemoSeed, startAwsEmulator, type RunningAwsEmulator } from '../../adapters/local/aws-emulator';
import { FAST_EMULATOR_TIMING, localIdentityCenter } from '../../bench/support/local-stack';
import { silentLogger } from '../../src';
import { startDynalite } from './dynalite';
import { localDynamoClient, uniqueTableName } from './dynamodb-client';
import { startTeamsHarness, type TeamsHarness } from './teams-harness';

export interface TeamsAwsHarness extends TeamsHarness<DynamoGrantStore, AwsIdentityCenter> {
  aws: RunningAwsEmulator;
}

export async function startTeamsAwsHarness(
  over: Omit<NonNullable<Parameters<typeof startTeamsHarness>[0]>, 'store' | 'identity'> = {},
): Promise<TeamsAwsHarness> {
  const dynalite = await startDynalite();
  const aws = await startAwsEmulator({ seed: loadDemoSeed(), port: 0, faults: { provisioningDelayMs: 20 } });
  const client = localDynamoClient(dynalite.endpoint);
  const ic = localIdentityCenter(aws.url, { ...FAST_EMULATOR_TIMING, pace: { tps: 1000, organizationsTps: 1000 } });
  const release = async () => {
    ic.destroy();
    client.destroy();
    await aws.stop();
    await dynalite.stop();
  };
  try {
    const tableName = uniqueTableName('keyless-teams');
    await ensureTable(client, tableName, silentLogger);
    const store = new DynamoGrantStore({ client, tableName });
    const h = await startTeamsHarness({ ...over, store, identity: ic.identity });
    return {
      ...h,
      aws,
      async stop() {
        await h.stop();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
