import { z } from 'zod';
import { policySchema } from './policy';

/** The JSON Schema of the policy file, for editors (YAML language servers read `$schema`). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://keyless.dev/schema/policy.json',
    title: 'keyless policy',
    description: 'Who may request which AWS access, who approves it, and for how long.',
  };
}
