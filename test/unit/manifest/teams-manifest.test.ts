import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  expectedCommandList,
  fillPlaceholders,
  ICON_SIZES,
  readPng,
  validateManifest,
  zip,
} from '../../../adapters/teams/app-package';
import { Commands, MenuCommands } from '../../../adapters/teams/verbs';

const dir = join(__dirname, '..', '..', '..', 'manifest', 'teams');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  bots: { commandLists: { commands: { title: string; description: string }[] }[] }[];
};

describe('the Teams app manifest', () => {
  test('has every required field and a current schema', () => {
    expect(validateManifest(manifest)).toEqual([]);
  });

  test('its command menu is exactly the commands the bot understands, at most 10', () => {
    const listed = manifest.bots[0]!.commandLists[0]!.commands;
    expect(listed).toEqual(expectedCommandList());
    expect(listed.length).toBeLessThanOrEqual(10);
    expect(MenuCommands.map((c) => c.name)).toEqual(listed.map((c) => c.title));
    // Every menu entry is a command the bot understands; `help` is understood but left out of the menu.
    for (const c of listed) expect(Commands.map((x) => x.name)).toContain(c.title);
  });

  test.each(Object.entries(ICON_SIZES))('%s.png is %i pixels square', (name, size) => {
    const png = readPng(readFileSync(join(dir, `${name}.png`)));
    expect([png.width, png.height]).toEqual([size, size]);
  });

  test('the outline icon has transparency (RGBA)', () => {
    expect(readPng(readFileSync(join(dir, 'outline.png'))).colorType).toBe(6);
  });

  test('filling needs every id from the environment, and a filled manifest must carry GUIDs', () => {
    const text = readFileSync(join(dir, 'manifest.json'), 'utf8');
    expect(() => fillPlaceholders(text, {})).toThrow(/Set TEAMS_APP_ID/);
    const filled = JSON.parse(
      fillPlaceholders(text, {
        TEAMS_APP_ID: '11111111-2222-3333-4444-555555555555',
        TEAMS_BOT_ID: '11111111-2222-3333-4444-555555555555',
        KEYLESS_DOMAIN: 'keyless.example.com',
        KEYLESS_WEBSITE_URL: 'https://keyless.example.com',
        KEYLESS_DEVELOPER_NAME: 'Example',
      }),
    ) as unknown;
    expect(validateManifest(filled, { filled: true })).toEqual([]);
    expect(validateManifest({ ...(filled as object), id: 'not-a-guid' }, { filled: true })).toContain(
      'id must be a GUID',
    );
  });

  test('the package zip holds the files at its root, intact', () => {
    const data = Buffer.from('{"hello":"teams"}');
    const archive = zip([{ name: 'manifest.json', data }]);
    expect(archive.readUInt32LE(0)).toBe(0x04034b50);
    const nameLength = archive.readUInt16LE(26);
    const size = archive.readUInt32LE(18);
    expect(archive.toString('utf8', 30, 30 + nameLength)).toBe('manifest.json');
    expect(inflateRawSync(archive.subarray(30 + nameLength, 30 + nameLength + size))).toEqual(data);
  });
});
