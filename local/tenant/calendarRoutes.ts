/**
 * The calendar endpoints of the local tenant, shaped as Graph v1.0 answers them:
 *
 * - `POST /users/{id}/calendar/getSchedule`: free/busy of up to 20 mailboxes of the tenant
 *   (schedule items, availabilityView, working hours), from their events and the meetings they
 *   are invited to; `Prefer: outlook.timezone="…"` sets the zone of the answer (UTC otherwise).
 * - `POST /users/{id}/events` (a `transactionId` already used in the mailbox returns that event
 *   instead of a duplicate), `GET /users/{id}/events` (series masters and single events, paged
 *   by `$top`/`$skip`, 10 by default), `GET|PATCH|DELETE /users/{id}/events/{eventId}`; the same
 *   under `/users/{id}/calendar/events`.
 *
 * Handlers mutate the server's copy of the seed (`SeedUser.events`); `reset()` restores it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { DateTime } from 'luxon';
import {
  availabilityView,
  DAYS,
  EVENT_ID,
  eventId,
  FREE_BUSY_STATUSES,
  graphDateTime,
  ianaZone,
  outlookWebLink,
  parseGraphDateTime,
  preferredTimeZone,
  prefersImmutableIds,
  scheduleItemsOf,
  teamsJoinUrl,
  userBySmtpAddress,
  type Parsed,
} from './calendar';
import type { GraphRequest, GraphResult, RouteDefinition } from './graphRoutes';
import type { FreeBusyStatus, SeedAttendee, SeedEvent, SeedRecurrence, SeedUser } from './seed';

type Json = Record<string, unknown>;
type Params = Record<string, string>;

/** getSchedule limits, as documented for Graph. */
export const MAX_SCHEDULES = 20;
export const MAX_SCHEDULE_DAYS = 62;
/** Events per page of `GET …/events` when no `$top` is given (Graph's default for Outlook collections). */
export const DEFAULT_EVENTS_PAGE = 10;
const MAX_EVENTS_PAGE = 1000;

const eventRoutes = (base: string): RouteDefinition[] => [
  { path: `${base}`, handlers: { GET: listEvents, POST: createEvent }, queryOptions: ['$top', '$skip'] },
  { path: `${base}/{eventId}`, handlers: { GET: getEvent, PATCH: updateEvent, DELETE: deleteEvent } },
];

export const CALENDAR_ROUTES: RouteDefinition[] = [
  { path: '/users/{id}/calendar/getSchedule', handlers: { POST: getSchedule } },
  ...eventRoutes('/users/{id}/events'),
  ...eventRoutes('/users/{id}/calendar/events'),
];

