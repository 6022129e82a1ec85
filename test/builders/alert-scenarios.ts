import { alertCreated, systemActor, transitionAlert, userActor, type Alert, type AlertDigest } from '../../src';
import { T0 } from './index';
import { aFinding } from './alerts';
import { users } from './test-engine';

const feed = systemActor('security-feed');

/** Alerts in the states a renderer must show, for snapshot tests of Slack and Teams. */
export function alertScenarios(): Record<string, Alert> {
  const root = alertCreated(
    aFinding({
      dedupeKey: 'root:111111111111:root_console_login',
      kind: 'root_console_login',
      severity: 'critical',
      delivery: 'immediate',
      source: 'cloudtrail',
      principal: { type: 'root', name: 'root' },
      title: 'Root console sign-in without MFA',
      advice: 'Confirm with the account owner that this root sign-in was planned.',
      evidence: {
        eventTime: T0 - 300_000,
        eventName: 'ConsoleLogin',
        sourceIp: '203.0.113.10',
        userAgent: 'Mozilla/5.0 <b>',
        mfaUsed: false,
        region: 'us-east-1',
      },
      accessKeyId: undefined,
      userName: undefined,
    }),
    feed,
    T0,
  );
  const stale = alertCreated(aFinding(), feed, T0);
  const at = T0 + 60_000;
  const step = (a: Alert, e: Parameters<typeof transitionAlert>[1]) => transitionAlert(a, e)!.next;
  const acknowledged = step(root, { type: 'acknowledge', actor: userActor(users.sam), at });
  const expected = step(root, {
    type: 'expected_marked',
    actor: userActor(users.sam),
    at,
    expected: { by: userActor(users.sam), reason: 'closing the account', until: T0 + 3600_000 },
  });
  const pending = step(stale, {
    type: 'deactivation_requested',
    actor: userActor(users.rita),
    at,
    accessKeyId: 'AKIAAAAAAAAAAAAA1234',
    userName: 'bob',
    checked: { status: 'Active', lastUsedAt: T0 - 50 * 86_400_000, service: 's3', region: 'us-east-1', at },
  });
  const approved = step(pending, { type: 'deactivation_approved', actor: userActor(users.sam), at });
  const done = step(approved, { type: 'deactivated', actor: feed, at, reversibleUntil: at + 7 * 86_400_000 });
  const snoozed = step(stale, {
    type: 'snooze',
    actor: userActor(users.rita),
    at,
    until: at + 7 * 86_400_000,
    reason: 'rotation next sprint',
  });
  const resolved = step(stale, { type: 'resolve', actor: feed, at, reason: 'gone' });
  return { root, acknowledged, expected, stale, pending, done, snoozed, resolved };
}

export function aDigest(alerts: Alert[]): AlertDigest {
  return {
    id: '2026-11-23-1',
    date: '2026-11-23',
    version: 2,
    createdAt: T0,
    dedupeKeys: alerts.map((a) => a.dedupeKey),
    messages: [],
  };
}

export const RENDER_NOW = T0 + 120_000;
