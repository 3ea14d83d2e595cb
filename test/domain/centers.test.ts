import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FASTTRACK_ROLES, parseCenterModel, type CenterModel } from '../../bot/domain/centers';
import { DataFileError } from '../../bot/domain/eligibility';
import { SUPPORTED_LOCALES } from '../../bot/domain/locale';
import { REGIONS, regionOfTimeZone } from '../../bot/domain/timeZones';

const shipped: unknown = JSON.parse(readFileSync(join(__dirname, '../../bot/data/centers.json'), 'utf8'));

describe('FastTrack Center model (centers.json)', () => {
  let model: CenterModel;
  before(() => {
    model = parseCenterModel(shipped);
  });

  it('the shipped centers.json parses', () => {
    assert.deepEqual(
      model.centers.map((c) => `${c.id} ${c.region} ${c.timeZone}`),
      [
        'americas-redmond americas America/Los_Angeles',
        'americas-sao-paulo americas America/Sao_Paulo',
        'emea-dublin emea Europe/Dublin',
        'apac-shanghai apac Asia/Shanghai',
        'apac-singapore apac Asia/Singapore',
        'apac-hyderabad apac Asia/Calcutta',
      ],
    );
    assert.equal(model.people.length, 39);
  });

  it('serves every one of the 12 languages somewhere, with both roles', () => {
    for (const language of SUPPORTED_LOCALES) {
      assert.ok(
        model.centers.some((c) => c.languages.includes(language)),
        `${language} is served by no center`,
      );
      for (const role of FASTTRACK_ROLES) {
        assert.ok(
          model.people.some((p) => p.role === role && p.languages.includes(language)),
          `nobody of role ${role} speaks ${language}`,
        );
      }
    }
  });

  it('has one deliberate gap: no FastTrack Specialist speaks th-TH in the Americas, where th-TH is served', () => {
    const gaps: string[] = [];
    for (const region of REGIONS) {
      const centers = model.centers.filter((c) => c.region === region);
      const ids = new Set(centers.map((c) => c.id));
      const served = new Set(centers.flatMap((c) => c.languages));
      for (const language of served) {
        for (const role of FASTTRACK_ROLES) {
          if (!model.people.some((p) => ids.has(p.centerId) && p.role === role && p.languages.includes(language))) gaps.push(`${region} ${language} ${role}`);
        }
      }
    }
    assert.deepEqual(gaps, ['americas th-TH specialist']);
  });

  it('normalises: every weekday present (closed days empty), ranges sorted, holidays for 2026 and 2027', () => {
    for (const c of model.centers) {
      assert.deepEqual(Object.keys(c.businessHours), ['1', '2', '3', '4', '5', '6', '7']);
      assert.deepEqual(c.businessHours[6], []);
      assert.deepEqual(c.businessHours[7], []);
      assert.equal(regionOfTimeZone(c.timeZone), c.region);
      assert.deepEqual([...c.holidays].sort(), c.holidays);
      assert.ok(c.holidays.some((h) => h.startsWith('2026-')) && c.holidays.some((h) => h.startsWith('2027-')), `${c.id} lists holidays of 2026 and 2027`);
    }
    const shanghai = model.centers.find((c) => c.id === 'apac-shanghai')!;
    assert.deepEqual(shanghai.businessHours[1], [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ]);
  });

  it('gives people stable ids and example.com e-mails', () => {
    for (const p of model.people) {
      assert.match(p.id, /^ft-(amer|emea|apac)-\d{3}$/);
      assert.match(p.email, /^[a-z.]+@fasttrack\.example\.com$/);
    }
    assert.equal(model.people.find((p) => p.id === 'ft-apac-001')?.email, 'wei.zhang@fasttrack.example.com');
  });

  it('sorts business hours given out of order', () => {
    const json = valid();
    json.centers[0]!.businessHours['1'] = [
      { start: '13:00', end: '17:00' },
      { start: '09:00', end: '12:00' },
    ];
    assert.deepEqual(parseCenterModel(json).centers[0]!.businessHours[1], [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ]);
  });
});

