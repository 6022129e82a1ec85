import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ErrorCodes, KeylessError, type AuditArchive } from '../../../src';

/**
 * The audit archive in S3: one JSON-lines object per batch and day, under
 * `<prefix>/dt=YYYY-MM-DD/` (the Athena table's partitions). Encrypted with the bucket's default
 * encryption; Content-MD5 lets S3 refuse a body damaged on the way.
 */
export class S3AuditArchive implements AuditArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putObject(key: string, body: string): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentMD5: createHash('md5').update(body).digest('base64'),
        }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      throw new KeylessError(
        ErrorCodes.Unavailable,
        `The audit archive (s3://${this.bucket}) could not be written: ${name}.`,
        {
          details: { bucket: this.bucket, key, awsError: name },
          cause: error,
        },
      );
    }
  }
}
