import type { DriftPerson } from '../domain';

/**
 * Names for the security feed, so that alerts name people and permission sets instead of ids
 * (Identity Center through the identity adapter). Either call may throw: the alert then shows the
 * id, and says that the name could not be read.
 */
export interface AlertNames {
  /** The Identity Center user with this id; undefined when there is none. */
  person(principalId: string): Promise<DriftPerson | undefined>;
  /** The permission set's name; undefined when there is none with that ARN. */
  permissionSetName(permissionSetArn: string): Promise<string | undefined>;
}
