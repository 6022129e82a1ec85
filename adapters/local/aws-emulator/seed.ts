/**
 * The emulator's world, described in YAML: organization, OUs, accounts and tags, users and groups,
 * permission sets. Validated with zod so a typo in a seed names its path.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configStoresSeedSchema } from './services/config-stores-seed';
import { iamSeedSchema, sqsSeedSchema } from './services/security-seed';

const accountId = z.string().regex(/^\d{12}$/, 'an account id has exactly 12 digits (quote it in YAML)');
const ouId = z.string().regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, 'an OU id looks like ou-ab12-11111111');
const rootId = z.string().regex(/^r-[0-9a-z]{4,32}$/, 'a root id looks like r-ab12');
const duration = z
  .string()
  .regex(/^PT(\d+H)?(\d+M)?$/, 'a session duration is ISO 8601, for example PT1H or PT8H')
  .refine((d) => {
    const s = isoDurationSeconds(d);
    return s >= 3600 && s <= 12 * 3600;
  }, 'a session duration is between 1 and 12 hours');

export const seedSchema = z
  .object({
    region: z.string().default('us-east-1'),
    identityCenter: z.object({
      instanceArn: z
        .string()
        .regex(
          /^arn:aws:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/,
          'an instance ARN looks like arn:aws:sso:::instance/ssoins-1111111111111111',
        ),
      identityStoreId: z.string().regex(/^d-[0-9a-f]{10}$/, 'an identity store id looks like d-1234567890'),
    }),
    caller: z
      .object({
        account: accountId,
        arn: z.string(),
        userId: z.string(),
      })
      .optional(),
    organization: z.object({
      id: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id looks like o-abcd123456'),
      managementAccountId: accountId,
      rootId,
      /** Whether the SERVICE_CONTROL_POLICY type is enabled at the root (FullAWSAccess attached everywhere). */
      serviceControlPolicies: z.boolean().default(true),
      ous: z
        .array(
          z.object({
            id: ouId,
            name: z.string().min(1),
            /** Parent OU id or the root id; the root when omitted. */
            parent: z.string().optional(),
          }),
        )
        .default([]),
    }),
    accounts: z
      .array(
        z.object({
          id: accountId,
          name: z.string().min(1),
          email: z.string().email().optional(),
          /** The OU the account sits in; the root when omitted. */
          ou: z.string().optional(),
          status: z.enum(['ACTIVE', 'SUSPENDED']).default('ACTIVE'),
          tags: z.record(z.string(), z.string()).default({}),
        }),
      )
      .min(1),
    groups: z
      .array(z.object({ name: z.string().min(1), id: z.string().optional(), description: z.string().optional() }))
      .default([]),
    users: z
      .array(
        z.object({
          userName: z.string().min(1),
          email: z.string().email(),
          id: z.string().optional(),
          displayName: z.string().optional(),
          groups: z.array(z.string()).default([]),
          /**
           * External ids, as SCIM provisioning records them (Entra ID: the user's object id, with the
           * issuer Identity Center shows in DescribeUser's ExternalIds).
           */
          externalIds: z
            .array(z.object({ issuer: z.string().min(1).max(256), id: z.string().min(1).max(256) }))
            .default([]),
        }),
      )
      .default([]),
    permissionSets: z
      .array(
        z.object({
          name: z.string().min(1),
          /** The 16 characters after `ps-`; derived from the position when omitted. */
          id: z
            .string()
            .regex(/^[a-zA-Z0-9-./]{16}$/)
            .optional(),
          description: z.string().optional(),
          sessionDuration: duration.default('PT1H'),
        }),
      )
      .default([]),
    /** Assignments that exist before keyless starts (drift, reconciliation). */
    assignments: z.array(z.object({ user: z.string(), account: accountId, permissionSet: z.string() })).default([]),
    /**
     * IAM roles in member accounts that trust keyless's role (member-roles.yml). Omitted: every role
     * exists in every account and trusts the caller without condition (the older, lenient world).
     * Given: only these roles exist, and a role with an `externalId` is assumed only with that
     * ExternalId (the trust policy's `sts:ExternalId` condition).
     */
    roles: z
      .array(
        z.object({
          name: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'),
          /** The accounts the role is deployed in; every account when omitted. */
          accounts: z.array(accountId).optional(),
          externalId: z.string().min(2).max(1224).optional(),
        }),
      )
      .optional(),
    /**
     * The roles keyless assumes in member accounts (member-roles.yml): when `externalId` is set,
     * their trust policies require it (condition sts:ExternalId), as the deployed roles do.
     */
    memberRoles: z.object({ externalId: z.string().min(2).max(1224).optional() }).optional(),
    /**
     * CloudTrail trails of the management account (DescribeTrails, GetTrailStatus). Root activity
     * reaches keyless only when one is an organization trail, multi-Region and logging.
     */
    cloudTrail: z
      .object({
        trails: z
          .array(
            z.object({
              name: z.string().regex(/^[A-Za-z0-9][\w.-]{2,127}$/, 'a trail name: 3 to 128 letters, digits, . _ -'),
              /** The Region the trail was created in; the seed's region when omitted. */
              homeRegion: z.string().optional(),
              s3BucketName: z.string().min(3),
              isOrganizationTrail: z.boolean().default(false),
              isMultiRegionTrail: z.boolean().default(false),
              includeGlobalServiceEvents: z.boolean().default(true),
              logging: z.boolean().default(true),
            }),
          )
          .default([]),
      })
      .default({ trails: [] }),
    /** The security feed: IAM users and keys in member accounts, SQS queues. */
    iam: iamSeedSchema.optional(),
    sqs: sqsSeedSchema.optional(),
    /** Where the policy may be kept: SSM parameters, S3 buckets and objects. */
    ssm: configStoresSeedSchema.shape.ssm.optional(),
    s3: configStoresSeedSchema.shape.s3.optional(),
  })
  .superRefine((seed, ctx) => {
    const parents = new Set([seed.organization.rootId, ...seed.organization.ous.map((o) => o.id)]);
    seed.organization.ous.forEach((ou, i) => {
      if (ou.parent !== undefined && !parents.has(ou.parent)) {
        ctx.addIssue({
          code: 'custom',
          path: ['organization', 'ous', i, 'parent'],
          message: `unknown parent ${ou.parent}`,
        });
      }
    });
    const ids = new Set<string>();
    seed.accounts.forEach((a, i) => {
      if (a.ou !== undefined && !parents.has(a.ou)) {
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'ou'], message: `unknown OU ${a.ou}` });
      }
      if (ids.has(a.id))
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `duplicate account ${a.id}` });
      ids.add(a.id);
    });
    const groups = new Set(seed.groups.map((g) => g.name));
    seed.users.forEach((u, i) => {
      u.groups.forEach((g, j) => {
        if (!groups.has(g))
          ctx.addIssue({ code: 'custom', path: ['users', i, 'groups', j], message: `unknown group ${g}` });
      });
    });
    const users = new Set(seed.users.map((u) => u.userName));
    const sets = new Set(seed.permissionSets.map((p) => p.name));
    seed.assignments.forEach((a, i) => {
      if (!users.has(a.user))
        ctx.addIssue({ code: 'custom', path: ['assignments', i, 'user'], message: `unknown user ${a.user}` });
      if (!ids.has(a.account))
        ctx.addIssue({ code: 'custom', path: ['assignments', i, 'account'], message: `unknown account ${a.account}` });
      if (!sets.has(a.permissionSet)) {
        ctx.addIssue({
          code: 'custom',
          path: ['assignments', i, 'permissionSet'],
          message: `unknown permission set ${a.permissionSet}`,
        });
      }
    });
  });

