/**
 * Kickoff slot finding: a few 60-minute times at which the admin and a FastTrack person can meet.
 *
 * A slot is valid when all of these hold (half-open intervals: a meeting may start when another ends):
 * - it lies inside one opening range of the center's business hours, in the center's zone, on a day
 *   that is not one of the center's holidays;
 * - it lies inside the admin's working hours, in the working hours' zone (absent: Monday–Friday
 *   09:00–17:00 in the admin's zone);
 * - it overlaps none of the admin's busy intervals, nor the chosen person's;
 * - it lasts exactly `durationMinutes` (60);
 * - it starts no earlier than `notBefore`, when given (checkpoints start after the kickoff ends);
 * - it is on one of the center's business days allowed by the lead time and the horizon (below).
 *
 * **Business days, lead time and horizon** (all in the CENTER's calendar). A business day is a
 * center-local date whose weekday has opening hours and which is not a holiday. The business days
 * *after `now`* are those whose first opening is at or after `now` (so today counts only when the
 * center has not opened yet; a day already begun never counts): B1, B2, … With
 * `leadBusinessDays` = L (1) and `horizonBusinessDays` = H (10), slots are searched on
 * B(L+1) … B(H): B1 … BL are whole business days of lead time, so the first slot is no earlier than
 * the opening of B(L+1), and nothing lies beyond the H-th business day after `now`. H ≤ L finds nothing.
 * Example: `now` = Monday 10:00 at the center (open since 08:00): B1 = Tuesday (lead), so the first
 * possible slot is Wednesday at opening; at Monday 07:00 B1 = Monday and slots start on Tuesday.
 *
 * **Alignment.** Slot starts are aligned to the CENTER's local clock: each start is the opening of
 * one of the center's business-hours ranges plus a whole number of `stepMinutes` (30). With the
 * usual opening times (09:00, 08:30) this is the center's half-hour grid, so the FastTrack person's
 * calendar stays tidy, every admin of a center sees the same grid, and a start is never
 * invented from an odd busy-interval end. Admins in whole- or half-hour zones see :00/:30 starts;
 * admins in quarter-hour zones (Asia/Katmandu +05:45, Australia/Eucla, Pacific/Chatham) see :15/:45,
 * which are valid local times (each slot is still checked against their working hours in full).
 * Every local date and time (center hours, working hours, the admin's midnights) is turned into an
 * instant day by day with the zone's offset AT that instant (luxon's `IANAZone`, see `ZoneClock`),
 * never with a fixed offset, so daylight-saving changes in either zone move the instants, not the
 * local hours. Zones must be IANA ids (convert Graph's Windows names with `toIanaTimeZone` first).
 *
 * **Choosing the slots.** Slots are grouped by the ADMIN's local date of their start. First pass:
 * the earliest valid slot of each admin day, earliest days first, up to `maxSlots` (5). When that
 * gives fewer than `minSlots` (3) — fewer days have room — a second pass adds, to the earliest days
 * first, the day's earliest further valid slot not overlapping one already chosen, until `minSlots`;
 * never more than two per admin day. When even that is short, what exists is returned. Result sorted
 * by start; slots never overlap one another.
 *
 * **Choosing the person.** People are ranked by the number of their busy intervals that overlap
 * the search window (the opening of B(L+1) to the last closing of B(H)) — fewest first, the
 * least-booked — ties by id; each slot goes to the first person
 * of that ranking who is free for the whole slot. Deterministic.
 *
 * **Cost.** Busy intervals are parsed once, sorted and merged per person; a free check is a binary
 * search in one person's merged list, so a search is O(n log n) in the number of busy intervals plus
 * O(candidates × people × log busy) in the worst case, with candidates only on the center's open
 * hours intersected with the admin's free time.
 */
import { DateTime, IANAZone } from 'luxon';
import { isTimeZone } from './timeZones';
import { ISO_WEEKDAYS, minutesOfDay, type FastTrackCenter, type IsoWeekday, type TimeRange } from './centers';
import type { SupportedLocale } from './locale';

/** A busy period: ISO 8601 instants WITH an offset or `Z` (e.g. `2026-03-09T16:00:00Z`). */
export interface Interval {
  start: string;
  end: string;
}

