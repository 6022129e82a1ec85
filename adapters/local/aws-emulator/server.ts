/**
 * The local AWS emulator: one `node:http` server on 127.0.0.1 speaking the real wire protocols,
 * so the SDK is pointed at it with AWS_ENDPOINT_URL and the production code path runs unchanged.
 *
 * - JSON 1.1 services are dispatched by `X-Amz-Target: <Prefix>.<Operation>`.
 * - Query services (STS, later IAM) by the form's `Action` and the service name in the SigV4
 *   credential scope of the Authorization header (`Credential=AKID/date/region/sts/aws4_request`).
 * - `/_emulator/...` is the admin API (JSON): state, request log, faults, reset.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, type FaultSettings } from './faults';
import { AwsError, xml, type JsonService, type QueryService, type ServiceContext } from './protocol';
import { RequestLog } from './request-log';
import { createSecurityFeed, type SecurityFeedState } from './security-feed';
import type { EmulatorSeed } from './seed';
import { ConfigStores } from './services/config-stores';
import { identityStoreService } from './services/identitystore';
import { cloudTrailService } from './services/cloudtrail';
import { organizationsService } from './services/organizations';
import { authorizeSessionCall, getRoleCredentials, portalSignIn } from './services/portal';
import { sessionOf } from './services/sessions';
import { trailHistoryOf } from './services/trail-history';
import { ssoAdminService } from './services/sso-admin';
import { stsService } from './services/sts';
import {
  EmulatorWorld,
  type AssignmentOperation,
  type EmuAssignment,
  type EmuMembership,
  type MembershipChange,
} from './world';

export interface AwsEmulatorOptions {
  seed: EmulatorSeed;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  faults?: Partial<FaultSettings>;
  /** More services (IAM, SQS) plug in here. */
  jsonServices?: JsonService[];
  queryServices?: QueryService[];
}

/** What tests read: assignments and operations, settled to now. */
export interface EmulatorStateView {
  world: EmulatorWorld;
  assignments(): EmuAssignment[];
  operations(): AssignmentOperation[];
  /** Group memberships now (seeded ones included), and every one created or removed through the API. */
  memberships(): EmuMembership[];
  membershipChanges(): MembershipChange[];
  /** The instant the operation reached its final status, if it has. */
  completedAt(requestId: string): number | undefined;
  /** IAM in member accounts and SQS (the security feed). */
  readonly security: SecurityFeedState;
  /** SSM parameters and S3 objects (where a policy may be kept). */
  readonly configStores: ConfigStores;
}

export interface RunningAwsEmulator {
  url: string;
  port: number;
  state: EmulatorStateView;
  faults: Faults;
  log: RequestLog;
  /** Back to the seed: state, faults and log. */
  reset(): void;
  stop(): Promise<void>;
}

const IDENTITY_CENTER_SERVICES = ['sso-admin', 'identitystore'];

/** The IAM action prefix of a service whose name differs from it. */
const ACTION_PREFIX: Record<string, string> = { 'sso-admin': 'sso' };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function attemptOf(req: IncomingMessage): number | undefined {
  const header = req.headers['amz-sdk-request'];
  const m = typeof header === 'string' ? /attempt=(\d+)/.exec(header) : null;
  return m ? Number(m[1]) : undefined;
}

/** The service name of the SigV4 credential scope: `Credential=AKID/20240101/us-east-1/sts/aws4_request`. */
export function signingService(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization ?? '';
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1];
}

