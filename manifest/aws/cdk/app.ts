/**
 * The keyless CDK app: three stacks, synthesized to the CloudFormation templates shipped in
 * manifest/aws/ (deploy them with `aws cloudformation deploy`, or with `cdk deploy` from this app).
 *
 *   npm run synth      writes manifest/aws/{template,member-roles,org}.yml and iam-policy.json
 *
 * The output is deterministic: no bootstrap version rule, no asset, no analytics metadata, no
 * construct paths. test/unit/manifest/cdk-synth.test.ts fails when the committed files differ.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, DefaultStackSynthesizer, Validations, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as babelPlugin from 'prettier/plugins/babel';
import * as estreePlugin from 'prettier/plugins/estree';
import * as yamlPlugin from 'prettier/plugins/yaml';
import type { Options } from 'prettier';
import { format } from 'prettier/standalone';
import { stringify } from 'yaml';
import { iamPolicyDocument, sessionCutPolicyDocument } from './bot-policy';
import { BotStack } from './bot-stack';
import { MemberStack } from './member-stack';
import { OrgStack } from './org-stack';

export const MANIFEST_DIR = join(__dirname, '..');

export interface KeylessApp {
  app: App;
  bot: BotStack;
  member: MemberStack;
  org: OrgStack;
}

const synthesizer = () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });

/** Builds the app; `nag` registers the cdk-nag AwsSolutions checks with the synthesis (`cdk synth`). */
export function buildApp(options: { nag?: boolean } = {}): KeylessApp {
  const app = new App({
    analyticsReporting: false,
    context: { 'aws:cdk:enable-path-metadata': false, 'aws:cdk:disable-stack-trace': true },
  });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const member = new MemberStack(app, 'keyless-member', { synthesizer: synthesizer() });
  // The StackSet embeds the member template: a scratch app synthesizes it first.
  // It has its own output folder: under `cdk synth`, CDK_OUTDIR belongs to the real app.
  const scratch = new App({
    analyticsReporting: false,
    outdir: mkdtempSync(join(tmpdir(), 'keyless-member-')),
    context: { 'aws:cdk:enable-path-metadata': false },
  });
  const memberTemplate = templateOf(new MemberStack(scratch, 'keyless-member', { synthesizer: synthesizer() }));
  const org = new OrgStack(app, 'keyless-org', memberTemplate, { synthesizer: synthesizer() });
  const bot = new BotStack(app, 'keyless', { synthesizer: synthesizer() });
  return { app, bot, member, org };
}

/** The CloudFormation template of a stack, as an object. */
export function templateOf(stack: Stack): Record<string, unknown> {
  const assembly = stack.node.root instanceof App ? stack.node.root.synth() : undefined;
  if (!assembly) throw new Error(`${stack.stackName} is not in an App`);
  return assembly.getStackByName(stack.stackName).template as Record<string, unknown>;
}

const HEADERS: Record<string, string> = {
  'template.yml':
    'keyless on AWS: the bot (ECS Fargate behind an HTTPS load balancer), its table, queue, event bus, policy parameter and role.',
  'member-roles.yml':
    'keyless in every member account: the audit and key-remediation roles (home Region), and root activity and heartbeat forwarding (every Region).',
  'org.yml':
    'keyless for the whole organization: a service-managed StackSet of member-roles.yml, deployed in the management (or delegated administrator) account.',
};

/** Every file `npm run synth` writes, name → text (formatted as the repository's prettier does). */
export async function synthesizeFiles(built: KeylessApp = buildApp()): Promise<Record<string, string>> {
  const { bot, member, org } = built;
  const files: Record<string, string> = {};
  // The repository's prettier settings (`npm run lint` checks these files too). The standalone
  // build, with its plugins named, runs anywhere (jest cannot load prettier's dynamic imports).
  const prettier: Options = {
    ...(JSON.parse(readFileSync(join(MANIFEST_DIR, '..', '..', '.prettierrc.json'), 'utf8')) as Options),
    plugins: [yamlPlugin, babelPlugin, estreePlugin],
  };
  for (const [name, stack] of [
    ['template.yml', bot],
    ['member-roles.yml', member],
    ['org.yml', org],
  ] as const) {
    const text = [
      `# ${HEADERS[name]}`,
      '# Generated from manifest/aws/cdk (npm run synth): edit the CDK code, not this file.',
      stringify(templateOf(stack), { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }),
    ].join('\n');
    files[name] = await format(text, { ...prettier, parser: 'yaml' });
  }
  files['iam-policy.json'] = await format(JSON.stringify(iamPolicyDocument()), { ...prettier, parser: 'json' });
  files['iam-policy-session-cut.json'] = await format(JSON.stringify(sessionCutPolicyDocument()), {
    ...prettier,
    parser: 'json',
  });
  return files;
}

async function main(): Promise<void> {
  // Under `cdk synth|deploy` (CDK_OUTDIR set), write the cloud assembly the CLI asks for.
  if (process.env.CDK_OUTDIR) {
    buildApp({ nag: true }).app.synth();
    return;
  }
  const files = await synthesizeFiles();
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(MANIFEST_DIR, name), text);
    console.log(`wrote manifest/aws/${name}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
