import { alertMessage, alertRepeatMessage, digestMessage } from '../../../../adapters/slack/blocks/alert.blocks';
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