function error(status: number, code: string, message: string, headers?: Record<string, string>): GraphResult {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The user whose calendar is asked for, by id or UPN; 404 without such a user or without a mailbox. */
function withMailbox(r: GraphRequest, p: Params, answer: (u: SeedUser) => GraphResult): GraphResult {
  const key = p.id!.toLowerCase();
  const user = r.tenant.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
  if (!user) return error(404, 'ErrorInvalidUser', `The requested user '${p.id!}' is invalid.`);
  if (!user.mailboxSettings) return error(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
  return answer(user);
}

function withEvent(r: GraphRequest, p: Params, answer: (u: SeedUser, e: SeedEvent, index: number) => GraphResult): GraphResult {
  return withMailbox(r, p, (u) => {
    if (!EVENT_ID.test(p.eventId!)) return error(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
    const events = (u.events ??= []);
    const index = events.findIndex((e) => e.id === p.eventId);
    return index < 0 ? error(404, 'ErrorItemNotFound', 'The specified object was not found in the store.') : answer(u, events[index]!, index);
  });
}

/** Headers saying which `Prefer` preferences were applied. */
function preferenceApplied(r: GraphRequest): Record<string, string> | undefined {
  const prefer = r.headers?.prefer;
  const applied = [
    ...(preferredTimeZone(prefer) ? [`outlook.timezone="${preferredTimeZone(prefer)!}"`] : []),
    ...(prefersImmutableIds(prefer) ? ['IdType="ImmutableId"'] : []),
  ];
  return applied.length ? { 'Preference-Applied': applied.join(', ') } : undefined;
}

// ---- getSchedule ----

function getSchedule(r: GraphRequest, p: Params): GraphResult {
  return withMailbox(r, p, () => {
    const body = asObject(r.body);
    if (!body) return error(400, 'ErrorInvalidRequest', 'The request body must be a JSON object with schedules, startTime and endTime.');
    const { schedules } = body;
    if (!Array.isArray(schedules) || schedules.length === 0 || !schedules.every((s) => typeof s === 'string' && s.trim() !== '')) {
      return error(400, 'ErrorInvalidRequest', 'schedules must be a non-empty array of SMTP addresses.');
    }
    if (schedules.length > MAX_SCHEDULES) {
      return error(400, 'ErrorInvalidRequest', `getSchedule takes at most ${MAX_SCHEDULES} schedules, not ${schedules.length}.`);
    }
    const start = parseGraphDateTime(body.startTime, 'startTime');
    if (!start.ok) return error(400, start.code, start.message);
    const end = parseGraphDateTime(body.endTime, 'endTime');
    if (!end.ok) return error(400, end.code, end.message);
    const from = start.value.ms;
    const to = end.value.ms;
    if (to <= from) return error(400, 'ErrorInvalidRequest', 'endTime must be after startTime.');
    if (to - from >= MAX_SCHEDULE_DAYS * 86_400_000) {
      return error(400, 'ErrorTimeIntervalTooBig', `The time interval specified is too big: getSchedule covers less than ${MAX_SCHEDULE_DAYS} days.`);
    }
    const interval = body.availabilityViewInterval ?? 30;
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 5 || interval > 1440) {
      return error(400, 'ErrorInvalidRequest', 'availabilityViewInterval must be a whole number of minutes from 5 to 1440.');
    }
    const zone = preferredTimeZone(r.headers?.prefer) ?? 'UTC';
    const value = (schedules as string[]).map((scheduleId): MicrosoftGraph.ScheduleInformation => {
      const user = userBySmtpAddress(r.tenant, scheduleId);
      if (!user?.mailboxSettings) {
        return {
          scheduleId,
          availabilityView: '',
          scheduleItems: [],
          error: { message: `The specified recipient '${scheduleId}' was not found.`, responseCode: 'ErrorMailRecipientNotFound' },
        };
      }
      const items = scheduleItemsOf(r.tenant, user, from, to);
      const hours = user.mailboxSettings.workingHours;
      return {
        scheduleId,
        availabilityView: availabilityView(items, from, to, interval),
        scheduleItems: items.map((i) => ({
          isPrivate: i.isPrivate,
          status: i.status,
          // A private item shows as a time only.
          ...(i.isPrivate ? {} : { subject: i.subject, location: i.location ?? '' }),
          start: graphDateTime(i.start, zone),
          end: graphDateTime(i.end, zone),
        })),
        workingHours: { daysOfWeek: [...hours.daysOfWeek], startTime: hours.startTime, endTime: hours.endTime, timeZone: { name: hours.timeZone.name } },
      };
    });
    return {
      status: 200,
      body: { '@odata.context': `${r.serviceRoot}/$metadata#Collection(microsoft.graph.scheduleInformation)`, value },
      ...withHeaders(preferenceApplied(r)),
    };
  });
}

function withHeaders(headers: Record<string, string> | undefined): { headers?: Record<string, string> } {
  return headers ? { headers } : {};
}

// ---- events ----

/** The event properties `$select` knows (those of eventJson). */
const EVENT_PROPERTIES = [
  'id', 'createdDateTime', 'lastModifiedDateTime', 'changeKey', 'categories', 'transactionId', 'originalStartTimeZone', 'originalEndTimeZone',
  'iCalUId', 'uid', 'reminderMinutesBeforeStart', 'isReminderOn', 'hasAttachments', 'subject', 'bodyPreview', 'importance', 'sensitivity',
  'isAllDay', 'isCancelled', 'isOrganizer', 'responseRequested', 'seriesMasterId', 'showAs', 'type', 'webLink', 'onlineMeetingUrl',
  'isOnlineMeeting', 'onlineMeetingProvider', 'allowNewTimeProposals', 'occurrenceId', 'isDraft', 'hideAttendees', 'responseStatus', 'body',
  'start', 'end', 'location', 'locations', 'recurrence', 'attendees', 'organizer', 'onlineMeeting',
] as const;

/** Properties a create or update may carry; others answer 400 as Graph does for unknown properties. */
const WRITABLE = new Set([
  'subject', 'body', 'start', 'end', 'attendees', 'isOnlineMeeting', 'onlineMeetingProvider', 'transactionId', 'recurrence', 'showAs',
  'location', 'locations', 'isAllDay', 'sensitivity', 'importance', 'categories', 'isReminderOn', 'reminderMinutesBeforeStart',
  'allowNewTimeProposals', 'responseRequested', 'hideAttendees',
]);

function eventJson(owner: SeedUser, e: SeedEvent, zone: string): Json {
  const text = e.body.contentType === 'html' ? e.body.content.replace(/<[^>]*>/g, ' ') : e.body.content;
  return {
    '@odata.etag': `W/"${e.changeKey}"`,
    id: e.id,
    createdDateTime: e.createdDateTime,
    lastModifiedDateTime: e.lastModifiedDateTime,
    changeKey: e.changeKey,
    categories: [...e.categories],
    transactionId: e.transactionId,
    originalStartTimeZone: e.timeZone,
    originalEndTimeZone: e.timeZone,
    iCalUId: `040000008200E00074C5B7101A82E00800000000${createHash('sha256').update(e.id).digest('hex').slice(0, 56).toUpperCase()}`,
    uid: `040000008200E00074C5B7101A82E00800000000${createHash('sha256').update(e.id).digest('hex').slice(0, 56).toUpperCase()}`,
    reminderMinutesBeforeStart: 15,
    isReminderOn: true,
    hasAttachments: false,
    subject: e.subject,
    bodyPreview: text.replace(/\s+/g, ' ').trim().slice(0, 255),
    importance: 'normal',
    sensitivity: e.sensitivity,
    isAllDay: e.isAllDay,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: true,
    seriesMasterId: null,
    showAs: e.showAs,
    type: e.recurrence ? 'seriesMaster' : 'singleInstance',
    webLink: outlookWebLink(e.id),
    onlineMeetingUrl: null,
    isOnlineMeeting: e.isOnlineMeeting,
    onlineMeetingProvider: e.onlineMeetingProvider,
    allowNewTimeProposals: true,
    occurrenceId: null,
    isDraft: false,
    hideAttendees: false,
    responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
    body: { contentType: e.body.contentType, content: e.body.content },
    start: graphDateTime(Date.parse(e.start), zone),
    end: graphDateTime(Date.parse(e.end), zone),
    location: { displayName: e.location ?? '', locationType: 'default', uniqueIdType: e.location ? 'private' : 'unknown', address: {}, coordinates: {} },
    locations: e.location ? [{ displayName: e.location, locationType: 'default', uniqueIdType: 'private' }] : [],
    recurrence: e.recurrence ? recurrenceJson(e.recurrence) : null,
    attendees: e.attendees.map((a) => ({
      type: a.type,
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: a.name, address: a.address },
    })),
    organizer: { emailAddress: { name: owner.displayName, address: owner.mail ?? owner.userPrincipalName } },
    onlineMeeting: e.joinUrl ? { joinUrl: e.joinUrl } : null,
  };
}

function recurrenceJson(rec: SeedRecurrence): MicrosoftGraph.PatternedRecurrence {
  return {
    pattern: { type: rec.pattern.type, interval: rec.pattern.interval, month: 0, dayOfMonth: 0, daysOfWeek: [...rec.pattern.daysOfWeek], firstDayOfWeek: rec.pattern.firstDayOfWeek, index: 'first' },
    range: {
      type: rec.range.type,
      startDate: rec.range.startDate,
      endDate: rec.range.endDate ?? '0001-01-01',
      recurrenceTimeZone: rec.range.recurrenceTimeZone,
      numberOfOccurrences: rec.range.numberOfOccurrences,
    },
  };
}

/** `$select` on events: the properties asked for (id always), or an error for an unknown one. */
function eventSelection(r: GraphRequest): { props?: string[]; error?: GraphResult } {
  const raw = r.query.get('$select');
  if (raw === null) return {};
  const known = new Map<string, string>(EVENT_PROPERTIES.map((p) => [p.toLowerCase(), p]));
  const props = ['id'];
  for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const canonical = known.get(name.toLowerCase());
    if (!canonical) return { error: error(400, 'RequestBroker--ParseUri', `Could not find a property named '${name}' on type 'microsoft.graph.event'.`) };
    if (!props.includes(canonical)) props.push(canonical);
  }
  return { props };
}

