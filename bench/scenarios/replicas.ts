/**
 * `npm run bench -- replicas [--grants 1000] [--replicas 3] [...the options of revocation]`
 *
 * The revocation bench with three engines (distinct replicaId, each its own client, store and
 * Identity Center adapter) on one table and one AWS emulator: each grant must be revoked once.
 */
import type { BenchArgs } from '../run';
import { runRevocation } from '../support/revocation-run';
import { revocationOptions } from './revocation';

export default async function replicas(args: BenchArgs): Promise<Record<string, unknown>> {
  const { grants, replicas: n, ...rest } = await runRevocation(revocationOptions(args, 3));
  return { scenario: 'replicas', grants, replicas: n, ...rest };
}
