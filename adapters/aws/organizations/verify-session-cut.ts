/**
 * `keyless verify-session-cut`: proves, in a sandbox of the user's own organization, that a service
 * control policy of keyless's shape ends a live Identity Center session and spares a fresh one.
 *
 * 1. take a session with the test user's access portal sign-in (GetRoleCredentials) and check that a
 *    harmless call (s3:ListAllMyBuckets) works with it;
 * 2. write a policy `<prefix>-verify-0` that denies that user's sessions issued before T = now;
 * 3. call again with the old session until AWS answers AccessDenied "with an explicit deny in a service
 *    control policy" (SCP changes take effect after a short propagation delay), or give up;
 * 4. take a fresh session (issued after T) and check that the same call works;
 * 5. remove the policy, whatever happened.
 */
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ErrorCodes, KeylessError, type OwnedPolicy } from '../../../src';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export type ProbeResult = { ok: true } | { ok: false; byScp: boolean; message: string };

export interface VerifySessionCutDeps {
  /** A SessionCutPolicies whose prefix is keyless's own followed by `-verify` (the engine never sees it). */
  policies: { create(slot: number, content: string): Promise<OwnedPolicy>; remove(policyId: string): Promise<void> };
  /** A new session for the test user (the access portal's GetRoleCredentials). */
  takeSession(): Promise<SessionCredentials>;
  /** The harmless call, made with a session. */
  probe(session: SessionCredentials): Promise<ProbeResult>;
  now(): number;
  sleep(ms: number): Promise<void>;
  print(line: string): void;
}

export interface VerifySessionCutOptions {
  /** The test user's Identity Center user id (identitystore:UserId). */
  userId: string;
  /** The sandbox account the session is in (aws:PrincipalAccount). */
  accountId: string;
  /** How long to wait for the deny to take effect. */
  waitMs: number;
  /** How often to try the old session meanwhile. */
  pollMs: number;
}

/** The statement keyless writes for one person, narrowed to one account: Deny * for sessions issued before T. */
export function renderVerifyPolicy(userId: string, accountId: string, before: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'KeylessVerifySessionCut',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          StringEquals: { 'identitystore:UserId': userId, 'aws:PrincipalAccount': accountId },
          DateLessThan: { 'aws:TokenIssueTime': before.toISOString().replace(/\.\d{3}Z$/, 'Z') },
        },
      },
    ],
  });
}

export async function verifySessionCut(
  deps: VerifySessionCutDeps,
  options: VerifySessionCutOptions,
): Promise<{ ok: boolean; deniedAfterMs?: number }> {
  const { print } = deps;
  const old = await deps.takeSession();
  const before = await deps.probe(old);
  if (!before.ok) {
    print(`✗ The test session cannot call s3:ListAllMyBuckets even before the cut: ${before.message}`);
    print(
      '  Use a permission set that allows s3:ListAllMyBuckets (for example ReadOnlyAccess) in the sandbox account.',
    );
    return { ok: false };
  }
  print('✓ A session taken before the cut works (s3:ListAllMyBuckets).');
  // T strictly after the old session's issue time, to the second (aws:TokenIssueTime has seconds).
  await deps.sleep(1000);
  const t = new Date(Math.floor(deps.now() / 1000) * 1000);
  const policy = await deps.policies.create(0, renderVerifyPolicy(options.userId, options.accountId, t));
  print(
    `  Wrote ${policy.id}: deny sessions of ${options.userId} in ${options.accountId} issued before ${t.toISOString()}.`,
  );
  try {
    const started = deps.now();
    let last: ProbeResult = { ok: true };
    for (;;) {
      last = await deps.probe(old);
      if (!last.ok || deps.now() - started >= options.waitMs) break;
      await deps.sleep(options.pollMs);
    }
    if (last.ok) {
      print(`✗ The old session still works ${Math.round(options.waitMs / 1000)} s after the policy was written.`);
      print('  Check that the sandbox account is not the management account (SCPs never apply there) and that');
      print('  KEYLESS_SESSION_CUT_TARGETS holds the root or an OU above the account.');
      return { ok: false };
    }
    if (!last.byScp) {
      print(`✗ The old session was refused, but not by a service control policy: ${last.message}`);
      return { ok: false };
    }
    const deniedAfterMs = deps.now() - started;
    print(`✓ The old session is denied by the service control policy (after ${Math.round(deniedAfterMs / 1000)} s).`);
    // A fresh session must be issued after T.
    while (deps.now() <= t.getTime()) await deps.sleep(250);
    const fresh = await deps.takeSession();
    const after = await deps.probe(fresh);
    if (!after.ok) {
      print(`✗ A fresh session is refused too, so a new grant would not work: ${after.message}`);
      return { ok: false };
    }
    print('✓ A fresh session taken after the cut works.');
    return { ok: true, deniedAfterMs };
  } finally {
    await deps.policies.remove(policy.id);
    print(`  Removed ${policy.id}.`);
  }
}

/** The access portal's GetRoleCredentials (https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html). */
export async function portalRoleCredentials(input: {
  endpoint: string;
  accessToken: string;
  accountId: string;
  roleName: string;
}): Promise<SessionCredentials> {
  const url = new URL('/federation/credentials', input.endpoint);
  url.searchParams.set('account_id', input.accountId);
  url.searchParams.set('role_name', input.roleName);
  const response = await fetch(url, { headers: { 'x-amz-sso_bearer_token': input.accessToken } });
  const body = (await response.json().catch(() => ({}))) as {
    message?: string;
    roleCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number };
  };
  if (!response.ok || !body.roleCredentials) {
    const type = response.headers.get('x-amzn-errortype') ?? `HTTP ${response.status}`;
    throw new KeylessError(
      ErrorCodes.AwsAccessDenied,
      `The access portal refused a session for ${input.roleName} in ${input.accountId} (${type.split(':')[0]}: ${body.message ?? 'no message'}).`,
      {
        hint:
          response.status === 401
            ? 'The sign-in expired: run `aws sso login` again as the test user.'
            : 'The test user needs an assignment of that permission set in that account.',
      },
    );
  }
  const c = body.roleCredentials;
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: new Date(c.expiration),
  };
}

/** s3:ListAllMyBuckets with a session: harmless, and allowed by the usual read-only permission sets. */
export function s3Probe(config: { region: string; endpoint?: string }) {
  return async (session: SessionCredentials): Promise<ProbeResult> => {
    const client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
      credentials: session,
      maxAttempts: 1,
    });
    try {
      await client.send(new ListBucketsCommand({}));
      return { ok: true };
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      const message = (error as Error).message;
      if (name !== 'AccessDenied' && name !== 'AccessDeniedException') throw error;
      return { ok: false, byScp: /service control polic/i.test(message), message };
    } finally {
      client.destroy();
    }
  };
}
