import { alertCreated, dedupeKeys, systemActor, type Alert, type Finding } from '../../src';
import { T0 } from './index';

export function aFinding(over: Partial<Finding> = {}): Finding {
  return {
    dedupeKey: dedupeKeys.key('111111111111', 'AKIAAAAAAAAAAAAA1234', 'stale_access_key'),
    kind: 'stale_access_key',
    severity: 'medium',
    delivery: 'digest',
    source: 'scan',
    account: { id: '111111111111', name: 'prod' },
    principal: { type: 'iam_user', name: 'bob', userKind: 'human' },
    title: 'Access key older than 90 days',
    advice: 'Rotate it.',
    evidence: { keyLast4: '1234', keyAgeDays: 120, lastUsedAt: T0 - 86_400_000, reportGeneratedAt: T0 - 3600_000 },
    observedAt: T0,
    accessKeyId: 'AKIAAAAAAAAAAAAA1234',
    userName: 'bob',
    ...over,
  };
}

export function anAlert(over: Partial<Alert> = {}, finding: Partial<Finding> = {}): Alert {
  return { ...alertCreated(aFinding(finding), systemActor('test'), T0), ...over };
}
