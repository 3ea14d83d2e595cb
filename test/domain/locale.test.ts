import assert from 'node:assert/strict';
import { resolveLocale, SUPPORTED_LOCALES } from '../../bot/domain/locale';

describe('locale resolution', () => {
  const cases: [string | undefined, string][] = [
    ['en-US', 'en-US'],
    ['zh-CN', 'zh-CN'],
    ['zh-cn', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['zh-HK', 'zh-TW'],
    ['zh-Hant', 'zh-TW'],
    ['fr-CA', 'fr-FR'],
    ['pt-PT', 'pt-BR'],
    ['es-MX', 'es-ES'],
    ['en-GB', 'en-US'],
    ['ja', 'ja-JP'],
    ['nl-NL', 'en-US'],
    ['', 'en-US'],
    [undefined, 'en-US'],
    ['de_DE', 'de-DE'],
  ];
  for (const [tag, expected] of cases) {
    it(`maps ${JSON.stringify(tag)} to ${expected}`, () => assert.equal(resolveLocale(tag), expected));
  }

  it('falls back to en-US when the closest language has no table yet', () => {
    assert.equal(resolveLocale('fr-FR', ['en-US', 'zh-CN']), 'en-US');
    assert.equal(resolveLocale('zh', ['en-US', 'zh-CN']), 'zh-CN');
  });

  it('serves the twelve FastTrack Center languages', () => {
    assert.equal(SUPPORTED_LOCALES.length, 12);
  });
});
