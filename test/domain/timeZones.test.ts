import assert from 'node:assert/strict';
import { COMMON_ZONES, isTimeZone, MAX_SEARCH_RESULTS, REGIONS, searchTimeZones, TIME_ZONES, zoneLabel, zoneShortList } from '../../bot/domain/timeZones';

const JUNE = new Date('2026-06-15T12:00:00Z');
const DECEMBER = new Date('2026-12-15T12:00:00Z');
const zones = (labels: { zone: string }[]) => labels.map((l) => l.zone);

describe('time zones: the form\'s short list', () => {
  it('puts the prefilled zone first, then the common zones of its region, west to east', () => {
    const list = zoneShortList('America/Los_Angeles', undefined, 'en-US', JUNE);
    assert.equal(list[0]!.zone, 'America/Los_Angeles');
    assert.deepEqual(zones(list.slice(1)).sort(), COMMON_ZONES.americas.filter((z) => z !== 'America/Los_Angeles').sort());
    const offsets = list.slice(1).map((l) => Number(l.offset.slice(0, 3)));
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'west to east');
  });

  it('shows a zone that is not in the region\'s list first, and each zone once whatever id it comes by', () => {
    const chatham = zoneShortList('Pacific/Chatham', undefined, 'en-US', JUNE);
    assert.equal(chatham[0]!.zone, 'Pacific/Chatham');
    assert.equal(chatham.length, COMMON_ZONES.apac.length + 1);
    const kolkata = zoneShortList('Asia/Kolkata', undefined, 'en-US', JUNE);
    assert.equal(kolkata[0]!.zone, 'Asia/Kolkata', 'the value the admin has is kept');
    assert.equal(kolkata.filter((l) => l.city === 'Kolkata').length, 1, 'Asia/Calcutta is the same zone');
    assert.equal(kolkata.length, COMMON_ZONES.apac.length);
  });

  it('falls back to the region answered, then to a world list, when the zone is unknown', () => {
    assert.deepEqual(zones(zoneShortList('Mars/Olympus', 'emea', 'en-US', JUNE)).sort(), [...COMMON_ZONES.emea].sort());
    assert.deepEqual(zones(zoneShortList(undefined, undefined, 'en-US', JUNE)).sort(), [...COMMON_ZONES.world].sort());
    assert.ok(zones(zoneShortList('UTC', undefined, 'en-US', JUNE)).includes('Asia/Tokyo'), 'UTC lies in no region: the world list');
  });

  it('keeps every list to a few dozen zones the runtime knows', () => {
    for (const [region, list] of Object.entries(COMMON_ZONES)) {
      assert.ok(list.length >= 10 && list.length <= 30, `${region}: ${list.length} zones`);
      assert.equal(new Set(list).size, list.length, `${region} has duplicates`);
      for (const zone of list) assert.ok(TIME_ZONES.includes(zone) || zone === 'UTC', `${region}: ${zone} is not a runtime id`);
    }
    assert.deepEqual(Object.keys(COMMON_ZONES).sort(), [...REGIONS, 'world'].sort());
  });

  it('labels a zone with its offset at the instant, its current city name and a readable name in the person\'s language', () => {
    assert.deepEqual(zoneLabel('America/Los_Angeles', 'en-US', JUNE), { zone: 'America/Los_Angeles', offset: '-07:00', city: 'Los Angeles', name: 'Pacific Time' });
    assert.equal(zoneLabel('America/Los_Angeles', 'en-US', DECEMBER)?.offset, '-08:00', 'daylight saving time counts');
    assert.deepEqual(zoneLabel('Asia/Calcutta', 'en-US', JUNE), { zone: 'Asia/Calcutta', offset: '+05:30', city: 'Kolkata', name: 'India Standard Time' });
    assert.equal(zoneLabel('Asia/Katmandu', 'en-US', JUNE)?.offset, '+05:45');
    assert.equal(zoneLabel('Asia/Saigon', 'vi-VN', JUNE)?.city, 'Ho Chi Minh');
    assert.equal(zoneLabel('Asia/Tokyo', 'th-TH', JUNE)?.name, 'เวลามาตรฐานญี่ปุ่น');
    assert.equal(zoneLabel('UTC', 'en-US', JUNE)?.name, 'Coordinated Universal Time');
    assert.equal(zoneLabel('Mars/Olympus', 'en-US', JUNE), undefined);
    for (const zone of TIME_ZONES) assert.ok(zoneLabel(zone, 'th-TH', JUNE)!.name !== '', `${zone} has a name`);
  });
});