interface CenterJson {
  id: string;
  name: string;
  region: string;
  timeZone: string;
  businessHours: Record<string, { start: string; end: string }[]>;
  holidays: string[];
  languages: string[];
  [key: string]: unknown;
}
interface PersonJson {
  id: string;
  name: string;
  email: string;
  role: string;
  languages: string[];
  centerId: string;
}

/** A small valid file: one center in Berlin, two people. */
function valid(): { centers: CenterJson[]; people: PersonJson[] } {
  return {
    centers: [
      {
        id: 'emea-berlin',
        name: 'FastTrack Center Berlin',
        region: 'emea',
        timeZone: 'Europe/Berlin',
        businessHours: { '1': [{ start: '09:00', end: '17:00' }], '2': [{ start: '09:00', end: '17:00' }] },
        holidays: ['2026-12-25', '2027-01-01'],
        languages: ['de-DE', 'en-US'],
      },
    ],
    people: [
      { id: 'p1', name: 'Jonas Becker', email: 'jonas.becker@fasttrack.example.com', role: 'specialist', languages: ['de-DE', 'en-US'], centerId: 'emea-berlin' },
      { id: 'p2', name: 'Katrin Schmidt', email: 'katrin.schmidt@fasttrack.example.com', role: 'center', languages: ['de-DE'], centerId: 'emea-berlin' },
    ],
  };
}

type Edit = (f: ReturnType<typeof valid>) => void;
const c0 = (f: ReturnType<typeof valid>) => f.centers[0]!;

