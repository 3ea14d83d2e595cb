/**
 * Calendar arithmetic of the local tenant: time zones (Windows or IANA names, as Graph takes
 * them), Graph's `dateTimeTimeZone`, expanding a series into occurrences, and free/busy
 * (`getSchedule`'s schedule items and availabilityView). No HTTP here.
 */
import { createHash } from 'node:crypto';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { DateTime } from 'luxon';
import { findIana } from 'windows-iana';
import type { FreeBusyStatus, SeedEvent, SeedTenant, SeedUser } from './seed';

/** Day names in ISO order: DAYS[isoWeekday - 1]. */
export const DAYS: readonly MicrosoftGraph.DayOfWeek[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const FREE_BUSY_STATUSES: readonly FreeBusyStatus[] = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'];

/**
 * availabilityView digits: 0 free, 1 tentative, 2 busy, 3 away (oof). Working elsewhere is 0 too:
 * Graph keeps it at 0 rather than 4 for backward compatibility.
 */
const DIGIT: Record<FreeBusyStatus, string> = { free: '0', tentative: '1', busy: '2', oof: '3', workingElsewhere: '0', unknown: '0' };
/** Which status wins when several overlap a slot: away over busy over tentative over free. */
const RANK: Record<FreeBusyStatus, number> = { unknown: 0, free: 0, workingElsewhere: 0, tentative: 1, busy: 2, oof: 3 };

const KNOWN_ZONES = new Set(Intl.supportedValuesOf('timeZone'));
const UTC_NAMES = /^(utc|etc\/utc|z|zulu|coordinated universal time|tzone:\/\/microsoft\/utc)$/i;
/** Longest a series is walked day by day (about ten years). */
const MAX_SERIES_DAYS = 3660;

/** The IANA zone for a time zone name Graph accepts (Windows, IANA or UTC); undefined when unknown. */
export function ianaZone(name: string | null | undefined): string | undefined {
  if (typeof name !== 'string') return undefined;
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 100) return undefined;
  if (UTC_NAMES.test(trimmed)) return 'UTC';
  if (KNOWN_ZONES.has(trimmed)) return trimmed;
  const candidates = findIana(trimmed) ?? [];
  return candidates.find((z) => KNOWN_ZONES.has(z)) ?? candidates.find((z) => DateTime.now().setZone(z).isValid);
}

/** Graph's `dateTimeTimeZone` for an instant, in a zone given by any name `ianaZone` knows (UTC otherwise). */
export function graphDateTime(ms: number, zoneName: string): MicrosoftGraph.DateTimeTimeZone {
  const zone = ianaZone(zoneName) ?? 'UTC';
  // Graph writes seven fractional digits, local to the zone, without an offset.
  return { dateTime: `${DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}0000`, timeZone: zoneName };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** Reads a `dateTimeTimeZone` from a request body: the instant and the zone name as given. */
export function parseGraphDateTime(value: unknown, field: string): Parsed<{ ms: number; timeZone: string }> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'ErrorInvalidRequest', message: `${field} must be a dateTimeTimeZone object: { "dateTime": "...", "timeZone": "..." }.` };
  }
  const { dateTime, timeZone } = value as { dateTime?: unknown; timeZone?: unknown };
  if (typeof dateTime !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$/.test(dateTime)) {
    return { ok: false, code: 'ErrorInvalidRequest', message: `${field}.dateTime must be an ISO 8601 date and time, e.g. 2025-06-02T16:00:00.` };
  }
  const zoneName = timeZone === undefined || timeZone === null ? 'UTC' : timeZone;
  const zone = typeof zoneName === 'string' ? ianaZone(zoneName) : undefined;
  if (typeof zoneName !== 'string' || !zone) {
    return {
      ok: false,
      code: 'TimeZoneNotSupportedException',
      message: `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${String(zoneName)}'.`,
    };
  }
  // Seven fractional digits are more than luxon reads; milliseconds are all Graph keeps anyway.
  const trimmed = dateTime.replace(/(\.\d{3})\d+/, '$1');
  const parsed = DateTime.fromISO(trimmed, { zone });
  if (!parsed.isValid) return { ok: false, code: 'ErrorInvalidRequest', message: `${field}.dateTime '${dateTime}' is not a valid date and time.` };
  return { ok: true, value: { ms: parsed.toMillis(), timeZone: zoneName } };
}

/** The zone of a `Prefer: outlook.timezone="…"` header, when it names a zone the local tenant knows. */
export function preferredTimeZone(prefer: string | undefined): string | undefined {
  const match = prefer ? /outlook\.timezone\s*=\s*"([^"]*)"/i.exec(prefer) : null;
  const name = match?.[1]?.trim();
  return name && ianaZone(name) ? name : undefined;
}

/** True when a `Prefer` header asks for immutable ids (the local tenant's ids never change anyway). */
export function prefersImmutableIds(prefer: string | undefined): boolean {
  return prefer !== undefined && /IdType\s*=\s*"ImmutableId"/i.test(prefer);
}

/** A Graph-looking event id (`AAMkA…AAA=`), stable for the same parts; it holds '-' and '_' as real ones do. */
export function eventId(...parts: string[]): string {
  return `AAMkA${createHash('sha256').update(parts.join('/')).digest('base64url')}AAA=`;
}

/** The shape of the local tenant's event ids; other ids are malformed (Graph: 400 ErrorInvalidIdMalformed). */
export const EVENT_ID = /^AAMkA[A-Za-z0-9_-]{20,200}=*$/;

