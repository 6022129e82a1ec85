import {
  alertMessage,
  alertRepeatMessage,
  digestMessage,
  rotationMessage,
} from '../../../../adapters/slack/blocks/alert.blocks';
import { AlertActions } from '../../../../adapters/slack/alert-ids';
import { aDigest, alertScenarios, RENDER_NOW } from '../../../builders/alert-scenarios';

const scenarios = alertScenarios();
const actionIds = (m: ReturnType<typeof alertMessage>) =>
  m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => (e as { action_id: string }).action_id) : []));

describe('Slack rendering of security alerts', () => {
  for (const [name, alert] of Object.entries(scenarios)) {
    it(`renders the ${name} alert as before`, () => {
      expect(alertMessage(alert, RENDER_NOW)).toMatchSnapshot();
    });
  }

  it('offers the buttons that fit the state', () => {
    expect(actionIds(alertMessage(scenarios.root!, RENDER_NOW))).toEqual([
      AlertActions.acknowledge,
      AlertActions.snooze7,
      AlertActions.snooze30,
      AlertActions.announceRoot,
    ]);
    expect(actionIds(alertMessage(scenarios.stale!, RENDER_NOW))).toContain(AlertActions.deactivate);
    expect(actionIds(alertMessage(scenarios.pending!, RENDER_NOW))).toEqual(
      expect.arrayContaining([AlertActions.approveDeactivation, AlertActions.denyDeactivation]),
    );
    expect(actionIds(alertMessage(scenarios.done!, RENDER_NOW))).toContain(AlertActions.reactivate);
    expect(actionIds(alertMessage(scenarios.resolved!, RENDER_NOW))).toEqual([]);
  });

  it('shows who acknowledged and who announced root use', () => {
    expect(JSON.stringify(alertMessage(scenarios.acknowledged!, RENDER_NOW))).toContain('Acknowledged by <@U0SAM>');
    expect(JSON.stringify(alertMessage(scenarios.expected!, RENDER_NOW))).toContain('announced by <@U0SAM>');
  });

  it('never shows more than the last 4 characters of a key, and escapes text from AWS', () => {
    // Button values carry the dedupe key back to keyless; they are not shown.
    const shown = (value: unknown) => JSON.stringify(value, (k, v: unknown) => (k === 'value' ? undefined : v));
    const all = shown([alertMessage(scenarios.pending!, RENDER_NOW), alertMessage(scenarios.root!, RENDER_NOW)]);
    expect(all).not.toContain('AKIAAAAAAAAAAAAA1234');
    expect(all).toContain('…1234');
    expect(all).toContain('Mozilla/5.0 &lt;b&gt;');
  });

  it('says how fresh the data is', () => {
    expect(JSON.stringify(alertMessage(scenarios.stale!, RENDER_NOW))).toContain('Data as of: credential report');
  });

  it('renders a repeat for the thread, and the digest with each finding and its buttons', () => {
    expect(alertRepeatMessage(scenarios.root!, scenarios.root!.finding)).toMatchSnapshot();
    const list = [scenarios.stale!, scenarios.done!, scenarios.resolved!];
    const digest = digestMessage(aDigest(list), list, RENDER_NOW);
    expect(digest).toMatchSnapshot();
    expect(digest.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('Slack rendering of the rotation assistant', () => {
  const rotating = (over: Partial<NonNullable<(typeof scenarios)['stale']>['rotation']>) => ({
    ...scenarios.stale!,
    rotation: {
      step: 'waiting_new_key' as const,
      startedAt: RENDER_NOW,
      deletion: { status: 'none' as const },
      messages: [],
      checkedAt: RENDER_NOW,
      oldKeyLastUsedAt: RENDER_NOW - 86_400_000,
      ...over,
    },
  });
  const shown = (value: unknown) => JSON.stringify(value, (k, v: unknown) => (k === 'value' ? undefined : v));

  it('tells the owner the step, never offers to create a key, and offers Deactivate only once the new key is used', () => {
    const waiting = rotationMessage(rotating({}), RENDER_NOW);
    expect(shown(waiting)).toContain('Step 1 of 4');
    expect(shown(waiting)).toContain('never creates or sees secret keys');
    expect(actionIds(waiting)).toEqual([]);
    const newKey = { accessKeyId: 'AKIANEWKEY0000009999', createdAt: RENDER_NOW, lastUsedAt: RENDER_NOW };
    const ready = rotationMessage(rotating({ step: 'ready_to_deactivate', newKey }), RENDER_NOW);
    expect(actionIds(ready)).toEqual([AlertActions.deactivate]);
    expect(shown(ready)).toContain('Deactivate the old key');
    expect(shown(ready)).toContain('…9999');
    expect(shown(ready)).not.toContain('AKIANEWKEY0000009999');
  });

  it('offers Delete only when ready, says it cannot be undone, and then its approval', () => {
    const ready = rotationMessage(rotating({ step: 'ready_to_delete' }), RENDER_NOW);
    expect(actionIds(ready)).toContain(AlertActions.deleteKey);
    expect(shown(ready)).toContain('cannot be undone');
    const pending = rotationMessage(
      rotating({ step: 'ready_to_delete', deletion: { status: 'pending_approval', requestedAt: RENDER_NOW } }),
      RENDER_NOW,
    );
    expect(actionIds(pending)).toEqual([AlertActions.approveDeletion, AlertActions.denyDeletion]);
    expect(actionIds(rotationMessage(rotating({ step: 'old_key_deactivated' }), RENDER_NOW))).not.toContain(
      AlertActions.deleteKey,
    );
  });
});
