/**
 * Account assignments: Create/DeleteAccountAssignment, then poll Describe…Status until SUCCEEDED
 * or FAILED (the schedule is in poll-schedule.ts), within the pace and an overall deadline.
 * Idempotent: an assignment that exists counts as assigned, one already gone as unassigned.
 * https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html
 */
import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  type AccountAssignmentOperationStatus,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  ErrorCodes,
  KeylessError,
  isKeylessError,
  silentLogger,
  type AccountId,
  type AssignmentKey,
  type Logger,
  type PermissionSetArn,
  type PrincipalId,
} from '../../../src';
import type { ConcurrencyLimit } from '../../shared/pace';
import type { AwsCaller } from './aws-caller';
import { isNotFound } from './aws-errors';
import type { AwsCatalog } from './catalog';
import { DurationEstimator, nextPollDelay, type PollingOptions } from './poll-schedule';

type Kind = 'create' | 'delete';

export interface AssignmentLimits {
  /** Outstanding CreateAccountAssignment operations (Identity Center allows about 10). */
  creates: ConcurrencyLimit;
  deletes: ConcurrencyLimit;
}

/** Waits `ms`, or less when the estimate changes; says which happened. */
function waitOrWake(ms: number, estimator: DurationEstimator): Promise<'timer' | 'changed'> {
  if (ms <= 0) return Promise.resolve('timer');
  const change = estimator.nextChange();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timer'>((resolve) => {
    timer = setTimeout(() => resolve('timer'), ms);
  });
  return Promise.race([timeout, change.promise.then(() => 'changed' as const)]).finally(() => {
    clearTimeout(timer);
    change.cancel();
  });
}

export class SsoAssignments {
  readonly estimators: Record<Kind, DurationEstimator>;

  constructor(
    private readonly sso: SSOAdminClient,
    private readonly caller: AwsCaller,
    private readonly limits: AssignmentLimits,
    private readonly catalog: AwsCatalog,
    private readonly options: { instanceArn: string; polling: PollingOptions },
    private readonly logger: Logger = silentLogger,
  ) {
    this.estimators = {
      create: new DurationEstimator(options.polling.samples),
      delete: new DurationEstimator(options.polling.samples),
    };
  }

  async assign(key: AssignmentKey): Promise<void> {
    await Promise.all([
      this.catalog.requireAccount(key.accountId),
      this.catalog.requirePermissionSet(key.permissionSetArn),
    ]);
    const deadline = Date.now() + this.options.polling.deadlineMs;
    await this.limits.creates.run(async () => {
      let sentAt = 0;
      const out = await this.caller.send(
        { action: 'sso:CreateAccountAssignment', details: this.details(key) },
        () => {
          sentAt = Date.now();
          return this.sso.send(new CreateAccountAssignmentCommand({ ...this.target(key) }));
        },
        { deadline },
      );
      await this.untilFinal('create', key, out.AccountAssignmentCreationStatus, sentAt, deadline);
    });
  }

  async unassign(key: AssignmentKey): Promise<void> {
    try {
      await this.catalog.requirePermissionSet(key.permissionSetArn);
    } catch (error) {
      if (!isKeylessError(error, ErrorCodes.UnknownPermissionSet)) throw error;
      // No such permission set, so no such assignment: already gone, which is what was asked.
      this.logger.warn(this.details(key), 'unassign of a permission set that no longer exists counts as done');
      return;
    }
    const deadline = Date.now() + this.options.polling.deadlineMs;
    await this.limits.deletes.run(async () => {
      let sentAt = 0;
      let out;
      try {
        out = await this.caller.send(
          { action: 'sso:DeleteAccountAssignment', details: this.details(key) },
          () => {
            sentAt = Date.now();
            return this.sso.send(new DeleteAccountAssignmentCommand({ ...this.target(key) }));
          },
          { deadline, passThrough: isNotFound },
        );
      } catch (error) {
        // The permission set exists (checked above), so "not found" is the assignment: already gone.
        // Only that: a ConflictException (another operation on this assignment is running) is retried
        // by the caller and, if it persists, fails for the engine to retry. It never means "gone".
        if (isNotFound(error)) return;
        throw error;
      }
      await this.untilFinal('delete', key, out.AccountAssignmentDeletionStatus, sentAt, deadline);
    });
  }

  async listAssignments(permissionSetArns: readonly PermissionSetArn[]): Promise<AssignmentKey[]> {
    const out: AssignmentKey[] = [];
    for (const arn of permissionSetArns) {
      const accounts: string[] = [];
      let token: string | undefined;
      do {
        const page = await this.caller.send(
          { action: 'sso:ListAccountsForProvisionedPermissionSet', details: { permissionSet: arn } },
          () =>
            this.sso.send(
              new ListAccountsForProvisionedPermissionSetCommand({
                InstanceArn: this.options.instanceArn,
                PermissionSetArn: arn,
                MaxResults: 100,
                NextToken: token,
              }),
            ),
        );
        accounts.push(...(page.AccountIds ?? []));
        token = page.NextToken;
      } while (token);
      for (const accountId of accounts) {
        let next: string | undefined;
        do {
          const page = await this.caller.send(
            { action: 'sso:ListAccountAssignments', details: { permissionSet: arn, accountId } },
            () =>
              this.sso.send(
                new ListAccountAssignmentsCommand({
                  InstanceArn: this.options.instanceArn,
                  AccountId: accountId,
                  PermissionSetArn: arn,
                  MaxResults: 100,
                  NextToken: next,
                }),
              ),
          );
          for (const a of page.AccountAssignments ?? []) {
            if (a.PrincipalType === 'USER' && a.PrincipalId && a.AccountId) {
              out.push({
                principalId: a.PrincipalId as PrincipalId,
                accountId: a.AccountId as AccountId,
                permissionSetArn: arn,
              });
            }
          }
          next = page.NextToken;
        } while (next);
      }
    }
    return out;
  }

