/**
 * sso-admin (JSON 1.1, `SWBExternalService.<Op>`): the operations keyless calls.
 * Shapes: https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_Operations.html
 */
import {
  AwsError,
  epochSeconds,
  optionalString,
  paginate,
  requireString,
  type JsonInput,
  type JsonService,
  type ServiceContext,
} from '../protocol';
import { assignmentKey, type AssignmentOperation, type EmuAssignment } from '../world';

function checkInstance(input: JsonInput, ctx: ServiceContext): void {
  const arn = requireString(input, 'InstanceArn');
  if (arn !== ctx.world.instanceArn) {
    throw new AwsError('ResourceNotFoundException', `Instance ${arn} does not exist.`);
  }
}

function permissionSet(input: JsonInput, ctx: ServiceContext) {
  const arn = requireString(input, 'PermissionSetArn');
  const ps = ctx.world.permissionSets.get(arn);
  if (!ps)
    throw new AwsError('ResourceNotFoundException', `Could not find PermissionSet with PermissionSetArn ${arn}.`);
  return ps;
}

function assignmentInput(input: JsonInput, ctx: ServiceContext): EmuAssignment {
  checkInstance(input, ctx);
  const ps = permissionSet(input, ctx);
  const targetType = requireString(input, 'TargetType');
  if (targetType !== 'AWS_ACCOUNT')
    throw new AwsError('ValidationException', `TargetType ${targetType} is not supported.`);
  const accountId = requireString(input, 'TargetId');
  if (!/^\d{12}$/.test(accountId))
    throw new AwsError('ValidationException', `TargetId ${accountId} is not a valid account id.`);
  if (!ctx.world.accounts.has(accountId)) {
    throw new AwsError('ValidationException', `The target account ${accountId} is not a member of the organization.`);
  }
  const principalType = requireString(input, 'PrincipalType');
  if (principalType !== 'USER' && principalType !== 'GROUP') {
    throw new AwsError('ValidationException', `PrincipalType ${principalType} is not supported.`);
  }
  const principalId = requireString(input, 'PrincipalId');
  const known = principalType === 'USER' ? ctx.world.users.has(principalId) : ctx.world.groups.has(principalId);
  if (!known)
    throw new AwsError('ValidationException', `The principal ${principalId} does not exist in the identity store.`);
  return { principalId, principalType, accountId, permissionSetArn: ps.arn };
}

function operationStatus(op: AssignmentOperation): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Status: op.status,
    RequestId: op.requestId,
    TargetId: op.assignment.accountId,
    TargetType: 'AWS_ACCOUNT',
    PermissionSetArn: op.assignment.permissionSetArn,
    PrincipalType: op.assignment.principalType,
    PrincipalId: op.assignment.principalId,
    CreatedDate: epochSeconds(op.createdAt),
  };
  if (op.status === 'FAILED' && op.failureReason !== undefined) out.FailureReason = op.failureReason;
  return out;
}

function conflictCheck(operation: string, a: EmuAssignment, ctx: ServiceContext): void {
  if (ctx.faults.takeConflict(operation)) {
    throw new AwsError('ConflictException', 'Another operation is in progress on this assignment. Try again later.');
  }
  // Real Identity Center refuses a second operation on a target while one is in progress.
  for (const op of ctx.world.operations.values()) {
    if (op.status === 'IN_PROGRESS' && assignmentKey(op.assignment) === assignmentKey(a)) {
      throw new AwsError(
        'ConflictException',
        'Operation is not allowed while another operation is in progress for the same assignment.',
      );
    }
  }
}

function describe(
  kind: 'create' | 'delete',
  idField: string,
  input: JsonInput,
  ctx: ServiceContext,
): AssignmentOperation {
  checkInstance(input, ctx);
  const id = requireString(input, idField);
  const op = ctx.world.operations.get(id);
  if (!op || op.kind !== kind) throw new AwsError('ResourceNotFoundException', `Request ${id} does not exist.`);
  return op;
}

export const ssoAdminService: JsonService = {
  name: 'sso-admin',
  targetPrefix: 'SWBExternalService',
  throttleCode: 'ThrottlingException',
  identityCenterLimit: true,
  operations: {
    ListPermissionSets(input, ctx) {
      checkInstance(input, ctx);
      const { page, NextToken } = paginate([...ctx.world.permissionSets.keys()], input, 100);
      return { PermissionSets: page, ...(NextToken ? { NextToken } : {}) };
    },
    DescribePermissionSet(input, ctx) {
      checkInstance(input, ctx);
      const ps = permissionSet(input, ctx);
      return {
        PermissionSet: {
          Name: ps.name,
          PermissionSetArn: ps.arn,
          ...(ps.description !== undefined ? { Description: ps.description } : {}),
          CreatedDate: epochSeconds(ps.createdAt),
          SessionDuration: ps.sessionDuration,
        },
      };
    },
    CreateAccountAssignment(input, ctx) {
      const a = assignmentInput(input, ctx);
      conflictCheck('CreateAccountAssignment', a, ctx);
      const op = ctx.world.startOperation(
        'create',
        a,
        ctx.faults.provisioningDelay(),
        ctx.faults.takeFailure('create'),
      );
      return { AccountAssignmentCreationStatus: operationStatus(op) };
    },
    DeleteAccountAssignment(input, ctx) {
      const a = assignmentInput(input, ctx);
      conflictCheck('DeleteAccountAssignment', a, ctx);
      if (!ctx.world.assignments.has(assignmentKey(a))) {
        throw new AwsError('ResourceNotFoundException', 'The specified account assignment does not exist.');
      }
      const op = ctx.world.startOperation(
        'delete',
        a,
        ctx.faults.provisioningDelay(),
        ctx.faults.takeFailure('delete'),
      );
      return { AccountAssignmentDeletionStatus: operationStatus(op) };
    },
    DescribeAccountAssignmentCreationStatus(input, ctx) {
      return {
        AccountAssignmentCreationStatus: operationStatus(
          describe('create', 'AccountAssignmentCreationRequestId', input, ctx),
        ),
      };
    },
    DescribeAccountAssignmentDeletionStatus(input, ctx) {
      return {
        AccountAssignmentDeletionStatus: operationStatus(
          describe('delete', 'AccountAssignmentDeletionRequestId', input, ctx),
        ),
      };
    },
    ListAccountAssignments(input, ctx) {
      checkInstance(input, ctx);
      const accountId = requireString(input, 'AccountId');
      const ps = permissionSet(input, ctx);
      const found = [...ctx.world.assignments.values()]
        .filter((a) => a.accountId === accountId && a.permissionSetArn === ps.arn)
        .map((a) => ({
          AccountId: a.accountId,
          PermissionSetArn: a.permissionSetArn,
          PrincipalType: a.principalType,
          PrincipalId: a.principalId,
        }));
      const { page, NextToken } = paginate(found, input, 100);
      return { AccountAssignments: page, ...(NextToken ? { NextToken } : {}) };
    },
    ListAccountsForProvisionedPermissionSet(input, ctx) {
      checkInstance(input, ctx);
      const ps = permissionSet(input, ctx);
      const status = optionalString(input, 'ProvisioningStatus');
      const accounts = [...(ctx.world.provisioned.get(ps.arn) ?? [])].sort();
      // Every provisioned account is LATEST_PERMISSION_SET_PROVISIONED in the emulator.
      const list = status === 'LATEST_PERMISSION_SET_NOT_PROVISIONED' ? [] : accounts;
      const { page, NextToken } = paginate(list, input, 100);
      return { AccountIds: page, ...(NextToken ? { NextToken } : {}) };
    },
  },
};
