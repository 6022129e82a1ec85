import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { PLAYGROUND_POLICY } from '../../adapters/main/config';

/**
 * The playground's policy without its on-call rules, as a sample production policy: production
 * needs a PagerDuty key for a policy that names schedules (the playground's loopback PagerDuty has
 * its own), and these tests are about something else.
 */
export function playgroundPolicyWithoutOnCall(): string {
  const doc = parseDocument(readFileSync(PLAYGROUND_POLICY, 'utf8'));
  const rules = doc.toJS() as { rules: { autoApprove?: unknown; approvers?: { oncall?: unknown[] } }[] };
  const keep = rules.rules.filter(
    (r) => !(typeof r.autoApprove === 'object' && r.autoApprove !== null) && !(r.approvers?.oncall ?? []).length,
  );
  doc.set('rules', keep);
  return doc.toString();
}

/** That policy in a file of its own (a fresh temporary folder unless `dir` is given); its path. */
export function writePlaygroundPolicyWithoutOnCall(dir = mkdtempSync(join(tmpdir(), 'keyless-policy-'))): string {
  const path = join(dir, 'policy-without-on-call.yaml');
  writeFileSync(path, playgroundPolicyWithoutOnCall());
  return path;
}
