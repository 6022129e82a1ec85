import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { tableDefinition, TTL_ATTRIBUTE } from '../../../adapters/dynamodb';

const TEMPLATE = join(__dirname, '../../../manifest/aws/table.yml');

interface CfnTable {
  Type: string;
  Properties: Record<string, unknown> & {
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
    PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean };
    SSESpecification?: { SSEEnabled: boolean };
  };
}

describe('manifest/aws/table.yml', () => {
  const document = parseDocument(readFileSync(TEMPLATE, 'utf8'));
  const template = document.toJS() as { Resources: Record<string, CfnTable> };
  const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table');

  it('is plain YAML that any parser reads (no short-form tags such as !Ref)', () => {
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
  });

  it('declares the keys, index and billing mode of tableDefinition()', () => {
    const definition = tableDefinition('keyless');
    expect(table).toBeDefined();
    const props = table?.Properties ?? {};
    expect(props['BillingMode']).toBe(definition.BillingMode);
    expect(props['KeySchema']).toEqual(definition.KeySchema);
    expect(props['AttributeDefinitions']).toEqual(expect.arrayContaining(definition.AttributeDefinitions));
    expect(props['AttributeDefinitions']).toHaveLength(definition.AttributeDefinitions.length);
    expect(props['GlobalSecondaryIndexes']).toEqual(definition.GlobalSecondaryIndexes);
  });

  it('enables TTL on the attribute the store writes, point-in-time recovery and encryption', () => {
    const props = table?.Properties;
    expect(props?.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(props?.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled).toBe(true);
    expect(props?.SSESpecification?.SSEEnabled).toBe(true);
  });
});
