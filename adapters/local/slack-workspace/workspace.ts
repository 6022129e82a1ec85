import { randomBytes } from 'node:crypto';
import {
  elementsOf,
  type Block,
  type EphemeralRecord,
  type SlackMessageRecord,
  type StateValues,
  type WireView,
} from './wire';

/**
 * The state of a loopback Slack workspace, held as Slack holds it: users (with email and time
 * zone), channels and DMs, messages with `ts` (and their edits), ephemeral messages per user, open
 * modals per user (a stack), an App Home per user, trigger ids (3 s, single use) and response
 * URLs (5 uses in 30 minutes). The Web API server and the client both work on this object; the
 * playground reads it through the admin API.
 */
export interface WorkspaceUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  email?: string;
  tz: string;
  isBot?: boolean;
  deleted?: boolean;
}

export interface WorkspaceChannel {
  id: string;
  name: string;
  isIm: boolean;
  /** For a DM: the person on the other side of the app. */
  user?: string;
  /** A private channel (conversations.info then needs groups:read, and hides it from non-members). */
  isPrivate?: boolean;
  /** Whether the bot was invited. Without it chat.postMessage answers not_in_channel, as Slack does. */
  botMember?: boolean;
}

/**
 * A Slack user group (a "subteam", mentioned as @handle): its id `S…`, its handle, its members. A
 * disabled group keeps its members but is listed, and answered, only with `include_disabled`.
 */
export interface WorkspaceUserGroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
  disabled?: boolean;
}

export class WorkspaceError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

const TRIGGER_TTL_MS = 3000;
const UPLOAD_URL_TTL_MS = 10 * 60_000;
/** Slack's limit for one file: 1 GB. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;

function mimeOf(bytes: Buffer): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return 'application/octet-stream';
}
const RESPONSE_URL_TTL_MS = 30 * 60_000;

/** The loopback workspace's team id (local mode allows it: KEYLESS_SLACK_TEAM_IDS). */
export const LOCAL_SLACK_TEAM_ID = 'T0KEYLESS';

export class SlackWorkspaceState {
  readonly team = { id: LOCAL_SLACK_TEAM_ID, domain: 'keyless-local', name: 'keyless (local)' };
  readonly app = { id: 'A0KEYLESS', botId: 'B0KEYLESS', botUserId: 'U0KEYLESSBOT' };
  readonly users = new Map<string, WorkspaceUser>();
  readonly channels = new Map<string, WorkspaceChannel>();
  readonly messages = new Map<string, SlackMessageRecord[]>();
  readonly ephemerals: EphemeralRecord[] = [];
  readonly views = new Map<string, WireView>();
  /** Open modals per user, bottom first. */
  readonly modalStacks = new Map<string, string[]>();
  readonly homes = new Map<string, string>();
  readonly triggers = new Map<string, { user: string; issuedAt: number; used: boolean }>();
  readonly responseUrls = new Map<
    string,
    { channel: string; user: string; messageTs?: string; uses: number; issuedAt: number }
  >();
  /** Every Web API call, in order, with the kind of token it came with (never the token). */
  readonly calls: {
    method: string;
    args: Record<string, unknown>;
    at: number;
    ok: boolean;
    tokenType?: 'bot' | 'app';
    error?: string;
  }[] = [];
  /**
   * Files of the upload flow (files.getUploadURLExternal → POST the bytes → files.completeUploadExternal).
   * An upload URL lives 10 minutes; the bytes must be exactly the announced `length`; completion
   * happens once. `bytes` stays for the admin API (the playground shows the picture).
   */
  readonly files = new Map<
    string,
    {
      id: string;
      filename: string;
      length: number;
      altTxt?: string;
      uploadSecret: string;
      issuedAt: number;
      bytes?: Buffer;
      mimetype?: string;
      completed?: { channel?: string; ts?: string; title: string };
    }
  >();
  /** User groups by id (usergroups.list, usergroups.users.list). */
  readonly userGroups = new Map<string, WorkspaceUserGroup>();
  /** The workspace's plan: user groups exist on Standard and above (`free`: plan_upgrade_required). */
  plan: 'free' | 'standard' = 'standard';
  private readonly viewOwners = new Map<string, string>();
  private lastTs = 0;
  private seq = 0;
  now: () => number = Date.now;
  /** The bot token's granted scopes (set by the server; tests may change them). */
  scopes: string[] = [];