function project(o: Json, props: readonly string[] | undefined): Json {
  if (!props) return o;
  const out: Json = { '@odata.etag': o['@odata.etag'] };
  for (const p of props) out[p] = o[p] ?? null;
  return out;
}

function listEvents(r: GraphRequest, p: Params): GraphResult {
  return withMailbox(r, p, (u) => {
    const { props, error: selectError } = eventSelection(r);
    if (selectError) return selectError;
    const option = (name: string): string | undefined => [...r.query.entries()].find(([k]) => k.toLowerCase() === name)?.[1];
    // Outlook collections page by $skip; a directory $skiptoken would be silently ignored here.
    if (option('$skiptoken') !== undefined) return error(400, 'Request_UnsupportedQuery', "The local tenant does not support the query option '$skiptoken' on events: use $skip.");
    const top = option('$top') === undefined ? DEFAULT_EVENTS_PAGE : Number(option('$top'));
    const skip = option('$skip') === undefined ? 0 : Number(option('$skip'));
    if (!Number.isInteger(top) || top < 1 || top > MAX_EVENTS_PAGE) return error(400, 'BadRequest', `Invalid value '${option('$top')}' for $top: a whole number from 1 to ${MAX_EVENTS_PAGE}.`);
    if (!Number.isInteger(skip) || skip < 0) return error(400, 'BadRequest', `Invalid value '${option('$skip')}' for $skip: a whole number of at least 0.`);
    const zone = preferredTimeZone(r.headers?.prefer) ?? 'UTC';
    const events = u.events ?? [];
    const page = events.slice(skip, skip + top).map((e) => project(eventJson(u, e, zone), props));
    let nextLink: string | undefined;
    if (skip + top < events.length) {
      const query = [...r.query.entries()]
        .filter(([k]) => !['$top', '$skip'].includes(k.toLowerCase()))
        .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/gi, ',')}`);
      query.push(`$top=${top}`, `$skip=${skip + top}`);
      const path = r.segments.map((s) => encodeURIComponent(s).replace(/%40/g, '@')).join('/');
      nextLink = `${r.serviceRoot}/${path}?${query.join('&')}`;
    }
    return {
      status: 200,
      body: {
        '@odata.context': `${r.serviceRoot}/$metadata#users('${encodeURIComponent(p.id!)}')/events${props ? `(${props.join(',')})` : ''}`,
        value: page,
        ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      },
      ...withHeaders(preferenceApplied(r)),
    };
  });
}

