/** The calendar half of the Graph gateway: free/busy (getSchedule) and Teams meetings (events). */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { CalendarEvent, Interval, NewEvent } from '../domain/tenant';
import { toIanaTimeZone } from '../domain/timeZones';
import { GraphError, type CallOptions, type EventPatch, type ScheduleResult } from './tenantDirectory';
import { parse, type GraphTransport } from './transport';

/** getSchedule's limits: at most 20 mailboxes, a window shorter than 62 days. */
const MAX_SCHEDULES = 20;
const MAX_SCHEDULE_MS = 62 * 86_400_000;
const AVAILABILITY_VIEW_INTERVAL = 30;
/**
 * Every calendar call asks for UTC times (read back into instants whatever zone comes anyway) and
 * immutable ids, so a stored event id stays valid when the event moves between folders.
 */
const PREFER = { Prefer: 'outlook.timezone="UTC", IdType="ImmutableId"' };
/** Schedule item statuses that make a mailbox unavailable; free and workingElsewhere do not. */
const BUSY_STATUSES = new Set(['busy', 'tentative', 'oof', 'unknown']);
/** availabilityView digits that are not free: 1 tentative, 2 busy, 3 away (4 working elsewhere is free). */
const BUSY_DIGITS = new Set(['1', '2', '3']);
/** ISO weekday (1 = Monday) → Graph day name. */
export const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const EVENT_SELECT = 'id,subject,start,end,webLink,transactionId,onlineMeeting,recurrence';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const SMTP_ADDRESS = /^[^\s@<>()",;]{1,64}@[^\s@<>()",;]{1,255}$/;
/** Graph event ids are base64 (URL-safe in v1.0, sometimes with '/' or '+' in older formats). */
const EVENT_ID = /^[A-Za-z0-9+/=_-]{1,1024}$/;
/** A user is named by object id or user principal name (a guest's holds '#EXT#'); it is percent-encoded into one path segment. */
const USER_ID = /^[^\s/\\]{1,256}$/;
/** 404 codes about the user, mailbox or tenant rather than the event: the event is not known to be gone. */
const NOT_ABOUT_THE_EVENT = /^(ErrorInvalidUser|MailboxNotEnabledForRESTAPI|ResourceNotFound|Request_ResourceNotFound|Authorization_.*)$/;

const dateTimeTimeZoneSchema = z.object({ dateTime: z.string(), timeZone: z.string().nullish() });
const scheduleSchema = z.object({
  value: z.array(
    z.object({
      scheduleId: z.string().nullish(),
      availabilityView: z.string().nullish(),
      scheduleItems: z.array(z.object({ status: z.string().nullish(), start: dateTimeTimeZoneSchema, end: dateTimeTimeZoneSchema })).nullish(),
      error: z.object({ message: z.string().nullish(), responseCode: z.string().nullish() }).nullish(),
    }),
  ),
});
const eventSchema = z.object({
  id: z.string(),
  subject: z.string().nullish(),
  start: dateTimeTimeZoneSchema,
  end: dateTimeTimeZoneSchema,
  webLink: z.string().nullish(),
  transactionId: z.string().nullish(),
  onlineMeeting: z.object({ joinUrl: z.string().nullish() }).nullish(),
  recurrence: z
    .object({
      pattern: z.object({ type: z.string().nullish(), interval: z.number().nullish(), daysOfWeek: z.array(z.string()).nullish() }).nullish(),
      range: z.object({ type: z.string().nullish(), numberOfOccurrences: z.number().nullish() }).nullish(),
    })
    .nullish(),
});

/** Reads and writes users' calendars of a customer tenant through the transport. */
export class GraphCalendar {
  constructor(private readonly transport: GraphTransport) {}

