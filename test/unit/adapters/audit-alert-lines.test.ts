/**
 * An alert and an action on it, read in the audit in chat: the same line on Slack and Teams, naming
 * the alert, what it is on (the key by its last 4 characters only), the account and who acted.
 */
import { alertAuditRecords, transitionAlert, userActor } from '../../../src';
import { auditLine } from '../../../adapters/slack/blocks/audit.blocks';
import { auditCardLine } from '../../../adapters/teams/cards/audit.card';
import { T0 } from '../../builders';
import { anAlert } from '../../builders/alerts';
import { users } from '../../builders/test-engine';
import { auditRecord } from '../../fakes/in-memory-audit-log';

describe('audit lines of alerts', () => {
  const acknowledged = transitionAlert(anAlert(), {
    type: 'acknowledge',
    actor: userActor(users.sam),
    at: T0 + 60_000,
  })!;
  const record = alertAuditRecords(acknowledged.next, 1)[0]!;

  it.each([
    ['Slack', auditLine],
    ['Teams', auditCardLine],
  ])('%s shows the alert, what it is on, the account and the approver', (_platform, line) => {
    // Teams escapes markdown (`stale\_access\_key`): read the text as people see it.
    const text = line(record).replace(/\\(.)/g, '$1');
    expect(text).toContain('acknowledge');
    expect(text).toContain('alert stale_access_key');
    expect(text).toContain('iam_user:bob key …1234');
    expect(text).toContain('prod (111111111111)');
    expect(text).toContain('by sam@example.com');
    expect(text).not.toContain('AKIA');
  });

  it.each([
    ['Slack', auditLine],
    ['Teams', auditCardLine],
  ])('%s still shows whose access and which permission set for a grant', (_platform, line) => {
    const text = line(auditRecord(1, 'rita@example.com', T0));
    expect(text).toContain('rita@example.com · prod (111111111111) · AdministratorAccess · by ann@example.com');
  });
});
