import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tableDefinition } from '../../../adapters/dynamodb';

const root = join(__dirname, '..', '..', '..');
type Template = {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};
const PSEUDO = new Set([
  'AWS::Region',
  'AWS::AccountId',
  'AWS::Partition',
  'AWS::NoValue',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

function load(name: string): Template {
  return parse(readFileSync(join(root, 'manifest', 'aws', name), 'utf8')) as Template;
}

/** Every Ref, Fn::GetAtt and ${…} in Fn::Sub, with the path where it stands. */
function references(
  node: unknown,
  path = '',
  out: { kind: string; target: string; path: string; locals?: string[] }[] = [],
  locals: string[] = [],
) {
  if (Array.isArray(node)) node.forEach((n, i) => references(n, `${path}[${i}]`, out, locals));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') out.push({ kind: 'Ref', target: value, path });
      else if (key === 'Fn::GetAtt')
        out.push({
          kind: 'GetAtt',
          target: Array.isArray(value) ? String(value[0]) : String(value).split('.')[0]!,
          path,
        });
      else if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(value)
          ? [String(value[0]), (value[1] ?? {}) as Record<string, unknown>]
          : [String(value), {}];
        const names = Object.keys(vars);
        for (const m of text.matchAll(/\$\{([^}!]+)\}/g))
          out.push({ kind: 'Sub', target: m[1]!.split('.')[0]!, path, locals: names });
        references(vars, `${path}.Fn::Sub`, out, locals);
      } else references(value, `${path}.${key}`, out, locals);
    }
  }
  return out;
}

describe.each(['template.yml', 'member-roles.yml', 'org.yml', 'table.yml'])(
  'the CloudFormation template %s',
  (file) => {
    const template = load(file);

    it('refers only to parameters, resources and pseudo parameters that exist', () => {
      const known = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources)]);
      const dangling = references(template).filter(
        (r) => !known.has(r.target) && !PSEUDO.has(r.target) && !(r.locals ?? []).includes(r.target),
      );
      expect(dangling).toEqual([]);
    });

    it('gets attributes of resources only', () => {
      const bad = references(template).filter((r) => r.kind === 'GetAtt' && !(r.target in template.Resources));
      expect(bad).toEqual([]);
    });
  },
);

describe.each(['template.yml', 'table.yml'])('the table in %s', (file) => {
  const template = load(file);

  it('defines the table exactly as the code creates it', () => {
    const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!;
    const expected = tableDefinition('keyless');
    expect(table.Properties?.KeySchema).toEqual(expected.KeySchema);
    expect(table.Properties?.AttributeDefinitions).toEqual(expected.AttributeDefinitions);
    expect((table.Properties?.GlobalSecondaryIndexes as { IndexName: string }[]).map((g) => g.IndexName)).toEqual(
      expected.GlobalSecondaryIndexes?.map((g) => g.IndexName),
    );
    expect(table.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect((table.Properties?.SSESpecification as { SSEEnabled: boolean }).SSEEnabled).toBe(true);
  });
});