  async getSchedule(tenantId: string, userId: string, schedules: string[], start: string, end: string, options?: CallOptions): Promise<ScheduleResult[]> {
    if (!Array.isArray(schedules) || schedules.length === 0 || schedules.length > MAX_SCHEDULES) {
      throw new GraphError(400, 'InvalidSchedules', `getSchedule takes 1 to ${MAX_SCHEDULES} mailboxes, not ${Array.isArray(schedules) ? schedules.length : 'none'}`);
    }
    if (!schedules.every((x) => typeof x === 'string' && SMTP_ADDRESS.test(x))) throw new GraphError(400, 'InvalidSchedules', 'A schedule is not an SMTP address');
    const from = instant(start, 'start');
    const to = instant(end, 'end');
    if (to <= from) throw new GraphError(400, 'InvalidTimeWindow', 'The end of the window must be after its start');
    if (to - from >= MAX_SCHEDULE_MS) throw new GraphError(400, 'InvalidTimeWindow', 'getSchedule covers less than 62 days');
    const body = {
      schedules,
      startTime: { dateTime: utcDateTime(from), timeZone: 'UTC' },
      endTime: { dateTime: utcDateTime(to), timeZone: 'UTC' },
      availabilityViewInterval: AVAILABILITY_VIEW_INTERVAL,
    };
    const raw = await this.transport.request(tenantId, { method: 'POST', path: `/users/${userSegment(userId)}/calendar/getSchedule`, headers: PREFER, body }, options);
    const answers = parse(scheduleSchema, raw).value;
    return schedules.map((schedule): ScheduleResult => {
      const info = answers.find((a) => a.scheduleId?.toLowerCase() === schedule.toLowerCase());
      if (!info) return { schedule, busy: [], error: 'ScheduleMissing' };
      if (info.error) return { schedule, busy: [], error: info.error.responseCode ?? info.error.message ?? 'UnknownError' };
      // Without the right to see items, Graph gives only the availabilityView: read the busy slots from it.
      const busy = info.scheduleItems
        ? info.scheduleItems.filter((i) => BUSY_STATUSES.has(i.status ?? 'unknown')).map((i): Interval => ({ start: toInstant(i.start), end: toInstant(i.end) }))
        : busyFromAvailabilityView(info.availabilityView ?? '', from);
      return { schedule, busy: sortIntervals(busy) };
    });
  }

  /**
   * The transport may send this POST again (throttled, unanswered), and a caller may after a
   * timeout (the request aborted, its outcome unknown): the transactionId makes both safe.
   */
  async createEvent(tenantId: string, userId: string, event: NewEvent, options?: CallOptions): Promise<CalendarEvent> {
    const body = newEventBody(event);
    const raw = await this.transport.request(tenantId, { method: 'POST', path: `/users/${userSegment(userId)}/events`, headers: PREFER, body }, options);
    return toCalendarEvent(parse(eventSchema, raw));
  }

  async updateEvent(tenantId: string, userId: string, eventId: string, patch: EventPatch, options?: CallOptions): Promise<CalendarEvent> {
    const zone = eventZone(patch.timeZone);
    const start = instant(patch.start, 'start');
    const end = instant(patch.end, 'end');
    if (end <= start) throw new GraphError(400, 'InvalidEvent', 'The event must end after it starts');
    const body: Record<string, unknown> = { start: zonedDateTime(start, zone), end: zonedDateTime(end, zone) };
    if (patch.subject !== undefined) body.subject = checkedSubject(patch.subject);
    if (patch.bodyHtml !== undefined) body.body = { contentType: 'HTML', content: patch.bodyHtml };
    if (patch.attendees !== undefined) body.attendees = attendeesBody(patch.attendees);
    // A series moved to another day or time starts again from its new first meeting.
    if (patch.recurrence !== undefined) body.recurrence = recurrenceBody(patch.recurrence, start, zone);
    const raw = await this.transport.request(tenantId, { method: 'PATCH', path: eventPath(userId, eventId), headers: PREFER, body }, options);
    return toCalendarEvent(parse(eventSchema, raw));
  }

  async deleteEvent(tenantId: string, userId: string, eventId: string, options?: CallOptions): Promise<void> {
    const path = eventPath(userId, eventId);
    try {
      await this.transport.request(tenantId, { method: 'DELETE', path }, options);
    } catch (error) {
      // Already deleted (by an earlier try whose answer was lost, or by the user): done.
      if (isEventGone(error)) return;
      throw error;
    }
  }

  async getEvent(tenantId: string, userId: string, eventId: string, options?: CallOptions): Promise<CalendarEvent | undefined> {
    const path = `${eventPath(userId, eventId)}?$select=${EVENT_SELECT}`;
    try {
      return toCalendarEvent(parse(eventSchema, await this.transport.request(tenantId, { method: 'GET', path, headers: PREFER }, options)));
    } catch (error) {
      if (isEventGone(error)) return undefined;
      throw error;
    }
  }
}