/** A kickoff slot: ISO instants in UTC (`…Z`) and the FastTrack person who would run it. */
export interface Slot {
  start: string;
  end: string;
  personId: string;
}

/** The admin's working hours (Graph `mailboxSettings.workingHours`, days as ISO weekdays 1 = Monday). */
export interface AdminWorkingHours {
  daysOfWeek: number[];
  /** Local `HH:mm`; when `end` ≤ `start` the working day ends the next day (overnight shift). */
  start: string;
  end: string;
  /** IANA zone of the working hours (may differ from the admin's display zone). */
  timeZone: string;
}

export interface SlotSearchInput {
  now: Date;
  center: FastTrackCenter;
  admin: {
    /** IANA zone the admin sees times in; also the zone of the default working hours and of the per-day spread. */
    timeZone: string;
    workingHours?: AdminWorkingHours;
    busy: Interval[];
  };
  /** The matching people (from routing) with their busy intervals. */
  people: { id: string; busy: Interval[] }[];
  durationMinutes?: number;
  /** No slot starts before this instant (checkpoints follow the kickoff). */
  notBefore?: Date;
  leadBusinessDays?: number;
  horizonBusinessDays?: number;
  maxSlots?: number;
  minSlots?: number;
  stepMinutes?: number;
}

export const SLOT_DEFAULTS = {
  durationMinutes: 60,
  leadBusinessDays: 1,
  horizonBusinessDays: 10,
  maxSlots: 5,
  minSlots: 3,
  stepMinutes: 30,
} as const;

/** Working hours assumed when the admin's are unknown: Monday–Friday 09:00–17:00 in the admin's zone. */
export const DEFAULT_WORKING_HOURS = { daysOfWeek: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } as const;

const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** Graph's day names (`"monday"`, any case) → ISO weekday; undefined for anything else. */
export function isoWeekday(name: string): IsoWeekday | undefined {
  const i = WEEKDAY_NAMES.indexOf(name.toLowerCase() as (typeof WEEKDAY_NAMES)[number]);
  return i < 0 ? undefined : ISO_WEEKDAYS[i];
}

/** One business day of a center: its local date and the instant of its first opening. */
export interface BusinessDay {
  /** Center-local date, YYYY-MM-DD. */
  date: string;
  weekday: IsoWeekday;
  /** Epoch ms of the day's first opening. */
  opensAt: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
/** How far `centerBusinessDays` looks for business days (a center closed longer finds fewer). */
const MAX_SCAN_DAYS = 400;

/**
 * Zone arithmetic for one IANA zone, by luxon: an instant's local date (`DateTime.fromMillis`), and
 * a local date and time as an instant (`DateTime.fromObject`: a local time in a spring-forward gap
 * moves forward by the gap). Local dates are handled as epoch days (days since 1970-01-01 of the
 * local calendar), so walking the calendar is integer arithmetic. Measured against the hand-written
 * offset arithmetic it replaced (same results on the benchmark input): about 1.2× its time, well
 * inside the slot search budget (`npm run bench`).
 */
class ZoneClock {
  private readonly zone: IANAZone;

  constructor(name: string, what: string) {
    if (!isTimeZone(name)) throw new RangeError(`${what}: ${JSON.stringify(name)} is not an IANA time zone`);
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new RangeError(`${what}: ${JSON.stringify(name)} is not an IANA time zone`);
  }

  /** The local epoch day of an instant. */
  dayOf(ms: number): number {
    const local = DateTime.fromMillis(ms, { zone: this.zone });
    return Math.floor(Date.UTC(local.year, local.month - 1, local.day) / DAY);
  }

  /** The instant of local `minutes` after midnight of local epoch day `day` (1440 = next midnight). */
  at(day: number, minutes: number): number {
    const date = new Date((day + Math.floor(minutes / 1440)) * DAY);
    const rest = minutes % 1440;
    const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: Math.floor(rest / 60), minute: rest % 60 };
    return DateTime.fromObject(local, { zone: this.zone }).toMillis();
  }
}

