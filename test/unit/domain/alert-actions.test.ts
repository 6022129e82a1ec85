import { availableAlertActions, type Remediation } from '../../../src';
import { T0 } from '../../builders';
import { anAlert } from '../../builders/alerts';

const remediation = (over: Partial<Remediation>): Remediation => ({
  status: 'none',
  accessKeyId: 'AKIAAAAAAAAAAAAA1234',
  userName: 'bob',
  ...over,
});

describe('the actions an alert offers', () => {
  it('offers acknowledge, snooze and deactivate on an open key finding', () => {
    expect(availableAlertActions(anAlert(), T0)).toEqual(['acknowledge', 'snooze', 'deactivate']);
  });

  it('stops offering acknowledge once acknowledged, and everything once resolved', () => {
    expect(availableAlertActions(anAlert({ status: 'acknowledged' }), T0)).toEqual(['snooze', 'deactivate']);
    expect(availableAlertActions(anAlert({ status: 'resolved' }), T0)).toEqual([]);
  });

  it('offers the decision while a deactivation waits for approval, and no second request', () => {
    const waiting = anAlert({ remediation: remediation({ status: 'pending_approval' }) });
    expect(availableAlertActions(waiting, T0)).toEqual([
      'acknowledge',
      'snooze',
      'approve_deactivation',
      'deny_deactivation',
    ]);
  });

  it('offers reactivate only while the deactivation is reversible', () => {
    const done = anAlert({ remediation: remediation({ status: 'done', reversibleUntil: T0 + 1000 }) });
    expect(availableAlertActions(done, T0)).toContain('reactivate');
    expect(availableAlertActions(done, T0 + 1001)).not.toContain('reactivate');
  });

  it('offers to announce root use on root findings only', () => {
    const root = anAlert(
      {},
      { kind: 'root_console_login', accessKeyId: undefined, principal: { type: 'root', name: 'root' } },
    );
    expect(availableAlertActions(root, T0)).toEqual(['acknowledge', 'snooze', 'announce_root']);
  });
});