  constructor(readonly botToken: string) {}

  // ---- people and places -------------------------------------------------------------------

  addUser(user: WorkspaceUser): WorkspaceUser {
    this.users.set(user.id, { ...user });
    return user;
  }

  /** Adds (or replaces) a user group; its members must be people of the workspace. */
  addUserGroup(group: WorkspaceUserGroup): WorkspaceUserGroup {
    for (const u of group.users) this.user(u);
    const g = { ...group, users: [...group.users] };
    this.userGroups.set(g.id, g);
    return g;
  }

  user(id: string): WorkspaceUser {
    const u = this.users.get(id);
    if (!u) throw new WorkspaceError('user_not_found');
    return u;
  }

  addChannel(id: string, name: string, options: { isPrivate?: boolean; botMember?: boolean } = {}): WorkspaceChannel {
    const c: WorkspaceChannel = {
      id,
      name,
      isIm: false,
      isPrivate: options.isPrivate ?? false,
      botMember: options.botMember ?? true,
    };
    this.channels.set(id, c);
    return c;
  }

  channel(id: string): WorkspaceChannel {
    const c = this.channels.get(id);
    if (!c) throw new WorkspaceError('channel_not_found');
    return c;
  }

  /** The app's DM with a person (conversations.open). */
  openDm(userId: string): WorkspaceChannel {
    this.user(userId);
    const id = `D${userId.slice(1)}`;
    let c = this.channels.get(id);
    if (!c) {
      c = { id, name: `dm-${this.user(userId).name}`, isIm: true, user: userId };
      this.channels.set(id, c);
    }
    return c;
  }

  // ---- messages -------------------------------------------------------------------------------

  /** Message timestamps are unique and increasing, as in Slack (`seconds.micro`). */
  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  id(prefix: string): string {
    this.seq++;
    return `${prefix}${this.seq.toString(36).toUpperCase().padStart(6, '0')}${randomBytes(2).toString('hex').toUpperCase()}`;
  }

  /** `viaResponseUrl`: a response_url posts where the command was typed, member or not. */
  postMessage(channel: string, text: string, blocks: Block[], viaResponseUrl = false): SlackMessageRecord {
    const c = this.channel(channel);
    if (!viaResponseUrl && !c.isIm && c.botMember === false)
      throw new WorkspaceError(c.isPrivate ? 'channel_not_found' : 'not_in_channel');
    checkBlocks(blocks, 50);
    const message: SlackMessageRecord = {
      channel,
      ts: this.nextTs(),
      user: this.app.botUserId,
      bot_id: this.app.botId,
      text,
      blocks,
      history: [],
    };
    const list = this.messages.get(channel) ?? [];
    list.push(message);
    this.messages.set(channel, list);
    return message;
  }

  // ---- files (the upload flow of files.uploadV2) -------------------------------------------

  /** files.getUploadURLExternal: a file id and a one-time upload secret for the bytes. */
  startUpload(filename: string, length: number, altTxt?: string): { id: string; uploadSecret: string } {
    if (!filename || !Number.isInteger(length) || length <= 0) throw new WorkspaceError('invalid_arguments');
    if (length > MAX_FILE_BYTES) throw new WorkspaceError('file_too_large');
    const id = this.id('F');
    const uploadSecret = randomBytes(12).toString('hex');
    this.files.set(id, {
      id,
      filename,
      length,
      ...(altTxt ? { altTxt } : {}),
      uploadSecret,
      issuedAt: this.now(),
    });
    return { id, uploadSecret };
  }

