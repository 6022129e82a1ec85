import { parse as parseQuery } from 'node:querystring';
import type { Block } from './wire';
import { WorkspaceError, type SlackWorkspaceState, type WorkspaceUser } from './workspace';

/**
 * The Slack Web API methods keyless calls, answered from the workspace state with Slack's shapes
 * and error strings. Arguments arrive form-encoded (with `blocks`/`view` as JSON strings) or as JSON.
 * Optional rate limits answer 429 with Retry-After, like Slack.
 */
export interface RateLimits {
  /** Calls per minute per method (a sliding window). */
  perMethodPerMinute?: Record<string, number>;
  /** chat.postMessage per channel per second. */
  postMessagePerChannelPerSecond?: number;
}

type Args = Record<string, unknown>;
export type Handler = (ws: SlackWorkspaceState, args: Args) => Record<string, unknown>;

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A boolean argument as Slack reads it: true, `true` or `1`. */
const flag = (v: unknown): boolean => v === true || v === 'true' || v === '1' || v === 1;

function userInfo(ws: SlackWorkspaceState, u: WorkspaceUser) {
  const offset = tzOffsetSeconds(u.tz);
  return {
    id: u.id,
    team_id: ws.team.id,
    name: u.name,
    deleted: !!u.deleted,
    real_name: u.realName,
    // As Slack answers: the IANA name, its long label ("Central European Standard Time"), the offset in seconds.
    tz: u.tz,
    tz_label: tzLabel(u.tz),
    tz_offset: offset,
    is_bot: !!u.isBot,
    profile: {
      real_name: u.realName,
      display_name: u.displayName,
      ...(u.email ? { email: u.email } : {}),
    },
  };
}

function tzLabel(zone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'long' }).formatToParts(new Date());
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
  } catch {
    return zone;
  }
}

function tzOffsetSeconds(zone: string): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(
      new Date(),
    );
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
  } catch {
    return 0;
  }
}

/**
 * The bot scopes the workspace grants when a test names none: what manifest/slack/manifest.yml asks
 * for. Slack sends the granted scopes with every Web API answer (`x-oauth-scopes`).
 */
export const DEFAULT_BOT_SCOPES = [
  'channels:read',
  'chat:write',
  'commands',
  'files:write',
  'groups:read',
  'im:write',
  'usergroups:read',
  'users:read',
  'users:read.email',
];

/**
 * The scope each method needs (Slack's method reference), given its arguments: conversations.info
 * needs channels:read for a public channel and groups:read for a private one.
 */
export const SCOPE_NEEDED: Record<string, (ws: SlackWorkspaceState, args: Args) => string | undefined> = {
  'chat.postMessage': () => 'chat:write',
  'chat.update': () => 'chat:write',
  'chat.postEphemeral': () => 'chat:write',
  'users.info': () => 'users:read',
  'users.lookupByEmail': () => 'users:read.email',
  'conversations.open': () => 'im:write',
  'files.getUploadURLExternal': () => 'files:write',
  'files.completeUploadExternal': () => 'files:write',
  'usergroups.list': () => 'usergroups:read',
  'usergroups.users.list': () => 'usergroups:read',
  'conversations.info': (ws, a) => {
    const c = ws.channels.get(str(a.channel) ?? '');
    return c?.isIm ? 'im:read' : c?.isPrivate ? 'groups:read' : 'channels:read';
  },
};

/** Slack's answer to a call without the scope it needs. */
export class MissingScopeError extends WorkspaceError {
  constructor(
    readonly needed: string,
    readonly provided: string[],
  ) {
    super('missing_scope');
  }
}

