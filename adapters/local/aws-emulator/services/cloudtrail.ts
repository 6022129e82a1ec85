/**
 * CloudTrail (JSON 1.1): the trails of the caller's account, as `keyless doctor` reads them.
 * The JavaScript SDK sends `X-Amz-Target: CloudTrail_20131101.<Op>`, other clients the fully
 * qualified `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`; AWS accepts both.
 * Shapes: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html and
 * API_GetTrailStatus.html. Trails are regional: DescribeTrails lists the trails whose home Region is
 * the request's Region, and (includeShadowTrails, true by default) the multi-Region trails of other
 * Regions; GetTrailStatus finds a trail of another Region (a shadow trail) by its ARN only.
 */
import { AwsError, requireString, type JsonService, type ServiceContext } from '../protocol';
import type { EmuTrail } from '../world';
import { sessionOf } from './sessions';
import { lookupAccount, trailHistoryOf } from './trail-history';

const JSON_PREFIX = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';

const trailArn = (t: EmuTrail, ctx: ServiceContext): string =>
  `arn:aws:cloudtrail:${t.homeRegion}:${ctx.world.managementAccountId}:trail/${t.name}`;

const requestRegion = (ctx: ServiceContext): string => ctx.region ?? ctx.world.region;

function trailShape(t: EmuTrail, ctx: ServiceContext): Record<string, unknown> {
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName,
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.isMultiRegionTrail,
    HomeRegion: t.homeRegion,
    TrailARN: trailArn(t, ctx),
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: t.isOrganizationTrail,
  };
}

/** The trail `name` designates from the request's Region: a name of this Region, or an ARN of any. */
function findTrail(name: string, ctx: ServiceContext): EmuTrail | undefined {
  const region = requestRegion(ctx);
  if (name.startsWith('arn:')) {
    return ctx.world.trails.find((t) => trailArn(t, ctx) === name && (t.homeRegion === region || t.isMultiRegionTrail));
  }
  return ctx.world.trails.find((t) => t.name === name && t.homeRegion === region);
}

function notFound(name: string, ctx: ServiceContext): AwsError {
  const arn = name.startsWith('arn:')
    ? name
    : `arn:aws:cloudtrail:${requestRegion(ctx)}:${ctx.world.managementAccountId}:trail/${name}`;
  return new AwsError('TrailNotFoundException', `Unknown trail: ${arn} for the user: ${ctx.world.caller.account}`);
}

export const cloudTrailService: JsonService = {
  name: 'cloudtrail',
  targetPrefix: JSON_PREFIX,
  targetPrefixAliases: ['CloudTrail_20131101'],
  throttleCode: 'ThrottlingException',
  identityCenterLimit: false,
  operations: {
    DescribeTrails(input, ctx) {
      const region = requestRegion(ctx);
      const shadows = input.includeShadowTrails !== false;
      const names = input.trailNameList;
      if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string'))) {
        throw new AwsError('SerializationException', 'trailNameList must be a list of strings.');
      }
      const trails = names?.length
        ? // Names of this Region's trails, ARNs of any: unknown ones are left out, not an error.
          (names as string[]).map((n) => findTrail(n, ctx)).filter((t): t is EmuTrail => t !== undefined)
        : ctx.world.trails.filter((t) => t.homeRegion === region || (shadows && t.isMultiRegionTrail));
      return { trailList: [...new Set(trails)].map((t) => trailShape(t, ctx)) };
    },
    /** The event history of the caller's account in the request's Region (services/trail-history.ts). */
    LookupEvents(input, ctx) {
      const account = lookupAccount(ctx, sessionOf(ctx.accessKeyId));
      return trailHistoryOf(ctx.world).lookup(input, account, requestRegion(ctx), ctx.now());
    },
    GetTrailStatus(input, ctx) {
      const name = requireString(input, 'Name');
      const trail = findTrail(name, ctx);
      if (!trail) throw notFound(name, ctx);
      // A fixed instant: the emulator's trails have been logging since the seed (or stopped then).
      const since = Date.UTC(2024, 0, 1) / 1000;
      return {
        IsLogging: trail.logging,
        ...(trail.logging
          ? { StartLoggingTime: since, TimeLoggingStarted: new Date(since * 1000).toISOString() }
          : { StopLoggingTime: since, TimeLoggingStopped: new Date(since * 1000).toISOString() }),
      };
    },
  },
};
