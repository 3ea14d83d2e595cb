import { findIana } from 'windows-iana';

/** IANA time zones this runtime knows (ICU's ids, e.g. Asia/Calcutta rather than Asia/Kolkata). */
export const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');
const KNOWN = new Set(TIME_ZONES);

/** True when the value is an IANA time zone the runtime can compute with. */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  if (KNOWN.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The IANA zone for a mailbox time zone: Graph reports Windows names by default
 * ("Pacific Standard Time"), sometimes IANA ids already. Undefined when unknown.
 */
export function toIanaTimeZone(name: string | undefined): string | undefined {
  if (!name) return undefined;
  if (KNOWN.has(name)) return name;
  const candidates = findIana(name) ?? [];
  return candidates.find((z) => KNOWN.has(z)) ?? candidates.find((z) => isTimeZone(z));
}

/** The calendar date (YYYY-MM-DD) of an instant in an IANA zone; throws on an unknown zone. */
export function dateIn(zone: string, instant: Date): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** FastTrack Center regions. */
export const REGIONS = ['americas', 'emea', 'apac'] as const;
export type Region = (typeof REGIONS)[number];

/** The region a time zone lies in, by its IANA area; undefined for UTC-like zones. */
export function regionOfTimeZone(zone: string | undefined): Region | undefined {
  const area = zone?.split('/')[0];
  switch (area) {
    case 'America':
    case 'US':
    case 'Canada':
    case 'Brazil':
    case 'Chile':
    case 'Mexico':
      return 'americas';
    case 'Europe':
    case 'Africa':
    case 'Atlantic':
      return 'emea';
    case 'Asia':
    case 'Australia':
    case 'Pacific':
    case 'Indian':
      return 'apac';
    default:
      return undefined;
  }
}

/** The UTC offset of a zone at an instant, as "+05:45" (for labels; DST-aware). */
export function utcOffset(zone: string, at: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = part?.replace('GMT', '') ?? '';
  return offset === '' ? '+00:00' : offset;
}

/**
 * Current IANA names of the legacy ids ICU still reports (Asia/Calcutta is Asia/Kolkata today).
 * Only for what is shown and matched: the zone's value stays the runtime's id.
 */
const CURRENT_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/**
 * The zones most admins of a region live in, for the form's short list (a few dozen at most:
 * every other zone is one typeahead search away). `world` serves an admin whose region is unknown.
 * Runtime ids (see TIME_ZONES), shown by their current names.
 */
export const COMMON_ZONES: Readonly<Record<Region | 'world', readonly string[]>> = {
  americas: [
    'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/Vancouver', 'America/Phoenix', 'America/Denver',
    'America/Edmonton', 'America/Chicago', 'America/Mexico_City', 'America/Guatemala', 'America/New_York', 'America/Toronto',
    'America/Bogota', 'America/Lima', 'America/Panama', 'America/Caracas', 'America/Halifax', 'America/Santiago',
    'America/St_Johns', 'America/Sao_Paulo', 'America/Buenos_Aires', 'America/Montevideo',
  ],
  emea: [
    'Atlantic/Azores', 'Europe/London', 'Europe/Dublin', 'Europe/Lisbon', 'Africa/Casablanca', 'Africa/Lagos', 'Europe/Paris',
    'Europe/Berlin', 'Europe/Madrid', 'Europe/Rome', 'Europe/Amsterdam', 'Europe/Brussels', 'Europe/Zurich', 'Europe/Stockholm',
    'Europe/Warsaw', 'Africa/Johannesburg', 'Africa/Cairo', 'Europe/Athens', 'Europe/Helsinki', 'Europe/Kiev', 'Asia/Jerusalem',
    'Europe/Istanbul', 'Europe/Moscow', 'Asia/Riyadh', 'Africa/Nairobi', 'Asia/Dubai',
  ],
  apac: [
    'Asia/Karachi', 'Asia/Calcutta', 'Asia/Colombo', 'Asia/Katmandu', 'Asia/Dhaka', 'Asia/Rangoon', 'Asia/Bangkok', 'Asia/Saigon',
    'Asia/Jakarta', 'Asia/Kuala_Lumpur', 'Asia/Singapore', 'Asia/Manila', 'Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei',
    'Australia/Perth', 'Asia/Seoul', 'Asia/Tokyo', 'Australia/Darwin', 'Australia/Adelaide', 'Australia/Brisbane',
    'Australia/Sydney', 'Pacific/Auckland',
  ],
  world: [
    'UTC', 'America/Los_Angeles', 'America/Chicago', 'America/New_York', 'America/Sao_Paulo', 'Europe/London', 'Europe/Paris',
    'Africa/Johannesburg', 'Asia/Dubai', 'Asia/Calcutta', 'Asia/Singapore', 'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Sydney',
  ],
};
const COMMON = new Set(Object.values(COMMON_ZONES).flat());

/** At most this many zones in one search answer (Teams shows no more than 15 typeahead options). */
export const MAX_SEARCH_RESULTS = 15;

/** A zone as a person picks it: its UTC offset now, its city and its name in their language. */
export interface ZoneLabel {
  /** The value to submit: the runtime's id (e.g. Asia/Calcutta). */
  zone: string;
  /** "+05:30", at the instant asked. */
  offset: string;
  /** "Kolkata", from the zone's current IANA name; the id itself for zones without a city (UTC). */
  city: string;
  /** "India Standard Time", "เวลาอินเดีย": the zone's generic name in the locale (its id where ICU has none). */
  name: string;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const nameCache = new Map<string, string>();

/** A BCP-47 tag Intl can format with (en-US when the tag is malformed). */
function usableLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en-US';
  } catch {
    return 'en-US';
  }
}

