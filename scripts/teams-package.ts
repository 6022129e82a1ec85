/**
 * Builds the Teams app package (dist/teams/keyless-teams.zip: manifest.json, color.png, outline.png)
 * from manifest/teams with the ids taken from the environment:
 *   TEAMS_APP_ID            the Teams app id (a GUID; often the bot's MicrosoftAppId)
 *   TEAMS_BOT_ID            the bot's MicrosoftAppId (defaults to TEAMS_APP_ID)
 *   KEYLESS_DOMAIN          the public host of keyless (for validDomains), e.g. keyless.example.com
 *   KEYLESS_WEBSITE_URL     https://… (defaults to https://KEYLESS_DOMAIN)
 *   KEYLESS_DEVELOPER_NAME  defaults to "keyless"
 * Usage: TEAMS_APP_ID=… KEYLESS_DOMAIN=… npm run teams:package
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillPlaceholders, ICON_SIZES, readPng, validateManifest, zip } from '../adapters/teams/app-package';

const root = join(__dirname, '..');
const source = join(root, 'manifest', 'teams');
const env = { ...process.env };
env.TEAMS_BOT_ID ||= env.TEAMS_APP_ID;
env.KEYLESS_WEBSITE_URL ||= env.KEYLESS_DOMAIN ? `https://${env.KEYLESS_DOMAIN}` : undefined;
env.KEYLESS_DEVELOPER_NAME ||= 'keyless';

try {
  const manifestText = fillPlaceholders(readFileSync(join(source, 'manifest.json'), 'utf8'), env);
  const manifest: unknown = JSON.parse(manifestText);
  const problems = validateManifest(manifest, { filled: true });
  const icons = { color: readFileSync(join(source, 'color.png')), outline: readFileSync(join(source, 'outline.png')) };
  for (const [name, size] of Object.entries(ICON_SIZES)) {
    const { width, height } = readPng(icons[name as keyof typeof icons]);
    if (width !== size || height !== size)
      problems.push(`${name}.png is ${width}×${height}, Teams wants ${size}×${size}`);
  }
  if (problems.length > 0) throw new Error(`The Teams manifest is not valid:\n- ${problems.join('\n- ')}`);
  const outDir = join(root, 'dist', 'teams');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'keyless-teams.zip');
  writeFileSync(
    out,
    zip([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
      { name: 'color.png', data: icons.color },
      { name: 'outline.png', data: icons.outline },
    ]),
  );
  console.log(`wrote ${out}: upload it in Teams (Apps → Manage your apps → Upload an app).`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