export type EmulatorSeed = z.output<typeof seedSchema>;
export type EmulatorSeedInput = z.input<typeof seedSchema>;

export class SeedError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid AWS emulator seed (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SeedError';
  }
}

/** Validates a seed object; every problem is listed with its path. */
export function parseSeed(input: unknown, source = 'seed'): EmulatorSeed {
  const result = seedSchema.safeParse(input);
  if (!result.success) {
    throw new SeedError(
      source,
      result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

export function parseSeedYaml(text: string, source = 'seed.yaml'): EmulatorSeed {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new SeedError(source, [`not valid YAML: ${(error as Error).message}`]);
  }
  return parseSeed(doc, source);
}

export function loadSeedFile(path: string): EmulatorSeed {
  return parseSeedYaml(readFileSync(path, 'utf8'), path);
}

export const DEMO_SEED_PATH = `${__dirname}/demo-seed.yaml`;

export function loadDemoSeed(): EmulatorSeed {
  return loadSeedFile(DEMO_SEED_PATH);
}

export function isoDurationSeconds(d: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(d);
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60;
}

/**
 * The ExternalId issuer of the demo organization's users (demo-seed.yaml), standing for the one
 * Identity Center records when Entra ID provisions users by SCIM; local mode looks Teams users up with it.
 */
export const DEMO_EXTERNAL_ID_ISSUER = 'https://scim.aws.com/keyless-demo';

export interface GeneratedSeedOptions {
  accounts: number;
  ous?: number;
  users?: number;
  permissionSets?: number;
}

/**
 * A large organization for type-ahead tests and benchmarks: `accounts` accounts spread over
 * `ous` OUs (names like `team-0042-prod`), `users` users in the group `engineers`.
 */
export function generateSeed(options: GeneratedSeedOptions): EmulatorSeed {
  const ouCount = options.ous ?? 10;
  const userCount = options.users ?? 10;
  const envs = ['prod', 'staging', 'sandbox', 'dev'] as const;
  const ous = Array.from({ length: ouCount }, (_, i) => ({
    id: `ou-gen0-${String(i + 1).padStart(8, '0')}`,
    name: `Unit ${i + 1}`,
  }));
  const accounts = Array.from({ length: options.accounts }, (_, i) => {
    const env = envs[i % envs.length]!;
    return {
      id: String(100000000000 + i),
      name: `team-${String(i).padStart(4, '0')}-${env}`,
      ou: ous.length ? ous[i % ous.length]!.id : undefined,
      tags: { env, team: `team-${String(i).padStart(4, '0')}` },
    };
  });
  const users = Array.from({ length: userCount }, (_, i) => ({
    userName: `user${i}`,
    email: `user${i}@example.com`,
    groups: ['engineers'],
  }));
  const names = ['AdministratorAccess', 'ReadOnlyAccess', 'PowerUserAccess', 'Billing', 'SecurityAudit'];
  const permissionSets = Array.from({ length: options.permissionSets ?? 2 }, (_, i) => ({
    name: names[i] ?? `PermissionSet${i}`,
    sessionDuration: 'PT1H',
  }));
  return parseSeed(
    {
      identityCenter: {
        instanceArn: 'arn:aws:sso:::instance/ssoins-1111111111111111',
        identityStoreId: 'd-1234567890',
      },
      organization: { id: 'o-gen0000000', managementAccountId: '999999999999', rootId: 'r-gen0', ous },
      accounts,
      groups: [{ name: 'engineers' }],
      users,
      permissionSets,
    },
    'generated',
  );
}
