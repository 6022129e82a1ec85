/**
 * `keyless verify-session-cut`: before relying on KEYLESS_SESSION_CUT, prove in a sandbox account of
 * your own organization that keyless's deny ends a live Identity Center session and spares a new one.
 *
 * Procedure (README "Security model"): as a test user with an assignment of a permission set that
 * allows s3:ListAllMyBuckets in a sandbox member account, run `aws sso login`; then, with keyless's
 * AWS credentials (management account, the session-cut permissions):
 *   keyless verify-session-cut --user-id <identity store user id> --account <sandbox id> --permission-set <name>
 * The sign-in's access token is read from the AWS CLI's cache (~/.aws/sso/cache), never printed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ErrorCodes, KeylessError } from '../../src';
import { organizationsRegionFor } from '../aws/identity-center/create-identity-center';
import { AwsSessionCutPolicies, portalRoleCredentials, s3Probe, verifySessionCut } from '../aws/organizations';
import { DEFAULT_SESSION_CUT_PREFIX } from './config';

export interface VerifySessionCutCliOptions {
  userId: string;
  account: string;
  permissionSet: string;
  ssoTokenFile?: string;
  ssoRegion?: string;
  targets?: string;
  prefix?: string;
  wait?: string;
}

interface CachedToken {
  accessToken: string;
  expiresAt?: string;
  region?: string;
}

function readToken(file: string): CachedToken | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CachedToken>;
    return typeof parsed.accessToken === 'string' && parsed.accessToken.length > 0
      ? (parsed as CachedToken)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The access token of `aws sso login`: the given file, else the newest unexpired one in ~/.aws/sso/cache. */
export function findSsoToken(file: string | undefined, now: number, home = homedir()): CachedToken {
  if (file) {
    const token = readToken(file);
    if (!token) {
      throw new KeylessError(ErrorCodes.InvalidInput, `${file} holds no access token (a file of ~/.aws/sso/cache).`);
    }
    return token;
  }
  const dir = join(home, '.aws', 'sso', 'cache');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    // No cache: said below.
  }
  const tokens = names
    .map((n) => ({ path: join(dir, n), token: readToken(join(dir, n)) }))
    .filter((t): t is { path: string; token: CachedToken } => t.token !== undefined)
    .filter((t) => !t.token.expiresAt || Date.parse(t.token.expiresAt) > now)
    .sort((a, b) => statSync(b.path).mtimeMs - statSync(a.path).mtimeMs);
  if (!tokens[0]) {
    throw new KeylessError(ErrorCodes.InvalidInput, `No unexpired access portal sign-in in ${dir}.`, {
      hint: 'Sign in as the test user first (aws sso login --profile <the test user’s profile>), or pass --sso-token-file.',
    });
  }
  return tokens[0].token;
}

const ACCOUNT = /^\d{12}$/;
const TARGET = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/** Runs the verification; prints each step; resolves true when the deny works. */
export async function runVerifySessionCut(
  options: VerifySessionCutCliOptions,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<boolean> {
  if (!ACCOUNT.test(options.account)) {
    throw new KeylessError(ErrorCodes.InvalidAccountId, `"${options.account}" is not a 12-digit AWS account id.`);
  }
  if (!/^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(options.userId)) {
    throw new KeylessError(
      ErrorCodes.InvalidInput,
      `"${options.userId}" is not an Identity Center user id (find it with aws identitystore get-user-id).`,
    );
  }
  const targets = (options.targets ?? env.KEYLESS_SESSION_CUT_TARGETS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (targets.length === 0 || !targets.every((t) => TARGET.test(t))) {
    throw new KeylessError(
      ErrorCodes.ConfigInvalid,
      'verify-session-cut needs the root (r-…) or OUs (ou-…) to attach the test policy to: --targets or KEYLESS_SESSION_CUT_TARGETS.',
    );
  }
  const prefix = `${options.prefix ?? env.KEYLESS_SESSION_CUT_PREFIX ?? DEFAULT_SESSION_CUT_PREFIX}-verify`;
  const waitSeconds = Number(options.wait ?? 120);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1 || waitSeconds > 900) {
    throw new KeylessError(ErrorCodes.InvalidInput, '--wait is a number of seconds between 1 and 900.');
  }
  const token = findSsoToken(options.ssoTokenFile, Date.now());
  const ssoRegion = options.ssoRegion ?? token.region ?? env.AWS_REGION;
  if (!ssoRegion) {
    throw new KeylessError(ErrorCodes.ConfigInvalid, 'Which Region is Identity Center in? Pass --sso-region.');
  }
  const portal = env.AWS_ENDPOINT_URL_SSO ?? env.AWS_ENDPOINT_URL ?? `https://portal.sso.${ssoRegion}.amazonaws.com`;
  const organizations = new OrganizationsClient({ maxAttempts: 1, region: organizationsRegionFor(ssoRegion) });
  try {
    const result = await verifySessionCut(
      {
        policies: new AwsSessionCutPolicies(organizations, { prefix, targets }),
        takeSession: () =>
          portalRoleCredentials({
            endpoint: portal,
            accessToken: token.accessToken,
            accountId: options.account,
            roleName: options.permissionSet,
          }),
        probe: s3Probe({ region: env.AWS_REGION ?? ssoRegion }),
        now: Date.now,
        sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
        print,
      },
      { userId: options.userId, accountId: options.account, waitMs: waitSeconds * 1000, pollMs: 5000 },
    );
    print(
      result.ok
        ? `The session cut works in ${options.account}: keyless can end live sessions there.`
        : `The session cut did NOT work in ${options.account}: do not rely on KEYLESS_SESSION_CUT until it does.`,
    );
    return result.ok;
  } finally {
    organizations.destroy();
  }
}