/** The zone's id as a runtime id: Asia/Kolkata → Asia/Calcutta, asia/tokyo → Asia/Tokyo (throws on an unknown zone). */
function runtimeId(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

/** The offset of a zone at an instant, as utcOffset does, with the formatter kept (searches format every zone). */
function offsetAt(zone: string, at: Date): string {
  let format = offsetFormats.get(zone);
  if (!format) offsetFormats.set(zone, (format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })));
  const part = format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const offset = part?.replace('GMT', '') ?? '';
  return offset === '' ? '+00:00' : offset;
}

/** The zone's generic name in a locale ("Pacific Time"); its long name where ICU has no generic one (UTC). */
function zoneName(zone: string, locale: string, at: Date): string {
  const key = `${locale}|${zone}`;
  const cached = nameCache.get(key);
  if (cached !== undefined) return cached;
  const named = (style: 'longGeneric' | 'long') =>
    new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: style }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  let name = named('longGeneric');
  // ICU falls back to "GMT+05:00" when it has no name: the offset is shown anyway.
  if (/^GMT([+\-−]|$)/.test(name)) name = named('long');
  if (/^GMT([+\-−]|$)/.test(name)) name = currentZoneName(zone);
  // Bounded: a few locales × every zone in practice.
  if (nameCache.size > 50_000) nameCache.clear();
  nameCache.set(key, name);
  return name;
}

/** The name a zone is shown and matched by: its current IANA id. */
export function currentZoneName(zone: string): string {
  return CURRENT_NAMES[zone] ?? zone;
}

/** How a zone is shown to a person of a locale at an instant; undefined for an unknown zone. */
export function zoneLabel(zone: string, locale: string, at: Date): ZoneLabel | undefined {
  if (!isTimeZone(zone)) return undefined;
  const tag = usableLocale(locale);
  const current = currentZoneName(zone);
  const city = current.includes('/') ? current.slice(current.lastIndexOf('/') + 1).replace(/_/g, ' ') : current;
  return { zone, offset: offsetAt(zone, at), city, name: zoneName(zone, tag, at) };
}

/** "+05:30" → minutes east of UTC, for ordering. */
function offsetMinutes(offset: string): number {
  const m = /^([+\-−])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return 0;
  return (m[1] === '+' ? 1 : -1) * (Number(m[2]) * 60 + Number(m[3]));
}

const byOffset = (a: ZoneLabel, b: ZoneLabel) => offsetMinutes(a.offset) - offsetMinutes(b.offset) || a.city.localeCompare(b.city);

/**
 * The form's short list of zones: the prefilled zone first, then the common zones of the region
 * (of the prefilled zone, else the region given, else the world's), west to east at the instant.
 * Each zone once, whatever id it is given by (Asia/Kolkata and Asia/Calcutta are one zone).
 */
