/**
 * KEYLESS_POLICY: a file path, `ssm:/parameter/name` or `s3://bucket/key`. Parsing the setting
 * needs no I/O; `openPolicySource` builds the reader (SDK clients in keyless's own region).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ErrorCodes, KeylessError } from '../../src';
import { S3PolicySource, SsmPolicySource, type PolicyDocument, type PolicyDocumentSource } from '../aws/policy-source';

export type PolicyLocation =
  { kind: 'file'; path: string } | { kind: 'ssm'; parameter: string } | { kind: 's3'; bucket: string; key: string };

/** SSM parameter names: a path of [a-zA-Z0-9_.-] segments (or a plain name), at most 2048 characters. */
const SSM_NAME = /^(\/[\w.-]+)+$|^[\w.-]+$/;
const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/** The location, or the problem with the setting (for the configuration report). */
export function parsePolicyLocation(text: string, cwd: string): PolicyLocation | { problem: string } {
  if (text.startsWith('ssm:')) {
    const parameter = text.slice('ssm:'.length);
    if (!SSM_NAME.test(parameter) || parameter.length > 2048) {
      return { problem: `"${text}" is not an SSM parameter name (like ssm:/keyless/policy)` };
    }
    return { kind: 'ssm', parameter };
  }
  if (text.startsWith('s3:')) {
    const m = S3_URL.exec(text);
    if (!m) return { problem: `"${text}" is not an S3 URL (like s3://my-bucket/keyless/policy.yaml)` };
    return { kind: 's3', bucket: m[1]!, key: m[2]! };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { problem: `"${text}": a policy is a file path, ssm:/name or s3://bucket/key` };
  }
  return { kind: 'file', path: resolve(cwd, text) };
}

export function policyLocationName(location: PolicyLocation): string {
  switch (location.kind) {
    case 'file':
      return location.path;
    case 'ssm':
      return `ssm:${location.parameter}`;
    case 's3':
      return `s3://${location.bucket}/${location.key}`;
  }
}

export const fileVersion = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A file: the version is the content's hash, so a touch without a change is not a reload. */
export class FilePolicySource implements PolicyDocumentSource {
  constructor(readonly name: string) {}

  async read(knownVersion?: string): Promise<PolicyDocument | undefined> {
    let text: string;
    try {
      text = await readFile(this.name, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new KeylessError(ErrorCodes.InvalidPolicy, `The policy file ${this.name} cannot be read (${code}).`, {
        details: { problems: [`file ${this.name}: cannot be read (${code})`] },
      });
    }
    const version = fileVersion(text);
    return version === knownVersion ? undefined : { text, version };
  }
}

/**
 * The reader of a location. SSM and S3 clients are built with the SDK's standard configuration
 * (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM / _S3): the region keyless runs in.
 */
export function openPolicySource(
  location: PolicyLocation,
  clients: { ssm?: () => SSMClient; s3?: () => S3Client } = {},
): PolicyDocumentSource {
  switch (location.kind) {
    case 'file':
      return new FilePolicySource(location.path);
    case 'ssm':
      return new SsmPolicySource((clients.ssm ?? (() => new SSMClient({})))(), location.parameter);
    case 's3':
      return new S3PolicySource((clients.s3 ?? (() => new S3Client({})))(), location.bucket, location.key);
  }
}