  /** The POST of the bytes to the upload URL; an error string (HTTP 4xx) when refused. */
  receiveUpload(id: string, secret: string, bytes: Buffer): string | undefined {
    const f = this.files.get(id);
    if (!f || f.uploadSecret !== secret) return 'upload_url_not_found';
    if (this.now() - f.issuedAt > UPLOAD_URL_TTL_MS) return 'upload_url_expired';
    if (f.bytes) return 'already_uploaded';
    if (bytes.length !== f.length) return `length_mismatch: announced ${f.length}, received ${bytes.length}`;
    f.bytes = bytes;
    f.mimetype = mimeOf(bytes);
    return undefined;
  }

  /** files.completeUploadExternal: shares uploaded files, once, in a channel (or keeps them private). */
  completeUpload(
    files: { id?: unknown; title?: unknown }[],
    channelId: string | undefined,
    initialComment: string | undefined,
    threadTs: string | undefined,
  ): { id: string; title: string }[] {
    if (!Array.isArray(files) || files.length === 0) throw new WorkspaceError('invalid_arguments');
    const found = files.map((x) => {
      const f = typeof x?.id === 'string' ? this.files.get(x.id) : undefined;
      if (!f || f.completed) throw new WorkspaceError('file_not_found');
      if (!f.bytes) throw new WorkspaceError('file_upload_not_complete');
      return { f, title: typeof x.title === 'string' && x.title ? x.title : f.filename };
    });
    let shared: { channel: string; ts: string } | undefined;
    if (channelId) {
      const c = this.channel(channelId);
      if (!c.isIm && c.botMember === false)
        throw new WorkspaceError(c.isPrivate ? 'channel_not_found' : 'not_in_channel');
      if (threadTs) this.message(channelId, threadTs);
      const m = this.postMessage(channelId, initialComment ?? '', []);
      m.files = found.map(({ f, title }) => ({
        id: f.id,
        name: f.filename,
        title,
        mimetype: f.mimetype ?? 'application/octet-stream',
        size: f.length,
        ...(f.altTxt ? { alt_txt: f.altTxt } : {}),
      }));
      if (threadTs) Object.assign(m, { thread_ts: threadTs });
      shared = { channel: channelId, ts: m.ts };
    }
    for (const { f, title } of found) f.completed = { ...(shared ?? {}), title };
    return found.map(({ f, title }) => ({ id: f.id, title }));
  }

  message(channel: string, ts: string): SlackMessageRecord {
    const m = this.messages.get(channel)?.find((x) => x.ts === ts);
    if (!m) throw new WorkspaceError('message_not_found');
    return m;
  }

  updateMessage(
    channel: string,
    ts: string,
    text: string | undefined,
    blocks: Block[] | undefined,
  ): SlackMessageRecord {
    const m = this.message(channel, ts);
    if (blocks) checkBlocks(blocks, 50);
    m.history.push({ text: m.text, blocks: m.blocks, at: this.now() });
    if (text !== undefined) m.text = text;
    if (blocks !== undefined) m.blocks = blocks;
    m.edited = { user: this.app.botUserId, ts: this.nextTs() };
    return m;
  }

  postEphemeral(
    channel: string,
    user: string,
    text: string,
    blocks: Block[],
    via: EphemeralRecord['via'],
  ): EphemeralRecord {
    this.user(user);
    const e: EphemeralRecord = { channel, user, ts: this.nextTs(), text, blocks, via };
    this.ephemerals.push(e);
    return e;
  }

  channelMessages(channel: string): SlackMessageRecord[] {
    return this.messages.get(channel) ?? [];
  }

  ephemeralsOf(user: string): EphemeralRecord[] {
    return this.ephemerals.filter((e) => e.user === user);
  }

  // ---- triggers and response urls ---------------------------------------------------------------

  issueTrigger(user: string): string {
    const id = `${this.seq + 1}.${Date.now()}.${randomBytes(8).toString('hex')}`;
    this.seq++;
    this.triggers.set(id, { user, issuedAt: this.now(), used: false });
    return id;
  }

  useTrigger(triggerId: string): string {
    const t = this.triggers.get(triggerId);
    if (!t) throw new WorkspaceError('invalid_trigger_id');
    if (t.used || this.now() - t.issuedAt > TRIGGER_TTL_MS) throw new WorkspaceError('expired_trigger_id');
    t.used = true;
    return t.user;
  }

