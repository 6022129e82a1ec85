/**
 * The playground page and its JSON API, on 127.0.0.1. The page is a person's client: everything it
 * does goes over HTTP to the loopback Slack workspace and Teams connector, which send it to keyless
 * signed (Slack) or as Bot Framework activities (Teams), exactly as the real services would. The AWS
 * panel reads the local emulator's admin API and its wire protocols. Nothing here imports keyless'
 * own adapters: what keyless itself knows (the audit trail) comes in through `sources`.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { WorkspaceUser } from '../slack-workspace';
import { FILE_CONSENT_CARD, type WorldJson } from '../teams-connector';
import { PLAYGROUND_PEOPLE, type PlaygroundPerson } from './demo-people';

/** One line of keyless' audit trail, as the page shows it. */
export interface AuditLine {
  at: number;
  subject: string;
  event: string;
  from: string;
  to: string;
  actor: string;
  reason?: string;
}

/** A security alert keyless raised (posted to the security channels), as the page lists it. */
export interface AlertLine {
  at: number;
  title: string;
  detail: string;
}

export interface PlaygroundPageOptions {
  port?: number;
  host?: string;
  /** Base URLs of the loopback services and of keyless. */
  slackUrl: string;
  teamsUrl: string;
  awsUrl: string;
  keylessUrl: string;
  identityCenter: { instanceArn: string; identityStoreId: string };
  channels: { slack: { approvals: string; security: string }; teams: { approvals: string; security: string } };
  people?: PlaygroundPerson[];
  /** The loopback PagerDuty (its base URL and key): the page's "who is on call" switch. */
  pagerDuty?: { url: string; token: string };
  /** What keyless knows, handed in by the composition root. */
  sources?: {
    audit?: () => Promise<AuditLine[]>;
    alerts?: () => AlertLine[];
    /** "Post weekly posture now": keyless' weekly duty, run at once (once per week, as in production). */
    postPosture?: () => Promise<{ posted: boolean; week: string }>;
    /** "Scan now": the key scan (findings and the rotation assistant) without waiting for its schedule. */
    scanNow?: () => Promise<{ findings: number; raised: number; resolved: number }>;
  };
}

export interface RunningPlaygroundPage {
  url: string;
  stop(): Promise<void>;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const WEB = join(__dirname, 'web');

/** The page's API bodies are a few hundred bytes. */
const BODY_LIMIT_BYTES = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= BODY_LIMIT_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > BODY_LIMIT_BYTES) throw new HttpProblem(413, `the body is larger than ${BODY_LIMIT_BYTES} bytes`);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HttpProblem(400, 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpProblem(400, 'a JSON object is expected');
  return parsed as Record<string, unknown>;
}

/**
 * The page drives Slack and Teams as anyone, so only the page itself may call its API: the Host
 * must be the loopback address it serves (a DNS-rebinding page sends its own name), an Origin, when
 * sent, must be the page's own, and writes must be `application/json` (a cross-site form or a
 * `text/plain` fetch cannot send that without a CORS preflight, which this server never grants).
 */
export function refusalOf(
  req: Pick<IncomingMessage, 'method' | 'headers'>,
  hosts: readonly string[],
): HttpProblem | undefined {
  const host = req.headers.host?.toLowerCase();
  if (!host || !hosts.includes(host)) return new HttpProblem(403, 'this page answers on its loopback address only');
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`))
    return new HttpProblem(403, 'cross-origin requests are refused');
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite === 'cross-site') return new HttpProblem(403, 'cross-site requests are refused');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return new HttpProblem(415, 'writes must be sent as application/json');
  }
  return undefined;
}

/** The Host values a browser sends for the page served on `host`:`port`. */
export function loopbackHosts(host: string, port: number): string[] {
  const hosts = [host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`];
  if (host === '127.0.0.1' || host === '::1') hosts.push(`localhost:${port}`);
  return hosts.map((h) => h.toLowerCase());
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

const str = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') throw new HttpProblem(400, `${name} is required`);
  return value;
};

/** Bundles the browser code (TypeScript and Microsoft's adaptivecards) with esbuild, once. */
async function bundle(): Promise<string> {
  // Loaded only here: the production image does not run the playground and has no esbuild.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(WEB, 'app.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfig: join(WEB, 'tsconfig.json'),
  });
  return result.outputFiles[0]!.text;
}

