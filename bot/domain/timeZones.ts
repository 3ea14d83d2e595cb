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
