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

  // activity.locale is untrusted: whatever arrives, the answer is a supported tag, never an error.
  const untrusted: [string, unknown][] = [
    ['garbage', 'garbage!!'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['toString', 'toString'],
    ['300 characters', 'x'.repeat(300)],
    ['a long tag that starts like French', `fr-${'x'.repeat(300)}`],
    ['whitespace', '   '],
    ['a number', 42],
    ['an object', { toString: () => 'fr-FR' }],
    ['an array', ['fr-FR']],
    ['null', null],
  ];
  for (const [what, tag] of untrusted) {
    it(`maps ${what} to en-US without throwing`, () => assert.equal(resolveLocale(tag), 'en-US'));
  }

  it('gives only tags that Intl accepts', () => {
    for (const [, tag] of untrusted) assert.doesNotThrow(() => new Intl.DateTimeFormat(resolveLocale(tag)).format(0));
  });

  it('falls back to en-US when the closest language has no table yet', () => {
    assert.equal(resolveLocale('fr-FR', ['en-US', 'zh-CN']), 'en-US');
    assert.equal(resolveLocale('zh', ['en-US', 'zh-CN']), 'zh-CN');
  });

  it('serves the twelve FastTrack Center languages', () => {
    assert.equal(SUPPORTED_LOCALES.length, 12);
  });
});