/** A Teams join URL in the real format, for the meeting of an event. */
export function teamsJoinUrl(tenantId: string, organizerId: string, id: string): string {
  const thread = createHash('sha256').update(`meeting/${id}`).digest('base64url').slice(0, 40);
  const context = encodeURIComponent(JSON.stringify({ Tid: tenantId, Oid: organizerId })).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${thread}%40thread.v2/0?context=${context}`;
}

/** Outlook on the web's link to an event. */
export function outlookWebLink(id: string): string {
  return `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`;
}

export interface Occurrence {
  start: number;
  end: number;
  isRecurring: boolean;
}

/**
 * The occurrences of an event that overlap [from, to) (epoch ms), oldest first. A series repeats
 * the first occurrence's local time of day in its recurrence time zone, so it follows daylight saving.
 */
export function occurrencesOf(event: SeedEvent, from: number, to: number): Occurrence[] {
  const start = Date.parse(event.start);
  const duration = Math.max(0, Date.parse(event.end) - start);
  const overlaps = (s: number): boolean => s < to && (s + duration > from || (duration === 0 && s >= from));
  if (!event.recurrence) return overlaps(start) ? [{ start, end: start + duration, isRecurring: false }] : [];

  const { pattern, range } = event.recurrence;
  const zone = ianaZone(range.recurrenceTimeZone) ?? ianaZone(event.timeZone) ?? 'UTC';
  const first = DateTime.fromMillis(start, { zone });
  const startDate = DateTime.fromISO(range.startDate, { zone }).startOf('day');
  if (!startDate.isValid) return [];
  const lastDate = range.type === 'endDate' && range.endDate ? DateTime.fromISO(range.endDate, { zone }).startOf('day') : undefined;
  const days = new Set(pattern.daysOfWeek.map((d) => DAYS.indexOf(d) + 1));
  const weekStartOffset = (startDate.weekday - (DAYS.indexOf(pattern.firstDayOfWeek) + 1) + 7) % 7;
  const firstWeekStart = startDate.minus({ days: weekStartOffset });

  const out: Occurrence[] = [];
  let count = 0;
  let date = startDate;
  for (let i = 0; i < MAX_SERIES_DAYS; i++, date = date.plus({ days: 1 })) {
    if (lastDate && date > lastDate) break;
    const matches =
      pattern.type === 'daily'
        ? i % pattern.interval === 0
        : days.has(date.weekday) && Math.floor(Math.round(date.diff(firstWeekStart, 'days').days) / 7) % pattern.interval === 0;
    if (!matches) continue;
    count += 1;
    const s = date.set({ hour: first.hour, minute: first.minute, second: first.second, millisecond: first.millisecond }).toMillis();
    if (s >= to) break;
    if (overlaps(s)) out.push({ start: s, end: s + duration, isRecurring: true });
    if (range.type === 'numbered' && count >= range.numberOfOccurrences) break;
  }
  return out;
}

/** A mailbox of the tenant by SMTP address (its mail, or its UPN, which Exchange also routes). */
export function userBySmtpAddress(tenant: SeedTenant, address: string): SeedUser | undefined {
  const key = address.trim().toLowerCase();
  return tenant.users.find((u) => u.mail?.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
}

function isAddressOf(user: SeedUser, address: string): boolean {
  const key = address.toLowerCase();
  return user.mail?.toLowerCase() === key || user.userPrincipalName.toLowerCase() === key;
}

export interface ScheduleItem {
  status: FreeBusyStatus;
  start: number;
  end: number;
  subject: string;
  location: string | null;
  isPrivate: boolean;
}

/**
 * What a mailbox's free/busy shows in [from, to): its own events, and the meetings other users of
 * the tenant invited it to (tentative until answered, as Exchange puts an invitation in the calendar).
 */
export function scheduleItemsOf(tenant: SeedTenant, user: SeedUser, from: number, to: number): ScheduleItem[] {
  const items: ScheduleItem[] = [];
  const add = (e: SeedEvent, status: FreeBusyStatus): void => {
    for (const o of occurrencesOf(e, from, to)) {
      items.push({
        status,
        start: o.start,
        end: o.end,
        subject: e.subject,
        location: e.location,
        isPrivate: e.sensitivity === 'private' || e.sensitivity === 'confidential',
      });
    }
  };
  for (const e of user.events ?? []) add(e, e.showAs);
  for (const organizer of tenant.users) {
    if (organizer === user) continue;
    for (const e of organizer.events ?? []) {
      if (!e.attendees.some((a) => isAddressOf(user, a.address))) continue;
      add(e, e.showAs === 'free' ? 'free' : 'tentative');
    }
  }
  return items.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** One digit per `intervalMinutes` slot of [from, to): the strongest status of the items overlapping it. */
export function availabilityView(items: readonly ScheduleItem[], from: number, to: number, intervalMinutes: number): string {
  const step = intervalMinutes * 60_000;
  const slots = Math.ceil((to - from) / step);
  let view = '';
  for (let i = 0; i < slots; i++) {
    const s = from + i * step;
    const e = Math.min(s + step, to);
    let best: FreeBusyStatus = 'free';
    for (const item of items) {
      if (item.start < e && item.end > s && RANK[item.status] > RANK[best]) best = item.status;
    }
    view += DIGIT[best];
  }
  return view;
}
