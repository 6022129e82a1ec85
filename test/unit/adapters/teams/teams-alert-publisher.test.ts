import { silentLogger } from '../../../../src';
import { TeamsAlertPublisher } from '../../../../adapters/teams/teams-alert-publisher';
import { alertCard } from '../../../../adapters/teams/cards/alert.card';
import type { ConversationReferences } from '../../../../adapters/teams/conversation-references';
import type { TeamsOutbox } from '../../../../adapters/teams/outbox';
import { T0 } from '../../../builders';
import { aDriftAlert, DRIFT_PERMISSION_SET_ARN, DRIFT_PRINCIPAL_ID } from '../../../builders/drift-alert';

const CHANNEL = '19:security@thread.tacv2';
type ConversationReference = Parameters<TeamsOutbox['send']>[0];

function fakes() {
  const sent: { ref: ConversationReference; activity: unknown }[] = [];
  const updated: { activityId: string; activity: unknown }[] = [];
  const outbox = {
    async send(ref: ConversationReference, activity: unknown) {
      sent.push({ ref, activity });
      return `activity-${sent.length}`;
    },
    async update(_ref: ConversationReference, activityId: string, activity: unknown) {
      updated.push({ activityId, activity });
    },
  } as unknown as TeamsOutbox;
  const references = {
    async forConversation(id: string) {
      return { conversation: { id }, serviceUrl: 'https://smba.example/' } as ConversationReference;
    },
  } as unknown as ConversationReferences;
  return { outbox, references, sent, updated };
}

/** Every TextBlock and fact a person reads on a card. */
function readable(card: unknown): string {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
      if (typeof o.title === 'string' && typeof o.value === 'string') out.push(`${o.title}: ${o.value}`);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out.join('\n');
}

describe('the security feed in Teams: one card per fact', () => {
  it('updates the card already posted when a drift is seen again, with the count and the last sighting', async () => {
    const f = fakes();
    const publisher = new TeamsAlertPublisher({
      ...f,
      logger: silentLogger,
      securityConversationId: CHANNEL,
      now: () => T0,
    });
    const refs = await publisher.publishAlert({ type: 'alert_raised', alert: aDriftAlert({ messages: [] }) });
    expect(refs).toEqual([{ platform: 'teams', channel: CHANNEL, messageId: 'activity-1' }]);
    expect(readable(f.sent[0]!.activity)).toContain('seen 1 time');

    await publisher.publishAlert({
      type: 'alert_updated',
      alert: aDriftAlert({ repeats: 2, messages: refs! }),
      change: 'seen',
    });
    expect(f.sent).toHaveLength(1);
    expect(f.updated.map((u) => u.activityId)).toEqual(['activity-1']);
    const text = readable(f.updated[0]!.activity);
    expect(text).toContain('seen 3 times');
    expect(text).toContain(`last seen {{DATE(${new Date(T0 + 120_000).toISOString().replace('.000', '')}, SHORT)}}`);
  });

  it('names the person and the permission set, never their ids, and escapes the names', () => {
    const card = alertCard(aDriftAlert(), T0);
    const text = readable(card);
    expect(text).toContain('Account: prod (111111111111)');
    expect(text).toContain('Olga (olga@example.com) has AdministratorAccess without a keyless grant');
    expect(text).toContain('Permission set: AdministratorAccess');
    expect(text).not.toContain(DRIFT_PRINCIPAL_ID);
    expect(text).not.toContain(DRIFT_PERMISSION_SET_ARN);
    const hostile = readable(
      alertCard(
        aDriftAlert({ person: { userName: 'x', email: 'x@example.com', displayName: '**[boss](https://evil)**' } }),
        T0,
      ),
    );
    expect(hostile).not.toContain('[boss](https://evil)');
    expect(hostile).toContain('\\*\\*\\[boss\\]');
  });
});
