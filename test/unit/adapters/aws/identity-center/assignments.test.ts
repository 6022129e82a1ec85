/**
 * Deleting an assignment against a scripted SSO client: "not found" is already gone, but a
 * ConflictException (another operation on the same assignment is running) is retried and never
 * taken for success, so a grant never ends while its assignment stays.
 */
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { AwsCaller } from '../../../../../adapters/aws/identity-center/aws-caller';
import { SsoAssignments } from '../../../../../adapters/aws/identity-center/assignments';
import type { AwsCatalog } from '../../../../../adapters/aws/identity-center/catalog';
import { isConflict, isRetryable } from '../../../../../adapters/aws/identity-center/aws-errors';
import { defaultPolling } from '../../../../../adapters/aws/identity-center/poll-schedule';
import { ConcurrencyLimit, Pace } from '../../../../../adapters/shared/pace';
import { isKeylessError, type AssignmentKey } from '../../../../../src';
import { ADMIN } from '../../../../builders';

const key = {
  principalId: '90670000-0000-0000-0000-000000000001',
  accountId: '111111111111',
  permissionSetArn: ADMIN,
} as AssignmentKey;

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name}: scripted`), { name, $metadata: { httpStatusCode: status } });
}

/** An SSO client whose DeleteAccountAssignment answers come from `script`, in order. */
function scripted(script: (Error | 'ok')[]) {
  const calls: string[] = [];
  const sso = {
    send: async (command: unknown) => {
      if (command instanceof DeleteAccountAssignmentCommand) {
        calls.push('delete');
        const next = script.shift() ?? 'ok';
        if (next !== 'ok') throw next;
        return { AccountAssignmentDeletionStatus: { RequestId: 'del-1', Status: 'IN_PROGRESS' } };
      }
      if (command instanceof DescribeAccountAssignmentDeletionStatusCommand) {
        calls.push('describe');
        return { AccountAssignmentDeletionStatus: { RequestId: 'del-1', Status: 'SUCCEEDED' } };
      }
      throw new Error('unexpected command');
    },
  } as unknown as SSOAdminClient;
  const catalog = {
    requirePermissionSet: async () => undefined,
    requireAccount: async () => undefined,
  } as unknown as AwsCatalog;
  const caller = new AwsCaller(new Pace({ tps: 1000, maxOutstanding: 10 }), {
    maxAttempts: 4,
    baseDelayMs: 1,
    maxDelayMs: 2,
  });
  const assignments = new SsoAssignments(
    sso,
    caller,
    { creates: new ConcurrencyLimit(10), deletes: new ConcurrencyLimit(10) },
    catalog,
    {
      instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
      polling: { ...defaultPolling, firstPollMs: 1, nearIntervalMs: 1 },
    },
  );
  return { assignments, calls };
}

describe('removing an assignment', () => {
  it('classifies ConflictException as a conflict to retry, not as "gone"', () => {
    const conflict = awsError('ConflictException', 409);
    expect(isConflict(conflict)).toBe(true);
    expect(isRetryable(conflict)).toBe(true);
  });

  it('retries a ConflictException and confirms the deletion before saying it is done', async () => {
    const { assignments, calls } = scripted([awsError('ConflictException', 409), 'ok']);
    await assignments.unassign(key);
    expect(calls.filter((c) => c === 'delete')).toHaveLength(2);
    expect(calls.at(-1)).toBe('describe'); // the deletion was confirmed, not assumed
  });

  it('fails (for the engine to retry) when the conflict outlasts every attempt: never success', async () => {
    const conflicts = Array.from({ length: 10 }, () => awsError('ConflictException', 409));
    const { assignments, calls } = scripted(conflicts);
    const error = await assignments.unassign(key).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isKeylessError(error)).toBe(true);
    expect(isKeylessError(error) && error.retryable).toBe(true);
    expect(calls.every((c) => c === 'delete')).toBe(true);
  });

  it('takes "not found" for an assignment already gone, without polling', async () => {
    const { assignments, calls } = scripted([awsError('ResourceNotFoundException', 404)]);
    await assignments.unassign(key);
    expect(calls).toEqual(['delete']);
  });
});