function eventEntity(r: GraphRequest, u: SeedUser, e: SeedEvent, status: number, zone: string): GraphResult {
  const { props, error: selectError } = eventSelection(r);
  if (selectError) return selectError;
  return {
    status,
    body: { '@odata.context': `${r.serviceRoot}/$metadata#users('${encodeURIComponent(u.id)}')/events/$entity`, ...project(eventJson(u, e, zone), props) },
    ...withHeaders(preferenceApplied(r)),
  };
}

function getEvent(r: GraphRequest, p: Params): GraphResult {
  return withEvent(r, p, (u, e) => eventEntity(r, u, e, 200, preferredTimeZone(r.headers?.prefer) ?? 'UTC'));
}

function createEvent(r: GraphRequest, p: Params): GraphResult {
  return withMailbox(r, p, (u) => {
    const body = asObject(r.body);
    if (!body) return error(400, 'BadRequest', 'Empty Payload. JSON content expected.');
    const unknown = unknownProperty(body);
    if (unknown) return unknown;
    const events = (u.events ??= []);
    if (body.transactionId !== undefined && body.transactionId !== null) {
      if (typeof body.transactionId !== 'string' || body.transactionId.length === 0 || body.transactionId.length > 255) {
        return error(400, 'ErrorInvalidRequest', 'transactionId must be a string of 1 to 255 characters.');
      }
      // The retry of a create that was done: the same event, not a second one.
      const existing = events.find((e) => e.transactionId === body.transactionId);
      if (existing) return eventEntity(r, u, existing, 201, preferredTimeZone(r.headers?.prefer) ?? existing.timeZone);
    }
    if (body.start === undefined || body.end === undefined) return error(400, 'ErrorInvalidRequest', 'An event needs a start and an end.');
    const now = new Date().toISOString();
    const id = eventId('created', r.tenantId, u.id, randomUUID());
    const draft: SeedEvent = {
      id,
      transactionId: typeof body.transactionId === 'string' ? body.transactionId : null,
      subject: '',
      body: { contentType: 'html', content: '' },
      start: now,
      end: now,
      timeZone: 'UTC',
      isAllDay: false,
      showAs: 'busy',
      sensitivity: 'normal',
      location: null,
      attendees: [],
      isOnlineMeeting: false,
      onlineMeetingProvider: 'unknown',
      joinUrl: null,
      recurrence: null,
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: changeKey(),
      categories: [],
    };
    const invalid = applyEventFields(r, u, draft, body, false);
    if (invalid) return invalid;
    events.push(draft);
    return eventEntity(r, u, draft, 201, preferredTimeZone(r.headers?.prefer) ?? draft.timeZone);
  });
}

