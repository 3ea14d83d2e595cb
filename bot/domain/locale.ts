/** The 12 languages the FastTrack Center serves, as the BCP-47 tags the bot uses. */
export const SUPPORTED_LOCALES = ['en-US', 'zh-CN', 'zh-TW', 'fr-FR', 'de-DE', 'it-IT', 'ja-JP', 'ko-KR', 'pt-BR', 'es-ES', 'th-TH', 'vi-VN'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: SupportedLocale = 'en-US';

// Chinese is chosen by script (or the region that implies it), not by language alone.
const TRADITIONAL = /^zh-(hant|tw|hk|mo)\b/i;

/**
 * The closest supported locale for a tag such as `activity.locale`:
 * exact match, then Chinese by script/region, then the same language, then en-US.
 * Only `available` locales are returned (tables that exist), falling back to en-US.
 */
export function resolveLocale(tag: string | undefined | null, available: readonly string[] = SUPPORTED_LOCALES): SupportedLocale {
  const wanted = (tag ?? '').trim().replace(/_/g, '-');
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
