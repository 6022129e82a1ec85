import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback PagerDuty for tests and the playground: the REST API v2 shapes keyless reads
 * (`GET /oncalls`, `GET /schedules/{id}`, `GET /abilities`) with PagerDuty's strictness (the
 * `Authorization: Token token=…` header, 401/404/400 error bodies, `limit`/`offset`/`more` paging,
 * `since` after `until` refused), plus a loopback-only admin route (`/_loopback/…`) that switches
 * who is on call.
 */
export interface LoopbackShift {
  userId: string;
  name: string;
  email: string;
  start: number;
  /** Absent: on call until switched. */
  end?: number;
}

export interface LoopbackSchedule {
  id: string;
  name: string;
  shifts: LoopbackShift[];
}

export class PagerDutyState {
  readonly schedules = new Map<string, LoopbackSchedule>();
  private nextUser = 1;
  private readonly users = new Map<string, string>();

  addSchedule(id: string, name: string): LoopbackSchedule {
    const s = this.schedules.get(id) ?? { id, name, shifts: [] };
    this.schedules.set(id, s);
    return s;
  }

  private userIdOf(email: string): string {
    const key = email.toLowerCase();
    let id = this.users.get(key);
    if (!id) {
      id = `PU${String(this.nextUser++).padStart(5, '0')}`;
      this.users.set(key, id);
    }
    return id;
  }

  /** From `at` on, `email` is on call on the schedule (whoever was ends at `at`). Undefined email: nobody. */
  setOnCall(scheduleId: string, email: string | undefined, at: number = Date.now(), name?: string): void {
    const s = this.schedules.get(scheduleId);
    if (!s) throw new Error(`no schedule ${scheduleId}`);
    for (const shift of s.shifts) if (shift.end === undefined || shift.end > at) shift.end = Math.max(shift.start, at);
    if (email) s.shifts.push({ userId: this.userIdOf(email), name: name ?? email.split('@')[0]!, email, start: at });
  }

  onCallAt(scheduleId: string, at: number): LoopbackShift[] {
    return (this.schedules.get(scheduleId)?.shifts ?? []).filter((s) => s.start <= at && (s.end ?? Infinity) > at);
  }

  snapshot(at: number = Date.now()) {
    return [...this.schedules.values()].map((s) => ({
      id: s.id,
      name: s.name,
      onCall: this.onCallAt(s.id, at).map((x) => x.email),
    }));
  }
}

export interface PagerDutyLoopbackOptions {
  token: string;
  port?: number;
  host?: string;
  /** Schedules and who is on call on each from the start. */
  schedules?: { id: string; name: string; onCall?: string }[];
}

export interface RunningPagerDuty {
  url: string;
  /** The key it accepts. */
  token: string;
  state: PagerDutyState;
  /** Requests received (path and query only, never the token). */
  log: string[];
  stop(): Promise<void>;
}

const error = (res: ServerResponse, status: number, message: string, code: number, errors: string[] = []) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, code, errors } }));
};

const json = (res: ServerResponse, body: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function onCalls(state: PagerDutyState, url: URL, res: ServerResponse): void {
  const ids = url.searchParams.getAll('schedule_ids[]');
  const now = Date.now();
  const since = url.searchParams.has('since') ? Date.parse(url.searchParams.get('since')!) : now;
  const until = url.searchParams.has('until') ? Date.parse(url.searchParams.get('until')!) : since;
  if (Number.isNaN(since) || Number.isNaN(until))
    return error(res, 400, 'Invalid Input Provided', 2001, ['Since or until is not a valid date.']);
  if (until < since) return error(res, 400, 'Invalid Input Provided', 2001, ['Until must be after since.']);
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? '25') || 25));
  const offset = Math.max(0, Number(url.searchParams.get('offset') ?? '0') || 0);
  const withUsers = url.searchParams.getAll('include[]').includes('users');
  const earliest = url.searchParams.get('earliest') === 'true';
  const schedules = ids.length
    ? ids.map((id) => state.schedules.get(id)).filter((s) => s !== undefined)
    : [...state.schedules.values()];
  const entries = schedules.flatMap((s) => {
    const overlapping = s.shifts.filter((x) => x.start <= until && (x.end ?? Infinity) > since);
    const kept = earliest
      ? overlapping.filter((x, i) => overlapping.findIndex((y) => y.userId === x.userId) === i)
      : overlapping;
    return kept.map((x) => ({
      escalation_policy: { id: `PE${s.id.slice(1)}`, type: 'escalation_policy_reference', summary: `${s.name} policy` },
      escalation_level: 1,
      schedule: { id: s.id, type: 'schedule_reference', summary: s.name },
      user: withUsers
        ? { id: x.userId, type: 'user', name: x.name, summary: x.name, email: x.email }
        : { id: x.userId, type: 'user_reference', summary: x.name },
      start: new Date(x.start).toISOString(),
      end: x.end === undefined ? null : new Date(x.end).toISOString(),
    }));
  });
  const page = entries.slice(offset, offset + limit);
  json(res, { oncalls: page, limit, offset, more: offset + limit < entries.length, total: null });
}

/** Starts the loopback PagerDuty on `port` (0: any free port). */
export async function startPagerDutyLoopback(options: PagerDutyLoopbackOptions): Promise<RunningPagerDuty> {
  const state = new PagerDutyState();
  const log: string[] = [];
  const started = Date.now() - 24 * 3600_000;
  for (const s of options.schedules ?? []) {
    state.addSchedule(s.id, s.name);
    if (s.onCall) state.setOnCall(s.id, s.onCall, started);
  }
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const handle = async () => {
      if (url.pathname.startsWith('/_loopback/')) {
        // The switch of the playground page and the tests (not part of PagerDuty's API).
        if (req.headers.authorization !== `Token token=${options.token}`) return error(res, 401, 'Unauthorized', 2006);
        if (req.method === 'GET' && url.pathname === '/_loopback/schedules')
          return json(res, { schedules: state.snapshot() });
        if (req.method === 'POST' && url.pathname === '/_loopback/oncall') {
          const body = await readBody(req);
          const schedule = typeof body.schedule === 'string' ? body.schedule : '';
          const email = typeof body.email === 'string' && body.email ? body.email : undefined;
          if (!state.schedules.has(schedule)) return error(res, 404, 'Not Found', 2100);
          state.setOnCall(schedule, email, typeof body.at === 'number' ? body.at : Date.now());
          return json(res, { schedules: state.snapshot() });
        }
        return error(res, 404, 'Not Found', 2100);
      }
      log.push(`${req.method} ${url.pathname}${url.search}`);
      if (req.headers.authorization !== `Token token=${options.token}`) return error(res, 401, 'Unauthorized', 2006);
      if (req.method !== 'GET') return error(res, 405, 'Method Not Allowed', 2100);
      if (url.pathname === '/abilities') return json(res, { abilities: ['teams', 'read_only_users'] });
      if (url.pathname === '/oncalls') return onCalls(state, url, res);
      const schedule = /^\/schedules\/([A-Z0-9]+)$/.exec(url.pathname);
      if (schedule) {
        const s = state.schedules.get(schedule[1]!);
        if (!s) return error(res, 404, 'Not Found', 2100);
        return json(res, {
          schedule: { id: s.id, type: 'schedule', name: s.name, summary: s.name, time_zone: 'Etc/UTC' },
        });
      }
      return error(res, 404, 'Not Found', 2100);
    };
    handle().catch(() => error(res, 400, 'Invalid Input Provided', 2001));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token: options.token,
    state,
    log,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
