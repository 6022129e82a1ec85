/** Writes manifest/policy.schema.json from the zod policy schema (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyJsonSchema } from '../src';

export const POLICY_SCHEMA_PATH = join(__dirname, '..', 'manifest', 'policy.schema.json');

export function renderPolicySchema(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(POLICY_SCHEMA_PATH, renderPolicySchema());
  console.log(`wrote ${POLICY_SCHEMA_PATH}`);
}