/** The user's path segment: an object id or a UPN, checked and percent-encoded. */
function userSegment(userId: string): string {
  // '.' and '..' would survive encoding and be resolved as dot segments of the URL.
  if (typeof userId !== 'string' || !USER_ID.test(userId) || userId === '.' || userId === '..') throw new GraphError(400, 'InvalidUserId', 'The user id is not an object id or a user principal name');
  return encodeURIComponent(userId);
}

/** '/users/{user}/events/{event}', both checked and percent-encoded. */
function eventPath(userId: string, eventId: string): string {
  const user = userSegment(userId);
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId)) throw new GraphError(400, 'InvalidEventId', 'The event id is not a Graph event id');
  return `/users/${user}/events/${encodeURIComponent(eventId)}`;
}

/** True for a 404 about the event itself (Graph: ErrorItemNotFound), not about its user, mailbox or tenant. */
function isEventGone(error: unknown): boolean {
  return error instanceof GraphError && error.status === 404 && !NOT_ABOUT_THE_EVENT.test(error.code);
}

/** Epoch ms of an ISO instant that carries its offset (a local time without one is ambiguous). */
function instant(value: string, field: string): number {
  const parsed = typeof value === 'string' && INSTANT.test(value) ? DateTime.fromISO(value, { setZone: true }) : undefined;
  const ms = parsed?.isValid ? parsed.toMillis() : NaN;
  if (!Number.isFinite(ms)) throw new GraphError(400, 'InvalidTime', `The ${field} is not an ISO date and time with an offset`);
  return ms;
}

/** Graph's dateTime for an instant in UTC: '2025-06-02T16:00:00.000' (with timeZone 'UTC'). */
function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, -1);
}

/** The IANA zone for an event's time zone name (UTC when absent); GraphError for an unknown one. */
function eventZone(name: string | undefined): { name: string; iana: string } {
  if (name === undefined) return { name: 'UTC', iana: 'UTC' };
  const iana = toIanaTimeZone(name);
  if (!iana) throw new GraphError(400, 'InvalidTimeZone', 'The event time zone is not a known Windows or IANA time zone');
  return { name, iana };
}

