import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { PNG } from 'pngjs';
import { ACCENT_COLOR, drawColorIcon, drawOutlineIcon, encodeIcon } from '../../appPackage/generateIcons';
import {
  APP_PACKAGE_DIR,
  PLAYGROUND_BOT_ID,
  PackageError,
  buildZipBuffer,
  checkIcon,
  deriveTeamsAppId,
  escapeLoneBrackets,
  preparePackageFiles,
  resolveVariables,
  substitutePlaceholders,
  validateAgainstBundledSchema,
  type PackageFiles,
  type PackageVariables,
} from '../../scripts/package';

const VARIABLES: PackageVariables = {
  BOT_ID: '3f0c2a9e-6b1d-4c7a-9e52-8d4b1f7a0c63',
  TEAMS_APP_ID: deriveTeamsAppId('3f0c2a9e-6b1d-4c7a-9e52-8d4b1f7a0c63'),
  BOT_DOMAIN: 'fasttrack-bot-abc123.azurewebsites.net',
};

/** The eleven FastTrack Center languages besides the default en-us. */
const ADDITIONAL_LANGUAGES = ['zh-tw', 'zh-cn', 'fr-fr', 'de-de', 'it-it', 'ja-jp', 'ko-kr', 'pt-br', 'es-es', 'th-th', 'vi-vn'];

interface Manifest {
  accentColor: string;
  icons: { color: string; outline: string };
  bots: { botId: string; commandLists: { commands: { title: string; description: string }[] }[] }[];
  validDomains: string[];
  localizationInfo: { defaultLanguageTag: string; additionalLanguages: { languageTag: string; file: string }[] };
}