function updateEvent(r: GraphRequest, p: Params): GraphResult {
  return withEvent(r, p, (u, current, index) => {
    const body = asObject(r.body);
    if (!body) return error(400, 'BadRequest', 'Empty Payload. JSON content expected.');
    const unknown = unknownProperty(body);
    if (unknown) return unknown;
    if (body.transactionId !== undefined && body.transactionId !== current.transactionId) {
      return error(400, 'ErrorInvalidRequest', 'The transactionId of an event cannot be changed after it is created.');
    }
    const draft = structuredClone(current);
    const invalid = applyEventFields(r, u, draft, body, true);
    if (invalid) return invalid;
    draft.lastModifiedDateTime = new Date().toISOString();
    draft.changeKey = changeKey();
    u.events![index] = draft;
    return eventEntity(r, u, draft, 200, preferredTimeZone(r.headers?.prefer) ?? draft.timeZone);
  });
}

function deleteEvent(r: GraphRequest, p: Params): GraphResult {
  return withEvent(r, p, (u, _e, index) => {
    u.events!.splice(index, 1);
    return { status: 204 };
  });
}

function changeKey(): string {
  return randomUUID().replace(/-/g, '').slice(0, 28);
}

function unknownProperty(body: Json): GraphResult | undefined {
  const name = Object.keys(body).find((k) => !WRITABLE.has(k) && !k.startsWith('@odata.'));
  return name
    ? error(400, 'RequestBodyRead', `The property '${name}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.`)
    : undefined;
}