export const METHODS: Record<string, Handler> = {
  'auth.test': (ws) => ({
    url: `https://${ws.team.domain}.slack.com/`,
    team: ws.team.name,
    user: 'keyless',
    team_id: ws.team.id,
    user_id: ws.app.botUserId,
    bot_id: ws.app.botId,
  }),
  'chat.postMessage': (ws, a) => {
    const channel = str(a.channel);
    if (!channel) throw new WorkspaceError('channel_not_found');
    const blocks = json<Block[] | undefined>(a.blocks) ?? [];
    const text = str(a.text) ?? '';
    if (!text && blocks.length === 0) throw new WorkspaceError('no_text');
    const thread = str(a.thread_ts);
    // A reply: its parent must be a message of the channel.
    if (thread) ws.message(channel, thread);
    const m = ws.postMessage(channel, text, blocks);
    if (thread) m.thread_ts = thread;
    return { channel, ts: m.ts, message: { type: 'message', ...m } };
  },
  'chat.update': (ws, a) => {
    const channel = str(a.channel);
    const ts = str(a.ts);
    if (!channel || !ts) throw new WorkspaceError('invalid_arguments');
    const m = ws.updateMessage(channel, ts, str(a.text), json<Block[] | undefined>(a.blocks));
    return { channel, ts: m.ts, text: m.text };
  },
  'chat.postEphemeral': (ws, a) => {
    const channel = str(a.channel);
    const user = str(a.user);
    if (!channel || !user) throw new WorkspaceError('invalid_arguments');
    ws.channel(channel);
    const e = ws.postEphemeral(
      channel,
      user,
      str(a.text) ?? '',
      json<Block[] | undefined>(a.blocks) ?? [],
      'chat.postEphemeral',
    );
    return { message_ts: e.ts };
  },
  'views.open': (ws, a) => {
    const trigger = str(a.trigger_id);
    if (!trigger) throw new WorkspaceError('invalid_arguments');
    return { view: ws.openModal(trigger, json<Args>(a.view)) };
  },
  'views.update': (ws, a) => {
    const id = str(a.view_id);
    if (!id) throw new WorkspaceError('invalid_arguments');
    return { view: ws.updateView(id, json<Args>(a.view), str(a.hash)) };
  },
  'views.publish': (ws, a) => {
    const user = str(a.user_id);
    if (!user) throw new WorkspaceError('invalid_arguments');
    return { view: ws.publishHome(user, json<Args>(a.view)) };
  },
  'users.info': (ws, a) => ({ user: userInfo(ws, ws.user(str(a.user) ?? '')) }),
  'users.lookupByEmail': (ws, a) => {
    const email = str(a.email)?.toLowerCase();
    const u = [...ws.users.values()].find((x) => x.email?.toLowerCase() === email && !x.deleted);
    if (!u) throw new WorkspaceError('users_not_found');
    return { user: userInfo(ws, u) };
  },
  'conversations.info': (ws, a) => {
    const id = str(a.channel);
    if (!id) throw new WorkspaceError('channel_not_found');
    const c = ws.channel(id);
    // A private channel the bot is not in does not exist for the bot.
    if (c.isPrivate && c.botMember === false) throw new WorkspaceError('channel_not_found');
    return {
      channel: {
        id: c.id,
        name: c.name,
        is_channel: !c.isIm && !c.isPrivate,
        is_group: !!c.isPrivate,
        is_im: c.isIm,
        is_private: !!c.isPrivate || c.isIm,
        is_archived: false,
        ...(c.isIm ? { user: c.user } : { is_member: c.botMember !== false }),
      },
    };
  },
  'files.getUploadURLExternal': (ws, a) => {
    const filename = str(a.filename);
    const length = typeof a.length === 'number' ? a.length : Number(str(a.length) ?? NaN);
    if (!filename || !Number.isFinite(length)) throw new WorkspaceError('invalid_arguments');
    const { id, uploadSecret } = ws.startUpload(filename, length, str(a.alt_txt) ?? str(a.alt_text));
    // The server puts its own origin in front (Slack answers https://files.slack.com/upload/v1/…).
    return { file_id: id, upload_url: `/upload/v1/${id}/${uploadSecret}` };
  },
  'files.completeUploadExternal': (ws, a) => {
    let files: { id?: unknown; title?: unknown }[];
    try {
      files = json<{ id?: unknown; title?: unknown }[]>(a.files);
    } catch {
      throw new WorkspaceError('invalid_arguments');
    }
    const channel = str(a.channel_id);
    return { files: ws.completeUpload(files, channel, str(a.initial_comment), str(a.thread_ts)) };
  },
  // User groups (Slack's method reference): Standard plans and above; a disabled group is answered
  // only with include_disabled (usergroups.users.list then says no_such_subteam, as for an unknown id).
  'usergroups.list': (ws, a) => {
    if (ws.plan === 'free') throw new WorkspaceError('plan_upgrade_required');
    const withDisabled = flag(a.include_disabled);
    const withUsers = flag(a.include_users);
    const withCount = flag(a.include_count);
    const groups = [...ws.userGroups.values()].filter((g) => withDisabled || !g.disabled);
    return {
      usergroups: groups.map((g) => ({
        id: g.id,
        team_id: ws.team.id,
        is_usergroup: true,
        is_subteam: true,
        name: g.name,
        description: '',
        handle: g.handle,
        is_external: false,
        date_create: 1446598059,
        date_update: 1446670362,
        date_delete: g.disabled ? 1446670400 : 0,
        auto_type: null,
        created_by: 'U0KEYLESSADMIN',
        updated_by: 'U0KEYLESSADMIN',
        deleted_by: null,
        prefs: { channels: [], groups: [] },
        ...(withUsers ? { users: [...g.users] } : {}),
        ...(withCount ? { user_count: g.users.length } : {}),
      })),
    };
  },
  'usergroups.users.list': (ws, a) => {
    if (ws.plan === 'free') throw new WorkspaceError('plan_upgrade_required');
    const id = str(a.usergroup);
    if (!id) throw new WorkspaceError('invalid_arguments');
    const g = ws.userGroups.get(id);
    if (!g || (g.disabled && !flag(a.include_disabled))) throw new WorkspaceError('no_such_subteam');
    return { users: [...g.users] };
  },
  'conversations.open': (ws, a) => {
    const users = (str(a.users) ?? '').split(',').filter(Boolean);
    if (users.length !== 1) throw new WorkspaceError('invalid_arguments');
    return { channel: { id: ws.openDm(users[0]!).id } };
  },
};