function zonedDateTime(ms: number, zone: { name: string; iana: string }): { dateTime: string; timeZone: string } {
  return { dateTime: DateTime.fromMillis(ms, { zone: zone.iana }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS"), timeZone: zone.name };
}

function checkedSubject(subject: string): string {
  if (typeof subject !== 'string' || subject.length > 255) throw new GraphError(400, 'InvalidEvent', 'The subject must be a text of at most 255 characters');
  return subject;
}

/** The POST body of a Teams meeting, checked: times, attendees, transactionId, recurrence. */
function newEventBody(event: NewEvent): Record<string, unknown> {
  const zone = eventZone(event.timeZone);
  const start = instant(event.start, 'start');
  const end = instant(event.end, 'end');
  if (end <= start) throw new GraphError(400, 'InvalidEvent', 'The event must end after it starts');
  if (typeof event.transactionId !== 'string' || event.transactionId.length === 0 || event.transactionId.length > 255) {
    throw new GraphError(400, 'InvalidEvent', 'The transactionId must be a text of 1 to 255 characters');
  }
  const body: Record<string, unknown> = {
    subject: checkedSubject(event.subject),
    body: { contentType: 'HTML', content: event.bodyHtml },
    start: zonedDateTime(start, zone),
    end: zonedDateTime(end, zone),
    attendees: attendeesBody(event.attendees),
    isOnlineMeeting: true,
    onlineMeetingProvider: 'teamsForBusiness',
    transactionId: event.transactionId,
  };
  if (event.recurrence) body.recurrence = recurrenceBody(event.recurrence, start, zone);
  return body;
}

function attendeesBody(attendees: NewEvent['attendees']): unknown[] {
  if (!Array.isArray(attendees) || attendees.length > 500 || !attendees.every((a) => SMTP_ADDRESS.test(a.email) && typeof a.name === 'string')) {
    throw new GraphError(400, 'InvalidEvent', 'An attendee has no valid SMTP address');
  }
  return attendees.map((a) => ({ emailAddress: { address: a.email, name: a.name }, type: 'required' }));
}

/** A weekly numbered recurrence starting with the first meeting at `start` (ms) in `zone`, checked. */
function recurrenceBody(recurrence: NonNullable<NewEvent['recurrence']>, start: number, zone: ReturnType<typeof eventZone>): Record<string, unknown> {
  const { interval, daysOfWeek, occurrences } = recurrence;
  if (recurrence.pattern !== 'weekly' || !Number.isInteger(interval) || interval < 1 || interval > 99) {
    throw new GraphError(400, 'InvalidRecurrence', 'A weekly recurrence needs an interval of 1 to 99 weeks');
  }
  if (!Array.isArray(daysOfWeek) || daysOfWeek.length === 0 || !daysOfWeek.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
    throw new GraphError(400, 'InvalidRecurrence', 'A weekly recurrence needs ISO weekdays (1 = Monday … 7 = Sunday)');
  }
  if (!Number.isInteger(occurrences) || occurrences < 1 || occurrences > 999) throw new GraphError(400, 'InvalidRecurrence', 'A recurrence needs 1 to 999 occurrences');
  const first = DateTime.fromMillis(start, { zone: zone.iana });
  // Graph would start the series on the next matching day, leaving the first meeting off the pattern.
  if (!daysOfWeek.includes(first.weekday)) {
    throw new GraphError(400, 'InvalidRecurrence', `The first meeting falls on ISO weekday ${first.weekday} in ${zone.name}, which is not among the recurrence's days`);
  }
  return {
    pattern: { type: 'weekly', interval, daysOfWeek: [...new Set(daysOfWeek)].sort().map((d) => DAY_NAMES[d - 1]), firstDayOfWeek: 'sunday' },
    range: { type: 'numbered', startDate: first.toISODate(), numberOfOccurrences: occurrences, recurrenceTimeZone: zone.name },
  };
}

/** A Graph dateTimeTimeZone as an ISO UTC instant, whatever zone Graph answered in. */
function toInstant(value: z.infer<typeof dateTimeTimeZoneSchema>): string {
  const zone = value.timeZone ? toIanaTimeZone(value.timeZone) ?? (/^(utc|coordinated universal time)$/i.test(value.timeZone) ? 'UTC' : undefined) : 'UTC';
  if (!zone) throw new GraphError(502, 'UnexpectedResponse', "Graph's answer has a time in an unknown time zone");
  // Graph writes seven fractional digits; milliseconds are enough.
  const parsed = DateTime.fromISO(value.dateTime.replace(/(\.\d{3})\d+/, '$1'), { zone });
  if (!parsed.isValid) throw new GraphError(502, 'UnexpectedResponse', "Graph's answer has a time that is not an ISO date and time");
  return new Date(parsed.toMillis()).toISOString();
}

function toCalendarEvent(e: z.infer<typeof eventSchema>): CalendarEvent {
  const pattern = e.recurrence?.pattern;
  const range = e.recurrence?.range;
  const days = (pattern?.daysOfWeek ?? []).map((d) => DAY_NAMES.indexOf(d.toLowerCase() as (typeof DAY_NAMES)[number]) + 1);
  const weekly =
    pattern?.type === 'weekly' && range?.type === 'numbered' && days.length > 0 && days.every((d) => d > 0)
      ? { pattern: 'weekly' as const, interval: pattern.interval ?? 1, daysOfWeek: days.sort(), occurrences: range.numberOfOccurrences ?? 0 }
      : undefined;
  return {
    id: e.id,
    subject: e.subject ?? '',
    start: toInstant(e.start),
    end: toInstant(e.end),
    joinUrl: e.onlineMeeting?.joinUrl ?? undefined,
    webLink: e.webLink ?? undefined,
    transactionId: e.transactionId ?? undefined,
    recurrence: weekly,
  };
}

/** Busy slots read from an availabilityView (digits per 30 minutes from `from`), adjacent ones joined. */
function busyFromAvailabilityView(view: string, from: number): Interval[] {
  const step = AVAILABILITY_VIEW_INTERVAL * 60_000;
  const out: Interval[] = [];
  let runStart: number | undefined;
  for (let i = 0; i <= view.length; i++) {
    const busy = i < view.length && BUSY_DIGITS.has(view[i]!);
    if (busy && runStart === undefined) runStart = from + i * step;
    if (!busy && runStart !== undefined) {
      out.push({ start: new Date(runStart).toISOString(), end: new Date(from + i * step).toISOString() });
      runStart = undefined;
    }
  }
  return out;
}

/** Sorted by start then end, exact duplicates dropped. */
function sortIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
  return sorted.filter((x, i) => i === 0 || x.start !== sorted[i - 1]!.start || x.end !== sorted[i - 1]!.end);
}

