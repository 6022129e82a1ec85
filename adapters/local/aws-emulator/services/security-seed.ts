/**
 * The seed sections of the security feed (IAM in member accounts, SQS queues), apart from the
 * services so that `seed.ts` can include them without import cycles.
 */
import { z } from 'zod';

const daysAgo = z.number().min(0);
const keySeed = z.object({
  id: z
    .string()
    .regex(/^AKIA[A-Z0-9]{16}$/)
    .optional(),
  createdDaysAgo: daysAgo,
  /** null or omitted: never used. */
  lastUsedDaysAgo: daysAgo.nullable().optional(),
  service: z.string().default('s3'),
  region: z.string().default('us-east-1'),
  status: z.enum(['Active', 'Inactive']).default('Active'),
});
const userSeed = z.object({
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/),
  /** The IAM path (`/` or `/a/b/`): machine users may be told by it. */
  path: z
    .string()
    .regex(/^\/([\w+=,.@-]+\/)*$/)
    .default('/'),
  createdDaysAgo: daysAgo.default(400),
  /** undefined: no console password; null: a password never used. */
  passwordLastUsedDaysAgo: daysAgo.nullable().optional(),
  mfa: z.boolean().default(false),
  tags: z.record(z.string(), z.string()).default({}),
  keys: z.array(keySeed).max(2).default([]),
});

export const iamSeedSchema = z.object({
  accounts: z
    .array(
      z.object({
        accountId: z.string().regex(/^\d{12}$/),
        root: z
          .object({
            passwordLastUsedDaysAgo: daysAgo.nullable().optional(),
            mfa: z.boolean().default(true),
            accessKeys: z.number().int().min(0).max(2).default(0),
          })
          .default({ mfa: true, accessKeys: 0 }),
        users: z.array(userSeed).default([]),
      }),
    )
    .default([]),
  /** How long a credential report stays STARTED/INPROGRESS. */
  reportDelayMs: z.number().int().min(0).default(0),
});
export type IamSeed = z.output<typeof iamSeedSchema>;
export type IamSeedInput = z.input<typeof iamSeedSchema>;

export const sqsSeedSchema = z.object({
  queues: z
    .array(
      z.object({
        name: z.string().regex(/^[\w-]{1,80}$/),
        visibilityTimeoutSeconds: z.number().int().min(0).max(43_200).default(30),
        /** The queue that receives messages received more than `maxReceiveCount` times. */
        deadLetterQueue: z.string().optional(),
        maxReceiveCount: z.number().int().min(1).max(1000).default(5),
      }),
    )
    .default([]),
});
export type SqsSeed = z.output<typeof sqsSeedSchema>;