/**
 * Methods that take an app-level token (xapp-…) and no bot token. `apps.connections.open` exists
 * only when the workspace has an app token (a workspace without one answers every app-level token
 * with invalid_auth before getting here).
 */
export const APP_LEVEL_METHODS: Record<string, (socket: { issueUrl(): string }) => Record<string, unknown>> = {
  'apps.connections.open': (socket) => ({ url: socket.issueUrl() }),
};

export function parseArgs(raw: string, contentType: string | undefined): Args {
  if (contentType?.startsWith('application/json')) return raw ? (JSON.parse(raw) as Args) : {};
  const form = parseQuery(raw);
  return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** A sliding-window limiter answering like Slack (429 + Retry-After in seconds). */
export class SlackRateLimiter {
  private readonly windows = new Map<string, number[]>();
  limited = 0;

  constructor(private readonly limits: RateLimits = {}) {}

  check(method: string, args: Args, now: number): number | undefined {
    const perMinute = this.limits.perMethodPerMinute?.[method];
    if (perMinute !== undefined) {
      const wait = this.hit(method, now, 60_000, perMinute);
      if (wait !== undefined) return wait;
    }
    const perSecond = this.limits.postMessagePerChannelPerSecond;
    if (method === 'chat.postMessage' && perSecond !== undefined && typeof args.channel === 'string') {
      return this.hit(`${method}#${args.channel}`, now, 1000, perSecond);
    }
    return undefined;
  }

  private hit(key: string, now: number, windowMs: number, max: number): number | undefined {
    const times = (this.windows.get(key) ?? []).filter((t) => t > now - windowMs);
    if (times.length >= max) {
      this.windows.set(key, times);
      this.limited++;
      return Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000));
    }
    times.push(now);
    this.windows.set(key, times);
    return undefined;
  }
}
