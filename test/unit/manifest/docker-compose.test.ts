import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envSchema } from '../../../adapters/main/config';

const root = join(__dirname, '..', '..', '..');

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      { image?: string; build?: string; environment?: Record<string, string>; depends_on?: string[] }
    >;
  };

  it('runs keyless, built from this repository, beside DynamoDB Local', () => {
    expect(compose.services.keyless?.build).toBe('.');
    expect(compose.services.dynamodb?.image).toMatch(/^amazon\/dynamodb-local/);
    expect(compose.services.keyless?.depends_on).toContain('dynamodb');
  });

  it('sets only variables that keyless or the AWS SDK reads', () => {
    const known = new Set(Object.keys(envSchema.shape));
    const unknown = Object.keys(compose.services.keyless?.environment ?? {}).filter(
      (k) => !known.has(k) && !k.startsWith('AWS_'),
    );
    expect(unknown).toEqual([]);
  });

  it('uses only variables that README.md documents', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const undocumented = Object.keys(compose.services.keyless?.environment ?? {}).filter(
      (k) => !k.startsWith('AWS_') && !readme.includes(`\`${k}\``),
    );
    expect(undocumented).toEqual([]);
  });

  it('documents every variable of the configuration in README.md', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(Object.keys(envSchema.shape).filter((k) => !readme.includes(`\`${k}\``))).toEqual([]);
  });
});
