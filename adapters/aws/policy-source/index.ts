/**
 * Where the policy YAML lives when it is not a file: an SSM parameter (SecureString or String,
 * read with decryption) or an S3 object. Each source answers the text and a version (the
 * parameter's Version, the object's ETag) so that a reload only parses what changed.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ErrorCodes, KeylessError } from '../../../src';

export interface PolicyDocument {
  text: string;
  /** Changes whenever the text may have changed. */
  version: string;
}

export interface PolicyDocumentSource {
  /** How people name it: `ssm:/keyless/policy`, `s3://bucket/key`, or a file path. */
  readonly name: string;
  /** The document, or undefined when its version is still `knownVersion`. */
  read(knownVersion?: string): Promise<PolicyDocument | undefined>;
}

const errorName = (error: unknown): string => (error as { name?: string } | undefined)?.name ?? 'Error';
const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

function unreadable(name: string, why: string, error: unknown, hint: string): KeylessError {
  return new KeylessError(ErrorCodes.ConfigInvalid, `The policy ${name} cannot be read: ${why}.`, {
    hint,
    details: { problems: [`${name}: ${why}`] },
    cause: error,
  });
}

/** `ssm:/keyless/policy`: GetParameter with decryption; the version is the parameter's Version. */
export class SsmPolicySource implements PolicyDocumentSource {
  readonly name: string;
  constructor(
    private readonly client: SSMClient,
    private readonly parameter: string,
  ) {
    this.name = `ssm:${parameter}`;
  }

  async read(knownVersion?: string): Promise<PolicyDocument | undefined> {
    let out;
    try {
      out = await this.client.send(new GetParameterCommand({ Name: this.parameter, WithDecryption: true }));
    } catch (error) {
      const name = errorName(error);
      if (name === 'ParameterNotFound') {
        throw unreadable(this.name, 'the parameter does not exist', error, 'Create it (or fix KEYLESS_POLICY).');
      }
      if (name === 'AccessDeniedException') {
        throw unreadable(
          this.name,
          'access denied',
          error,
          'Allow ssm:GetParameter on the parameter (and kms:Decrypt on its key) to keyless’s role.',
        );
      }
      throw unreadable(this.name, `${name}: ${(error as Error).message}`, error, 'Check AWS_REGION and the network.');
    }
    const text = out.Parameter?.Value;
    if (text === undefined)
      throw unreadable(this.name, 'the parameter has no value', undefined, 'Put the policy in it.');
    const version = `v${out.Parameter?.Version ?? 0}`;
    return version === knownVersion ? undefined : { text, version };
  }
}

/** `s3://bucket/key`: GetObject, conditional on the ETag already known (304: unchanged). */
export class S3PolicySource implements PolicyDocumentSource {
  readonly name: string;
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {
    this.name = `s3://${bucket}/${key}`;
  }

  async read(knownVersion?: string): Promise<PolicyDocument | undefined> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          ...(knownVersion ? { IfNoneMatch: knownVersion } : {}),
        }),
      );
      const text = (await out.Body?.transformToString('utf8')) ?? '';
      return { text, version: out.ETag ?? `len-${text.length}` };
    } catch (error) {
      const name = errorName(error);
      if (name === 'NotModified' || httpStatus(error) === 304) return undefined;
      if (name === 'NoSuchKey')
        throw unreadable(this.name, 'no such key', error, 'Upload the policy (or fix KEYLESS_POLICY).');
      if (name === 'NoSuchBucket') throw unreadable(this.name, 'no such bucket', error, 'Fix KEYLESS_POLICY.');
      if (name === 'AccessDenied' || httpStatus(error) === 403) {
        throw unreadable(this.name, 'access denied', error, 'Allow s3:GetObject on the object to keyless’s role.');
      }
      throw unreadable(this.name, `${name}: ${(error as Error).message}`, error, 'Check AWS_REGION and the network.');
    }
  }
}