  issueResponseUrl(channel: string, user: string, messageTs?: string): string {
    const id = randomBytes(12).toString('hex');
    this.responseUrls.set(id, { channel, user, uses: 0, issuedAt: this.now(), ...(messageTs ? { messageTs } : {}) });
    return id;
  }

  /** A POST to a response_url: an ephemeral message by default, or the original message replaced. */
  respond(id: string, body: Record<string, unknown>): void {
    const r = this.responseUrls.get(id);
    if (!r || this.now() - r.issuedAt > RESPONSE_URL_TTL_MS) throw new WorkspaceError('expired_url');
    if (r.uses >= 5) throw new WorkspaceError('used_url');
    r.uses++;
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? (body.blocks as Block[]) : [];
    if (body.replace_original === true && r.messageTs) {
      this.updateMessage(r.channel, r.messageTs, text, blocks);
    } else if (body.response_type === 'in_channel') {
      this.postMessage(r.channel, text, blocks, true);
    } else {
      this.postEphemeral(r.channel, r.user, text, blocks, 'response_url');
    }
  }

  // ---- views ------------------------------------------------------------------------------------

  private buildView(input: Record<string, unknown>, user: string, previous?: WireView): WireView {
    const blocks = (Array.isArray(input.blocks) ? input.blocks : []) as Block[];
    const type = input.type === 'home' ? 'home' : 'modal';
    checkBlocks(blocks, 100);
    const title = input.title as WireView['title'];
    if (type === 'modal' && (!title || title.text.length > 24)) throw new WorkspaceError('invalid_arguments');
    const id = previous?.id ?? this.id('V');
    return {
      id,
      team_id: this.team.id,
      type,
      callback_id: typeof input.callback_id === 'string' ? input.callback_id : '',
      private_metadata: typeof input.private_metadata === 'string' ? input.private_metadata : '',
      ...(title ? { title } : {}),
      ...(input.submit ? { submit: input.submit as WireView['title'] } : {}),
      ...(input.close ? { close: input.close as WireView['title'] } : {}),
      blocks,
      state: { values: keepState(previous?.state.values ?? {}, blocks) },
      hash: `${Date.now()}.${randomBytes(4).toString('hex')}`,
      root_view_id: previous?.root_view_id ?? id,
      previous_view_id: previous?.previous_view_id ?? null,
      app_id: this.app.id,
      bot_id: this.app.botId,
    };
  }

  openModal(triggerId: string, view: Record<string, unknown>): WireView {
    const user = this.useTrigger(triggerId);
    const v = this.buildView(view, user);
    this.views.set(v.id, v);
    const stack = this.modalStacks.get(user) ?? [];
    // A new views.open replaces what the person had open (views.push would stack).
    stack.splice(0, stack.length, v.id);
    this.modalStacks.set(user, stack);
    this.viewOwners.set(v.id, user);
    return v;
  }

  updateView(viewId: string, view: Record<string, unknown>, hash?: string): WireView {
    const current = this.views.get(viewId);
    if (!current) throw new WorkspaceError('not_found');
    if (hash && hash !== current.hash) throw new WorkspaceError('hash_conflict');
    const next = this.buildView(view, this.viewOwners.get(viewId) ?? '', current);
    this.views.set(viewId, next);
    return next;
  }

  publishHome(user: string, view: Record<string, unknown>): WireView {
    this.user(user);
    const previousId = this.homes.get(user);
    const v = this.buildView({ ...view, type: 'home' }, user, previousId ? this.views.get(previousId) : undefined);
    this.views.set(v.id, v);
    this.homes.set(user, v.id);
    this.viewOwners.set(v.id, user);
    return v;
  }

  openModals(user: string): WireView[] {
    return (this.modalStacks.get(user) ?? []).map((id) => this.views.get(id)!).filter(Boolean);
  }

  /** The modal on top, the one the person sees. */
  topModal(user: string): WireView | undefined {
    const stack = this.modalStacks.get(user) ?? [];
    const id = stack[stack.length - 1];
    return id ? this.views.get(id) : undefined;
  }