export function createAwsEmulator(options: AwsEmulatorOptions): {
  server: Server;
  view: Omit<RunningAwsEmulator, 'url' | 'port' | 'stop'>;
} {
  const now = Date.now;
  let world = new EmulatorWorld(options.seed, now);
  const faults = new Faults(options.faults);
  const log = new RequestLog();
  const feed = createSecurityFeed(options.seed, now);
  const newStores = () =>
    new ConfigStores(
      { ssm: options.seed.ssm, s3: options.seed.s3 },
      options.seed.region,
      options.seed.organization.managementAccountId,
      now,
    );
  let stores = newStores();
  // Delegates to the current stores, so that reset() takes effect.
  const ssmService: JsonService = {
    ...stores.ssmService,
    operations: { GetParameter: (input, c) => stores.ssmService.operations.GetParameter!(input, c) },
  };
  const ctx = (req: IncomingMessage): ServiceContext => {
    const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    return {
      world,
      faults,
      now,
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(region ? { region } : {}),
      ...(req.headers.host ? { host: req.headers.host } : {}),
    };
  };

  const jsonServices = [
    ssoAdminService,
    identityStoreService,
    organizationsService,
    cloudTrailService,
    ssmService,
    ...feed.jsonServices,
    ...(options.jsonServices ?? []),
  ];
  const queryServices = [stsService, ...feed.queryServices, ...(options.queryServices ?? [])];
  const byPrefix = new Map(
    jsonServices.flatMap((s) => [s.targetPrefix, ...(s.targetPrefixAliases ?? [])].map((p) => [p, s] as const)),
  );
  const byName = new Map(queryServices.map((s) => [s.name, s]));

  /** Faults that apply before an operation runs: access denied, throttling. */
  function preflight(
    service: string,
    operation: string,
    throttleCode: string,
    identityCenterLimit: boolean,
    at: number,
  ): void {
    if (faults.isDenied(operation)) {
      throw new AwsError(
        'AccessDeniedException',
        `User: ${world.caller.arn} is not authorized to perform: ${service}:${operation} because no identity-based policy allows it`,
      );
    }
    const limit = faults.settings.tpsLimit;
    if (
      faults.takeThrottle(operation) ||
      (identityCenterLimit && limit !== null && log.recent(at, IDENTITY_CENTER_SERVICES) > limit)
    ) {
      throw new AwsError(throttleCode, 'Rate exceeded');
    }
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
    });
    res.end(text);
  }

  /** CloudTrail's management event of a call made with a session the emulator issued (trail-history.ts). */
  function recordTrail(
    req: IncomingMessage,
    service: string,
    operation: string,
    at: number,
    outcome: string,
    errorMessage?: string,
  ): void {
    const context = ctx(req);
    const session = sessionOf(context.accessKeyId);
    if (!session || !context.accessKeyId || !operation) return;
    trailHistoryOf(world).record(session, {
      accessKeyId: context.accessKeyId,
      service,
      operation,
      region: context.region,
      defaultRegion: world.region,
      at,
      ...(outcome !== 'ok' ? { errorCode: outcome } : {}),
      ...(errorMessage ? { errorMessage } : {}),
    });
  }

  async function handleJson(req: IncomingMessage, res: ServerResponse, target: string, body: string): Promise<void> {
    const at = now();
    const requestId = randomUUID();
    // The operation follows the last dot: some prefixes have dots (com.amazonaws.cloudtrail.v20131101.…).
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const operation = dot < 0 ? '' : target.slice(dot + 1);
    const service = byPrefix.get(prefix);
    const serviceName = service?.name ?? prefix;
    const handler = service?.operations[operation];
    let status = 200;
    let outcome = 'ok';
    let errorMessage: string | undefined;
    try {
      if (!service || !handler)
        throw new AwsError('UnknownOperationException', `Operation ${target} is not supported.`);
      world.settle();
      preflight(service.name, operation, service.throttleCode, service.identityCenterLimit, at);
      let input: Record<string, unknown>;
      try {
        input = body.trim() ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        throw new AwsError('SerializationException', 'Request body is not valid JSON.');
      }
      // As AWS's JSON protocols: the body must be a JSON object (a structure), not an array or a scalar.
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      const context = ctx(req);
      authorizeSessionCall(context, `${ACTION_PREFIX[service.name] ?? service.name}:${operation}`);
      // SQS long polls answer later: a handler may return a promise.
      const output = await handler(input, context);
      sendJson(res, 200, output ?? {}, requestId);
    } catch (error) {
      const e =
        error instanceof AwsError ? error : new AwsError('InternalServerException', (error as Error).message, 500);
      status = e.status;
      outcome = e.code;
      errorMessage = e.message;
      sendJson(res, e.status, { __type: e.code, message: e.message, ...e.fields }, requestId);
    } finally {
      recordTrail(req, serviceName, operation, at, outcome, errorMessage);
      const attempt = attemptOf(req);
      log.record({
        at,
        service: serviceName,
        operation,
        outcome,
        httpStatus: status,
        ...(attempt !== undefined ? { attempt } : {}),
      });
    }
  }

  function sendXml(res: ServerResponse, status: number, text: string, requestId: string): void {
    res.writeHead(status, {
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
    });
    res.end(text);
  }

  function handleQuery(req: IncomingMessage, res: ServerResponse, body: string): void {
    const at = now();
    const requestId = randomUUID();
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const serviceName = signingService(req) ?? 'unknown';
    const service = byName.get(serviceName);
    const handler = service?.operations[action];
    let status = 200;
    let outcome = 'ok';
    let errorMessage: string | undefined;
    try {
      if (!service || !handler) {
        throw new AwsError(
          'InvalidAction',
          `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`,
        );
      }
      world.settle();
      preflight(service.name, action, service.throttleCode, false, at);
      const context = ctx(req);
      authorizeSessionCall(context, `${service.name}:${action}`);
      const inner = handler(params, context);
      sendXml(
        res,
        200,
        `<${action}Response xmlns="${service.xmlns}"><${action}Result>${inner}</${action}Result>` +
          `<ResponseMetadata>${xml('RequestId', requestId)}</ResponseMetadata></${action}Response>`,
        requestId,
      );
    } catch (error) {
      let e = error instanceof AwsError ? error : new AwsError('InternalFailure', (error as Error).message, 500);
      // The Query protocol's spelling of AccessDenied.
      if (e.code === 'AccessDeniedException') e = new AwsError('AccessDenied', e.message, 403);
      status = e.status;
      outcome = e.code;
      errorMessage = e.message;
      const type = e.status >= 500 ? 'Receiver' : 'Sender';
      sendXml(
        res,
        e.status,
        `<ErrorResponse xmlns="${service?.xmlns ?? 'https://sts.amazonaws.com/doc/2011-06-15/'}"><Error>${xml('Type', type)}${xml('Code', e.code)}${xml('Message', e.message)}</Error>${xml('RequestId', requestId)}</ErrorResponse>`,
        requestId,
      );
    } finally {
      recordTrail(req, serviceName, action, at, outcome, errorMessage);
      const attempt = attemptOf(req);
      log.record({
        at,
        service: serviceName,
        operation: action,
        outcome,
        httpStatus: status,
        ...(attempt !== undefined ? { attempt } : {}),
      });
    }
  }

  const state: EmulatorStateView = {
    get world() {
      return world;
    },
    assignments() {
      world.settle();
      return [...world.assignments.values()].map((a) => ({ ...a }));
    },
    operations() {
      world.settle();
      return [...world.operations.values()].map((o) => ({ ...o, assignment: { ...o.assignment } }));
    },
    memberships() {
      return [...world.memberships.entries()].flatMap(([groupId, users]) =>
        [...users].map((userId) => ({ groupId, userId })),
      );
    },
    membershipChanges() {
      return world.membershipChanges.map((c) => ({ ...c }));
    },
    completedAt(requestId) {
      world.settle();
      return world.operations.get(requestId)?.completedAt;
    },
    get security() {
      return feed.state;
    },
    get configStores() {
      return stores;
    },
  };

  function reset(): void {
    world = new EmulatorWorld(options.seed, now);
    stores = newStores();
    feed.reset();
    faults.reset();
    if (options.faults) faults.set(options.faults);
    log.clear();
  }

  function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, body: string): void {
    const send = (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = body.trim() ? JSON.parse(body) : {};
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      return send(400, { __type: 'SerializationException', message: 'The admin API takes a JSON object.' });
    }
    const route = `${req.method ?? 'GET'} ${path}`;
    switch (route) {
      case 'GET /_emulator/health':
        return send(200, { ok: true });
      case 'GET /_emulator/state':
        return send(200, {
          assignments: state.assignments(),
          operations: state.operations(),
          faults: faults.snapshot(),
          memberships: state.memberships(),
          membershipChanges: state.membershipChanges(),
        });
      case 'GET /_emulator/log':
        return send(200, {
          entries: log.entries(),
          counts: log.counts(),
          maxTps: log.maxTps(IDENTITY_CENTER_SERVICES),
        });
      case 'POST /_emulator/faults': {
        const { failNextCreates, failNextDeletes, conflictNext, throttleNext, deny, allow, ...settings } = input as {
          failNextCreates?: { count: number; reason: string };
          failNextDeletes?: { count: number; reason: string };
          conflictNext?: { count: number; operation?: string };
          throttleNext?: { count: number; operation?: string };
          deny?: string[];
          allow?: string[];
        } & Partial<FaultSettings>;
        faults.set(settings);
        if (failNextCreates) faults.failNextCreates(failNextCreates.count, failNextCreates.reason);
        if (failNextDeletes) faults.failNextDeletes(failNextDeletes.count, failNextDeletes.reason);
        if (conflictNext) faults.conflictNext(conflictNext.count, conflictNext.operation);
        if (throttleNext) faults.throttleNext(throttleNext.count, throttleNext.operation);
        deny?.forEach((op) => faults.deny(op));
        allow?.forEach((op) => faults.allow(op));
        return send(200, faults.snapshot());
      }
      case 'POST /_emulator/ssm/parameter':
        return send(200, {
          version: stores.putParameter(
            String(input.name),
            String(input.value),
            input.type === 'String' ? 'String' : 'SecureString',
          ),
        });
      case 'POST /_emulator/s3/object':
        return send(200, { etag: stores.putObject(String(input.bucket), String(input.key), String(input.body)) });
      case 'POST /_emulator/sso/login': {
        // The access token `aws sso login` would leave in ~/.aws/sso/cache, for a user name or id.
        try {
          return send(200, portalSignIn(world, String(input.user ?? ''), now()));
        } catch (error) {
          const e = error as AwsError;
          return send(e.status, { __type: e.code, message: e.message });
        }
      }
      case 'GET /_emulator/organizations/policies':
        return send(200, {
          scpEnabled: world.scpEnabled,
          policies: [...world.policies.values()].map((p) => ({
            ...p,
            targets: [...world.attachments.entries()].filter(([, ids]) => ids.has(p.id)).map(([t]) => t),
          })),
        });
      case 'POST /_emulator/reset':
        reset();
        return send(200, { ok: true });
      default: {
        const answer = feed.admin(route, input);
        if (answer) return send(answer.status, answer.body);
        return send(404, { message: `No admin route ${route}` });
      }
    }
  }

  /** The access portal's GetRoleCredentials (REST-JSON: errors name their type in x-amzn-errortype). */
  function handlePortal(req: IncomingMessage, res: ServerResponse): void {
    const at = now();
    const requestId = randomUUID();
    const query = new URL(req.url ?? '/', 'http://portal').searchParams;
    const token = req.headers['x-amz-sso_bearer_token'];
    let status = 200;
    let outcome = 'ok';
    let body: unknown;
    try {
      world.settle();
      preflight('sso', 'GetRoleCredentials', 'TooManyRequestsException', false, at);
      body = {
        roleCredentials: getRoleCredentials(
          world,
          {
            accessToken: typeof token === 'string' ? token : undefined,
            accountId: query.get('account_id'),
            roleName: query.get('role_name'),
          },
          now(),
        ),
      };
    } catch (error) {
      const e =
        error instanceof AwsError ? error : new AwsError('InternalServerException', (error as Error).message, 500);
      status = e.status;
      outcome = e.code;
      body = { message: e.message };
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
      ...(status === 200 ? {} : { 'x-amzn-errortype': outcome }),
    });
    res.end(text);
    log.record({ at, service: 'sso', operation: 'GetRoleCredentials', outcome, httpStatus: status });
  }

  /** S3: ListBuckets (GET / path-style) and the config stores' GetObject, both behind the session checks. */
  function handleS3(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body = '',
  ): { operation: string; outcome: string; status: number } {
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
    const virtualHosted = /^([a-z0-9][a-z0-9.-]*[a-z0-9])\.(localhost|\d+\.\d+\.\d+\.\d+)$/.test(hostname);
    const listBuckets = req.method === 'GET' && path === '/' && !virtualHosted;
    const operation = listBuckets ? 'ListBuckets' : req.method === 'PUT' ? 'PutObject' : 'GetObject';
    const context = ctx(req);
    try {
      world.settle();
      authorizeSessionCall(
        context,
        listBuckets ? 's3:ListAllMyBuckets' : req.method === 'PUT' ? 's3:PutObject' : 's3:GetObject',
      );
    } catch (error) {
      const e = error as AwsError;
      const code =
        e.code === 'AccessDeniedException'
          ? 'AccessDenied'
          : e.code === 'ExpiredTokenException'
            ? 'ExpiredToken'
            : e.code;
      const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xml('Code', code)}${xml('Message', e.message)}</Error>`;
      res.writeHead(e.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return { operation, outcome: code, status: e.status };
    }
    if (!listBuckets) return stores.handleS3(req, res, body);
    // A member account's session sees that account's buckets: the emulator keeps buckets in the management account only.
    const session = sessionOf(context.accessKeyId);
    const owned = session && session.accountId !== world.managementAccountId ? [] : [...stores.buckets.keys()];
    const text =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets>` +
      owned
        .map((b) => `<Bucket>${xml('Name', b)}${xml('CreationDate', '2024-01-01T00:00:00.000Z')}</Bucket>`)
        .join('') +
      `</Buckets></ListAllMyBucketsResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return { operation, outcome: 'ok', status: 200 };
  }

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const path = (req.url ?? '/').split('?')[0]!;
        if (path.startsWith('/_emulator/')) return handleAdmin(req, res, path, body);
        if (req.method === 'GET' && path === '/federation/credentials') return handlePortal(req, res);
        if (signingService(req) === 's3') {
          const at = now();
          const done = handleS3(req, res, path, body);
          recordTrail(req, 's3', done.operation, at, done.outcome);
          log.record({ at, service: 's3', operation: done.operation, outcome: done.outcome, httpStatus: done.status });
          return;
        }
        const target = req.headers['x-amz-target'];
        if (typeof target === 'string') return handleJson(req, res, target, body);
        if (
          req.method === 'POST' &&
          String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
        ) {
          return handleQuery(req, res, body);
        }
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            message: 'The local AWS emulator speaks JSON 1.1 (X-Amz-Target) and the Query protocol only.',
          }),
        );
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: (error as Error).message }));
      });
  });
  // Many SDK clients keep sockets alive; do not hold the process open on them when stopping.
  server.keepAliveTimeout = 5000;

  // Long polls (SQS) end when the server closes.
  const close = server.close.bind(server);
  server.close = ((callback?: (error?: Error) => void) => {
    feed.close();
    return close(callback);
  }) as typeof server.close;

  return { server, view: { state, faults, log, reset } };
}

/** Starts the emulator in this process; `port: 0` picks a free port. */
export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<RunningAwsEmulator> {
  const { server, view } = createAwsEmulator(options);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    ...view,
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
