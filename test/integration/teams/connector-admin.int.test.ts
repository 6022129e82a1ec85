import type { WorldJson } from '../../../adapters/local/teams-connector';
import { startTeamsHarness, type TeamsHarness } from '../../support/teams-harness';

describe("the loopback Teams connector's admin API", () => {
  let h: TeamsHarness;
  beforeEach(async () => {
    h = await startTeamsHarness();
  });
  afterEach(() => h.stop());

  const post = (path: string, body: unknown) =>
    fetch(`${h.connector.url}/_admin/${path}`, { method: 'POST', body: JSON.stringify(body) }).then(
      async (r) => [r.status, await r.json()] as const,
    );

  test('people can be added, can install the bot and write to it; the state shows every activity with its id', async () => {
    await post('users', { aadObjectId: 'aad-nina', name: 'Nina', email: 'nina@example.com', timeZone: 'Asia/Tokyo' });
    expect((await post('install', { as: 'aad-nina' }))[0]).toBe(200);
    expect((await post('message', { as: 'aad-nina', text: 'help' }))[1]).toMatchObject({ status: 200 });

    const state = (await (await fetch(`${h.connector.url}/_admin/state`)).json()) as WorldJson;
    expect(state.users).toContainEqual(expect.objectContaining({ aadObjectId: 'aad-nina', id: '29:aad-nina' }));
    expect(state.conversations).toContainEqual(
      expect.objectContaining({ id: 'a:1on1-aad-nina', conversationType: 'personal', botInstalled: true }),
    );
    const inChat = state.activities.filter((a) => a.conversationId === 'a:1on1-aad-nina');
    expect(inChat.map((a) => a.id)).toEqual(expect.arrayContaining([expect.stringMatching(/^act-\d{6}$/)]));
    expect(
      inChat.filter((a) => a.attachments?.[0]?.contentType === 'application/vnd.microsoft.card.adaptive'),
    ).toHaveLength(2);
  });

  test('a mistake in an admin call is a 400 with the reason', async () => {
    const [status, body] = await post('message', { as: 'aad-nobody', text: 'help' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'no Teams user aad-nobody in the loopback roster' });
  });

  test('faults make the next bot calls fail with the given status', async () => {
    await post('faults', { status: 502, method: 'POST', count: 1 });
    expect(h.connector.world.faults).toEqual([{ status: 502, method: 'POST', remaining: 1 }]);
  });
});
