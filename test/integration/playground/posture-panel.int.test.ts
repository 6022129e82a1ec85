/**
 * The playground's security controls, through the page's JSON API: "Post weekly posture now" puts the
 * posture in the Slack and Teams security channels with its chart (the Slack file served to the page
 * is a real PNG of the real counts), once per week; the rotation controls age, add and use keys.
 */
import { isoWeekOf, silentLogger } from '../../../src';
import { loadConfig } from '../../../adapters/main/config';
import { startPlayground, type Playground } from '../../../adapters/main/playground';
import { POSTURE_CHART_TEXT_KEY, readPng } from '../../../adapters/shared/posture-chart';

interface Key {
  account: string;
  id: string;
  userName: string;
  status: string;
  createdAt: number;
  lastUsedAt: number | null;
}
interface PageState {
  slack: { channels: { id: string; messages: { text: string; files?: { id: string }[] }[] }[] };
  teams: { conversations: { id: string; activities: { card?: { body?: { type: string; url?: string }[] } }[] }[] };
  iamKeys: Key[];
}

describe('the playground: weekly posture and rotation controls', () => {
  let playground: Playground;
  const saved = { ...process.env };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(new URL(path, playground.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { answer?: Record<string, unknown> } };
  };
  const state = async (as: string) =>
    (await (await fetch(new URL(`/api/state?as=${as}`, playground.url))).json()) as PageState;

  beforeAll(async () => {
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    const config = loadConfig({ KEYLESS_PORT: '0', KEYLESS_SWEEP_MS: '500' });
    playground = await startPlayground(config, { logger: silentLogger, ephemeral: true, scanAtStart: false });
  });
  afterAll(async () => {
    await playground?.stop();
    process.env = saved;
  });

  it('posts the weekly posture with its chart to Slack and Teams, once per week', async () => {
    const first = await post('/api/keyless/posture-now', { as: 'sam' });
    expect(first.status).toBe(200);
    expect(first.body.answer).toEqual({ posted: true, week: isoWeekOf(Date.now()) });
    let s = await state('sam');
    for (
      let i = 0;
      i < 50 && !s.slack.channels.find((c) => c.id === 'C0SECURITY')!.messages.some((m) => m.files);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      s = await state('sam');
    }
    const security = s.slack.channels.find((c) => c.id === 'C0SECURITY')!;
    expect(security.messages.some((m) => m.text.startsWith('IAM posture'))).toBe(true);
    const fileId = security.messages.find((m) => m.files)!.files![0]!.id;
    const image = await fetch(new URL(`/slack-files/${fileId}`, playground.url));
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = readPng(Buffer.from(await image.arrayBuffer()));
    const drawn = JSON.parse(png.text[POSTURE_CHART_TEXT_KEY]!) as { rows: { metric: string; now: number }[] };
    // The emulator's demo keys, counted by hand: every active key is in one band.
    const active = s.iamKeys.filter((k) => k.status === 'Active').length;
    const banded = drawn.rows.filter((r) => r.metric.startsWith('keys:')).reduce((n, r) => n + r.now, 0);
    expect(banded).toBe(active);
    const teamsCard = s.teams.conversations
      .flatMap((c) => c.activities)
      .find((a) => JSON.stringify(a.card ?? {}).includes('IAM posture'));
    expect(teamsCard?.card?.body?.some((e) => e.type === 'Image' && e.url?.startsWith('data:image/png;base64,'))).toBe(
      true,
    );
    const again = await post('/api/keyless/posture-now', { as: 'sam' });
    expect(again.body.answer).toMatchObject({ posted: false });
  });

  it('makes a key older, adds a second key (IAM allows two), and uses a key', async () => {
    const before = (await state('sam')).iamKeys.find((k) => k.userName === 'dana')!;
    await post('/api/aws/iam/age-key', { as: 'sam', account: before.account, accessKeyId: before.id });
    const aged = (await state('sam')).iamKeys.find((k) => k.id === before.id)!;
    expect(before.createdAt - aged.createdAt).toBe(100 * 86_400_000);

    const added = await post('/api/aws/iam/create-key', { as: 'sam', account: before.account, user: 'dana' });
    expect(added.status).toBe(200);
    const third = await post('/api/aws/iam/create-key', { as: 'sam', account: before.account, user: 'dana' });
    expect(third.status).toBe(400);
    const keys = (await state('sam')).iamKeys.filter((k) => k.userName === 'dana');
    expect(keys).toHaveLength(2);
    const fresh = keys.find((k) => k.id !== before.id)!;
    expect(fresh.lastUsedAt).toBeNull();
    await post('/api/aws/iam/use-key', { as: 'sam', account: before.account, accessKeyId: fresh.id });
    const used = (await state('sam')).iamKeys.find((k) => k.id === fresh.id)!;
    expect(Date.now() - used.lastUsedAt!).toBeLessThan(60_000);
  });
});
