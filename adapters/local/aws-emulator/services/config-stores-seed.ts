/** The seed sections of SSM parameters and S3 objects (apart from the services: no import cycles). */
import { z } from 'zod';

export const configStoresSeedSchema = z.object({
  ssm: z
    .object({
      parameters: z
        .array(
          z.object({
            name: z.string().regex(/^(\/[\w.-]+)+$|^[\w.-]+$/),
            value: z.string(),
            type: z.enum(['String', 'SecureString']).default('SecureString'),
          }),
        )
        .default([]),
    })
    .default({ parameters: [] }),
  s3: z
    .object({
      buckets: z.array(z.string()).default([]),
      objects: z.array(z.object({ bucket: z.string(), key: z.string(), body: z.string() })).default([]),
    })
    .default({ buckets: [], objects: [] }),
});
export type ConfigStoresSeed = z.input<typeof configStoresSeedSchema>;
