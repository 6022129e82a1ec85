import { formatDuration } from './duration';

/**
 * A grant shorter than the sessions of its permission set (Identity Center `SessionDuration`): a
 * session opened near the grant's start keeps working after the grant ends, unless keyless ends it
 * at expiry (policy `sessionCut.atExpiry` with session cut on). Told to the requester and on the
 * approval message, on Slack and Teams alike.
 */
export interface SessionOutlives {
  /** How long a session of the permission set lasts (seconds). */
  sessionSeconds: number;
  /** How long the grant lasts from when it is asked for (seconds). */
  grantSeconds: number;
  /** True when keyless ends the open sessions at the scheduled expiry. */
  cutAtExpiry: boolean;
}

/** The note for a grant of `grantSeconds` whose sessions last `sessionSeconds`, or undefined when they do not outlive it. */
export function sessionOutlives(
  sessionSeconds: number,
  grantSeconds: number,
  cutAtExpiry: boolean,
): SessionOutlives | undefined {
  if (!(sessionSeconds > grantSeconds)) return undefined;
  return { sessionSeconds, grantSeconds, cutAtExpiry };
}

/** One plain sentence (the adapters escape it): how long the sessions last, and what happens at expiry. */
export function sessionOutlivesText(permissionSetName: string, note: SessionOutlives): string {
  const head = `Sessions from ${permissionSetName} last up to ${formatDuration(note.sessionSeconds)}, longer than the ${formatDuration(note.grantSeconds)} grant`;
  return note.cutAtExpiry
    ? `${head}; keyless ends the open sessions when the grant expires.`
    : `${head}; a session opened during the grant keeps working after it ends, until the session lapses (up to ${formatDuration(note.sessionSeconds)} after it was opened).`;
}

/**
 * For `why` and `keyless policy explain`: what happens to open sessions at a scheduled expiry, for a
 * permission set whose sessions last `sessionSeconds`. `policyAtExpiry` is the policy's answer
 * (`sessionCutAtExpiry`), `deploymentDefault` the engine option, `enabled` whether session cut is on.
 */
export function sessionCutExplainText(input: {
  permissionSetName: string;
  sessionSeconds: number;
  policyAtExpiry: boolean | undefined;
  deploymentDefault: boolean;
  enabled: boolean;
  /** The account is the organization's management account (no service control policy reaches it). */
  managementAccount?: boolean;
}): string {
  const head = `Sessions from ${input.permissionSetName} last up to ${formatDuration(input.sessionSeconds)}.`;
  if (input.enabled && input.managementAccount) {
    return `${head} Sessions in the management account are not ended, neither by End now nor at expiry (service control policies do not reach it).`;
  }
  const atExpiry = input.policyAtExpiry ?? input.deploymentDefault;
  if (!input.enabled) {
    return `${head} Session cut is off in this deployment (KEYLESS_SESSION_CUT): open sessions are not ended early, neither by End now nor at expiry${input.policyAtExpiry ? ', although the policy asks for it at expiry (sessionCut.atExpiry)' : ''}.`;
  }
  if (atExpiry) {
    const why = input.policyAtExpiry === undefined ? 'the deployment default' : 'policy sessionCut.atExpiry';
    return `${head} End now ends open sessions, and so does the scheduled expiry of a grant shorter than that (${why}).`;
  }
  const why =
    input.policyAtExpiry === undefined
      ? 'sessionCut.atExpiry is not set in the policy'
      : 'policy sessionCut.atExpiry is false';
  return `${head} End now ends open sessions; the scheduled expiry of a grant shorter than that does not (${why}), so they keep working until they lapse.`;
}