export function zoneShortList(prefilled: string | undefined, region: Region | undefined, locale: string, at: Date): ZoneLabel[] {
  const first = prefilled ? zoneLabel(prefilled, locale, at) : undefined;
  const area = regionOfTimeZone(first?.zone) ?? region ?? 'world';
  const seen = new Set(first ? [runtimeId(first.zone)] : []);
  const rest = COMMON_ZONES[area]
    .filter((zone) => !seen.has(runtimeId(zone)))
    .map((zone) => zoneLabel(zone, locale, at))
    .filter((label): label is ZoneLabel => label !== undefined)
    .sort(byOffset);
  return first ? [first, ...rest] : rest;
}

/** Lower case, no accents, separators as spaces: "Asia/Ho_Chi_Minh" → "asia ho chi minh", "São Paulo" → "sao paulo". */
function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s/_\-,.()·]+/g, ' ')
    .trim();
}

/** "+05:30", "UTC+5:30", "gmt-8", "+0545", "−03" → sign, hours and minutes (minutes undefined when not typed). */
function parseOffsetQuery(query: string): { sign: '+' | '-'; hours: number; minutes: number | undefined } | undefined {
  const m = /^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(query.trim());
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? undefined : Number(m[3]);
  if (hours > 14 || (minutes !== undefined && minutes > 59)) return undefined;
  return { sign: m[1] === '+' ? '+' : '-', hours, minutes };
}

/** Every zone a search runs over: the runtime's zones and UTC. */
const SEARCHABLE: readonly string[] = [...TIME_ZONES, ...(KNOWN.has('UTC') ? [] : ['UTC'])];

/**
 * The zones matching what a person typed in the form's time zone typeahead: by zone id
 * ("Asia/Kol"), city ("tokyo", "sao paulo"), name in their language ("Pacific", "ญี่ปุ่น") or UTC
 * offset ("+05:30", "UTC-8"). Best matches first (exact, then starts-with, then contains; common
 * zones before rare ones), `skip` then at most `top` (≤ 15). An empty query lists the common zones
 * around `near` (the person's own zone, when known).
 */
export function searchTimeZones(query: string, options: { locale: string; at: Date; skip?: number; top?: number; near?: string }): ZoneLabel[] {
  const top = Math.min(Math.max(Math.trunc(options.top ?? MAX_SEARCH_RESULTS), 0), MAX_SEARCH_RESULTS);
  const skip = Math.max(Math.trunc(options.skip ?? 0), 0);
  const trimmed = query.trim().slice(0, 100);
  if (trimmed === '') {
    const near = options.near && isTimeZone(options.near) ? options.near : undefined;
    return zoneShortList(near, undefined, options.locale, options.at).slice(skip, skip + top);
  }
  const offsetQuery = parseOffsetQuery(trimmed);
  const q = normalize(trimmed);
  const ranked: { label: ZoneLabel; rank: number }[] = [];
  for (const zone of SEARCHABLE) {
    const label = zoneLabel(zone, options.locale, options.at);
    if (!label) continue;
    let rank = Number.POSITIVE_INFINITY;
    if (offsetQuery) {
      const [hours, minutes] = label.offset.slice(1).split(':').map(Number);
      const sign = label.offset.startsWith('+') ? '+' : '-';
      if (sign === offsetQuery.sign && hours === offsetQuery.hours && (offsetQuery.minutes === undefined || minutes === offsetQuery.minutes)) rank = 4;
    } else if (q !== '') {
      const ids = [zone, currentZoneName(zone)].map(normalize);
      const city = normalize(label.city);
      const name = normalize(label.name);
      if (ids.includes(q) || city === q) rank = 0;
      else if (city.startsWith(q) || ids.some((id) => id.split(' ').some((_, i, words) => words.slice(i).join(' ').startsWith(q)))) rank = 1;
      else if (ids.some((id) => id.includes(q)) || city.includes(q)) rank = 2;
      else if (name.includes(q)) rank = 3;
    }
    if (rank !== Number.POSITIVE_INFINITY) ranked.push({ label, rank: rank * 2 + (COMMON.has(zone) ? 0 : 1) });
  }
  ranked.sort((a, b) => a.rank - b.rank || byOffset(a.label, b.label));
  return ranked.slice(skip, skip + top).map((r) => r.label);
}