/** ISO weekday of a local epoch day (1970-01-01 was a Thursday). */
const weekdayOf = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;
const dateOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const dayOfDate = (date: string) => Math.floor(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY);

const hoursOn = (center: FastTrackCenter, weekday: number): readonly TimeRange[] => center.businessHours[weekday as IsoWeekday] ?? [];

function businessDays(center: FastTrackCenter, clock: ZoneClock, now: number, count: number): BusinessDay[] {
  const holidays = new Set(center.holidays.map(dayOfDate));
  const days: BusinessDay[] = [];
  const first = clock.dayOf(now);
  for (let day = first; day < first + MAX_SCAN_DAYS && days.length < count; day++) {
    const weekday = weekdayOf(day) as IsoWeekday;
    const ranges = hoursOn(center, weekday);
    if (ranges.length === 0 || holidays.has(day)) continue;
    const opensAt = clock.at(day, Math.min(...ranges.map((r) => minutesOfDay(r.start))));
    if (opensAt >= now) days.push({ date: dateOf(day), weekday, opensAt });
  }
  return days;
}

/**
 * The first `count` business days of the center after `now` (see the file comment: a day counts
 * when its first opening is at or after `now`), in order.
 */
export function centerBusinessDays(center: FastTrackCenter, now: Date, count: number): BusinessDay[] {
  return businessDays(center, new ZoneClock(center.timeZone, `center ${center.id}`), now.getTime(), count);
}

/** An interval in epoch ms; `anchor` is the opening of the center range it lies in (the step grid's origin). */
interface Span {
  start: number;
  end: number;
  anchor: number;
}

const digit = (s: string, i: number) => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil; no Date.UTC, which costs more). */
function epochDay(year: number, month: number, date: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + date - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number) => (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : MONTH_DAYS[month - 1]!);

/**
 * An ISO 8601 instant WITH an offset → epoch ms. The usual shape
 * `YYYY-MM-DDTHH:mm[:ss[.fff…]](Z|±HH:mm)` is read directly (Date.parse costs more and reads a
 * string without offset in the host's zone); anything else with an offset goes to Date.parse.
 */
function parseInstant(value: string, what: string): number {
  const n = value.length;
  const last = value.charCodeAt(n - 1);
  const zulu = last === 90 || last === 122;
  const sign = value.charCodeAt(n - 6);
  const withOffset = zulu || ((sign === 43 || sign === 45) && value.charCodeAt(n - 3) === 58);
  let ms = NaN;
  if (withOffset && n >= 17 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45 && value.charCodeAt(13) === 58) {
    const end = zulu ? n - 1 : n - 6;
    const year = two(value, 0) * 100 + two(value, 2);
    const month = two(value, 5);
    const date = two(value, 8);
    const hour = two(value, 11);
    const minute = two(value, 14);
    let second = 0;
    let milli = 0;
    let i = 16;
    if (i < end && value.charCodeAt(i) === 58) {
      second = two(value, 17);
      i = 19;
      if (i < end && (value.charCodeAt(i) === 46 || value.charCodeAt(i) === 44)) {
        let scale = 100;
        for (i++; i < end; i++, scale /= 10) milli += digit(value, i) * scale;
        milli = Math.floor(milli);
      }
    }
    const offset = zulu ? 0 : (sign === 45 ? -1 : 1) * (two(value, n - 5) * 60 + two(value, n - 2));
    if (i === end && month >= 1 && month <= 12 && date >= 1 && date <= daysInMonth(year, month) && hour <= 24 && minute <= 59 && second <= 59) {
      ms = epochDay(year, month, date) * DAY + ((hour * 60 + minute - offset) * 60 + second) * 1000 + milli;
    }
    if (Number.isNaN(ms)) ms = Date.parse(value);
  } else if (withOffset) {
    ms = Date.parse(value);
  }
  if (Number.isNaN(ms)) throw new RangeError(`${what}: ${JSON.stringify(value)} is not an ISO instant with an offset (e.g. 2026-03-09T16:00:00Z)`);
  return ms;
}

interface MergedBusy {
  starts: number[];
  ends: number[];
  /** How many of the given intervals overlap the search window. */
  inWindow: number;
}

