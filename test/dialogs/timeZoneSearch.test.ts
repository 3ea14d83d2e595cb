import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { TENANTS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { createTestBot, LIWEI, MEGAN, renderer } from '../helpers/botHarness';
import { ANSWERS, step, walkTo } from '../helpers/journeySteps';

type Choice = { title: string; value: string };
type ChoiceSet = { id: string; value: string; style: string; choices: Choice[]; 'choices.data'?: unknown; placeholder?: string };

/** The form's time zone input. */
function zoneInput(replies: Partial<Activity>[]): ChoiceSet {
  const body = step(replies, 'request.submit').card.body as ChoiceSet[];
  return body.find((e) => e.id === 'timeZone')!;
}

/** What the bot answers to a typeahead invoke: the invoke response's status and body. */
function invokeAnswer(replies: Partial<Activity>[]): { status: number; body: { type: string; value: { results?: Choice[]; code?: string } } } {
  const response = replies.find((a) => a.type === 'invokeResponse');
  assert.ok(response, `an invoke response among ${replies.map((r) => r.type).join(', ')}`);
  return response.value as ReturnType<typeof invokeAnswer>;
}

describe('the request form\'s time zone: a short list and a typeahead over every zone', function () {
  this.timeout(20000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  it('offers the mailbox zone first and the region\'s common zones, each with its offset and name, plus the typeahead', async () => {
    const input = zoneInput(await walkTo(createTestBot({ graph: tenant }), 'request form'));
    assert.equal(input.value, 'America/Los_Angeles');
    assert.equal(input.choices[0]!.value, 'America/Los_Angeles', 'the prefilled zone first');
    assert.match(input.choices[0]!.title, /^\(UTC-0[78]:00\) Los Angeles · Pacific Time$/);
    assert.ok(input.choices.length <= 30, `${input.choices.length} choices`);
    assert.ok(input.choices.some((c) => c.value === 'America/New_York'), 'the Americas\' common zones');
    assert.ok(!input.choices.some((c) => c.value === 'Asia/Tokyo'), 'not every zone');
    assert.deepEqual(input['choices.data'], { type: 'Data.Query', dataset: 'timeZones' });
    assert.equal(input.placeholder, 'Type a city, a time zone or a UTC offset');
  });

  it('shows the list in the user\'s language', async () => {
    const input = zoneInput(await walkTo(createTestBot({ graph: tenant }), 'request form', LIWEI, 'zh-CN'));
    assert.equal(input.value, 'Asia/Shanghai');
    assert.match(input.choices[0]!.title, /^\(UTC\+08:00\) Shanghai · 中国标准时间$/);
    assert.equal(input.placeholder, renderer.strings('zh-CN').form.timeZonePlaceholder);
  });

  for (const zone of ['Pacific/Chatham', 'Asia/Kolkata', 'America/Argentina/Ushuaia']) {
    it(`accepts ${zone}, a zone the typeahead finds outside the short list`, async () => {
      const bot = createTestBot({ graph: tenant });
      const form = await walkTo(bot, 'request form');
      assert.ok(!zoneInput(form).choices.some((c) => c.value === zone));
      await bot.click(MEGAN, { ...step(form, 'request.submit').data, ...ANSWERS.form, timeZone: zone, region: 'apac' });
      assert.equal((await bot.requests.findOpen(TENANTS.contoso))?.form?.timeZone, zone);
    });
  }

  it('re-shows a refused form with the zone entered first in the list', async () => {
    const bot = createTestBot({ graph: tenant });
    const form = await walkTo(bot, 'request form');
    const again = await bot.click(MEGAN, { ...step(form, 'request.submit').data, ...ANSWERS.form, requesterPhone: 'call me', timeZone: 'Pacific/Chatham' });
    const input = zoneInput(again);
    assert.equal(input.value, 'Pacific/Chatham');
    assert.match(input.choices[0]!.title, /Chatham/);
  });

  describe('the application/search invoke', () => {
    const search = (value: unknown, locale = 'en-US', extra: Partial<Activity> = {}) =>
      createTestBot({ graph: tenant }).send(MEGAN, locale, { type: 'invoke', name: 'application/search', value, ...extra });

    it('answers "tokyo" with Tokyo, titled as the list is', async () => {
      const answer = invokeAnswer(await search({ queryText: 'tokyo', dataset: 'timeZones', queryOptions: { skip: 0, top: 15 } }));
      assert.equal(answer.status, 200);
      assert.equal(answer.body.type, 'application/vnd.microsoft.search.searchResponse');
      assert.deepEqual(answer.body.value.results, [{ title: '(UTC+09:00) Tokyo · Japan Standard Time', value: 'Asia/Tokyo' }]);
    });

    it('finds zones by id and offset, and titles them in the user\'s language', async () => {
      const byId = invokeAnswer(await search({ queryText: 'Asia/Kol', dataset: 'timeZones', queryOptions: { skip: 0, top: 15 } }));
      assert.equal(byId.body.value.results?.[0]?.value, 'Asia/Calcutta');
      const byOffset = invokeAnswer(await search({ queryText: '+05:30', dataset: 'timeZones', queryOptions: { skip: 0, top: 15 } }, 'th-TH'));
      assert.ok(byOffset.body.value.results?.some((r) => r.value === 'Asia/Calcutta' && r.title === '(UTC+05:30) Kolkata · เวลาอินเดีย'));
    });

    it('answers at most 15 zones however many are asked for, and the next page on skip', async () => {
      const first = invokeAnswer(await search({ queryText: 'a', dataset: 'timeZones', queryOptions: { skip: 0, top: 500 } }));
      assert.equal(first.body.value.results?.length, 15);
      const next = invokeAnswer(await search({ queryText: 'a', dataset: 'timeZones', queryOptions: { skip: 15, top: 15 } }));
      assert.equal(next.body.value.results?.length, 15);
      assert.notDeepEqual(next.body.value.results, first.body.value.results);
    });

    it('suggests zones near the user\'s own for an empty query', async () => {
      const answer = invokeAnswer(await search({ queryText: '', dataset: 'timeZones' }, 'en-US', { localTimezone: 'Asia/Bangkok' }));
      assert.equal(answer.body.value.results?.[0]?.value, 'Asia/Bangkok');
    });

    it('answers no results for another dataset', async () => {
      const answer = invokeAnswer(await search({ queryText: 'tokyo', dataset: 'npm', queryOptions: { skip: 0, top: 15 } }));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.value.results, []);
    });

    const malformed: [string, unknown][] = [
      ['no value', undefined],
      ['a string', 'tokyo'],
      ['no query', { dataset: 'timeZones' }],
      ['a number as query', { queryText: 42, dataset: 'timeZones' }],
      ['a huge query', { queryText: 'x'.repeat(10_000), dataset: 'timeZones' }],
      ['negative paging', { queryText: 'tokyo', dataset: 'timeZones', queryOptions: { skip: -1, top: 15 } }],
    ];
    for (const [what, value] of malformed) {
      it(`answers 400 to a search with ${what}, and sends nothing to the chat`, async () => {
        const replies = await search(value);
        const answer = invokeAnswer(replies);
        assert.equal(answer.status, 400);
        assert.equal(answer.body.type, 'application/vnd.microsoft.error');
        assert.deepEqual(replies.filter((r) => r.type !== 'invokeResponse'), [], 'no apology, no card');
      });
    }
  });
});