  closeModals(user: string): void {
    this.modalStacks.set(user, []);
  }

  home(user: string): WireView | undefined {
    const id = this.homes.get(user);
    return id ? this.views.get(id) : undefined;
  }

  /** What a person types or picks in a modal (Slack keeps it in `state.values`). */
  setInput(viewId: string, blockId: string, actionId: string, value: StateValues[string][string]): void {
    const view = this.views.get(viewId);
    if (!view) throw new WorkspaceError('not_found');
    const found = elementsOf(view.blocks).find((e) => e.block.block_id === blockId && e.element.action_id === actionId);
    if (!found) throw new WorkspaceError(`no input ${blockId}/${actionId} in view ${viewId}`);
    view.state.values[blockId] = { ...view.state.values[blockId], [actionId]: value };
  }

  snapshot() {
    return {
      team: this.team,
      app: this.app,
      users: [...this.users.values()],
      channels: [...this.channels.values()],
      messages: Object.fromEntries(this.messages),
      ephemerals: this.ephemerals,
      modals: Object.fromEntries([...this.modalStacks].map(([u, ids]) => [u, ids.map((id) => this.views.get(id))])),
      homes: Object.fromEntries([...this.homes].map(([u, id]) => [u, this.views.get(id)])),
    };
  }
}

/** Keeps what a person typed in inputs that are still there after views.update (as Slack does). */
function keepState(values: StateValues, blocks: Block[]): StateValues {
  const kept: StateValues = {};
  for (const { block, element } of elementsOf(blocks)) {
    const b = block.block_id;
    const a = element.action_id as string;
    if (b && values[b]?.[a]) kept[b] = { ...kept[b], [a]: values[b][a]! };
  }
  return kept;
}

/** The limits Slack enforces that a renderer can break: block count, ids, text lengths. */
function checkBlocks(blocks: Block[], max: number): void {
  if (!Array.isArray(blocks) || blocks.length > max) throw new WorkspaceError('invalid_blocks');
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  for (const [index, block] of blocks.entries()) {
    if (typeof block.type !== 'string') throw new WorkspaceError('invalid_blocks');
    if (block.block_id) {
      if (blockIds.has(block.block_id) || block.block_id.length > 255) throw new WorkspaceError('invalid_blocks');
      blockIds.add(block.block_id);
    }
    const text = block.text as { text?: string } | undefined;
    if (text?.text && text.text.length > 3000) throw new WorkspaceError('invalid_blocks');
    for (const { element } of elementsOf([block])) {
      const id = element.action_id as string;
      const key = `${block.block_id ?? `#${index}`}/${id}`;
      if (actionIds.has(key)) throw new WorkspaceError('invalid_blocks');
      actionIds.add(key);
      const options = element.options as { text: { text: string } }[] | undefined;
      if (options && (options.length > 100 || options.some((o) => o.text.text.length > 75))) {
        throw new WorkspaceError('invalid_blocks');
      }
      checkElement(element, block.type === 'input');
    }
    if (block.type === 'input') checkInputBlock(block);
  }
}

/**
 * The interactive elements the workspace knows, with the fields Slack accepts on each: an element of
 * another type, or a field Slack does not know, is refused as Slack refuses it (`invalid_blocks`).
 * https://docs.slack.dev/reference/block-kit/block-elements
 */
