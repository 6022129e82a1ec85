import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOT_EVENTS, COMMAND, EVENTS_PATH } from '../../../adapters/slack/ids';
import { METHODS, requiredBotScopes } from '../../../adapters/slack/scopes';

interface Manifest {
  features: { slash_commands: { command: string; url: string }[]; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url: string };
  };
}

const root = join(__dirname, '../../..');
const manifest = parse(readFileSync(join(root, 'manifest/slack/manifest.yml'), 'utf8')) as Manifest;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const code = sources(join(root, 'adapters/slack'))
  .filter((p) => !p.endsWith('scopes.ts'))
  .map((p) => readFileSync(p, 'utf8'))
  .join('\n');

describe('the Slack manifest and the code', () => {
  it('grant exactly the bot scopes the code needs, no more and no fewer', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(requiredBotScopes());
  });

  it('name only Web API methods the code really calls (so no scope is kept for a call that is gone)', () => {
    const unused = Object.keys(METHODS).filter((m) => !code.includes(`'${m}'`));
    expect(unused).toEqual([]);
  });

  it('declare the one slash command the code listens to, and the code listens to no other', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([COMMAND]);
    const listened = [...code.matchAll(/app\.command\(\s*([^,]+),/g)].map((m) => m[1]);
    expect(listened).toEqual(['COMMAND']);
  });

  it('send commands, interactions, options loads and events to the path the adapter serves', () => {
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      manifest.settings.interactivity.message_menu_options_url,
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe(EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('subscribe to exactly the events the code handles, with the Home tab on', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...BOT_EVENTS].sort());
    for (const event of BOT_EVENTS) expect(code).toContain(`app.event('${event}'`);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });
});
