import {
  alertCreated,
  driftFinding,
  systemActor,
  transitionAlert,
  type Alert,
  type AlertMessageRef,
  type AssignmentDrift,
  type AssignmentKey,
  type DriftPerson,
} from '../../src';
import { T0 } from '.';

export const DRIFT_PRINCIPAL_ID = '90670000-0000-0000-0000-000000000005';
export const DRIFT_PERMISSION_SET_ARN = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1234567890abcdef';

/**
 * A drift alert as the security feed keeps it: posted to `messages`, then seen again `repeats`
 * times, a minute apart (the reconcile after the one that found it).
 */
export function aDriftAlert(
  over: {
    person?: DriftPerson;
    permissionSetName?: string;
    repeats?: number;
    messages?: AlertMessageRef[];
  } = {},
): Alert {
  const drift: AssignmentDrift = {
    kind: 'unknown_assignment',
    assignment: {
      principalId: DRIFT_PRINCIPAL_ID,
      accountId: '111111111111',
      permissionSetArn: DRIFT_PERMISSION_SET_ARN,
    } as AssignmentKey,
    removed: false,
    detectedAt: T0,
  };
  const names = {
    accountName: 'prod',
    person: over.person ?? { userName: 'olga', email: 'olga@example.com', displayName: 'Olga' },
    permissionSetName: over.permissionSetName ?? 'AdministratorAccess',
  };
  const actor = systemActor('security-feed');
  let alert = alertCreated(driftFinding(drift, names), actor, T0);
  const messages = over.messages ?? [
    { platform: 'slack', channel: 'C0SECURITY', messageId: '1795424400.000100' },
    { platform: 'teams', channel: '19:security@thread.tacv2', messageId: 'activity-1' },
  ];
  alert = transitionAlert(alert, { type: 'posted', actor, at: T0, messages })!.next;
  for (let i = 1; i <= (over.repeats ?? 0); i++) {
    const at = T0 + i * 60_000;
    alert = transitionAlert(alert, {
      type: 'seen',
      actor,
      at,
      finding: driftFinding({ ...drift, detectedAt: at }, names),
    })!.next;
  }
  return alert;
}