describe('time zones: the typeahead search', () => {
  const search = (query: string, locale = 'en-US', extra: { skip?: number; top?: number; near?: string } = {}) => zones(searchTimeZones(query, { locale, at: JUNE, ...extra }));

  it('finds a zone by city, by the start of its id, and by its current name', () => {
    assert.deepEqual(search('tokyo'), ['Asia/Tokyo']);
    assert.equal(search('Asia/Kol')[0], 'Asia/Calcutta');
    assert.equal(search('kolkata')[0], 'Asia/Calcutta');
    assert.equal(search('São Paulo')[0], 'America/Sao_Paulo');
    assert.equal(search('new york')[0], 'America/New_York');
    assert.equal(search('kyiv')[0], 'Europe/Kiev');
    assert.equal(search('UTC')[0], 'UTC');
  });

  it('finds zones by UTC offset, with or without "UTC" and minutes', () => {
    for (const query of ['+05:30', 'UTC+05:30', '+5:30', '+0530', 'gmt+05:30']) {
      assert.deepEqual(search(query).sort(), ['Asia/Calcutta', 'Asia/Colombo'], query);
    }
    assert.ok(search('+5').includes('Asia/Katmandu'), '+5 means every +05:xx zone');
    assert.ok(search('-07:00').includes('America/Los_Angeles'), 'the offset at the instant (summer time)');
    assert.ok(!search('-08:00').includes('America/Los_Angeles'));
  });

  it('matches zone names in the person\'s language', () => {
    assert.deepEqual(search('ญี่ปุ่น', 'th-TH'), ['Asia/Tokyo']);
    assert.ok(search('太平洋', 'zh-CN').includes('America/Los_Angeles'));
    assert.ok(search('pacific time').includes('America/Los_Angeles'));
  });

  it('ranks common zones before rare ones that match as well', () => {
    const results = search('america');
    assert.ok(COMMON_ZONES.americas.includes(results[0]!), results[0]);
  });

  it('answers at most 15 zones, paged by skip, and nothing for garbage', () => {
    const first = search('a');
    assert.equal(first.length, MAX_SEARCH_RESULTS);
    assert.equal(search('a', 'en-US', { top: 100 }).length, MAX_SEARCH_RESULTS);
    const second = search('a', 'en-US', { skip: 15 });
    assert.equal(second.length, MAX_SEARCH_RESULTS);
    assert.deepEqual(first.filter((z) => second.includes(z)), [], 'pages do not overlap');
    assert.deepEqual(search('Mars/Olympus'), []);
    assert.deepEqual(search('+15:00'), []);
    assert.deepEqual(search('x'.repeat(5000)), []);
  });

  it('suggests the common zones around the person\'s own zone for an empty query', () => {
    const results = search('  ', 'en-US', { near: 'Asia/Bangkok' });
    assert.equal(results[0], 'Asia/Bangkok');
    assert.ok(results.every((z) => z === 'Asia/Bangkok' || COMMON_ZONES.apac.includes(z)));
    assert.ok(results.length <= MAX_SEARCH_RESULTS);
  });

  it('answers only zones the form accepts', () => {
    for (const query of ['a', 'e', 'o', '+1', '-3', 'time']) for (const zone of search(query)) assert.ok(isTimeZone(zone), zone);
  });

  it('does not fail on a malformed locale', () => {
    assert.deepEqual(search('tokyo', 'not a locale!!'), ['Asia/Tokyo']);
  });
});
