import { ConversationReferences } from '../../../../adapters/teams/conversation-references';
import { silentLogger, type ChatUser } from '../../../../src';
import { InMemoryGrantStore } from '../../../fakes/in-memory-grant-store';

/** The activity type of botbuilder, taken from the adapter (botbuilder stays in adapters/teams). */
type Activity = Parameters<ConversationReferences['remember']>[0];

const activity = (localTimezone?: string) =>
  ({
    type: 'message',
    id: 'a1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.example/',
    from: { id: '29:aad-rita', aadObjectId: 'aad-rita', name: 'Rita' },
    recipient: { id: '28:bot', name: 'keyless' },
    conversation: { id: 'a:1on1-aad-rita', conversationType: 'personal', tenantId: 't1' },
    ...(localTimezone ? { localTimezone } : {}),
  }) as unknown as Activity;

const rita = (timeZone?: string): ChatUser => ({
  platform: 'teams',
  id: 'aad-rita',
  displayName: 'Rita',
  email: 'rita@example.com',
  ...(timeZone ? { timeZone } : {}),
});

describe('the zone a Teams client sends (localTimezone)', () => {
  it('is remembered per person with their conversation, and the latest one wins', async () => {
    const refs = new ConversationReferences(new InMemoryGrantStore(), silentLogger);
    expect(await refs.timeZoneOf('aad-rita')).toBeUndefined();
    await refs.remember(activity('Europe/Paris'), rita('Europe/Paris'));
    expect(await refs.timeZoneOf('aad-rita')).toBe('Europe/Paris');
    await refs.remember(activity('Asia/Tokyo'), rita('Asia/Tokyo'));
    expect(await refs.timeZoneOf('aad-rita')).toBe('Asia/Tokyo');
    // An activity without a zone does not forget the one known.
    await refs.remember(activity(), rita());
    expect(await refs.timeZoneOf('aad-rita')).toBe('Asia/Tokyo');
  });

  it('is ignored when it is not a zone the runtime knows (it is text the client sent)', async () => {
    const refs = new ConversationReferences(new InMemoryGrantStore(), silentLogger);
    await refs.remember(activity('Mars/Olympus'), rita('Mars/Olympus'));
    expect(await refs.timeZoneOf('aad-rita')).toBeUndefined();
  });
});