/** Applies the writable properties of a create or update body to `draft`; a 400 answer when one is invalid. */
function applyEventFields(r: GraphRequest, owner: SeedUser, draft: SeedEvent, body: Json, isUpdate: boolean): GraphResult | undefined {
  if (body.subject !== undefined) {
    if (typeof body.subject !== 'string') return error(400, 'ErrorInvalidRequest', 'subject must be a string.');
    draft.subject = body.subject;
  }
  if (body.body !== undefined) {
    const b = asObject(body.body);
    const contentType = typeof b?.contentType === 'string' ? b.contentType.toLowerCase() : 'text';
    if (!b || typeof b.content !== 'string' || (contentType !== 'html' && contentType !== 'text')) {
      return error(400, 'ErrorInvalidRequest', 'body must be { "contentType": "HTML" | "Text", "content": "..." }.');
    }
    draft.body = { contentType, content: b.content };
  }
  const previousStart = draft.start;
  if (body.start !== undefined) {
    const start = parseGraphDateTime(body.start, 'start');
    if (!start.ok) return error(400, start.code, start.message);
    draft.start = new Date(start.value.ms).toISOString();
    draft.timeZone = start.value.timeZone;
  }
  if (body.end !== undefined) {
    const end = parseGraphDateTime(body.end, 'end');
    if (!end.ok) return error(400, end.code, end.message);
    draft.end = new Date(end.value.ms).toISOString();
  }
  if (Date.parse(draft.end) < Date.parse(draft.start)) {
    return error(400, 'ErrorCalendarEndDateIsEarlierThanStartDate', 'The end date occurs before the start date.');
  }
  if (body.isAllDay !== undefined) {
    if (typeof body.isAllDay !== 'boolean') return error(400, 'ErrorInvalidRequest', 'isAllDay must be a boolean.');
    draft.isAllDay = body.isAllDay;
  }
  if (body.showAs !== undefined) {
    if (!FREE_BUSY_STATUSES.includes(body.showAs as FreeBusyStatus)) return error(400, 'ErrorInvalidRequest', `showAs must be one of ${FREE_BUSY_STATUSES.join(', ')}.`);
    draft.showAs = body.showAs as FreeBusyStatus;
  }
  if (body.sensitivity !== undefined) {
    if (!['normal', 'personal', 'private', 'confidential'].includes(body.sensitivity as string)) return error(400, 'ErrorInvalidRequest', 'sensitivity must be normal, personal, private or confidential.');
    draft.sensitivity = body.sensitivity as SeedEvent['sensitivity'];
  }
  if (body.location !== undefined) {
    const location = body.location === null ? {} : asObject(body.location);
    if (!location || (location.displayName !== undefined && typeof location.displayName !== 'string')) return error(400, 'ErrorInvalidRequest', 'location must be { "displayName": "..." }.');
    draft.location = typeof location.displayName === 'string' && location.displayName !== '' ? location.displayName : null;
  }
  if (body.categories !== undefined) {
    if (!Array.isArray(body.categories) || !body.categories.every((c) => typeof c === 'string')) return error(400, 'ErrorInvalidRequest', 'categories must be an array of strings.');
    draft.categories = [...(body.categories as string[])];
  }
  if (body.attendees !== undefined) {
    const attendees = parseAttendees(body.attendees);
    if (!attendees.ok) return error(400, attendees.code, attendees.message);
    draft.attendees = attendees.value;
  }
  if (body.onlineMeetingProvider !== undefined && body.onlineMeetingProvider !== 'teamsForBusiness' && body.onlineMeetingProvider !== 'unknown') {
    return error(400, 'ErrorInvalidArgument', `The online meeting provider '${String(body.onlineMeetingProvider)}' is not allowed for this calendar (allowedOnlineMeetingProviders: teamsForBusiness).`);
  }
  if (body.isOnlineMeeting !== undefined) {
    if (typeof body.isOnlineMeeting !== 'boolean') return error(400, 'ErrorInvalidRequest', 'isOnlineMeeting must be a boolean.');
    // Once a meeting has its Teams link, it keeps it (as in Outlook).
    draft.isOnlineMeeting = body.isOnlineMeeting || draft.joinUrl !== null;
  }
  if (draft.isOnlineMeeting && !draft.joinUrl) {
    draft.onlineMeetingProvider = 'teamsForBusiness';
    draft.joinUrl = teamsJoinUrl(r.tenantId, owner.id, draft.id);
    draft.location ??= 'Microsoft Teams Meeting';
  }
  if (body.recurrence !== undefined) {
    if (body.recurrence === null) {
      draft.recurrence = null;
    } else {
      const recurrence = parseRecurrence(body.recurrence, draft.timeZone);
      if (!recurrence.ok) return error(400, recurrence.code, recurrence.message);
      draft.recurrence = recurrence.value;
    }
  } else if (isUpdate && draft.recurrence && draft.start !== previousStart) {
    // A moved series starts again on the new first date, in its own zone.
    const zone = ianaZone(draft.recurrence.range.recurrenceTimeZone) ?? 'UTC';
    draft.recurrence.range.startDate = DateTime.fromMillis(Date.parse(draft.start), { zone }).toISODate()!;
  }
  return undefined;
}

