import { alertCard, alertRepeatCard, digestCard } from '../../../../adapters/teams/cards/alert.card';
import { AlertVerbs } from '../../../../adapters/teams/alert-verbs';
import { aDigest, alertScenarios, RENDER_NOW } from '../../../builders/alert-scenarios';

const scenarios = alertScenarios();
const verbs = (card: ReturnType<typeof alertCard>) =>
  JSON.stringify(card.actions ?? [])
    .match(/"verb":"[^"]+"/g)
    ?.filter((v, i, all) => all.indexOf(v) === i)
    .map((v) => v.slice(8, -1)) ?? [];

describe('Teams rendering of security alerts', () => {
  for (const [name, alert] of Object.entries(scenarios)) {
    it(`renders the ${name} alert as before`, () => {
      expect(alertCard(alert, RENDER_NOW)).toMatchSnapshot();
    });
  }

  it('offers the actions that fit the state', () => {
    expect(verbs(alertCard(scenarios.root!, RENDER_NOW))).toEqual([
      AlertVerbs.acknowledge,
      AlertVerbs.snooze,
      AlertVerbs.announceRoot,
    ]);
    expect(verbs(alertCard(scenarios.pending!, RENDER_NOW))).toEqual(
      expect.arrayContaining([AlertVerbs.approveDeactivation, AlertVerbs.denyDeactivation]),
    );
    expect(verbs(alertCard(scenarios.done!, RENDER_NOW))).toContain(AlertVerbs.reactivate);
    expect(alertCard(scenarios.resolved!, RENDER_NOW).actions).toBeUndefined();
  });

  it('never shows the whole key id', () => {
    // Action data carries the dedupe key back to keyless; it is not shown.
    const all = JSON.stringify(alertCard(scenarios.pending!, RENDER_NOW), (k, v: unknown) =>
      k === 'data' ? undefined : v,
    );
    expect(all).not.toContain('AKIAAAAAAAAAAAAA1234');
    expect(all).toContain('…1234');
  });

  it('renders a repeat and the digest', () => {
    expect(alertRepeatCard(scenarios.root!, scenarios.root!.finding)).toMatchSnapshot();
    const list = [scenarios.stale!, scenarios.done!, scenarios.resolved!];
    expect(digestCard(aDigest(list), list, RENDER_NOW)).toMatchSnapshot();
  });
});
