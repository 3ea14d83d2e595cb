import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCenterModel, type CenterModel } from '../../bot/domain/centers';
import type { SupportedLocale } from '../../bot/domain/locale';
import { regionOfCountry, roleForRequest, routeRequest, type RoutingRequest } from '../../bot/domain/routing';
import { regionOfTimeZone, type Region } from '../../bot/domain/timeZones';

const model = parseCenterModel(JSON.parse(readFileSync(join(__dirname, '../../bot/data/centers.json'), 'utf8')));

/** The expected outcome, compactly: "ok <role> <region> <center> <people…>" (+ " fallback") or "fail <reason> <role> <language> <region>". */
function summary(request: RoutingRequest, m: CenterModel = model): string {
  const d = routeRequest(request, m);
  if (d.ok) return `ok ${d.role} ${d.region} ${d.center.id} ${d.people.map((p) => p.id).join(',')}${d.fallback ? ` fallback from ${d.homeRegion ?? 'unknown'}` : ''}`;
  return `fail ${d.reason} ${d.role} ${d.language} ${d.region ?? 'unknown'} servedIn=${d.servedIn.join(',')}`;
}

describe('routing a request', () => {
  const table: [string, RoutingRequest, string][] = [
    // Role: migration → FastTrack Specialist, otherwise FastTrack Center.
    ['migration goes to a FastTrack Specialist', { dataMigration: true, language: 'en-US', region: 'americas' }, 'ok specialist americas americas-redmond ft-amer-001,ft-amer-002,ft-amer-003,ft-amer-004'],
    ['no migration goes to the FastTrack Center', { dataMigration: false, language: 'en-US', region: 'americas' }, 'ok center americas americas-redmond ft-amer-005,ft-amer-006,ft-amer-007,ft-amer-008,ft-amer-009'],
    // Language match.
    ['French migration in EMEA', { dataMigration: true, language: 'fr-FR', region: 'emea' }, 'ok specialist emea emea-dublin ft-emea-002'],
    ['German onboarding in EMEA', { dataMigration: false, language: 'de-DE', region: 'emea' }, 'ok center emea emea-dublin ft-emea-008'],
    ['Traditional Chinese migration in APAC', { dataMigration: true, language: 'zh-TW', region: 'apac' }, 'ok specialist apac apac-shanghai ft-apac-003'],
    ['Simplified Chinese migration in APAC: both Shanghai specialists, Shanghai first in the file', { dataMigration: true, language: 'zh-CN', region: 'apac' }, 'ok specialist apac apac-shanghai ft-apac-001,ft-apac-003'],
    ['Portuguese migration in the Americas: São Paulo (Redmond has nobody)', { dataMigration: true, language: 'pt-BR', region: 'americas' }, 'ok specialist americas americas-sao-paulo ft-amer-010,ft-amer-011'],
    ['Thai onboarding in the Americas: the FastTrack Center speaks it', { dataMigration: false, language: 'th-TH', region: 'americas' }, 'ok center americas americas-redmond ft-amer-009'],
    // Region: the time zone's region wins over the country; the country when no zone.
    ['region from the time zone, not the country', { dataMigration: true, language: 'en-US', region: 'apac', countryLetterCode: 'US' }, 'ok specialist apac apac-shanghai ft-apac-001'],
    ['region from the country when no time zone', { dataMigration: true, language: 'es-ES', countryLetterCode: 'BR' }, 'ok specialist americas americas-redmond ft-amer-002'],
    ['country code in lower case', { dataMigration: false, language: 'it-IT', countryLetterCode: 'it' }, 'ok center emea emea-dublin ft-emea-009'],
    // The deliberate gap: th-TH is served in the Americas (FastTrack Center) but no Specialist speaks it → no fallback.
    ['the gap: Thai migration in the Americas', { dataMigration: true, language: 'th-TH', region: 'americas' }, 'fail noLanguageCoverage specialist th-TH americas servedIn=apac'],
    ['the gap, region from the country', { dataMigration: true, language: 'th-TH', countryLetterCode: 'US' }, 'fail noLanguageCoverage specialist th-TH americas servedIn=apac'],
    // Fallback only when the home region does not serve the language at all.
    ['German from the Americas falls back to EMEA', { dataMigration: false, language: 'de-DE', region: 'americas' }, 'ok center emea emea-dublin ft-emea-008 fallback from americas'],
    ['Japanese from the Americas: EMEA does not serve it, APAC does', { dataMigration: true, language: 'ja-JP', region: 'americas' }, 'ok specialist apac apac-singapore ft-apac-005 fallback from americas'],
    ['Vietnamese from EMEA falls back to APAC', { dataMigration: true, language: 'vi-VN', region: 'emea' }, 'ok specialist apac apac-singapore ft-apac-011 fallback from emea'],
    ['Italian from APAC falls back to EMEA', { dataMigration: true, language: 'it-IT', region: 'apac' }, 'ok specialist emea emea-dublin ft-emea-004 fallback from apac'],
    ['Thai from EMEA falls back to APAC (not to the Americas, which lack Thai Specialists)', { dataMigration: true, language: 'th-TH', region: 'emea' }, 'ok specialist apac apac-singapore ft-apac-009 fallback from emea'],
    ['no region and an unknown country: regions in order', { dataMigration: false, language: 'ko-KR', countryLetterCode: 'XX' }, 'ok center apac apac-singapore ft-apac-008 fallback from unknown'],
    ['no region, no country, English', { dataMigration: true, language: 'en-US' }, 'ok specialist americas americas-redmond ft-amer-001,ft-amer-002,ft-amer-003,ft-amer-004 fallback from unknown'],
  ];
  for (const [name, request, expected] of table) {
    it(name, () => assert.equal(summary(request), expected));
  }

  it('says where the region came from and lists every matching center of the region', () => {
    const d = routeRequest({ dataMigration: true, language: 'en-US', countryLetterCode: 'US' }, model);
    assert.ok(d.ok);
    assert.equal(d.regionSource, 'country');
    assert.equal(d.homeRegion, 'americas');
    assert.equal(d.fallback, false);
    assert.deepEqual(
      d.candidates.map((c) => `${c.center.id}:${c.people.map((p) => p.id).join(',')}`),
      ['americas-redmond:ft-amer-001,ft-amer-002,ft-amer-003,ft-amer-004', 'americas-sao-paulo:ft-amer-010'],
    );
    const z = routeRequest({ dataMigration: true, language: 'en-US', region: regionOfTimeZone('Asia/Calcutta'), countryLetterCode: 'US' }, model);
    assert.ok(z.ok);
    assert.equal(z.regionSource, 'timeZone');
    assert.equal(z.region, 'apac');
    const none = routeRequest({ dataMigration: true, language: 'en-US' }, model);
    assert.equal(none.regionSource, 'none');
  });

  it('names the role, language and region when it fails', () => {
    const d = routeRequest({ dataMigration: true, language: 'th-TH', region: 'americas' }, model);
    assert.deepEqual(d, { ok: false, reason: 'noLanguageCoverage', role: 'specialist', language: 'th-TH', region: 'americas', regionSource: 'timeZone', servedIn: ['apac'] });
  });

  it('every person returned has the role and speaks the language, for every language, role and region', () => {
    for (const language of ['zh-TW', 'zh-CN', 'en-US', 'fr-FR', 'de-DE', 'it-IT', 'ja-JP', 'ko-KR', 'pt-BR', 'es-ES', 'th-TH', 'vi-VN'] as SupportedLocale[]) {
      for (const dataMigration of [true, false]) {
        for (const region of ['americas', 'emea', 'apac'] as Region[]) {
          const d = routeRequest({ dataMigration, language, region }, model);
          if (!d.ok) {
            assert.equal(`${language} ${String(dataMigration)} ${region}`, 'th-TH true americas', 'only the deliberate gap fails');
            continue;
          }
          assert.equal(d.center.region, d.region);
          assert.equal(d.fallback, d.region !== region);
          for (const p of d.people) {
            assert.equal(p.role, roleForRequest(dataMigration));
            assert.ok(p.languages.includes(language));
            assert.equal(p.centerId, d.center.id);
          }
        }
      }
    }
  });

  describe('with small models', () => {
    const berlinOnlyCenter = parseCenterModel({
      centers: [
        { id: 'emea-berlin', name: 'Berlin', region: 'emea', timeZone: 'Europe/Berlin', businessHours: { '1': [{ start: '09:00', end: '17:00' }] }, holidays: [], languages: ['de-DE', 'en-US'] },
        { id: 'apac-tokyo', name: 'Tokyo', region: 'apac', timeZone: 'Asia/Tokyo', businessHours: { '1': [{ start: '09:00', end: '17:00' }] }, holidays: [], languages: ['ja-JP'] },
      ],
      people: [
        { id: 'b1', name: 'Katrin Schmidt', email: 'k@fasttrack.example.com', role: 'center', languages: ['de-DE', 'en-US'], centerId: 'emea-berlin' },
        { id: 't1', name: 'Yuki Sato', email: 'y@fasttrack.example.com', role: 'specialist', languages: ['ja-JP'], centerId: 'apac-tokyo' },
      ],
    });

    it('noRegionCoverage: the home region serves the language but has nobody in the role', () => {
      assert.equal(summary({ dataMigration: true, language: 'de-DE', region: 'emea' }, berlinOnlyCenter), 'fail noRegionCoverage specialist de-DE emea servedIn=');
      assert.equal(summary({ dataMigration: false, language: 'ja-JP', region: 'apac' }, berlinOnlyCenter), 'fail noRegionCoverage center ja-JP apac servedIn=');
    });

    it('noLanguageCoverage when no region serves the language in the role', () => {
      assert.equal(summary({ dataMigration: false, language: 'ko-KR', region: 'apac' }, berlinOnlyCenter), 'fail noLanguageCoverage center ko-KR apac servedIn=');
    });

    it('falls back from a region without any center', () => {
      assert.equal(summary({ dataMigration: false, language: 'en-US', region: 'americas' }, berlinOnlyCenter), 'ok center emea emea-berlin b1 fallback from americas');
      assert.equal(summary({ dataMigration: true, language: 'ja-JP', region: 'americas' }, berlinOnlyCenter), 'ok specialist apac apac-tokyo t1 fallback from americas');
    });
  });
});

describe('regionOfCountry', () => {
  const table: [string | undefined, Region | undefined][] = [
    ['US', 'americas'],
    ['ca', 'americas'],
    ['BR', 'americas'],
    ['MX', 'americas'],
    ['GB', 'emea'],
    ['DE', 'emea'],
    ['AE', 'emea'],
    ['ZA', 'emea'],
    ['CN', 'apac'],
    ['TW', 'apac'],
    ['IN', 'apac'],
    ['NP', 'apac'],
    ['AU', 'apac'],
    ['XX', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [country, region] of table) {
    it(`${String(country)} → ${String(region)}`, () => assert.equal(regionOfCountry(country), region));
  }
});
