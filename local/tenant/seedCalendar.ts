/**
 * Generated calendars for the seeded users: a realistic busy pattern over the 30 days from the
 * seed's `now`, in each mailbox's own time zone and working hours, the same for the same `now`.
 *
 * Per user (with a mailbox):
 * - a stand-up series (weekly on the working days, 15 minutes, 30 minutes after the working day
 *   starts, a Teams meeting, busy; range `endDate`),
 * - a private lunch series (weekly on the working days, 12:00–13:00, busy; range `numbered`),
 * - on working day #3 (0-based, counted from today) an all-day "Working from home" (workingElsewhere),
 * - on working day #5 an all-day "Out of office" (oof) and no meetings,
 * - on every other working day 2–3 meetings at pseudo-random half hours inside working hours
 *   (30 or 60 minutes, never over the stand-up, lunch or each other), mostly busy, some tentative
 *   (always the first one of working day #1) or free; some are Teams meetings, some in a room.
 * The pseudo-random choices are seeded by user and local date, so an ordinary day's meetings do not
 * depend on `now` (the special days above do: they are counted from it).
 */
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { DateTime } from 'luxon';
import { DAYS, eventId, ianaZone, teamsJoinUrl } from './calendar';
import type { FreeBusyStatus, SeedEvent, SeedUser } from './seed';

/** How many days, from the seed's `now` (its local date in each mailbox's zone), get events. */
export const SEED_CALENDAR_DAYS = 30;
/** 0-based working-day indexes (from today) of the special days. */
export const TENTATIVE_WORKING_DAY = 1;
export const WORKING_ELSEWHERE_DAY = 3;
export const OOF_WORKING_DAY = 5;

const SUBJECTS = [
  'Project sync', 'Customer call', '1:1', 'Design review', 'Budget review', 'Vendor briefing', 'Security review',
  'Team planning', 'Training: Microsoft 365 admin center', 'Interview', 'Change advisory board', 'Service health review',
];
const ROOMS = ['Room 1.10', 'Room 2.04', 'Board room', 'Huddle 3'];