describe('parseCenterModel errors name the path', () => {
  it('accepts the small valid file', () => {
    assert.equal(parseCenterModel(valid()).people.length, 2);
  });

  const broken: [string, Edit, RegExp][] = [
    ['an unknown centerId', (f) => (f.people[1]!.centerId = 'emea-paris'), /^centers\.json: people\[1\]\.centerId "emea-paris" is no center's id \(centers: emea-berlin\)$/],
    ['a person speaking a language the center does not serve', (f) => f.people[0]!.languages.push('fr-FR'), /people\[0\]\.languages\[2\] "fr-FR" is not served by center "emea-berlin"/],
    ['a center language nobody there speaks', (f) => c0(f).languages.push('it-IT'), /centers\[0\]\.languages\[2\] "it-IT" is spoken by none of the center's people/],
    [
      'overlapping hours',
      (f) => c0(f).businessHours['1']!.push({ start: '16:00', end: '18:00' }),
      /centers\[0\]\.businessHours\.1\[1\] \(16:00–18:00\) overlaps centers\[0\]\.businessHours\.1\[0\] \(09:00–17:00\)/,
    ],
    ['inverted hours', (f) => (c0(f).businessHours['2'] = [{ start: '17:00', end: '09:00' }]), /centers\[0\]\.businessHours\.2\[0\] is inverted or empty \(17:00–09:00\)/],
    ['empty hours', (f) => (c0(f).businessHours['2'] = [{ start: '09:00', end: '09:00' }]), /centers\[0\]\.businessHours\.2\[0\] is inverted or empty/],
    ['a time that is not HH:mm', (f) => (c0(f).businessHours['1'] = [{ start: '9:00', end: '17:00' }]), /centers\[0\]\.businessHours\.1\[0\]\.start must be a local time HH:mm/],
    ['an unknown weekday', (f) => (c0(f).businessHours['8'] = []), /centers\[0\]\.businessHours has unknown key "8"/],
    ['no open day', (f) => (c0(f).businessHours = { '6': [] }), /centers\[0\]\.businessHours must open on at least one weekday/],
    ['an invalid time zone', (f) => (c0(f).timeZone = 'Mars/Olympus_Mons'), /centers\[0\]\.timeZone "Mars\/Olympus_Mons" is not an IANA time zone/],
    ['a zone outside the region', (f) => (c0(f).timeZone = 'Asia/Tokyo'), /centers\[0\]\.timeZone "Asia\/Tokyo" lies in apac, not in the center's region emea/],
    ['a zone in no region', (f) => (c0(f).timeZone = 'Etc/GMT-1'), /centers\[0\]\.timeZone "Etc\/GMT-1" lies in no region/],
    ['an unknown region', (f) => (c0(f).region = 'europe'), /centers\[0\]\.region must be one of "americas", "emea", "apac"/],
    ['a duplicate person id', (f) => (f.people[1]!.id = 'p1'), /people\[1\]\.id "p1" is listed twice \(also at people\[0\]\.id\)/],
    ['a person id equal to a center id', (f) => (f.people[0]!.id = 'emea-berlin'), /people\[0\]\.id "emea-berlin" is listed twice \(also at centers\[0\]\.id\)/],
    ['a duplicate e-mail (any case)', (f) => (f.people[1]!.email = 'Jonas.Becker@FastTrack.example.com'), /people\[1\]\.email "Jonas\.Becker@FastTrack\.example\.com" is listed twice \(also at people\[0\]\.email\)/],
    ['an invalid e-mail', (f) => (f.people[0]!.email = 'jonas'), /people\[0\]\.email must be an e-mail address/],
    ['an unknown role', (f) => (f.people[0]!.role = 'manager'), /people\[0\]\.role must be one of "specialist", "center"/],
    ['an unsupported language', (f) => (f.people[0]!.languages = ['en-GB']), /people\[0\]\.languages\[0\] must be one of "en-US"/],
    ['a person with no language', (f) => (f.people[0]!.languages = []), /people\[0\]\.languages must list at least 1/],
    ['a language listed twice', (f) => f.people[0]!.languages.push('de-DE'), /people\[0\]\.languages\[2\] "de-DE" is listed twice/],
    ['a holiday that is no calendar date', (f) => (c0(f).holidays = ['2026-02-30']), /centers\[0\]\.holidays\[0\] is not a calendar date/],
    ['a holiday not YYYY-MM-DD', (f) => (c0(f).holidays = ['25/12/2026']), /centers\[0\]\.holidays\[0\] must be a date YYYY-MM-DD/],
    ['a holiday listed twice', (f) => c0(f).holidays.push('2026-12-25'), /centers\[0\]\.holidays\[2\] "2026-12-25" is listed twice/],
    ['an unknown key', (f) => (c0(f).openOnSundays = true), /centers\[0\] has unknown key "openOnSundays"/],
    ['a missing field', (f) => delete (c0(f) as Partial<CenterJson>).timeZone, /centers\[0\]\.timeZone is required/],
    ['an id with spaces', (f) => (c0(f).id = 'emea berlin'), /centers\[0\]\.id must be an id/],
  ];
  for (const [what, edit, message] of broken) {
    it(`rejects ${what}`, () => {
      const json = valid();
      edit(json);
      assert.throws(
        () => parseCenterModel(json),
        (e: unknown) => e instanceof DataFileError && message.test(e.message),
      );
    });
  }

  it('rejects a file that is not an object', () => {
    assert.throws(
      () => parseCenterModel([]),
      (e: unknown) => e instanceof DataFileError && e.message === 'centers.json: the file must be an object',
    );
  });

  it('reports every cross-check problem at once, one a line', () => {
    const json = valid();
    json.people[1]!.centerId = 'nowhere';
    c0(json).businessHours['2'] = [{ start: '12:00', end: '10:00' }];
    let error: unknown;
    try {
      parseCenterModel(json);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof DataFileError);
    assert.deepEqual(
      error.problems.map((p) => p.path),
      ['centers[0].businessHours.2[0]', 'people[1].centerId'],
    );
    assert.equal(error.message.split('\n').length, 2);
  });
});
