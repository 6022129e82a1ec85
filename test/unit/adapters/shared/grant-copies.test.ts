import { GrantCopies } from '../../../../adapters/shared/grant-copies';
import { silentLogger, type MessageRef } from '../../../../src';
import { aGrant } from '../../../builders';
import { InMemoryGrantStore } from '../../../fakes/in-memory-grant-store';

const approvals: MessageRef = { platform: 'teams', channel: '19:approvals', messageId: 'a-1', role: 'approvals' };
const slackDm: MessageRef = { platform: 'slack', channel: 'D1', messageId: '1.0001', role: 'requester_dm' };
const card: MessageRef = { platform: 'teams', channel: 'a:rita', messageId: 'c-1', role: 'grant_dm' };

describe('a grant’s chat copies (told without reading)', () => {
  it('keeps only its own platform’s messages, with the grant in the store, and reads only when nobody kept them', async () => {
    const store = new InMemoryGrantStore();
    const grant = aGrant({ status: 'active' });
    await store.createGrant(grant);
    await store.addMessageRef(grant.requestId, approvals);
    await store.addMessageRef(grant.requestId, slackDm);
    const read = jest.spyOn(store, 'listMessageRefs');

    // Nobody kept them yet: read once, this platform's only.
    const elsewhere = new GrantCopies({ refs: store, platform: 'teams', logger: silentLogger });
    expect(await elsewhere.of(grant)).toEqual([approvals]);
    expect(read).toHaveBeenCalledTimes(1);

    const here = new GrantCopies({ refs: store, platform: 'teams', logger: silentLogger });
    await here.keep(grant, [approvals, slackDm, card, card]);
    expect((await store.getGrant(grant.id))?.chatCopies).toEqual({
      teams: [
        { channel: approvals.channel, messageId: approvals.messageId, role: 'approvals' },
        { channel: card.channel, messageId: card.messageId, role: 'grant_dm' },
      ],
    });
    // Another replica, with the grant as read from the store; this one, from what it kept.
    const fresh = new GrantCopies({ refs: store, platform: 'teams', logger: silentLogger });
    expect(await fresh.of((await store.getGrant(grant.id))!)).toEqual([approvals, card]);
    expect(await here.of(grant)).toEqual([approvals, card]);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('loses nothing when the store cannot keep them: the end reads the request’s messages', async () => {
    const store = new InMemoryGrantStore();
    const grant = aGrant({ status: 'active' });
    await store.createGrant(grant);
    await store.addMessageRef(grant.requestId, approvals);
    store.setGrantChatCopies = () => Promise.reject(new Error('ProvisionedThroughputExceeded'));
    const here = new GrantCopies({ refs: store, platform: 'teams', logger: silentLogger });
    await here.keep(grant, [approvals]);
    expect((await store.getGrant(grant.id))?.chatCopies).toBeUndefined();
    const elsewhere = new GrantCopies({ refs: store, platform: 'teams', logger: silentLogger });
    expect(await elsewhere.of((await store.getGrant(grant.id))!)).toEqual([approvals]);
  });
});