function parseAttendees(value: unknown): Parsed<SeedAttendee[]> {
  const invalid = { ok: false as const, code: 'ErrorInvalidRecipients', message: "At least one recipient isn't valid: each attendee needs emailAddress.address and a type of required, optional or resource." };
  if (!Array.isArray(value) || value.length > 500) return invalid;
  const attendees: SeedAttendee[] = [];
  for (const item of value) {
    const a = asObject(item);
    const email = asObject(a?.emailAddress);
    const address = email?.address;
    const type = a?.type ?? 'required';
    if (typeof address !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(address)) return invalid;
    if (type !== 'required' && type !== 'optional' && type !== 'resource') return invalid;
    attendees.push({ address, name: typeof email?.name === 'string' ? email.name : address, type });
  }
  return { ok: true, value: attendees };
}

/** Graph's patternedRecurrence, limited to daily and weekly patterns (the others answer 400 here). */
function parseRecurrence(value: unknown, eventZone: string): Parsed<SeedRecurrence> {
  const bad = (message: string): Parsed<SeedRecurrence> => ({ ok: false, code: 'ErrorInvalidRequest', message });
  const o = asObject(value);
  const pattern = asObject(o?.pattern);
  const range = asObject(o?.range);
  if (!pattern || !range) return bad('recurrence must be { "pattern": {...}, "range": {...} }.');
  if (pattern.type !== 'daily' && pattern.type !== 'weekly') {
    return bad(`The local tenant expands daily and weekly recurrence patterns only, not '${String(pattern.type)}'.`);
  }
  const interval = pattern.interval ?? 1;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1 || interval > 999) return bad('recurrence.pattern.interval must be a whole number from 1 to 999.');
  const isDay = (d: unknown): d is MicrosoftGraph.DayOfWeek => typeof d === 'string' && (DAYS as readonly string[]).includes(d.toLowerCase());
  const daysOfWeek = pattern.daysOfWeek ?? [];
  if (!Array.isArray(daysOfWeek) || !daysOfWeek.every(isDay)) return bad('recurrence.pattern.daysOfWeek must be day names, e.g. ["monday"].');
  if (pattern.type === 'weekly' && daysOfWeek.length === 0) return bad('A weekly recurrence needs at least one day in recurrence.pattern.daysOfWeek.');
  const firstDayOfWeek = pattern.firstDayOfWeek ?? 'sunday';
  if (!isDay(firstDayOfWeek)) return bad('recurrence.pattern.firstDayOfWeek must be a day name.');

  const isDate = (d: unknown): d is string => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) && DateTime.fromISO(d, { zone: 'UTC' }).isValid;
  if (!isDate(range.startDate)) return bad('recurrence.range.startDate must be a date, e.g. 2025-06-02.');
  const zoneName = range.recurrenceTimeZone ?? eventZone;
  if (typeof zoneName !== 'string' || !ianaZone(zoneName)) return bad(`recurrence.range.recurrenceTimeZone '${String(zoneName)}' is not a supported time zone.`);
  let endDate: string | null = null;
  let numberOfOccurrences = 0;
  if (range.type === 'numbered') {
    const n = range.numberOfOccurrences;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 999) return bad('recurrence.range.numberOfOccurrences must be a whole number from 1 to 999.');
    numberOfOccurrences = n;
  } else if (range.type === 'endDate') {
    if (!isDate(range.endDate) || range.endDate < range.startDate) return bad('recurrence.range.endDate must be a date on or after startDate.');
    endDate = range.endDate;
  } else if (range.type !== 'noEnd') {
    return bad('recurrence.range.type must be numbered, endDate or noEnd.');
  }
  return {
    ok: true,
    value: {
      pattern: {
        type: pattern.type,
        interval,
        daysOfWeek: (daysOfWeek as string[]).map((d) => d.toLowerCase() as MicrosoftGraph.DayOfWeek),
        firstDayOfWeek: firstDayOfWeek.toLowerCase() as MicrosoftGraph.DayOfWeek,
      },
      range: { type: range.type, startDate: range.startDate, endDate, numberOfOccurrences, recurrenceTimeZone: zoneName },
    },
  };
}