interface Names {
  principals: Record<string, string>;
  permissionSets: Record<string, string>;
  accounts: Record<string, string>;
}

/** Principal ids and permission set ARNs in a line of text, shown with the names people know. */
function withNames(text: string, names: Names | undefined): string {
  if (!names) return text;
  let out = text;
  for (const [id, key] of Object.entries(names.principals)) out = out.split(id).join(key);
  for (const [arn, name] of Object.entries(names.permissionSets)) out = out.split(arn).join(name);
  return out;
}

export async function startPlaygroundPage(options: PlaygroundPageOptions): Promise<RunningPlaygroundPage> {
  const people = options.people ?? PLAYGROUND_PEOPLE;
  const [html, css] = await Promise.all([
    readFile(join(WEB, 'index.html'), 'utf8'),
    readFile(join(WEB, 'style.css'), 'utf8'),
  ]);
  // Bundled on first use, so that starting keyless (and the crash harness' restarts) does not wait for it.
  let script: Promise<string> | undefined;
  const appScript = () => {
    script ??= bundle().catch((error: unknown) => {
      script = undefined;
      throw error;
    });
    return script;
  };
  const person = (key: unknown): PlaygroundPerson => {
    const found = people.find((p) => p.key === key);
    if (!found) throw new HttpProblem(400, `unknown person ${String(key)}`);
    return found;
  };

  // ---- AWS: the emulator speaks the real wire protocols; names make the panel readable -------
  const aws = (target: string, input: Record<string, unknown>) =>
    call(options.awsUrl, {
      body: input,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    });
  let names: Names | undefined;
  async function loadNames(): Promise<Names> {
    if (names) return names;
    const ic = options.identityCenter;
    const next: Names = { principals: {}, permissionSets: {}, accounts: {} };
    for (const p of people) {
      const answer = await aws('AWSIdentityStore.GetUserId', {
        IdentityStoreId: ic.identityStoreId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: p.email } },
      });
      const id = (answer.body as { UserId?: string }).UserId;
      if (id) next.principals[id] = p.key;
    }
    const sets = await aws('SWBExternalService.ListPermissionSets', { InstanceArn: ic.instanceArn });
    for (const arn of (sets.body as { PermissionSets?: string[] }).PermissionSets ?? []) {
      const d = await aws('SWBExternalService.DescribePermissionSet', {
        InstanceArn: ic.instanceArn,
        PermissionSetArn: arn,
      });
      const name = (d.body as { PermissionSet?: { Name?: string } }).PermissionSet?.Name;
      if (name) next.permissionSets[arn] = name;
    }
    let token: string | undefined;
    do {
      const page = await aws('AWSOrganizationsV20161128.ListAccounts', token ? { NextToken: token } : {});
      const body = page.body as { Accounts?: { Id: string; Name: string }[]; NextToken?: string };
      for (const a of body.Accounts ?? []) next.accounts[a.Id] = a.Name;
      token = body.NextToken;
    } while (token);
    names = next;
    return next;
  }

  // ---- live sessions: what `aws sso login` hands a person, and whether a call still works -------
  interface PortalSession {
    id: string;
    accountId: string;
    account: string;
    permissionSet: string;
    issuedAt: number;
    expiresAt: number;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    last?: { at: number; ok: boolean; message: string };
  }
  const sessions = new Map<string, PortalSession[]>();
  let sessionCount = 0;

  /** Signs in as the person and asks the access portal for role credentials (GetRoleCredentials). */
  async function takeSession(who: PlaygroundPerson, accountId: string, permissionSet: string): Promise<unknown> {
    const n = await loadNames();
    const userId = Object.entries(n.principals).find(([, key]) => key === who.key)?.[0];
    if (!userId) throw new HttpProblem(400, `${who.key} is not in the identity store`);
    const login = await call(`${options.awsUrl}/_emulator/sso/login`, { body: { user: userId } });
    const token = (login.body as { accessToken?: string }).accessToken;
    if (!token) throw new HttpProblem(502, 'the emulator did not sign the person in');
    const url = new URL('/federation/credentials', options.awsUrl);
    url.searchParams.set('account_id', accountId);
    url.searchParams.set('role_name', permissionSet);
    const answer = await call(url.toString(), { headers: { 'x-amz-sso_bearer_token': token } });
    const body = answer.body as {
      message?: string;
      roleCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number };
    };
    if (answer.status !== 200 || !body.roleCredentials) {
      throw new HttpProblem(
        answer.status,
        `The access portal refused a session for ${permissionSet} in ${n.accounts[accountId] ?? accountId}: ${body.message ?? answer.status}`,
      );
    }
    const c = body.roleCredentials;
    const session: PortalSession = {
      id: `s${++sessionCount}`,
      accountId,
      account: n.accounts[accountId] ?? accountId,
      permissionSet,
      issuedAt: Date.now(),
      expiresAt: c.expiration,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    };
    sessions.set(who.key, [...(sessions.get(who.key) ?? []), session].slice(-5));
    return { id: session.id };
  }

  /** A harmless call with the session (s3:ListAllMyBuckets): works, or denied (by an SCP, once keyless cuts it). */
  async function trySession(who: PlaygroundPerson, id: string): Promise<unknown> {
    const session = sessions.get(who.key)?.find((x) => x.id === id);
    if (!session) throw new HttpProblem(404, `no session ${id}`);
    const s3 = new S3Client({
      endpoint: options.awsUrl,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: session.credentials,
      maxAttempts: 1,
    });
    try {
      await s3.send(new ListBucketsCommand({}));
      session.last = { at: Date.now(), ok: true, message: 'works' };
    } catch (error) {
      session.last = { at: Date.now(), ok: false, message: `${(error as Error).name}: ${(error as Error).message}` };
    } finally {
      s3.destroy();
    }
    return session.last;
  }

  async function awsState() {
    const n = await loadNames();
    const [state, log] = await Promise.all([
      call(`${options.awsUrl}/_emulator/state`),
      call(`${options.awsUrl}/_emulator/log`),
    ]);
    const s = state.body as {
      assignments: { principalId: string; accountId: string; permissionSetArn: string }[];
      operations: {
        requestId: string;
        kind: string;
        status: string;
        createdAt: number;
        assignment: { principalId: string; accountId: string; permissionSetArn: string };
      }[];
    };
    const named = (a: { principalId: string; accountId: string; permissionSetArn: string }) => ({
      principal: n.principals[a.principalId] ?? a.principalId,
      accountId: a.accountId,
      account: n.accounts[a.accountId] ?? a.accountId,
      permissionSet: n.permissionSets[a.permissionSetArn] ?? a.permissionSetArn,
    });
    const entries = (log.body as { entries: { at: number; service: string; operation: string; outcome: string }[] })
      .entries;
    const scps = (await call(`${options.awsUrl}/_emulator/organizations/policies`)).body as {
      policies?: { name: string; awsManaged: boolean }[];
    };
    return {
      accounts: Object.entries(n.accounts).map(([id, name]) => ({ id, name })),
      permissionSets: [...new Set(Object.values(n.permissionSets))].sort(),
      cutPolicies: (scps.policies ?? []).filter((p) => !p.awsManaged).map((p) => p.name),
      assignments: s.assignments.map(named),
      operations: s.operations
        .slice(-20)
        .reverse()
        .map((o) => ({ kind: o.kind, status: o.status, at: o.createdAt, ...named(o.assignment) })),
      calls: entries
        .filter((e) => /Assignment|GetUserId/.test(e.operation))
        .slice(-30)
        .reverse()
        .map((e) => ({ at: e.at, service: e.service, operation: e.operation, outcome: e.outcome })),
    };
  }

  // ---- audit trail: cached, keyless' store is read at most every second --------------------
  let audit: { at: number; lines: AuditLine[] } = { at: 0, lines: [] };
  async function auditLines(): Promise<AuditLine[]> {
    if (!options.sources?.audit || Date.now() - audit.at < 1000) return audit.lines;
    audit = { at: Date.now(), lines: await options.sources.audit() };
    return audit.lines;
  }

  // ---- what one person sees --------------------------------------------------------------------
  async function stateFor(who: PlaygroundPerson) {
    const [slack, teams, awsPanel, auditTrail, iamKeys] = await Promise.all([
      call(`${options.slackUrl}/admin/state`),
      call(`${options.teamsUrl}/_admin/state`),
      awsState(),
      auditLines(),
      call(`${options.awsUrl}/_emulator/iam/all-keys`, { body: {} }),
    ]);
    const s = slack.body as {
      users: WorkspaceUser[];
      channels: { id: string; name: string; isIm: boolean; user?: string }[];
      messages: Record<string, unknown[]>;
      ephemerals: { user: string; channel: string }[];
      modals: Record<string, { id: string }[]>;
      homes: Record<string, unknown>;
    };
    const t = teams.body as WorldJson;
    const dm = `D${who.slackId.slice(1)}`;
    const channelIds = [options.channels.slack.approvals, options.channels.slack.security, dm];
    const aad = who.teamsAadObjectId;
    const conversations = t.conversations.filter((c) => c.members.includes(aad) && c.botInstalled);
    return {
      me: who,
      slack: {
        users: s.users.map((u) => ({ id: u.id, name: u.displayName || u.name, realName: u.realName })),
        channels: channelIds.map((id) => ({
          id,
          name: s.channels.find((c) => c.id === id)?.name ?? (id === dm ? 'keyless' : id),
          isIm: id === dm,
          messages: s.messages[id] ?? [],
        })),
        ephemerals: s.ephemerals.filter((e) => e.user === who.slackId),
        modal: (s.modals[who.slackId] ?? []).at(-1) ?? null,
        home: s.homes[who.slackId] ?? null,
      },
      teams: {
        bot: t.bot,
        conversations: conversations.map((c) => ({
          id: c.id,
          type: c.conversationType,
          name: c.conversationType === 'personal' ? 'keyless (chat)' : (c.name ?? c.id),
          activities: t.activities
            .filter((a) => a.conversationId === c.id)
            .map((a) => ({
              id: a.id,
              from: a.from,
              text: a.text,
              replyToId: a.replyToId,
              createdAt: a.createdAt,
              updates: a.updates,
              card:
                a.userViews[aad] ??
                a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content,
              // Files through the Teams bot APIs: an offer to allow (FileConsentCard), a saved file (FileInfoCard).
              files: (a.attachments ?? []).flatMap((x): Record<string, unknown>[] => {
                const f = x as { contentType: string; name?: string; contentUrl?: string; content?: unknown };
                const content = (f.content ?? {}) as { description?: string; sizeInBytes?: number };
                if (f.contentType === FILE_CONSENT_CARD)
                  return [
                    {
                      kind: 'offer',
                      name: f.name ?? '',
                      description: content.description ?? '',
                      size: content.sizeInBytes ?? 0,
                    },
                  ];
                if (f.contentType === 'application/vnd.microsoft.teams.card.file.info')
                  return [{ kind: 'file', name: f.name ?? '', url: f.contentUrl ?? '' }];
                return [];
              }),
            })),
        })),
      },
      aws: {
        ...awsPanel,
        sessions: (sessions.get(who.key) ?? []).map(({ credentials: _secret, ...shown }) => shown),
      },
      onCall: options.pagerDuty
        ? ((
            ((
              await call(`${options.pagerDuty.url}/_loopback/schedules`, {
                headers: { authorization: `Token token=${options.pagerDuty.token}` },
              })
            ).body ?? {}) as { schedules?: unknown[] }
          ).schedules ?? [])
        : [],
      iamKeys: iamKeys.status === 200 ? (((iamKeys.body ?? {}) as { keys?: unknown[] }).keys ?? []) : [],
      audit: auditTrail,
      alerts: (options.sources?.alerts?.() ?? []).map((a) => ({ ...a, detail: withNames(a.detail, names) })),
    };
  }

  // ---- acting as a person ----------------------------------------------------------------------
  const slackAct = async (kind: string, body: Record<string, unknown>) => {
    const answer = await call(`${options.slackUrl}/admin/act/${kind}`, { body });
    if (answer.status !== 200) throw new HttpProblem(answer.status, JSON.stringify(answer.body));
    return answer.body;
  };

  async function action(route: string, body: Record<string, unknown>): Promise<unknown> {
    const who = person(body.as);
    const user = who.slackId;
    switch (route) {
      case 'slack/command': {
        const text = str(body.text, 'text').replace(/^\/aws-access\s*/, '');
        const channel = typeof body.channel === 'string' && !body.channel.startsWith('D') ? body.channel : undefined;
        return slackAct('command', { user, text, ...(channel ? { channel } : {}) });
      }
      case 'slack/click':
        return slackAct('click', {
          user,
          actionId: str(body.actionId, 'actionId'),
          ...(typeof body.value === 'string' ? { value: body.value } : {}),
          ...(typeof body.viewId === 'string'
            ? { viewId: body.viewId }
            : { channel: str(body.channel, 'channel'), ts: str(body.ts, 'ts') }),
        });
      case 'slack/options':
        return slackAct('options', {
          user,
          blockId: str(body.blockId, 'blockId'),
          actionId: str(body.actionId, 'actionId'),
          query: typeof body.query === 'string' ? body.query : '',
        });
      case 'slack/choose':
        return slackAct('choose', {
          user,
          blockId: str(body.blockId, 'blockId'),
          actionId: str(body.actionId, 'actionId'),
          value: str(body.value, 'value'),
        });
      case 'slack/pick-external':
        return slackAct('pick-external', {
          user,
          blockId: str(body.blockId, 'blockId'),
          actionId: str(body.actionId, 'actionId'),
          query: typeof body.query === 'string' ? body.query : '',
          value: str(body.value, 'value'),
        });
      case 'slack/submit': {
        // What the person typed and picked, then the submit button: Slack keeps inputs in the view.
        const inputs = Array.isArray(body.inputs) ? (body.inputs as Record<string, string>[]) : [];
        for (const input of inputs) {
          if (!input.value) continue;
          const target = { user, blockId: input.blockId, actionId: input.actionId, value: input.value };
          const kinds: Record<string, string> = { static_select: 'pick', datepicker: 'date', timepicker: 'time' };
          await slackAct(kinds[input.kind ?? ''] ?? 'type', target);
        }
        return slackAct('submit', { user });
      }
      case 'slack/home':
        return slackAct('home', { user });
      case 'teams/say':
        return call(`${options.teamsUrl}/_admin/message`, {
          body: { as: who.teamsAadObjectId, text: str(body.text, 'text') },
        }).then((a) => a.body);
      case 'teams/invoke':
        return call(`${options.teamsUrl}/_admin/invoke`, {
          body: {
            as: who.teamsAadObjectId,
            activityId: str(body.activityId, 'activityId'),
            value: {
              action: { type: 'Action.Execute', id: '', verb: str(body.verb, 'verb'), data: body.data ?? {} },
              trigger: 'manual',
            },
          },
        }).then((a) => a.body);
      case 'teams/file-consent':
        return call(`${options.teamsUrl}/_admin/file-consent`, {
          body: {
            as: who.teamsAadObjectId,
            activityId: str(body.activityId, 'activityId'),
            action: str(body.action, 'action') === 'decline' ? 'decline' : 'accept',
          },
        }).then((a) => a.body);
      case 'teams/refresh':
        return call(`${options.teamsUrl}/_admin/refresh`, {
          body: { as: who.teamsAadObjectId, activityId: str(body.activityId, 'activityId') },
        }).then((a) => a.body);
      case 'aws/assign-outside-keyless':
        return assignOutsideKeyless(who);
      case 'aws/iam/age-key':
      case 'aws/iam/create-key':
      case 'aws/iam/use-key': {
        // The rotation controls: a key made 100 days older, a second key added, a key used now.
        const answer = await call(`${options.awsUrl}/_emulator/iam/${route.slice('aws/iam/'.length)}`, {
          body: {
            account: str(body.account, 'account'),
            ...(route === 'aws/iam/create-key'
              ? { user: str(body.user, 'user') }
              : { accessKeyId: str(body.accessKeyId, 'accessKeyId'), days: 100 }),
          },
        });
        if (answer.status !== 200) throw new HttpProblem(400, JSON.stringify(answer.body));
        return answer.body;
      }
      case 'keyless/posture-now':
        if (!options.sources?.postPosture) throw new HttpProblem(404, 'the security feed is not running');
        return options.sources.postPosture();
      case 'keyless/scan-now':
        if (!options.sources?.scanNow) throw new HttpProblem(404, 'the security feed is not running');
        return options.sources.scanNow();
      case 'aws/session/take':
        return takeSession(who, str(body.accountId, 'accountId'), str(body.permissionSet, 'permissionSet'));
      case 'aws/session/try':
        return trySession(who, str(body.id, 'id'));
      case 'pagerduty/on-call': {
        // The person chosen ("as") goes on call now on the schedule; `nobody: true` leaves it empty.
        if (!options.pagerDuty) throw new HttpProblem(404, 'no loopback PagerDuty');
        return call(`${options.pagerDuty.url}/_loopback/oncall`, {
          headers: { authorization: `Token token=${options.pagerDuty.token}` },
          body: { schedule: str(body.schedule, 'schedule'), ...(body.nobody === true ? {} : { email: who.email }) },
        }).then((a) => a.body);
      }
      default:
        throw new HttpProblem(404, `no action ${route}`);
    }
  }

  /**
   * Someone gives a person AdministratorAccess in prod from the AWS console, behind keyless' back:
   * keyless' reconciler finds the assignment no grant explains and alerts the security channels.
   */
  async function assignOutsideKeyless(who: PlaygroundPerson) {
    const n = await loadNames();
    const principalId = Object.entries(n.principals).find(([, key]) => key === who.key)?.[0];
    const permissionSetArn = Object.entries(n.permissionSets).find(([, name]) => name === 'AdministratorAccess')?.[0];
    const accountId = Object.entries(n.accounts).find(([, name]) => name === 'prod')?.[0];
    if (!principalId || !permissionSetArn || !accountId)
      throw new HttpProblem(500, 'the demo organization is not loaded');
    const answer = await aws('SWBExternalService.CreateAccountAssignment', {
      InstanceArn: options.identityCenter.instanceArn,
      TargetId: accountId,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: permissionSetArn,
      PrincipalType: 'USER',
      PrincipalId: principalId,
    });
    if (answer.status !== 200) throw new HttpProblem(502, JSON.stringify(answer.body));
    return answer.body;
  }

  // ---- HTTP --------------------------------------------------------------------------------------
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(html);
    }
    if (req.method === 'GET' && path === '/app.js') {
      const js = await appScript();
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(js);
    }
    if (req.method === 'GET' && path === '/style.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(css);
    }
    if (req.method === 'GET' && path === '/favicon.ico') {
      res.writeHead(204, { 'cache-control': 'max-age=86400' });
      return void res.end();
    }
    if (req.method === 'GET' && /^\/slack-files\/F[A-Z0-9]+$/.test(path)) {
      // A file shared in the loopback Slack (the posture chart), served from the page's own origin.
      const file = await fetch(`${options.slackUrl}/admin/files/${path.slice('/slack-files/'.length)}`);
      if (!file.ok || file.headers.get('content-type') !== 'image/png')
        return send(res, 404, { error: 'no such image' });
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
      return void res.end(Buffer.from(await file.arrayBuffer()));
    }
    if (req.method === 'GET' && path === '/api/config') {
      return send(res, 200, { people, channels: options.channels, keylessUrl: options.keylessUrl });
    }
    if (req.method === 'GET' && path === '/api/state') {
      return send(res, 200, await stateFor(person(url.searchParams.get('as') ?? people[0]?.key)));
    }
    if (req.method === 'POST' && path.startsWith('/api/')) {
      return send(res, 200, { ok: true, answer: await action(path.slice('/api/'.length), await readJson(req)) });
    }
    send(res, 404, { error: `no route ${req.method ?? ''} ${path}` });
  }

  let hosts: string[] = [];
  const server: Server = createServer((req, res) => {
    const refused = refusalOf(req, hosts);
    if (refused) {
      req.resume();
      return send(res, refused.status, { error: refused.message });
    }
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpProblem ? error.status : 500;
      if (!res.headersSent) send(res, status, { error: error instanceof Error ? error.message : String(error) });
      else res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  // The page acts as anyone in Slack and Teams: it is served to this machine only.
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(host))
    throw new Error(`The playground page listens on a loopback address only; ${host} is not one.`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hosts = loopbackHosts(host, port);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