const COMMON_FIELDS = ['type', 'action_id', 'focus_on_load', 'confirm', 'placeholder'];
const SELECT_FIELDS = [...COMMON_FIELDS, 'options', 'option_groups', 'initial_option'];
const ELEMENT_FIELDS: Record<string, readonly string[]> = {
  button: ['type', 'action_id', 'text', 'value', 'url', 'style', 'confirm', 'accessibility_label'],
  overflow: ['type', 'action_id', 'options', 'confirm'],
  static_select: SELECT_FIELDS,
  multi_static_select: [
    ...SELECT_FIELDS.filter((f) => f !== 'initial_option'),
    'initial_options',
    'max_selected_items',
  ],
  external_select: [...COMMON_FIELDS, 'initial_option', 'min_query_length'],
  multi_external_select: [...COMMON_FIELDS, 'initial_options', 'min_query_length', 'max_selected_items'],
  users_select: [...COMMON_FIELDS, 'initial_user'],
  conversations_select: [
    ...COMMON_FIELDS,
    'initial_conversation',
    'default_to_current_conversation',
    'response_url_enabled',
    'filter',
  ],
  channels_select: [...COMMON_FIELDS, 'initial_channel', 'response_url_enabled'],
  plain_text_input: [
    ...COMMON_FIELDS,
    'initial_value',
    'multiline',
    'min_length',
    'max_length',
    'dispatch_action_config',
  ],
  radio_buttons: ['type', 'action_id', 'options', 'initial_option', 'confirm', 'focus_on_load'],
  checkboxes: ['type', 'action_id', 'options', 'initial_options', 'confirm', 'focus_on_load'],
  datepicker: [...COMMON_FIELDS, 'initial_date'],
  timepicker: [...COMMON_FIELDS, 'initial_time', 'timezone'],
  datetimepicker: ['type', 'action_id', 'initial_date_time', 'confirm', 'focus_on_load'],
};
/** What an input block may hold (a button or an overflow menu may not). */
const INPUT_ELEMENTS = new Set(Object.keys(ELEMENT_FIELDS).filter((t) => t !== 'button' && t !== 'overflow'));

function isZoneName(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isDay(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

function checkElement(element: Record<string, unknown>, inInput: boolean): void {
  const type = element.type;
  const fields = typeof type === 'string' ? ELEMENT_FIELDS[type] : undefined;
  if (!fields || (inInput && !INPUT_ELEMENTS.has(type as string))) throw new WorkspaceError('invalid_blocks');
  if (Object.keys(element).some((k) => !fields.includes(k))) throw new WorkspaceError('invalid_blocks');
  if (typeof element.action_id === 'string' && element.action_id.length > 255)
    throw new WorkspaceError('invalid_blocks');
  const placeholder = element.placeholder as { type?: string; text?: string } | undefined;
  if (placeholder && (placeholder.type !== 'plain_text' || (placeholder.text ?? '').length > 150)) {
    throw new WorkspaceError('invalid_blocks');
  }
  const options = (element.options ?? []) as { value?: string }[];
  const initial = element.initial_option as { value?: string } | undefined;
  if (initial && element.options && !options.some((o) => o.value === initial.value)) {
    throw new WorkspaceError('invalid_blocks');
  }
  switch (type) {
    case 'radio_buttons':
    case 'checkboxes':
      if (options.length < 1 || options.length > 10) throw new WorkspaceError('invalid_blocks');
      break;
    case 'datepicker':
      if (element.initial_date !== undefined && !isDay(element.initial_date))
        throw new WorkspaceError('invalid_blocks');
      break;
    case 'timepicker':
      if (element.initial_time !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(element.initial_time))) {
        throw new WorkspaceError('invalid_blocks');
      }
      if (element.timezone !== undefined && !isZoneName(element.timezone)) throw new WorkspaceError('invalid_blocks');
      break;
    case 'datetimepicker':
      if (element.initial_date_time !== undefined && !/^\d{10}$/.test(String(element.initial_date_time))) {
        throw new WorkspaceError('invalid_blocks');
      }
      break;
  }
}

/** An input block: a label (plain text, at most 2,000 characters) and one element it may hold. */
function checkInputBlock(block: Block): void {
  const label = block.label as { type?: string; text?: string } | undefined;
  if (!label || label.type !== 'plain_text' || !label.text || label.text.length > 2000) {
    throw new WorkspaceError('invalid_blocks');
  }
  const hint = block.hint as { type?: string; text?: string } | undefined;
  if (hint && (hint.type !== 'plain_text' || (hint.text ?? '').length > 2000))
    throw new WorkspaceError('invalid_blocks');
  const element = block.element as Record<string, unknown> | undefined;
  if (!element || typeof element !== 'object') throw new WorkspaceError('invalid_blocks');
  checkElement(element, true);
}
