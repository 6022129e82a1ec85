import type { TrailLookup } from '../domain';

/**
 * CloudTrail's event history of a member account, read through keyless's audit role there
 * (LookupEvents by user name, paced within CloudTrail's 2 calls per second per account and Region).
 */
export interface ActivityTrail {
  /**
   * The management events of `username`'s sessions of the roles whose name starts with
   * `roleNamePrefix` (the permission set's `AWSReservedSSO_<name>_`) in `accountId`, between `from`
   * and `to` (epoch ms), in every Region the adapter looks in. At most `maxEvents` are read
   * (`truncated` says when there were more). A Region that cannot be read is listed in `unavailable`
   * with the reason; a failure to reach the account at all (the audit role) is thrown.
   */
  lookup(query: {
    accountId: string;
    username: string;
    roleNamePrefix: string;
    from: number;
    to: number;
    maxEvents: number;
  }): Promise<TrailLookup>;
}
