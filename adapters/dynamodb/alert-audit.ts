import { alertAuditRecords, type Alert, type AuditRecord } from '../../src';
import { docOf, type Item } from './items';

/**
 * Alerts in the audit index (issue 18): an alert's item (`ALERT#<dedupe key>`, `META`) is marked
 * pending by the same write that changes it (dynamo-alert-store.ts), as a grant's is, and the audit
 * pump files its entries after `auditFrom` through these two functions.
 */
export const isAlertItemPk = (pk: string): boolean => pk.startsWith('ALERT#');

/** The audit records of a marked alert item's entries after `fromVersion`; undefined when the item cannot be read. */
export function alertItemAuditRecords(item: Item, fromVersion: number): AuditRecord[] | undefined {
  const alert = docOf<Alert>(item);
  if (!alert?.history || !alert.finding) return undefined;
  return alertAuditRecords(alert, fromVersion);
}
