/** The 12 languages the FastTrack Center serves, as the BCP-47 tags the bot uses. */
export const SUPPORTED_LOCALES = ['en-US', 'zh-CN', 'zh-TW', 'fr-FR', 'de-DE', 'it-IT', 'ja-JP', 'ko-KR', 'pt-BR', 'es-ES', 'th-TH', 'vi-VN'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: SupportedLocale = 'en-US';

// Chinese is chosen by script (or the region that implies it), not by language alone.
const TRADITIONAL = /^zh-(hant|tw|hk|mo)\b/i;

/** Longer than any real BCP-47 tag the bot could match (`zh-Hant-TW-u-ca-...` is about 35). */
const MAX_TAG_LENGTH = 64;

/**
 * The closest supported locale for a tag such as `activity.locale`:
 * exact match, then Chinese by script/region, then the same language, then en-US.
 * Only `available` locales are returned (tables that exist), falling back to en-US.
 *
 * This is the one place where a locale from the wire becomes a locale the bot uses: the tag is
 * untrusted (empty, garbage, `__proto__`, very long, not even a string) and is only compared
 * against the supported list, never handed to Intl or used as an object key. Every Intl call
 * and every string-table lookup takes the result of this function.
 */
export function resolveLocale(tag: unknown, available: readonly string[] = SUPPORTED_LOCALES): SupportedLocale {
  const wanted = typeof tag === 'string' && tag.length <= MAX_TAG_LENGTH ? tag.trim().replace(/_/g, '-') : '';
  const candidates: string[] = [];
  if (wanted) {
    candidates.push(wanted);
    const language = wanted.split('-')[0]!.toLowerCase();
    if (language === 'zh') candidates.push(TRADITIONAL.test(wanted) ? 'zh-TW' : 'zh-CN');
    const sameLanguage = SUPPORTED_LOCALES.find((l) => l.split('-')[0] === language);
    if (sameLanguage) candidates.push(sameLanguage);
  }
  for (const candidate of candidates) {
    const hit = SUPPORTED_LOCALES.find((l) => l.toLowerCase() === candidate.toLowerCase());
    if (hit && available.includes(hit)) return hit;
  }
  return DEFAULT_LOCALE;
}

/** True when the value is one of the 12 supported tags, exactly. */
export function isSupportedLocale(value: unknown): value is SupportedLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}
