import { groupNameFromText } from '../domain';
import type { EngineContext } from './deps';
import { requestAccess, type RequestAccessInput, type RequestAccessResult } from './request-access';
import { requestGroupAccess } from './request-group-access';

/**
 * Every request enters here: `group:<name>` asks for a membership of an Identity Center group,
 * anything else an account and permission set. Both go through the same policy, approvals,
 * one-live-grant slot and revocation.
 */
export function requestAnyAccess(ctx: EngineContext, input: RequestAccessInput): Promise<RequestAccessResult> {
  return groupNameFromText(input.account) !== undefined ? requestGroupAccess(ctx, input) : requestAccess(ctx, input);
}