/** Busy intervals → sorted, merged [start, end) lists of those overlapping the window; empty or inverted ones dropped. */
function mergeBusy(busy: readonly Interval[], windowStart: number, windowEnd: number, what: string): MergedBusy {
  const s0: number[] = [];
  const e0: number[] = [];
  let sorted = true;
  for (const b of busy) {
    const s = parseInstant(b.start, what);
    const e = parseInstant(b.end, what);
    if (e <= s || e <= windowStart || s >= windowEnd) continue;
    if (s0.length > 0 && s < s0[s0.length - 1]!) sorted = false;
    s0.push(s);
    e0.push(e);
  }
  let order: number[] | undefined;
  if (!sorted) order = s0.map((_, i) => i).sort((a, b) => s0[a]! - s0[b]!);
  const starts: number[] = [];
  const ends: number[] = [];
  for (let k = 0; k < s0.length; k++) {
    const i = order ? order[k]! : k;
    const s = s0[i]!;
    const e = e0[i]!;
    const m = ends.length;
    if (m > 0 && s <= ends[m - 1]!) {
      if (e > ends[m - 1]!) ends[m - 1] = e;
    } else {
      starts.push(s);
      ends.push(e);
    }
  }
  return { starts, ends, inWindow: s0.length };
}

/** True when [s, e) overlaps none of the merged intervals (binary search on the sorted ends). */
function isFree(starts: readonly number[], ends: readonly number[], s: number, e: number): boolean {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! <= s) lo = mid + 1;
    else hi = mid;
  }
  return lo === ends.length || starts[lo]! >= e;
}