/** The seeded events of one user; none without a mailbox (no calendar either). */
export function seedEventsFor(tenantId: string, user: SeedUser, now: Date): SeedEvent[] {
  const mailbox = user.mailboxSettings;
  if (!mailbox) return [];
  const zoneName = mailbox.timeZone;
  const zone = ianaZone(zoneName);
  if (!zone) throw new Error(`The seed time zone '${zoneName}' of ${user.userPrincipalName} is unknown`);
  const workStart = minutesOf(mailbox.workingHours.startTime);
  const workEnd = minutesOf(mailbox.workingHours.endTime);
  const workDays = new Set(mailbox.workingHours.daysOfWeek.map((d) => DAYS.indexOf(d) + 1));
  const created = new Date(now.getTime() - 14 * 86_400_000).toISOString();
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const dates = Array.from({ length: SEED_CALENDAR_DAYS }, (_, i) => today.plus({ days: i }));
  const workingDates = dates.filter((d) => workDays.has(d.weekday));
  const lastDate = dates[dates.length - 1]!;
  const events: SeedEvent[] = [];

  const make = (
    key: string,
    o: { subject: string; start: DateTime; end: DateTime; showAs: FreeBusyStatus; teams?: boolean; location?: string | null; isAllDay?: boolean; sensitivity?: SeedEvent['sensitivity']; recurrence?: SeedEvent['recurrence']; body?: string },
  ): SeedEvent => {
    const id = eventId('seed', tenantId, user.id, key);
    return {
      id,
      transactionId: null,
      subject: o.subject,
      body: { contentType: 'html', content: `<html><body><p>${o.body ?? ''}</p></body></html>` },
      start: o.start.toUTC().toISO()!,
      end: o.end.toUTC().toISO()!,
      timeZone: zoneName,
      isAllDay: o.isAllDay ?? false,
      showAs: o.showAs,
      sensitivity: o.sensitivity ?? 'normal',
      location: o.teams ? 'Microsoft Teams Meeting' : (o.location ?? null),
      attendees: [],
      isOnlineMeeting: o.teams ?? false,
      onlineMeetingProvider: o.teams ? 'teamsForBusiness' : 'unknown',
      joinUrl: o.teams ? teamsJoinUrl(tenantId, user.id, id) : null,
      recurrence: o.recurrence ?? null,
      createdDateTime: created,
      lastModifiedDateTime: created,
      changeKey: eventId('changeKey', id).slice(5, 33),
      categories: [],
    };
  };
  const at = (date: DateTime, minutes: number): DateTime => date.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });

  const standUp = { start: workStart + 30, end: workStart + 45 };
  const lunch = { start: Math.max(12 * 60, workStart + 120), end: Math.max(13 * 60, workStart + 180) };
  const firstWorkingDate = workingDates[0];
  const workingDayNames = DAYS.filter((_, i) => workDays.has(i + 1));
  if (firstWorkingDate) {
    events.push(
      make('standup', {
        subject: 'Daily stand-up',
        start: at(firstWorkingDate, standUp.start),
        end: at(firstWorkingDate, standUp.end),
        showAs: 'busy',
        teams: true,
        body: 'What I did, what I will do, what blocks me.',
        recurrence: weekly(workingDayNames, firstWorkingDate, zoneName, { type: 'endDate', endDate: lastDate.toISODate()!, numberOfOccurrences: 0 }),
      }),
      make('lunch', {
        subject: 'Lunch',
        start: at(firstWorkingDate, lunch.start),
        end: at(firstWorkingDate, lunch.end),
        showAs: 'busy',
        sensitivity: 'private',
        recurrence: weekly(workingDayNames, firstWorkingDate, zoneName, { type: 'numbered', endDate: null, numberOfOccurrences: workingDates.length }),
      }),
    );
  }

  workingDates.forEach((date, index) => {
    const isoDate = date.toISODate()!;
    if (index === OOF_WORKING_DAY) {
      events.push(make(`${isoDate}/oof`, { subject: 'Out of office', start: date, end: date.plus({ days: 1 }), showAs: 'oof', isAllDay: true }));
      return;
    }
    if (index === WORKING_ELSEWHERE_DAY) {
      events.push(make(`${isoDate}/remote`, { subject: 'Working from home', start: date, end: date.plus({ days: 1 }), showAs: 'workingElsewhere', isAllDay: true }));
    }
    const random = mulberry32(hash32(`${user.id}/${isoDate}`));
    const taken = [standUp, lunch];
    const count = random() < 0.5 ? 2 : 3;
    for (let n = 0, tries = 0; n < count && tries < 40; tries++) {
      const length = random() < 0.6 ? 30 : 60;
      const slots = Math.floor((workEnd - workStart - length) / 30) + 1;
      const start = workStart + 30 * Math.floor(random() * slots);
      const slot = { start, end: start + length };
      if (taken.some((t) => t.start < slot.end && slot.start < t.end)) continue;
      taken.push(slot);
      const roll = random();
      const showAs: FreeBusyStatus = index === TENTATIVE_WORKING_DAY && n === 0 ? 'tentative' : roll < 0.15 ? 'tentative' : roll < 0.22 ? 'free' : 'busy';
      const teams = random() < 0.6;
      events.push(
        make(`${isoDate}/meeting/${n}`, {
          subject: SUBJECTS[Math.floor(random() * SUBJECTS.length)]!,
          start: at(date, slot.start),
          end: at(date, slot.end),
          showAs,
          teams,
          location: teams ? null : ROOMS[Math.floor(random() * ROOMS.length)]!,
        }),
      );
      n += 1;
    }
  });
  return events;
}

function weekly(
  days: MicrosoftGraph.DayOfWeek[],
  first: DateTime,
  zoneName: string,
  range: { type: 'numbered' | 'endDate'; endDate: string | null; numberOfOccurrences: number },
): SeedEvent['recurrence'] {
  return {
    pattern: { type: 'weekly', interval: 1, daysOfWeek: [...days], firstDayOfWeek: 'sunday' },
    range: { ...range, startDate: first.toISODate()!, recurrenceTimeZone: zoneName },
  };
}

/** 'HH:mm:ss.0000000' → minutes after midnight. */
function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function hash32(text: string): number {
  let h = 2166136261;
  for (const ch of Buffer.from(text, 'utf8')) {
    h ^= ch;
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
