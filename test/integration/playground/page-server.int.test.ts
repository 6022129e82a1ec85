/**
 * The playground as `npm start` composes it (embedded DynamoDB, AWS emulator, loopback Slack and
 * Teams, the real keyless server), driven through the page's JSON API only, as the page does.
 */
import { silentLogger } from '../../../src';
import { loadConfig } from '../../../adapters/main/config';
import { startPlayground, type Playground } from '../../../adapters/main/playground';

interface PageState {
  me: { key: string };
  slack: {
    channels: {
      id: string;
      name: string;
      isIm: boolean;
      messages: { ts: string; text: string; blocks: unknown[] }[];
    }[];
    ephemerals: { text: string }[];
  };
  teams: {
    conversations: {
      id: string;
      type: string;
      activities: { from: { id: string }; text?: string; card?: unknown }[];
    }[];
  };
  aws: { assignments: { principal: string; account: string; permissionSet: string }[] };
  audit: { event: string; subject: string; actor: string; to: string }[];
}

describe('the playground page API', () => {
  let playground: Playground;
  const saved = { ...process.env };

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(new URL(path, playground.url));
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const post = (path: string, body: unknown) =>
    fetch(new URL(path, playground.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const state = (as: string) => get<PageState>(`/api/state?as=${as}`);
  const text = (value: unknown) => JSON.stringify(value);
  const eventually = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`never happened: ${what}`);
  };

  beforeAll(async () => {
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    const config = loadConfig({ KEYLESS_PORT: '0', KEYLESS_SWEEP_MS: '500' });
    playground = await startPlayground(config, { logger: silentLogger, ephemeral: true });
  });

  afterAll(async () => {
    await playground?.stop();
    process.env = saved;
  });

  it('serves the page, its script and the demo people', async () => {
    const page = await fetch(playground.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/app.js">');
    const script = await fetch(new URL('/app.js', playground.url));
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.text()).length).toBeGreaterThan(10_000);
    const config = await get<{ people: { key: string }[] }>('/api/config');
    expect(config.people.map((p) => p.key)).toEqual(['rita', 'ann', 'bob', 'sam']);
  });

  it('shows a person the Slack channels of the policy, their DM, and Teams with keyless installed', async () => {
    const rita = await state('rita');
    expect(rita.slack.channels.map((c) => c.id)).toEqual(['C0APPROVALS', 'C0SECURITY', 'D0RITA']);
    const conversations = rita.teams.conversations.map((c) => c.id);
    expect(conversations).toEqual(expect.arrayContaining(['19:approvals@thread.tacv2', 'a:1on1-aad-rita']));
    expect(conversations).not.toContain('19:security@thread.tacv2');
    const chat = rita.teams.conversations.find((c) => c.type === 'personal')!;
    expect(text(chat.activities)).toContain('just-in-time AWS access');
    expect((await state('sam')).teams.conversations.map((c) => c.id)).toContain('19:security@thread.tacv2');
  });

  it('delivers a typed slash command to keyless signed, and shows the approval it posts', async () => {
    const res = await post('/api/slack/command', {
      as: 'rita',
      text: '/aws-access request prod ReadOnlyAccess 2h INC-2 read the logs',
    });
    expect(res.status).toBe(200);
    const { answer } = (await res.json()) as { answer: { status: number } };
    // keyless answers 401 to anything not signed with its secret: 200 means the signature held.
    expect(answer.status).toBe(200);
    await eventually('the approval message in #aws-approvals', async () =>
      text((await state('ann')).slack.channels.find((c) => c.id === 'C0APPROVALS')!.messages).includes(
        'ReadOnlyAccess',
      ),
    );
  });

  it('clicks Approve as Ann, and the assignment appears in the emulator panel with the audit trail', async () => {
    const ann = await state('ann');
    const post1 = ann.slack.channels
      .find((c) => c.id === 'C0APPROVALS')!
      .messages.find((m) => text(m).includes('ReadOnlyAccess'))!;
    const res = await post('/api/slack/click', {
      as: 'ann',
      channel: 'C0APPROVALS',
      ts: post1.ts,
      actionId: 'approve_request',
    });
    expect(res.status).toBe(200);
    await eventually('an assignment for rita', async () =>
      (await state('rita')).aws.assignments.some(
        (a) => a.principal === 'rita' && a.account === 'prod' && a.permissionSet === 'ReadOnlyAccess',
      ),
    );
    await eventually('the audit trail', async () => {
      const audit = (await state('rita')).audit;
      return audit.some((e) => e.event === 'approve' && e.actor === 'Ann') && audit.some((e) => e.to === 'active');
    });
  });

  it('fills the Slack form as the page does: chooses a group with the radio buttons, then submits it', async () => {
    const modal = async () =>
      (await get<{ slack: { modal: { blocks: { block_id?: string }[] } | null } }>('/api/state?as=rita')).slack.modal;
    expect((await post('/api/slack/command', { as: 'rita', text: '/aws-access' })).status).toBe(200);
    await eventually('the request form', async () => (await modal()) !== null);
    const choose = await post('/api/slack/choose', {
      as: 'rita',
      blockId: 'request_target',
      actionId: 'request_target_select',
      value: 'group',
    });
    expect(choose.status).toBe(200);
    await eventually('the group form', async () => ((await modal())?.blocks ?? []).some((b) => b.block_id === 'group'));
    const submit = await post('/api/slack/submit', {
      as: 'rita',
      inputs: [
        { blockId: 'group', actionId: 'group_select', kind: 'static_select', value: 'db-admins' },
        { blockId: 'duration', actionId: 'duration_input', kind: 'plain_text_input', value: '1h' },
        { blockId: 'reason', actionId: 'reason_input', kind: 'plain_text_input', value: 'INC-8 fix the replica' },
      ],
    });
    expect(submit.status).toBe(200);
    await eventually('the group request in #aws-approvals', async () =>
      text((await state('ann')).slack.channels.find((c) => c.id === 'C0APPROVALS')!.messages).includes(
        'group db-admins',
      ),
    );
  });

  it('fills the start day and time of the Slack form as the page does, and the request starts then', async () => {
    const modal = async () =>
      (await get<{ slack: { modal: { blocks: { block_id?: string }[] } | null } }>('/api/state?as=rita')).slack.modal;
    expect((await post('/api/slack/command', { as: 'rita', text: '/aws-access' })).status).toBe(200);
    await eventually('the request form', async () => (await modal()) !== null);
    const pick = await post('/api/slack/pick-external', {
      as: 'rita',
      blockId: 'account',
      actionId: 'account_select',
      query: 'sandbox',
      value: '222222222222',
    });
    expect(pick.status).toBe(200);
    await eventually('the permission sets of sandbox', async () =>
      ((await modal())?.blocks ?? []).some((b) => b.block_id === 'permission_set'),
    );
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const submit = await post('/api/slack/submit', {
      as: 'rita',
      inputs: [
        {
          blockId: 'permission_set',
          actionId: 'permission_set_select',
          kind: 'static_select',
          value: 'ReadOnlyAccess',
        },
        { blockId: 'duration', actionId: 'duration_input', kind: 'plain_text_input', value: '1h' },
        { blockId: 'start_date', actionId: 'start_date_picker', kind: 'datepicker', value: day },
        { blockId: 'start_time', actionId: 'start_time_picker', kind: 'timepicker', value: '09:00' },
        { blockId: 'reason', actionId: 'reason_input', kind: 'plain_text_input', value: 'look at the logs' },
      ],
    });
    expect(submit.status).toBe(200);
    expect(text(await submit.json())).not.toContain('errors');
    await eventually('the receipt saying when it starts', async () => text(await modal()).includes('It starts at'));
  });

  it('sends a Teams message as Bob and shows keyless’ answer in his chat', async () => {
    const res = await post('/api/teams/say', { as: 'bob', text: 'approvals' });
    expect(res.status).toBe(200);
    await eventually('an answer in Bob’s chat', async () => {
      const chat = (await state('bob')).teams.conversations.find((c) => c.type === 'personal')!;
      return chat.activities.filter((a) => a.from.id.startsWith('28:')).length >= 2;
    });
  });

  it('refuses an unknown person and an unknown action', async () => {
    expect((await fetch(new URL('/api/state?as=mallory', playground.url))).status).toBe(400);
    expect((await post('/api/slack/nothing', { as: 'rita' })).status).toBe(404);
    expect((await post('/api/slack/command', { as: 'rita' })).status).toBe(400);
  });
});
