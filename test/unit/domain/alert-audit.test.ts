import {
  alertAuditRecords,
  alertAuditSubjectId,
  auditIndexValues,
  auditRow,
  matchesAuditQuery,
  systemActor,
  transitionAlert,
  userActor,
  type Alert,
  type AlertTransition,
} from '../../../src';
import { T0 } from '../../builders';
import { anAlert } from '../../builders/alerts';
import { users } from '../../builders/test-engine';

const KEY = 'AKIAAAAAAAAAAAAA1234';

function apply(alert: Alert, ...events: AlertTransition[]): Alert {
  let a = alert;
  for (const e of events) a = transitionAlert(a, e)?.next ?? a;
  return a;
}

describe('alerts as audit records', () => {
  const sam = userActor(users.sam);

  it('files the alert and what people did with it, each with its actor, and not the repeat sightings or posts', () => {
    const alert = apply(
      anAlert(),
      { type: 'posted', actor: systemActor('feed'), at: T0 + 1, messages: [] },
      { type: 'seen', actor: systemActor('scan'), at: T0 + 2, finding: anAlert().finding },
      { type: 'acknowledge', actor: sam, at: T0 + 3 },
      { type: 'snooze', actor: sam, at: T0 + 4, until: T0 + 7 * 86_400_000, reason: 'change freeze' },
    );
    const records = alertAuditRecords(alert);
    expect(records.map((r) => [r.event, r.actorId, r.actorEmail ?? ''])).toEqual([
      ['create', 'test', ''],
      ['acknowledge', 'slack:U0SAM', 'sam@example.com'],
      ['snooze', 'slack:U0SAM', 'sam@example.com'],
    ]);
    expect(records[2]).toMatchObject({
      subjectKind: 'alert',
      accountId: '111111111111',
      accountName: 'prod',
      from: 'acknowledged',
      to: 'snoozed',
      reason: 'change freeze',
      details: { alert: 'stale_access_key', severity: 'medium', principal: 'iam_user:bob', keyLast4: '1234' },
    });
    // Each record once, with a stable id; the entries already filed are left out.
    expect(new Set(records.map((r) => r.id)).size).toBe(3);
    expect(alertAuditRecords(alert, alert.version - 1).map((r) => r.event)).toEqual(['snooze']);
    expect(alertAuditRecords(alert).map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  it('never carries the whole access key id, only its last 4 characters', () => {
    const alert = apply(anAlert(), { type: 'acknowledge', actor: sam, at: T0 + 1 });
    const text = JSON.stringify(alertAuditRecords(alert).map(auditRow));
    expect(text).not.toContain(KEY);
    expect(text).toContain('"keyLast4\\":\\"1234\\"');
    expect(alertAuditSubjectId(alert.dedupeKey)).toMatch(/^[0-9a-f]{16}$/);
    expect(alertAuditSubjectId(alert.dedupeKey)).not.toBe(alertAuditSubjectId(alert.dedupeKey.replace('1234', '1235')));
  });

  it('is filed under its account and actor, never under an empty person, rule or permission set', () => {
    const [record] = alertAuditRecords(apply(anAlert(), { type: 'acknowledge', actor: sam, at: T0 + 1 }), 1);
    expect(auditIndexValues(record!)).toEqual([
      { dimension: 'actor', value: 'sam@example.com' },
      { dimension: 'account', value: '111111111111' },
    ]);
    expect(matchesAuditQuery(record!, { since: T0, until: T0 + 1, account: '111111111111' })).toBe(true);
  });

  it('is about the key’s owner once a rotation named one, and about the Identity Center user of a drift finding', () => {
    const owned: Alert = {
      ...anAlert(),
      rotation: {
        step: 'waiting_new_key',
        startedAt: T0,
        owner: 'Owen@Example.com',
        deletion: { status: 'none' },
        messages: [],
        checkedAt: T0,
      },
    };
    const [ownedRecord] = alertAuditRecords(owned);
    expect(ownedRecord!.user).toBe('owen@example.com');
    expect(auditIndexValues(ownedRecord!)).toContainEqual({ dimension: 'user', value: 'owen@example.com' });

    const drift = anAlert(
      {},
      {
        kind: 'unknown_assignment',
        principal: { type: 'person', name: 'Rita' },
        evidence: { permissionSet: 'AdministratorAccess' },
        accessKeyId: undefined,
      },
    );
    const [driftRecord] = alertAuditRecords(drift);
    expect(driftRecord).toMatchObject({ user: 'rita', permissionSet: 'AdministratorAccess' });
    expect(auditIndexValues(driftRecord!)).toEqual(
      expect.arrayContaining([
        { dimension: 'user', value: 'rita' },
        { dimension: 'ps', value: 'administratoraccess' },
      ]),
    );
  });
});