  async hasAssignment(key: AssignmentKey): Promise<boolean> {
    let next: string | undefined;
    do {
      const page = await this.caller.send(
        {
          action: 'sso:ListAccountAssignments',
          details: { permissionSet: key.permissionSetArn, accountId: key.accountId },
        },
        () =>
          this.sso.send(
            new ListAccountAssignmentsCommand({
              InstanceArn: this.options.instanceArn,
              AccountId: key.accountId,
              PermissionSetArn: key.permissionSetArn,
              MaxResults: 100,
              NextToken: next,
            }),
          ),
      );
      if (
        (page.AccountAssignments ?? []).some((a) => a.PrincipalType === 'USER' && a.PrincipalId === key.principalId)
      ) {
        return true;
      }
      next = page.NextToken;
    } while (next);
    return false;
  }

  private target(key: AssignmentKey) {
    return {
      InstanceArn: this.options.instanceArn,
      TargetId: key.accountId,
      TargetType: 'AWS_ACCOUNT' as const,
      PermissionSetArn: key.permissionSetArn,
      PrincipalType: 'USER' as const,
      PrincipalId: key.principalId,
    };
  }

  private details(key: AssignmentKey): Record<string, unknown> {
    return { principal: key.principalId, accountId: key.accountId, permissionSet: key.permissionSetArn };
  }

  private async describe(
    kind: Kind,
    requestId: string,
    deadline: number,
  ): Promise<AccountAssignmentOperationStatus | undefined> {
    const InstanceArn = this.options.instanceArn;
    if (kind === 'create') {
      const out = await this.caller.send(
        { action: 'sso:DescribeAccountAssignmentCreationStatus', details: { awsRequestId: requestId } },
        () =>
          this.sso.send(
            new DescribeAccountAssignmentCreationStatusCommand({
              InstanceArn,
              AccountAssignmentCreationRequestId: requestId,
            }),
          ),
        { deadline, priority: 'high' },
      );
      return out.AccountAssignmentCreationStatus;
    }
    const out = await this.caller.send(
      { action: 'sso:DescribeAccountAssignmentDeletionStatus', details: { awsRequestId: requestId } },
      () =>
        this.sso.send(
          new DescribeAccountAssignmentDeletionStatusCommand({
            InstanceArn,
            AccountAssignmentDeletionRequestId: requestId,
          }),
        ),
      { deadline, priority: 'high' },
    );
    return out.AccountAssignmentDeletionStatus;
  }

  private async untilFinal(
    kind: Kind,
    key: AssignmentKey,
    initial: AccountAssignmentOperationStatus | undefined,
    sentAt: number,
    deadline: number,
  ): Promise<void> {
    const requestId = initial?.RequestId;
    let status = initial;
    if (!requestId)
      throw new KeylessError(ErrorCodes.Unavailable, 'Identity Center answered without a request id.', {
        details: this.details(key),
      });
    const estimator = this.estimators[kind];
    const polling = this.options.polling;
    let polls = 0;
    let lastPollAt = sentAt;
    let lastIntervalMs = 0;
    while (status?.Status === 'IN_PROGRESS' || status?.Status === undefined) {
      const now = Date.now();
      const delay = nextPollDelay(
        { elapsedMs: now - sentAt, polls, sinceLastPollMs: now - lastPollAt, lastIntervalMs },
        estimator.estimate(),
        polling,
      );
      if (now + delay > deadline) {
        throw new KeylessError(
          ErrorCodes.Unavailable,
          `Identity Center did not confirm the ${kind === 'create' ? 'assignment' : 'removal'} within ${Math.round(polling.deadlineMs / 1000)} s. It may still finish; keyless will check again.`,
          { details: { ...this.details(key), awsRequestId: requestId } },
        );
      }
      if ((await waitOrWake(delay, estimator)) === 'changed') continue;
      const pollAt = Date.now();
      status = await this.describe(kind, requestId, deadline);
      polls += 1;
      if (polls > 1) lastIntervalMs = pollAt - lastPollAt;
      lastPollAt = pollAt;
      if (status?.Status && status.Status !== 'IN_PROGRESS') estimator.record(pollAt - sentAt);
    }
    if (status?.Status === 'FAILED') {
      const reason = status.FailureReason ?? 'no reason given';
      throw new KeylessError(
        ErrorCodes.AssignmentFailed,
        `Identity Center could not ${kind === 'create' ? 'grant' : 'remove'} the access: ${reason}`,
        { details: { ...this.details(key), awsRequestId: requestId, failureReason: reason } },
      );
    }
    this.logger.debug(
      { ...this.details(key), awsRequestId: requestId, polls, ms: Date.now() - sentAt },
      `assignment ${kind} confirmed`,
    );
  }
}