const rawManifest = readFileSync(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
const filled = () => JSON.parse(substitutePlaceholders(rawManifest, VARIABLES)) as Manifest & Record<string, unknown>;
const localization = (file: string) => JSON.parse(readFileSync(join(APP_PACKAGE_DIR, file), 'utf8')) as Record<string, unknown>;
/** The RGBA pixels of a PNG, as a plain Uint8Array (what the icon generator draws). */
const pixels = (png: Buffer) => {
  const { width, height, data } = PNG.sync.read(png);
  return { width, height, data: new Uint8Array(data) };
};
const commandKey = (i: number, field: 'title' | 'description') => `bots[0].commandLists[0].commands[${i}].${field}`;

describe('Teams app package', () => {
  let files: PackageFiles;
  before(async () => {
    files = await preparePackageFiles(APP_PACKAGE_DIR, VARIABLES);
  });

  describe('the manifest', () => {
    it('validates against its bundled Teams schema with no errors once the placeholders are filled in', async () => {
      assert.deepEqual(await validateAgainstBundledSchema(filled(), 'manifest.json'), []);
    });

    it('reports an error when a required field is missing, so validation can fail', async () => {
      const manifest = filled();
      delete manifest.developer;
      const errors = await validateAgainstBundledSchema(manifest, 'manifest.json');
      assert.ok(errors.some((e) => /manifest\.json: .*developer/.test(e)), errors.join('\n'));
    });

    it('reports a bot id that is not a GUID', async () => {
      const manifest = filled();
      manifest.bots[0]!.botId = 'not-a-guid';
      const errors = await validateAgainstBundledSchema(manifest, 'manifest.json');
      assert.ok(errors.some((e) => e.includes('/bots/0/botId')), errors.join('\n'));
    });

    it('is left with no ${{ placeholder in any packaged file', () => {
      for (const [name, data] of files) {
        if (name.endsWith('.json')) assert.ok(!data.toString('utf8').includes('${{'), `${name} still has a placeholder`);
      }
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest & { id: string };
      assert.equal(manifest.id, VARIABLES.TEAMS_APP_ID);
      assert.equal(manifest.bots[0]!.botId, VARIABLES.BOT_ID);
      assert.deepEqual(manifest.validDomains, [VARIABLES.BOT_DOMAIN]);
    });

    it('uses the icon generator\'s accent colour', () => {
      assert.equal(filled().accentColor, ACCENT_COLOR);
    });

    it('offers the commands help, status, request, eligibility and cancel', () => {
      assert.deepEqual(filled().bots[0]!.commandLists[0]!.commands.map((c) => c.title), ['help', 'status', 'request', 'eligibility', 'cancel']);
    });
  });

  describe('the localization files', () => {
    const listed = () => filled().localizationInfo.additionalLanguages;

    it('cover exactly the eleven FastTrack Center languages besides the default en-us', () => {
      assert.equal(filled().localizationInfo.defaultLanguageTag, 'en-us');
      assert.deepEqual(listed().map((l) => l.languageTag).sort(), [...ADDITIONAL_LANGUAGES].sort());
      for (const { languageTag, file } of listed()) assert.equal(file, `${languageTag}.json`);
    });

    it('all exist, and every JSON file in appPackage/ is either the manifest or listed in it', () => {
      for (const { file } of listed()) assert.ok(existsSync(join(APP_PACKAGE_DIR, file)), `${file} is missing`);
      const onDisk = readdirSync(APP_PACKAGE_DIR).filter((f) => f.endsWith('.json') && f !== 'manifest.json');
      assert.deepEqual(onDisk.sort(), listed().map((l) => l.file).sort());
    });

    for (const tag of ADDITIONAL_LANGUAGES) {
      it(`${tag}.json validates against the localization schema and translates the names, descriptions and every command`, async () => {
        const strings = localization(`${tag}.json`);
        assert.deepEqual(await validateAgainstBundledSchema(strings, `${tag}.json`), []);
        for (const key of ['name.short', 'name.full', 'description.short', 'description.full']) {
          assert.equal(typeof strings[key], 'string', `${key} is missing`);
        }
        const commands = filled().bots[0]!.commandLists[0]!.commands;
        const titles = Object.keys(strings).filter((k) => /^bots\[0\]\.commandLists\[0\]\.commands\[\d+\]\.title$/.test(k));
        assert.equal(titles.length, commands.length);
        commands.forEach((command, i) => {
          assert.ok(strings[commandKey(i, 'title')], `command ${i} (${command.title}) has no title`);
          assert.ok(strings[commandKey(i, 'description')], `command ${i} (${command.title}) has no description`);
          assert.notEqual(strings[commandKey(i, 'description')], command.description, `command ${i} description is not translated`);
        });
        assert.notEqual(strings['description.full'], (filled() as unknown as { description: { full: string } }).description.full);
      });
    }

    it('give distinct command titles within each language, so a typed title maps back to one command', () => {
      for (const { file } of listed()) {
        const strings = localization(file);
        const titles = [0, 1, 2, 3, 4].map((i) => String(strings[commandKey(i, 'title')]).toLowerCase());
        assert.equal(new Set(titles).size, titles.length, `${file}: ${titles.join(', ')}`);
      }
    });

    it('use the same command words the bot understands, for every language that has a card string table', () => {
      // Teams sends a picked command's title as the message text: the bot must recognise it.
      const commands = filled().bots[0]!.commandLists[0]!.commands;
      const tables = [{ languageTag: 'en-us', file: 'manifest.json' }, ...listed()];
      let checked = 0;
      for (const { languageTag } of tables) {
        const [language, region] = languageTag.split('-');
        const tablePath = join(APP_PACKAGE_DIR, '..', 'cards', 'locales', `${language}-${region!.toUpperCase()}.json`);
        if (!existsSync(tablePath)) continue;
        const words = (JSON.parse(readFileSync(tablePath, 'utf8')) as { commands?: Record<string, string> }).commands ?? {};
        const strings = languageTag === 'en-us' ? undefined : localization(`${languageTag}.json`);
        commands.forEach((command, i) => {
          const word = words[command.title];
          if (word === undefined) return;
          const title = strings ? strings[commandKey(i, 'title')] : command.title;
          assert.equal(title, word, `${languageTag}: the "${command.title}" command is "${String(title)}" in the manifest but "${word}" in ${tablePath}`);
          checked++;
        });
      }
      assert.ok(checked >= 5, 'no card string table found to compare with');
    });
  });

  describe('the icons', () => {
    const color = () => readFileSync(join(APP_PACKAGE_DIR, filled().icons.color));
    const outline = () => readFileSync(join(APP_PACKAGE_DIR, filled().icons.outline));

    it('are 192×192 (colour) and 32×32 (outline) PNGs', () => {
      assert.deepEqual(checkIcon('color.png', color(), 192), []);
      assert.deepEqual(checkIcon('outline.png', outline(), 32), []);
    });

    it('are reported when they have the wrong size', () => {
      assert.deepEqual(checkIcon('outline.png', color(), 32), ['outline.png: must be 32×32 pixels, is 192×192']);
      assert.match(checkIcon('color.png', Buffer.from('GIF89a'), 192)[0] ?? '', /not a PNG/);
    });

    it('has an outline icon made only of white and transparent pixels, with a visible shape', () => {
      const { data } = pixels(outline());
      let opaque = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        assert.ok(a === 0 || (r === 255 && g === 255 && b === 255), `pixel ${i / 4} is rgba(${r},${g},${b},${a})`);
        if (a === 255) opaque++;
      }
      assert.ok(opaque > 32 && opaque < 32 * 32 / 2, `${opaque} opaque pixels`);
      assert.equal(data[3], 0, 'the corner should be transparent');
    });

    it('match what appPackage/generateIcons.ts draws, so the committed PNGs are not stale', () => {
      assert.deepEqual(pixels(color()).data, drawColorIcon().data);
      assert.deepEqual(pixels(outline()).data, drawOutlineIcon().data);
    });

    it('are what the generator writes, byte for byte, so regenerating them changes no committed file', () => {
      assert.deepEqual(encodeIcon(drawColorIcon()), color());
      assert.deepEqual(encodeIcon(drawOutlineIcon()), outline());
    });

    it('keep every pixel, alpha included, through a PNG encode and decode', () => {
      const image = drawOutlineIcon();
      assert.deepEqual(pixels(encodeIcon(image)), image);
    });
  });

  describe('the zip', () => {
    it('holds exactly the manifest, both icons and the eleven localization files, at its root', () => {
      const zip = new AdmZip(buildZipBuffer(files));
      const names = zip.getEntries().map((e) => e.entryName).sort();
      assert.deepEqual(names, ['color.png', 'manifest.json', 'outline.png', ...ADDITIONAL_LANGUAGES.map((t) => `${t}.json`)].sort());
      assert.deepEqual(zip.readFile('color.png'), readFileSync(join(APP_PACKAGE_DIR, 'color.png')));
      assert.ok(!zip.readAsText('manifest.json').includes('${{'));
    });
  });

  describe('the variables', () => {
    it('use the Agents Playground bot id and localhost with --local', () => {
      const vars = resolveVariables({}, { local: true });
      assert.equal(vars.BOT_ID, PLAYGROUND_BOT_ID);
      assert.equal(vars.BOT_DOMAIN, 'localhost');
    });

    it('require BOT_ID without --local, and say how to fix it', () => {
      assert.throws(() => resolveVariables({}, { local: false }), (e: unknown) => e instanceof PackageError && /BOT_ID is not set.*--local/.test(e.message));
    });

    it('derive the same Teams app id as every earlier build, so a rebuilt package updates the installed app', () => {
      assert.equal(deriveTeamsAppId('3f0c2a9e-6b1d-4c7a-9e52-8d4b1f7a0c63'), '55a5ef11-bb6f-56b7-80d6-f2f110cacc51');
    });

    it('derive a stable Teams app id per bot when TEAMS_APP_ID is not set', () => {
      const first = resolveVariables({ BOT_ID: VARIABLES.BOT_ID }, { local: false }).TEAMS_APP_ID;
      assert.equal(first, resolveVariables({ BOT_ID: VARIABLES.BOT_ID.toUpperCase() }, { local: false }).TEAMS_APP_ID);
      assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.notEqual(first, deriveTeamsAppId(PLAYGROUND_BOT_ID));
      assert.notEqual(first, VARIABLES.BOT_ID);
    });

    it('take TEAMS_APP_ID and BOT_DOMAIN from the environment when set', () => {
      const vars = resolveVariables({ BOT_ID: VARIABLES.BOT_ID, TEAMS_APP_ID: PLAYGROUND_BOT_ID, BOT_DOMAIN: 'bot.contoso.com' }, { local: false });
      assert.equal(vars.TEAMS_APP_ID, PLAYGROUND_BOT_ID);
      assert.equal(vars.BOT_DOMAIN, 'bot.contoso.com');
    });

    it('reject a BOT_DOMAIN given as a URL and a BOT_ID that is not a GUID, all at once', () => {
      assert.throws(
        () => resolveVariables({ BOT_ID: 'my-bot', BOT_DOMAIN: 'https://bot.contoso.com/api' }, { local: false }),
        (e: unknown) => e instanceof PackageError && e.problems.length === 2,
      );
    });

    it('must all have a value: substitution refuses a placeholder it cannot fill', () => {
      assert.throws(() => substitutePlaceholders('{"a": "${{SOMETHING_ELSE}}"}', VARIABLES), /SOMETHING_ELSE/);
    });

    it('are JSON-escaped when substituted', () => {
      assert.equal(JSON.parse(substitutePlaceholders('{"a": "${{X}}"}', { X: 'say "hi"\\' })).a, 'say "hi"\\');
    });
  });

  describe('schema repair', () => {
    it('escapes a lone ] the bundled localization schemas use, which ajv\'s unicode regexes reject', () => {
      const pattern = '^activities.activityTypes\\[\\b([0-9]|1[0-9])\\b]\\.description$';
      assert.throws(() => new RegExp(pattern, 'u'));
      const repaired = new RegExp(escapeLoneBrackets(pattern), 'u');
      assert.ok(repaired.test('activities.activityTypes[12].description'));
      assert.ok(new RegExp(pattern).test('activities.activityTypes[12].description'));
    });
  });
});