/** The admin's working intervals covering [from, to], in epoch ms, sorted and merged. */
function workingSpans(hours: AdminWorkingHours, clock: ZoneClock, from: number, to: number): { start: number; end: number }[] {
  for (const t of [hours.start, hours.end]) if (typeof t !== 'string' || !HH_MM.test(t)) throw new RangeError(`admin working hours: ${JSON.stringify(t)} is not HH:mm`);
  const weekdays = new Set(hours.daysOfWeek);
  const startMinutes = minutesOfDay(hours.start);
  const endMinutes = minutesOfDay(hours.end);
  const overnight = endMinutes <= startMinutes;
  const out: { start: number; end: number }[] = [];
  for (let day = clock.dayOf(from) - 1, last = clock.dayOf(to); day <= last; day++) {
    if (!weekdays.has(weekdayOf(day))) continue;
    const start = clock.at(day, startMinutes);
    const end = clock.at(overnight ? day + 1 : day, endMinutes);
    if (end <= start) continue;
    const prev = out[out.length - 1];
    if (prev && start <= prev.end) prev.end = Math.max(prev.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** Spans ∩ other intervals (both sorted, `other` merged); keeps the spans' anchors. */
function intersect(spans: readonly Span[], other: readonly { start: number; end: number }[]): Span[] {
  const out: Span[] = [];
  let j = 0;
  for (const a of spans) {
    while (j < other.length && other[j]!.end <= a.start) j++;
    for (let k = j; k < other.length && other[k]!.start < a.end; k++) {
      const start = Math.max(a.start, other[k]!.start);
      const end = Math.min(a.end, other[k]!.end);
      if (start < end) out.push({ start, end, anchor: a.anchor });
    }
  }
  return out;
}

/** Spans minus merged busy intervals (both sorted). */
function subtract(spans: readonly Span[], starts: readonly number[], ends: readonly number[]): Span[] {
  const out: Span[] = [];
  let j = 0;
  for (const a of spans) {
    while (j < ends.length && ends[j]! <= a.start) j++;
    let cursor = a.start;
    for (let k = j; k < starts.length && starts[k]! < a.end; k++) {
      if (starts[k]! > cursor) out.push({ start: cursor, end: starts[k]!, anchor: a.anchor });
      cursor = Math.max(cursor, ends[k]!);
    }
    if (cursor < a.end) out.push({ start: cursor, end: a.end, anchor: a.anchor });
  }
  return out;
}

function positiveInt(value: number, name: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number ≥ ${min} (got ${value})`);
  return value;
}

/**
 * The kickoff slots (see the file comment for every rule), sorted by start, at most `maxSlots`.
 * @throws RangeError for an unknown time zone, a busy interval that is not an instant with an
 *   offset, working hours not in `HH:mm`, or options that are not positive whole numbers.
 */
export function findSlots(input: SlotSearchInput): Slot[] {
  const durationMs = positiveInt(input.durationMinutes ?? SLOT_DEFAULTS.durationMinutes, 'durationMinutes') * MINUTE;
  const stepMs = positiveInt(input.stepMinutes ?? SLOT_DEFAULTS.stepMinutes, 'stepMinutes') * MINUTE;
  const lead = positiveInt(input.leadBusinessDays ?? SLOT_DEFAULTS.leadBusinessDays, 'leadBusinessDays', 0);
  const horizon = positiveInt(input.horizonBusinessDays ?? SLOT_DEFAULTS.horizonBusinessDays, 'horizonBusinessDays', 0);
  const maxSlots = positiveInt(input.maxSlots ?? SLOT_DEFAULTS.maxSlots, 'maxSlots', 0);
  const minSlots = Math.min(maxSlots, positiveInt(input.minSlots ?? SLOT_DEFAULTS.minSlots, 'minSlots', 0));
  const { center, admin } = input;
  const centerClock = new ZoneClock(center.timeZone, `center ${center.id}`);
  const adminClock = new ZoneClock(admin.timeZone, 'admin');
  const hours: AdminWorkingHours = admin.workingHours ?? { ...DEFAULT_WORKING_HOURS, daysOfWeek: [...DEFAULT_WORKING_HOURS.daysOfWeek], timeZone: admin.timeZone };
  const workingClock = hours.timeZone === admin.timeZone ? adminClock : new ZoneClock(hours.timeZone, 'admin working hours');

  // 1. The center's open ranges on B(lead+1) … B(horizon).
  const days = businessDays(center, centerClock, input.now.getTime(), horizon).slice(lead);
  if (days.length === 0 || maxSlots === 0) return [];
  const open: Span[] = [];
  for (const d of days) {
    const day = dayOfDate(d.date);
    for (const r of hoursOn(center, d.weekday)) {
      const start = centerClock.at(day, minutesOfDay(r.start));
      const end = centerClock.at(day, minutesOfDay(r.end));
      if (start < end) open.push({ start, end, anchor: start });
    }
  }
  if (open.length === 0) return [];
  open.sort((a, b) => a.start - b.start);
  // Ranges of a parsed center never overlap; a hand-made one might: merge, keeping the first grid.
  // Touching ranges (07:45 / 07:45) stay two openings, each with its own grid, as the operator wrote them.
  for (let i = 1; i < open.length; i++) {
    const prev = open[i - 1]!;
    if (open[i]!.start < prev.end) {
      prev.end = Math.max(prev.end, open[i]!.end);
      open.splice(i--, 1);
    }
  }
  const windowStart = open[0]!.start;
  const windowEnd = open[open.length - 1]!.end;

  // 2. ∩ the admin's working hours, minus the admin's busy time.
  const adminBusy = mergeBusy(admin.busy, windowStart, windowEnd, 'admin busy');
  const free = subtract(intersect(open, workingSpans(hours, workingClock, windowStart, windowEnd)), adminBusy.starts, adminBusy.ends);
  if (free.length === 0) return [];

  // 3. People: merged busy lists, least-booked first, ties by id.
  const people = input.people
    .map((p) => ({ id: p.id, ...mergeBusy(p.busy, windowStart, windowEnd, `busy of ${p.id}`) }))
    .sort((a, b) => a.inWindow - b.inWindow || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (people.length === 0) return [];

  // 4. Candidate starts on the center's step grid, with the admin-local day they fall on.
  const midnights: number[] = [];
  for (let day = adminClock.dayOf(windowStart), last = adminClock.dayOf(windowEnd) + 1; day <= last; day++) midnights.push(adminClock.at(day, 0));
  const starts: number[] = [];
  const dayOf: number[] = [];
  let dayIndex = 0;
  const notBefore = input.notBefore?.getTime() ?? -Infinity;
  for (const f of free) {
    const k = Math.max(0, Math.ceil((Math.max(f.start, notBefore) - f.anchor) / stepMs));
    for (let t = f.anchor + k * stepMs; t + durationMs <= f.end; t += stepMs) {
      while (dayIndex + 1 < midnights.length && midnights[dayIndex + 1]! <= t) dayIndex++;
      starts.push(t);
      dayOf.push(dayIndex);
    }
  }

  // 5. Pick: earliest per admin day, then (if short of minSlots) a second per day.
  const chosen: { start: number; end: number; personId: string; day: number }[] = [];
  const perDay = new Map<number, number>();
  const personFor = (s: number, e: number) => people.find((p) => isFree(p.starts, p.ends, s, e))?.id;
  const overlapsChosen = (s: number, e: number) => chosen.some((c) => s < c.end && c.start < e);
  const pass = (limit: number, perDayLimit: number) => {
    for (let i = 0; i < starts.length && chosen.length < limit; i++) {
      const day = dayOf[i]!;
      const taken = perDay.get(day) ?? 0;
      if (taken >= perDayLimit || (perDayLimit > 1 && taken === 0)) continue;
      const s = starts[i]!;
      const e = s + durationMs;
      if (overlapsChosen(s, e)) continue;
      const personId = personFor(s, e);
      if (personId === undefined) continue;
      chosen.push({ start: s, end: e, personId, day });
      perDay.set(day, taken + 1);
    }
  };
  pass(maxSlots, 1);
  if (chosen.length < minSlots) pass(minSlots, 2);

  return chosen
    .sort((a, b) => a.start - b.start)
    .map((c) => ({ start: new Date(c.start).toISOString(), end: new Date(c.end).toISOString(), personId: c.personId }));
}

// ---------------------------------------------------------------------------------------------
// Describing a slot
// ---------------------------------------------------------------------------------------------

export interface SlotDescription {
  /** The slot in the admin's zone, the zone named once (Intl's short name), e.g. "Tue, Dec 1, 9:00 – 10:00 AM PST". */
  adminTime: string;
  /** The same in the center's zone, e.g. "Wed, Dec 2, 1:00 – 2:00 AM GMT+8". */
  centerTime: string;
  /** The admin zone's long name at the slot, e.g. "Pacific Standard Time", for a heading (not to append to `adminTime`). */
  adminZoneName: string;
  /** The center zone's long name at the slot, e.g. "China Standard Time". */
  centerZoneName: string;
  /**
   * True when the center sees the very same wall-clock time under the same zone name (the same zone,
   * or another zone with the same offset and name at that instant): show the time once.
   */
  sameZone: boolean;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(locale: SupportedLocale, timeZone: string, kind: 'range' | 'zone'): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${kind}`;
  let f = formats.get(key);
  if (!f) {
    f =
      kind === 'range'
        ? new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' })
        : new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'long' });
    if (formats.size > 500) formats.clear();
    formats.set(key, f);
  }
  return f;
}

const zoneName = (locale: SupportedLocale, zone: string, at: Date) => format(locale, zone, 'zone').formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? zone;

/**
 * A slot as the admin and the center see it, in `locale` (a supported tag: resolve the wire
 * locale first). Each time is Intl's date-range format with the zone named once after the end
 * time; the long zone names are for headings. `sameZone` tells the caller to show the time once.
 */
export function describeSlot(slot: Pick<Slot, 'start' | 'end'>, adminZone: string, centerZone: string, locale: SupportedLocale): SlotDescription {
  const start = new Date(slot.start);
  const end = new Date(slot.end);
  const adminTime = format(locale, adminZone, 'range').formatRange(start, end);
  const centerTime = format(locale, centerZone, 'range').formatRange(start, end);
  const adminZoneName = zoneName(locale, adminZone, start);
  const centerZoneName = zoneName(locale, centerZone, start);
  // Same wall-clock start and end with the same short name (so the same offsets) and the same long name.
  const sameZone = adminZone === centerZone || (adminTime === centerTime && adminZoneName === centerZoneName);
  return { adminTime, centerTime, adminZoneName, centerZoneName, sameZone };
}
