/**
 * The loopback Teams world: who exists (the roster, with verified email/UPN and time zone), which
 * conversations exist (1:1 chats, team channels, group chats), and every activity in them with its
 * id, including each person's own refreshed view of a card. Plain data, JSON all the way: the admin
 * API returns it as is and the playground renders it with Microsoft's `adaptivecards` renderer.
 */

export interface TeamsMember {
  aadObjectId: string;
  /** The Teams user id (MRI) the Bot Framework uses: `29:…`. */
  id: string;
  name: string;
  email?: string;
  userPrincipalName?: string;
  tenantId: string;
  /** IANA zone sent as `localTimezone` with the person's activities. */
  timeZone?: string;
}

export type ConversationType = 'personal' | 'channel' | 'groupChat';

export interface TeamsConversation {
  id: string;
  conversationType: ConversationType;
  name?: string;
  tenantId: string;
  /** For a channel: the team it belongs to (TeamsInfo asks the team's roster). */
  teamId?: string;
  /** aadObjectIds of the people in it (for a channel: the team's members). */
  members: string[];
  /** Whether the bot is installed (it can post only then). */
  botInstalled: boolean;
}

export interface ChannelAccountJson {
  id: string;
  name?: string;
  aadObjectId?: string;
  role?: string;
}

export interface StoredActivity {
  id: string;
  conversationId: string;
  type: string;
  from: ChannelAccountJson;
  /** Top-level message this one answers in a thread. */
  replyToId?: string;
  text?: string;
  attachments?: { contentType: string; content: unknown }[];
  /** Everything else the sender put on the activity (value, name, channelData…). */
  extra?: Record<string, unknown>;
  createdAt: string;
  updatedAt?: string;
  /** Times the bot updated it in place. */
  updates: number;
  /** aadObjectId → the card this person sees after their own refresh or click. */
  userViews: Record<string, unknown>;
}

export interface ConnectorCall {
  at: string;
  method: string;
  path: string;
  status: number;
}

export interface Fault {
  status: number;
  /** Only calls with this method (POST, PUT, GET…). */
  method?: string;
  remaining: number;
  retryAfterSeconds?: number;
}

/**
 * An upload session Teams opened in a person's OneDrive when they allowed a file (FileConsentCard):
 * the bot PUTs the bytes to its URL in order. `total` is fixed by the first byte range.
 */
export interface UploadSession {
  id: string;
  /** The person whose OneDrive it is (aadObjectId). */
  owner: string;
  name: string;
  uniqueId: string;
  /** The size the consent card announced. */
  announced: number;
  total?: number;
  received: Buffer[];
  receivedBytes: number;
  expiresAt: number;
  done: boolean;
}

/** A file saved to a person's OneDrive by an upload session. */
export interface OneDriveFile {
  uniqueId: string;
  owner: string;
  name: string;
  size: number;
  bytes: Buffer;
  createdAt: string;
}

export interface WorldJson {
  tenantId: string;
  bot: { id: string; name: string };
  users: TeamsMember[];
  conversations: TeamsConversation[];
  activities: StoredActivity[];
  calls: ConnectorCall[];
  /** Files people allowed into their OneDrive (without their bytes). */
  files?: Omit<OneDriveFile, 'bytes'>[];
}

/** The loopback tenant's id (local mode allows it: KEYLESS_TEAMS_TENANT_IDS). */
export const LOCAL_TEAMS_TENANT_ID = 'tenant-local';

export class TeamsWorld {
  readonly users = new Map<string, TeamsMember>();
  readonly conversations = new Map<string, TeamsConversation>();
  readonly activities: StoredActivity[] = [];
  readonly calls: ConnectorCall[] = [];
  readonly faults: Fault[] = [];
  readonly uploads = new Map<string, UploadSession>();
  readonly files: OneDriveFile[] = [];
  private seq = 0;

  constructor(
    readonly tenantId = LOCAL_TEAMS_TENANT_ID,
    readonly bot = { id: '28:keyless-local', name: 'keyless' },
  ) {}

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(6, '0')}`;
  }

  addUser(user: Omit<TeamsMember, 'id' | 'tenantId'> & Partial<Pick<TeamsMember, 'id' | 'tenantId'>>): TeamsMember {
    const member: TeamsMember = { id: `29:${user.aadObjectId}`, tenantId: this.tenantId, ...user };
    this.users.set(member.aadObjectId, member);
    return member;
  }

  /** A user by aadObjectId or MRI. */
  findUser(id: string): TeamsMember | undefined {
    return this.users.get(id) ?? [...this.users.values()].find((u) => u.id === id);
  }

  addConversation(
    conversation: Omit<TeamsConversation, 'tenantId' | 'botInstalled'> &
      Partial<Pick<TeamsConversation, 'tenantId' | 'botInstalled'>>,
  ): TeamsConversation {
    const c: TeamsConversation = { tenantId: this.tenantId, botInstalled: false, ...conversation };
    this.conversations.set(c.id, c);
    return c;
  }

  /** The 1:1 chat between the bot and a person (created on first need, as Teams does). */
  personalChat(aadObjectId: string): TeamsConversation {
    const existing = [...this.conversations.values()].find(
      (c) => c.conversationType === 'personal' && c.members[0] === aadObjectId,
    );
    return (
      existing ??
      this.addConversation({ id: `a:1on1-${aadObjectId}`, conversationType: 'personal', members: [aadObjectId] })
    );
  }

  /** A conversation id, or a team id standing for its roster. */
  membersOf(conversationOrTeamId: string): TeamsMember[] | undefined {
    const conv =
      this.conversations.get(conversationOrTeamId) ??
      [...this.conversations.values()].find((c) => c.teamId === conversationOrTeamId);
    if (!conv) return undefined;
    return conv.members.map((m) => this.users.get(m)).filter((u): u is TeamsMember => Boolean(u));
  }

  activity(conversationId: string, activityId: string): StoredActivity | undefined {
    return this.activities.find((a) => a.conversationId === conversationId && a.id === activityId);
  }

  findActivity(activityId: string): StoredActivity | undefined {
    return this.activities.find((a) => a.id === activityId);
  }

  inConversation(conversationId: string): StoredActivity[] {
    return this.activities.filter((a) => a.conversationId === conversationId);
  }

  /** Takes the next matching fault, if any, for a call. */
  takeFault(method: string): Fault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && (!f.method || f.method === method));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  toJSON(): WorldJson {
    return {
      tenantId: this.tenantId,
      bot: this.bot,
      users: [...this.users.values()],
      conversations: [...this.conversations.values()],
      activities: this.activities,
      calls: this.calls,
      files: this.files.map(({ bytes: _bytes, ...f }) => f),
    };
  }
}
