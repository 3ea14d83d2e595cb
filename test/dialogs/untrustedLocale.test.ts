import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { createTestBot, MEGAN, renderer, visibleText } from '../helpers/botHarness';
import { STEPS, step } from '../helpers/journeySteps';

// `activity.locale` comes from the wire: the channel (or anyone posting to /api/messages) may send
// anything. Every such value must fall back to English; none may reach Intl or a string table as is.
const WIRE_LOCALES = ['', 'garbage!!', '__proto__', 'x'.repeat(300), 'constructor'];

describe('a locale from the wire that no table matches', function () {
  this.timeout(30000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  const english = renderer.strings('en-US');
  const shown = (locale: string) => JSON.stringify(locale.length > 20 ? `${locale.slice(0, 10)}… (${locale.length} characters)` : locale);

  for (const locale of WIRE_LOCALES) {
    it(`answers in English, without an error, from install to the slot card when the locale is ${shown(locale)}`, async () => {
      const bot = createTestBot({ graph: tenant });
      const seen: Partial<Activity>[] = [...(await bot.install(MEGAN, locale))];
      let replies = await bot.click(MEGAN, { verb: 'request.start' }, locale);
      seen.push(...replies);
      for (const s of STEPS) {
        replies = await bot.click(MEGAN, { ...step(replies, s.verb).data, ...s.answers }, locale);
        seen.push(...replies);
      }
      const status = await bot.say(MEGAN, 'status', locale);
      const text = visibleText([...seen, ...status]);
      assert.ok(!text.includes(english.messages.error), `no "something went wrong", got: ${text.slice(0, 300)}`);
      step(replies, 'slot.pick');
      for (const heading of [english.welcome.title, english.tenantCheck.title, english.scheduling.title, english.status.title]) {
        assert.ok(text.includes(heading), `shows "${heading}"`);
      }
      assert.match(text, /Eligible for FastTrack: 2,000 eligible seats counted, 150 needed/, 'numbers formatted in English');
      assert.match(visibleText(replies), /\d{1,2}:\d{2}\s–\s\d{1,2}:\d{2}\s[AP]M PST/, 'times formatted in English');
    });
  }

  it('treats a locale that is not even a string as English', async () => {
    const bot = createTestBot({ graph: tenant });
    const replies = await bot.send(MEGAN, 'en-US', { type: 'message', value: { verb: 'request.start' }, locale: { toString: 42 } as unknown as string });
    const text = visibleText(replies);
    assert.ok(!text.includes(english.messages.error), text.slice(0, 300));
    assert.ok(text.includes(english.tenantCheck.title));
  });
});
