/**
 * Where a deployment keeps keyless's policy: SSM Parameter Store (GetParameter, JSON 1.1) and S3
 * (GetObject, HeadObject, PutObject and ListObjectsV2, REST: PutObject for the audit archive).
 * Minimal and strict like AWS: PutObject into a missing bucket is NoSuchBucket (it never creates
 * one), a Content-MD5 that does not match the body is BadDigest; an unknown parameter is ParameterNotFound, an
 * unknown key NoSuchKey, an unknown bucket NoSuchBucket; a SecureString is returned encrypted
 * unless WithDecryption; If-None-Match on the current ETag answers 304.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, xml, type JsonService } from '../protocol';
import { configStoresSeedSchema } from './config-stores-seed';

interface Parameter {
  name: string;
  value: string;
  type: 'String' | 'SecureString';
  version: number;
  lastModified: number;
}

interface StoredObject {
  body: string;
  etag: string;
  lastModified: number;
}

export class ConfigStores {
  readonly parameters = new Map<string, Parameter>();
  readonly buckets = new Map<string, Map<string, StoredObject>>();

  constructor(
    seed: unknown,
    private readonly region: string,
    private readonly account: string,
    private readonly now: () => number,
  ) {
    const s = configStoresSeedSchema.parse(seed ?? {});
    for (const p of s.ssm.parameters) this.putParameter(p.name, p.value, p.type);
    for (const b of s.s3.buckets) this.buckets.set(b, new Map());
    for (const o of s.s3.objects) this.putObject(o.bucket, o.key, o.body);
  }

  /** PutParameter with Overwrite: a new version each time. */
  putParameter(name: string, value: string, type: Parameter['type'] = 'SecureString'): number {
    const version = (this.parameters.get(name)?.version ?? 0) + 1;
    this.parameters.set(name, { name, value, type, version, lastModified: this.now() });
    return version;
  }

  /** PutObject (the bucket is created when missing); the ETag is the body's MD5, quoted. */
  putObject(bucket: string, key: string, body: string): string {
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    this.buckets.get(bucket)!.set(key, { body, etag, lastModified: this.now() });
    return etag;
  }

  readonly ssmService: JsonService = {
    name: 'ssm',
    targetPrefix: 'AmazonSSM',
    throttleCode: 'ThrottlingException',
    identityCenterLimit: false,
    operations: {
      GetParameter: (input) => {
        const name = typeof input.Name === 'string' ? input.Name : '';
        if (!name) {
          throw new AwsError(
            'ValidationException',
            "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must not be null",
          );
        }
        // A name may carry a version or label selector (name:3); only versions are kept here.
        const [bare, selector] = name.split(':') as [string, string | undefined];
        const p = this.parameters.get(bare);
        if (!p || (selector !== undefined && Number(selector) !== p.version)) {
          throw new AwsError('ParameterNotFound', '');
        }
        const decrypt = input.WithDecryption === true;
        const value =
          p.type === 'SecureString' && !decrypt
            ? Buffer.from(`kms-encrypted:${createHash('sha256').update(p.value).digest('hex')}`).toString('base64')
            : p.value;
        return {
          Parameter: {
            Name: p.name,
            Type: p.type,
            Value: value,
            Version: p.version,
            LastModifiedDate: p.lastModified / 1000,
            ARN: `arn:aws:ssm:${this.region}:${this.account}:parameter/${p.name.replace(/^\//, '')}`,
            DataType: 'text',
          },
        };
      },
    },
  };

  /** S3 REST: GET (and HEAD) of an object, path-style (/bucket/key) or virtual-hosted (bucket.host). */
  handleS3(
    req: IncomingMessage,
    res: ServerResponse,
    body = '',
  ): { operation: string; outcome: string; status: number } {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    const url = new URL(req.url ?? '/', 'http://s3');
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
    const hosted = /^([a-z0-9][a-z0-9.-]*[a-z0-9])\.(localhost|\d+\.\d+\.\d+\.\d+)$/.exec(hostname)?.[1];
    const path = url.pathname.replace(/^\//, '');
    const [bucket, key] = hosted
      ? [hosted, decodeURIComponent(path)]
      : [decodeURIComponent(path.split('/')[0] ?? ''), decodeURIComponent(path.split('/').slice(1).join('/'))];
    const error = (status: number, code: string, message: string, extra = '') => {
      const body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xml('Code', code)}${xml('Message', message)}${extra}` +
        `${xml('RequestId', requestId)}</Error>`;
      res.writeHead(status, {
        'content-type': 'application/xml',
        'content-length': req.method === 'HEAD' ? 0 : Buffer.byteLength(body),
        'x-amz-request-id': requestId,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return { operation: 'GetObject', outcome: code, status };
    };
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'PUT') {
      return error(
        501,
        'NotImplemented',
        'The local AWS emulator serves GetObject, HeadObject, PutObject and ListObjectsV2.',
      );
    }
    const objects = this.buckets.get(bucket);
    if (!bucket || !objects)
      return error(404, 'NoSuchBucket', 'The specified bucket does not exist', xml('BucketName', bucket));
    if (req.method === 'PUT') {
      if (!key) return error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      if (url.searchParams.size > 0 && !url.searchParams.has('x-id')) {
        return error(501, 'NotImplemented', 'The local AWS emulator serves plain PutObject only.');
      }
      if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) {
        return error(501, 'NotImplemented', 'The local AWS emulator does not take aws-chunked uploads.');
      }
      const md5 = req.headers['content-md5'];
      if (typeof md5 === 'string' && md5 !== createHash('md5').update(body).digest('base64')) {
        return error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
      const etag = this.putObject(bucket, key, body);
      res.writeHead(200, { etag, 'x-amz-request-id': requestId, 'content-length': 0 });
      res.end();
      return { operation: 'PutObject', outcome: 'ok', status: 200 };
    }
    if (!key && req.method === 'GET' && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const max = Math.min(1000, Number(url.searchParams.get('max-keys') ?? 1000) || 1000);
      const after = url.searchParams.get('continuation-token') ?? url.searchParams.get('start-after') ?? '';
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
      const page = keys.slice(0, max);
      const truncated = keys.length > page.length;
      const contents = page
        .map((k) => {
          const o = objects.get(k)!;
          return `<Contents>${xml('Key', k)}${xml('LastModified', new Date(o.lastModified).toISOString())}${xml('ETag', o.etag)}${xml('Size', String(Buffer.byteLength(o.body)))}${xml('StorageClass', 'STANDARD')}</Contents>`;
        })
        .join('');
      const listing =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `${xml('Name', bucket)}${xml('Prefix', prefix)}${xml('KeyCount', String(page.length))}${xml('MaxKeys', String(max))}` +
        `${xml('IsTruncated', String(truncated))}${contents}` +
        `${truncated ? xml('NextContinuationToken', page[page.length - 1]!) : ''}</ListBucketResult>`;
      res.writeHead(200, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(listing),
        'x-amz-request-id': requestId,
      });
      res.end(listing);
      return { operation: 'ListObjectsV2', outcome: 'ok', status: 200 };
    }
    const object = key ? objects.get(key) : undefined;
    if (!object) return error(404, 'NoSuchKey', 'The specified key does not exist.', xml('Key', key));
    const headers = {
      etag: object.etag,
      'last-modified': new Date(object.lastModified).toUTCString(),
      'x-amz-request-id': requestId,
    };
    const ifNoneMatch = req.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((t) => t.trim() === object.etag)) {
      res.writeHead(304, headers);
      res.end();
      return { operation: 'GetObject', outcome: 'NotModified', status: 304 };
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/octet-stream',
      'content-length': Buffer.byteLength(object.body),
    });
    res.end(req.method === 'HEAD' ? undefined : object.body);
    return { operation: req.method === 'HEAD' ? 'HeadObject' : 'GetObject', outcome: 'ok', status: 200 };
  }
}
