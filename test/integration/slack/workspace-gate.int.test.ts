/**
 * Only the Slack workspaces keyless was told to serve (KEYLESS_SLACK_TEAM_IDS) reach a listener: a
 * person of another workspace, or a Slack Connect guest from another organization, whose email
 * matches an Identity Center user, must never be taken for that user. Over HTTP and Socket Mode.
 */
import { ErrorCodes, type LogFields, type Logger } from '../../../src';
import { APPROVALS, startSlackStack, type SlackStack } from '../../support/slack-harness';

const FOREIGN = 'T0FOREIGN';

interface Line {
  level: string;
  fields: LogFields;
  message: string;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, fields, message });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

const render = (m: { text?: string; blocks: unknown[] } | undefined) =>
  `${m?.text ?? ''} ${JSON.stringify(m?.blocks ?? [])}`;

describe.each([
  ['HTTP', false],
  ['Socket Mode', true],
] as const)('Slack workspaces keyless does not serve, over %s', (_transport, socketMode) => {
  let stack: SlackStack;
  let lines: Line[];
  beforeEach(async () => {
    lines = [];
    stack = await startSlackStack({ socketMode, logger: recordingLogger(lines) });
  });
  afterEach(() => stack.stop());

  const ws = () => stack.workspace.state;
  const client = () => stack.workspace.client;
  const refusals = () => lines.filter((l) => l.fields.code === ErrorCodes.ForeignWorkspace);
  /** Web API calls keyless made about a person (users.info, views.*, chat.*): none for a refused request. */
  const callsSince = (n: number) =>
    ws()
      .calls.slice(n)
      .map((c) => c.method);

  it('refuses a slash command from another workspace privately, before any lookup, and logs one line without the payload', async () => {
    const before = ws().calls.length;
    const payload = {
      ...client().commandPayload('U0RITA', 'request prod AdministratorAccess 1h INC-1 fix'),
      team_id: FOREIGN,
    };
    const answer = await client().deliver({ type: 'slash_commands', payload });
    await stack.settle();

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      response_type: 'ephemeral',
      text: expect.stringContaining(`keyless does not serve your Slack workspace (${FOREIGN})`),
    });
    const rita = { platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' } as const;
    expect((await stack.engine.listMine(rita)).requests).toEqual([]);
    expect(ws().channelMessages(APPROVALS)).toHaveLength(0);
    expect(callsSince(before)).toEqual([]);
    expect(refusals()).toEqual([
      {
        level: 'warn',
        message: 'request from a Slack workspace keyless does not serve refused',
        fields: expect.objectContaining({ platform: 'slack', kind: 'slash_command', teamIds: FOREIGN }),
      },
    ]);
    expect(JSON.stringify(refusals())).not.toContain('INC-1');
  });

  it('serves the same command from the listed workspace (the refusal is about the workspace only)', async () => {
    await client().command('U0RITA', 'request prod AdministratorAccess 1h INC-1 fix');
    await stack.settle();
    expect(ws().channelMessages(APPROVALS)).toHaveLength(1);
    expect(refusals()).toEqual([]);
  });

  it('refuses a Slack Connect guest (user.team_id of another workspace) clicking Approve in a served channel', async () => {
    await client().command('U0RITA', 'request prod AdministratorAccess 1h INC-2 fix');
    await stack.settle();
    const post = ws().channelMessages(APPROVALS)[0]!;
    const click = client().clickPayload('U0ANN', APPROVALS, post.ts, 'approve_request');
    const payload = { ...click, user: { ...(click.user as object), team_id: FOREIGN } };
    const answer = await client().deliver({ type: 'interactive', payload });
    await stack.settle();

    expect(answer.status).toBe(200);
    const [request] = (
      await stack.engine.listMine({ platform: 'slack', id: 'U0RITA', displayName: 'Rita', email: 'rita@example.com' })
    ).requests;
    expect(request!.approvals).toEqual([]);
    expect(render(ws().message(APPROVALS, post.ts))).toContain('approve_request');
    expect(ws().ephemeralsOf('U0ANN')).toEqual([
      expect.objectContaining({ via: 'response_url', text: expect.stringContaining('does not serve') }),
    ]);
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]!.fields).toMatchObject({ kind: 'block_actions', userTeamIds: FOREIGN });
  });

  it('refuses a view submission and an options load from another workspace, with answers Slack shows', async () => {
    await client().command('U0RITA', '');
    await stack.settle();
    const view = client().modal('U0RITA');
    const foreign = {
      user: { id: 'U0RITA', username: 'rita', name: 'rita', team_id: FOREIGN },
      team: { id: FOREIGN, domain: 'elsewhere' },
      api_app_id: 'A0KEYLESS',
      enterprise: null,
      is_enterprise_install: false,
      view,
    };
    const options = await client().deliver({
      type: 'interactive',
      payload: { ...foreign, type: 'block_suggestion', action_id: 'account', block_id: 'account', value: 'prod' },
    });
    expect(options.body).toEqual({ options: [] });
    const submitted = await client().deliver({
      type: 'interactive',
      payload: { ...foreign, type: 'view_submission', trigger_id: '1.2.3', response_urls: [] },
    });
    expect(submitted.body).toMatchObject({
      response_action: 'update',
      view: { blocks: [{ text: { text: expect.stringContaining('does not serve') } }] },
    });
    expect(refusals().map((l) => l.fields.kind)).toEqual(['block_suggestion', 'view_submission']);
  });

  it('ignores an event from another workspace: no Home is published', async () => {
    const before = ws().calls.length;
    const event = client().eventPayload({ type: 'app_home_opened', user: 'U0RITA', channel: 'D0RITA', tab: 'home' });
    await client().deliver({ type: 'events_api', payload: { ...event, team_id: FOREIGN } });
    await stack.settle();
    expect(callsSince(before)).toEqual([]);
    expect(refusals().map((l) => l.fields.kind)).toEqual(['event_callback']);
  });
});

describe('Slack Enterprise Grid', () => {
  let stack: SlackStack;
  afterEach(() => stack.stop());

  it('serves every workspace of a listed organization (E…), and refuses another organization', async () => {
    stack = await startSlackStack({ config: { allowedTeamIds: ['E0GRID'] } });
    const client = stack.workspace.client;
    const inGrid = { ...client.commandPayload('U0RITA', 'help'), enterprise_id: 'E0GRID' };
    expect((await client.deliver({ type: 'slash_commands', payload: inGrid })).body).toMatchObject({
      text: expect.not.stringContaining('does not serve'),
    });
    const otherGrid = { ...client.commandPayload('U0RITA', 'help'), enterprise_id: 'E0OTHER' };
    expect((await client.deliver({ type: 'slash_commands', payload: otherGrid })).body).toMatchObject({
      text: expect.stringContaining('does not serve'),
    });
    // The loopback workspace itself (T0KEYLESS) is not listed: without an organization it is refused.
    const noGrid = client.commandPayload('U0RITA', 'help');
    expect((await client.deliver({ type: 'slash_commands', payload: noGrid })).body).toMatchObject({
      text: expect.stringContaining('does not serve'),
    });
  });
});
