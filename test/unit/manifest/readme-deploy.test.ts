/**
 * README "Deploy to AWS", followed word for word, fits the templates it deploys: every parameter it
 * passes exists, every parameter without a default is passed, the capabilities cover the IAM
 * resources, every output it reads exists and feeds the parameter it should, the secret it creates
 * has exactly the keys the task maps, the image it pushes is the one the stack runs, the ExternalId
 * is the same everywhere, and the Regions it loops over are the ones the stacks watch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_REGIONS, SECRET_KEYS } from '../../../manifest/aws/cdk/names';
import type { CfnTemplate } from './cfn';

const root = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

const deploy = section(readme, 'Deploy to AWS');
/** The shell of the section's sh blocks, comments dropped and continued lines joined. */
const shell = [...deploy.matchAll(/```sh\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .join('\n')
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((line) => line.replace(/(^|\s)#\s.*$/, ''))
  .reduce<string[]>((lines, line) => {
    // A line inside an open single-quoted string goes on the line that opened it.
    const last = lines[lines.length - 1];
    if (last !== undefined && (last.match(/'/g) ?? []).length % 2 === 1)
      lines[lines.length - 1] = `${last} ${line.trim()}`;
    else lines.push(line);
    return lines;
  }, [])
  .map((line) => line.trim())
  .filter((line) => line.length > 0);

/** Shell words of a command line, quotes kept out; `$(…)` and quoted strings stay one word. */
function words(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote && depth === 0) quote = undefined;
      else current += ch;
      if (ch === '(' && current.endsWith('$(')) depth++;
      else if (ch === ')' && depth > 0) depth--;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === ' ' && depth === 0) {
      if (current) out.push(current);
      current = '';
    } else {
      current += ch;
      if (ch === '(' && current.endsWith('$(')) depth++;
      else if (ch === ')' && depth > 0) depth--;
    }
  }
  if (current) out.push(current);
  return out;
}

/** `--option value…` of a command: the words after the option up to the next option. */
function option(args: string[], name: string): string[] {
  const i = args.indexOf(name);
  if (i < 0) return [];
  const rest = args.slice(i + 1);
  const next = rest.findIndex((w) => w.startsWith('--'));
  return next < 0 ? rest : rest.slice(0, next);
}

interface Deploy {
  stackName: string;
  templateFile: string;
  template: CfnTemplate;
  parameters: Record<string, string>;
  capabilities: string[];
}

const deploys: Deploy[] = shell
  .filter((line) => /(^|;\s*)aws cloudformation deploy /.test(line))
  .map((line) => {
    const args = words(line.slice(line.indexOf('aws cloudformation deploy')));
    const templateFile = option(args, '--template-file')[0]!;
    return {
      stackName: option(args, '--stack-name')[0]!,
      templateFile,
      template: parse(readFileSync(join(root, templateFile), 'utf8')) as CfnTemplate,
      parameters: Object.fromEntries(
        option(args, '--parameter-overrides').map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]),
      ),
      capabilities: option(args, '--capabilities'),
    };
  });

/** Plain assignments `NAME=value` of the section's shell. */
const variables: Record<string, string> = Object.fromEntries(
  shell
    .map((line) => /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, words(m[2]!)[0] ?? '']),
);
const expand = (text: string) => text.replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => variables[name] ?? `$${name}`);

describe('README "Deploy to AWS"', () => {
  it('deploys the three synthesized templates', () => {
    expect(deploys.map((d) => d.templateFile).sort()).toEqual([
      'manifest/aws/member-roles.yml',
      'manifest/aws/org.yml',
      'manifest/aws/template.yml',
    ]);
  });

  it.each(['manifest/aws/template.yml', 'manifest/aws/org.yml', 'manifest/aws/member-roles.yml'])(
    'passes to %s only parameters it has, and every one it has no default for',
    (file) => {
      const d = deploys.find((x) => x.templateFile === file)!;
      const declared = d.template.Parameters ?? {};
      expect(Object.keys(d.parameters).filter((p) => !(p in declared))).toEqual([]);
      const required = Object.entries(declared)
        .filter(([, p]) => p.Default === undefined)
        .map(([name]) => name);
      expect(required.filter((p) => !(p in d.parameters))).toEqual([]);
    },
  );

  it('acknowledges the IAM capabilities each template needs', () => {
    for (const d of deploys) {
      const iam = Object.values(d.template.Resources).filter((r) => r.Type.startsWith('AWS::IAM::'));
      const named = iam.some((r) => r.Properties?.RoleName !== undefined);
      const needed = named ? 'CAPABILITY_NAMED_IAM' : iam.length > 0 ? 'CAPABILITY_IAM' : undefined;
      expect({ stack: d.stackName, capabilities: d.capabilities }).toEqual({
        stack: d.stackName,
        capabilities: needed ? [needed] : [],
      });
    }
  });

  it('reads only outputs the keyless stack has, and passes each to the parameter that wants it', () => {
    const bot = deploys.find((d) => d.templateFile === 'manifest/aws/template.yml')!;
    const outputs = Object.keys(bot.template.Outputs ?? {});
    expect(deploy).toMatch(/--stack-name keyless --output text/);
    expect(deploy).toMatch(/OutputKey=='\$1'/);
    const read = [...shell.join('\n').matchAll(/(?:^|\$\()output ([A-Za-z]+)/gm)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThanOrEqual(3);
    expect(read.filter((name) => !outputs.includes(name))).toEqual([]);
    const fromOutput = Object.fromEntries(
      [...deploy.matchAll(/([A-Z_]+)=\$\(output ([A-Za-z]+)\)/g)].map((m) => [`$${m[1]}`, m[2]!]),
    );
    // The parameters that take the keyless stack's outputs, in the other stacks.
    const wants: Record<string, string> = { KeylessRoleArn: 'TaskRoleArn', EventBusArn: 'EventBusArn' };
    for (const d of deploys.filter((x) => x !== bot)) {
      for (const [parameter, output] of Object.entries(wants)) {
        expect({ stack: d.templateFile, parameter, output: fromOutput[d.parameters[parameter]!] }).toEqual({
          stack: d.templateFile,
          parameter,
          output,
        });
      }
    }
  });

  it('passes the same ExternalId to every stack', () => {
    const ids = new Set(deploys.map((d) => d.parameters.ExternalId));
    expect([...ids]).toEqual(['$EXTERNAL_ID']);
    expect(variables.EXTERNAL_ID).toMatch(/openssl rand/);
  });

  it('creates the secret with exactly the keys the task maps', () => {
    const line = shell.find((l) => l.includes('aws secretsmanager create-secret'))!;
    const secret = JSON.parse(option(words(line), '--secret-string')[0]!) as Record<string, string>;
    expect(Object.keys(secret).sort()).toEqual([...SECRET_KEYS].sort());
    const bot = deploys.find((d) => d.templateFile === 'manifest/aws/template.yml')!;
    expect(bot.parameters.SecretArn).toBe('$SECRET_ARN');
  });

  it('builds, pushes and deploys one image name: the repository and tag the stack runs', () => {
    const built = shell.filter((l) => l.startsWith('docker build')).map((l) => expand(option(words(l), '-t')[0]!));
    const pushed = shell.filter((l) => l.startsWith('docker push')).map((l) => expand(words(l)[2]!));
    expect(built).toHaveLength(1);
    expect(pushed).toEqual(built);
    const bot = deploys.find((d) => d.templateFile === 'manifest/aws/template.yml')!;
    const repository =
      bot.parameters.ImageRepositoryName ?? String(bot.template.Parameters!.ImageRepositoryName!.Default);
    expect(built[0]).toMatch(
      new RegExp(`\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/${repository}:${bot.parameters.ImageTag}$`),
    );
  });

  it('deploys in the Region the stacks are built for, and loops over the Regions they watch', () => {
    expect(variables.AWS_REGION).toBe('us-east-1');
    const loop = /for region in ([^;]+);/.exec(shell.join('\n'))![1]!.trim().split(/\s+/);
    expect(loop).toEqual(DEFAULT_REGIONS);
    const bot = deploys.find((d) => d.templateFile === 'manifest/aws/template.yml')!;
    const org = deploys.find((d) => d.templateFile === 'manifest/aws/org.yml')!;
    expect(String(bot.template.Parameters!.WatchedRegions!.Default)).toBe(DEFAULT_REGIONS.join(','));
    expect(String(org.template.Parameters!.Regions!.Default)).toBe(DEFAULT_REGIONS.join(','));
    const member = deploys.find((d) => d.templateFile === 'manifest/aws/member-roles.yml')!;
    expect(String(member.template.Parameters!.RolesRegion!.Default)).toBe(variables.AWS_REGION);
  });
});
