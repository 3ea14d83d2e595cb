import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { Interval, NewEvent } from '../../bot/domain/tenant';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { GraphError } from '../../bot/graph/tenantDirectory';
import { occurrencesOf } from '../../local/tenant/calendar';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { defaultSeed } from '../../local/tenant/seed';
import { failure, iso } from '../helpers/graph';

const DAY = 86_400_000;



describe('Graph gateway: calendars against the local tenant over HTTP', () => {
  const now = new Date();
  const seed = defaultSeed(now);
  const contoso = seed.tenants[TENANTS.contoso]!;
  const megan = contoso.users.find((u) => u.id === USERS.megan)!;
  const tenant = new LocalTenantServer({ seed });
  let directory: GraphTenantDirectory;
  /** A quiet hour for Megan (Pacific): 02:00–03:00 UTC, a few days ahead. */
  const night = (daysAhead: number): { start: string; end: string } => {
    const day = DateTime.fromJSDate(now, { zone: 'UTC' }).startOf('day').plus({ days: daysAhead });
    return { start: iso(day.set({ hour: 2 }).toMillis()), end: iso(day.set({ hour: 3 }).toMillis()) };
  };
  const meeting = (overrides: Partial<NewEvent> = {}): NewEvent => ({
    subject: 'FastTrack onboarding kickoff',
    bodyHtml: '<p>Welcome to FastTrack.</p>',
    ...night(3),
    attendees: [{ email: 'adele@contoso.com', name: 'Adele Vance' }],
    transactionId: `FT-TEST-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  });
  const busyOf = async (address: string, from: string, to: string): Promise<Interval[]> => {
    const [result] = await directory.getSchedule(TENANTS.contoso, USERS.megan, [address], from, to);
    assert.equal(result?.error, undefined);
    return result!.busy;
  };
  /** Megan's events as Graph lists them (plain fetch, every page). */
  const listEvents = async (userId: string): Promise<Array<{ id: string; transactionId: string | null }>> => {
    const res = await fetch(`${tenant.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${userId}/events?$top=1000&$select=id,transactionId`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { value: Array<{ id: string; transactionId: string | null }> }).value;
  };

  before(async () => {
    await tenant.start(0);
    directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 10_000 });
  });
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  describe('getSchedule', () => {
    it("returns Megan's busy time over the next 10 days as her seeded events, in UTC", async () => {
      const from = now.getTime();
      const to = from + 10 * DAY;
      const busy = await busyOf('megan@contoso.com', iso(from), iso(to));

      const expected = megan.events!
        .filter((e) => ['busy', 'tentative', 'oof'].includes(e.showAs))
        .flatMap((e) => occurrencesOf(e, from, to))
        .map((o) => ({ start: iso(o.start), end: iso(o.end) }))
        .sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
      assert.deepEqual(busy, expected);
      for (const x of busy) assert.match(x.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

      // Read independently of the expansion: the stand-up is at 08:30 in Los Angeles on every weekday, DST or not.
      const la = busy.map((x) => ({ start: DateTime.fromISO(x.start, { zone: 'America/Los_Angeles' }), minutes: (Date.parse(x.end) - Date.parse(x.start)) / 60_000 }));
      const standUps = la.filter((x) => x.minutes === 15);
      assert.ok(standUps.length >= 6, `stand-ups: ${standUps.length}`);
      assert.ok(standUps.every((x) => x.start.toFormat('HH:mm') === '08:30' && x.start.weekday <= 5));
      // The out-of-office day is busy from local midnight to midnight; working from home is free.
      const oof = megan.events!.find((e) => e.showAs === 'oof')!;
      assert.ok(busy.some((x) => x.start === oof.start && x.end === oof.end));
      assert.equal(DateTime.fromISO(oof.start, { zone: 'America/Los_Angeles' }).toFormat('HH:mm'), '00:00');
      const remote = megan.events!.find((e) => e.showAs === 'workingElsewhere')!;
      assert.ok(!busy.some((x) => x.start === remote.start && x.end === remote.end));
      // A tentative meeting counts as busy, a free one does not.
      const tentative = megan.events!.find((e) => e.showAs === 'tentative' && Date.parse(e.start) > from && Date.parse(e.end) < to)!;
      assert.ok(busy.some((x) => x.start === tentative.start));
      for (const free of megan.events!.filter((e) => e.showAs === 'free')) assert.ok(!busy.some((x) => x.start === free.start && x.end === free.end));

      const [request] = tenant.requests;
      assert.deepEqual([request?.method, request?.path], ['POST', `/users/${USERS.megan}/calendar/getSchedule`]);
      assert.deepEqual(request?.body, {
        schedules: ['megan@contoso.com'],
        startTime: { dateTime: iso(from).slice(0, -1), timeZone: 'UTC' },
        endTime: { dateTime: iso(to).slice(0, -1), timeZone: 'UTC' },
        availabilityViewInterval: 30,
      });
    });

    it('reads several mailboxes in one round trip, with an error for an unknown address', async () => {
      const result = await directory.getSchedule(TENANTS.contoso, USERS.megan, ['Adele@Contoso.com', 'ghost@contoso.com', 'liwei@contoso.com'], iso(now.getTime()), iso(now.getTime() + 3 * DAY));
      assert.deepEqual(result.map((r) => [r.schedule, r.error]), [['Adele@Contoso.com', undefined], ['ghost@contoso.com', 'ErrorMailRecipientNotFound'], ['liwei@contoso.com', undefined]]);
      assert.ok(result[0]!.busy.length > 0 && result[2]!.busy.length > 0);
      assert.deepEqual(result[1]!.busy, []);
      assert.equal(tenant.roundTrips(), 1);
    });

    it('refuses more than 20 mailboxes, a window of 62 days or more, and times without an offset, before sending anything', async () => {
      const many = Array.from({ length: 21 }, (_, i) => `user${i}@contoso.com`);
      const start = iso(now.getTime());
      assert.equal((await failure(directory.getSchedule(TENANTS.contoso, USERS.megan, many, start, iso(now.getTime() + DAY)))).status, 400);
      assert.equal((await failure(directory.getSchedule(TENANTS.contoso, USERS.megan, [], start, iso(now.getTime() + DAY)))).code, 'InvalidSchedules');
      assert.equal((await failure(directory.getSchedule(TENANTS.contoso, USERS.megan, ['megan@contoso.com'], start, iso(now.getTime() + 62 * DAY)))).code, 'InvalidTimeWindow');
      assert.equal((await failure(directory.getSchedule(TENANTS.contoso, USERS.megan, ['megan@contoso.com'], start, start))).code, 'InvalidTimeWindow');
      assert.equal((await failure(directory.getSchedule(TENANTS.contoso, USERS.megan, ['megan@contoso.com'], '2030-01-01T00:00:00', '2030-01-02T00:00:00Z'))).code, 'InvalidTime');
      assert.equal((await failure(directory.getSchedule(TENANTS.contoso, '../megan', ['megan@contoso.com'], start, iso(now.getTime() + DAY)))).code, 'InvalidUserId');
      assert.equal(tenant.requests.length, 0);
      // Just under the limits goes through.
      const twenty = await directory.getSchedule(TENANTS.contoso, USERS.megan, many.slice(0, 20), start, iso(now.getTime() + 62 * DAY - 60_000));
      assert.equal(twenty.length, 20);
    });

    it('turns a failure of the call into a typed error', async () => {
      tenant.injectFault({ path: /getSchedule$/, status: 403, code: 'ErrorAccessDenied' });
      const error = await failure(directory.getSchedule(TENANTS.contoso, USERS.megan, ['megan@contoso.com'], iso(now.getTime()), iso(now.getTime() + DAY)));
      assert.deepEqual([error.status, error.code, error.transient], [403, 'ErrorAccessDenied', false]);
    });
  });

  describe('events', () => {
    it('creates a Teams meeting with a join link, which makes the organizer and the invited colleague busy', async () => {
      const slot = night(3);
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting(slot));
      assert.match(event.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
      assert.match(event.webLink ?? '', /^https:\/\/outlook\.office365\.com\/owa\/\?itemid=/);
      assert.deepEqual([event.subject, event.start, event.end, event.recurrence], ['FastTrack onboarding kickoff', iso(Date.parse(slot.start)), iso(Date.parse(slot.end)), undefined]);

      const sent = tenant.requests.find((r) => r.method === 'POST')!.body as Record<string, unknown>;
      assert.equal(sent.isOnlineMeeting, true);
      assert.equal(sent.onlineMeetingProvider, 'teamsForBusiness');
      assert.deepEqual(sent.attendees, [{ emailAddress: { address: 'adele@contoso.com', name: 'Adele Vance' }, type: 'required' }]);
      assert.deepEqual(sent.body, { contentType: 'HTML', content: '<p>Welcome to FastTrack.</p>' });
      assert.deepEqual(sent.start, { dateTime: slot.start.slice(0, -1), timeZone: 'UTC' });

      const window = { from: iso(Date.parse(slot.start) - DAY), to: iso(Date.parse(slot.end) + DAY) };
      assert.ok((await busyOf('megan@contoso.com', window.from, window.to)).some((x) => x.start === event.start && x.end === event.end));
      assert.ok((await busyOf('adele@contoso.com', window.from, window.to)).some((x) => x.start === event.start && x.end === event.end));
      assert.deepEqual(await directory.getEvent(TENANTS.contoso, USERS.megan, event.id), event);
    });

    it('creates one event for two creates with the same transactionId', async () => {
      const request = meeting();
      const first = await directory.createEvent(TENANTS.contoso, USERS.megan, request);
      const second = await directory.createEvent(TENANTS.contoso, USERS.megan, { ...request, subject: 'A retried create' });
      assert.equal(second.id, first.id);
      assert.equal(second.subject, first.subject);
      const mine = (await listEvents(USERS.megan)).filter((e) => e.transactionId === request.transactionId);
      assert.deepEqual(mine.map((e) => e.id), [first.id]);
      assert.equal((await listEvents(USERS.megan)).length, megan.events!.length + 1);
    });

    it('makes exactly one event when the create was done but its answer was lost (503 after the handler) and the gateway retried', async () => {
      tenant.injectFault({ path: /\/events$/, method: 'POST', status: 503, retryAfterSeconds: 0, afterHandler: true });
      const request = meeting();
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, request);
      const posts = tenant.requests.filter((r) => r.method === 'POST');
      assert.equal(posts.length, 2, 'the gateway sent the POST again');
      assert.deepEqual(posts.map((p) => (p.body as { transactionId: string }).transactionId), [request.transactionId, request.transactionId]);
      const mine = (await listEvents(USERS.megan)).filter((e) => e.transactionId === request.transactionId);
      assert.deepEqual(mine.map((e) => e.id), [event.id]);
    });

    it('makes exactly one event when a 503 came before the create and the gateway retried', async () => {
      tenant.injectFault({ path: /\/events$/, method: 'POST', status: 503, retryAfterSeconds: 0 });
      const request = meeting();
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, request);
      assert.equal(tenant.requests.filter((r) => r.method === 'POST').length, 2);
      assert.deepEqual((await listEvents(USERS.megan)).filter((e) => e.transactionId === request.transactionId).map((e) => e.id), [event.id]);
    });

    it('recovers a create whose every answer was lost by creating again with the same transactionId', async () => {
      tenant.injectFault({ path: /\/events$/, method: 'POST', status: 504, retryAfterSeconds: 0, afterHandler: true, times: Infinity });
      const request = meeting();
      const error = await failure(directory.createEvent(TENANTS.contoso, USERS.megan, request));
      assert.deepEqual([error.status, error.transient], [504, true]);
      tenant.clearFaults();
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, request);
      assert.deepEqual((await listEvents(USERS.megan)).filter((e) => e.transactionId === request.transactionId).map((e) => e.id), [event.id]);
    });

    it('moves an event: the new time is busy, the old one free', async () => {
      const before = night(4);
      const later = night(5);
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting(before));
      const moved = await directory.updateEvent(TENANTS.contoso, USERS.megan, event.id, { ...later, subject: 'FastTrack kickoff (moved)', bodyHtml: '<p>New time.</p>' });
      assert.deepEqual([moved.id, moved.start, moved.end, moved.subject, moved.joinUrl], [event.id, iso(Date.parse(later.start)), iso(Date.parse(later.end)), 'FastTrack kickoff (moved)', event.joinUrl]);
      const busy = await busyOf('megan@contoso.com', iso(Date.parse(before.start) - DAY), iso(Date.parse(later.end) + DAY));
      assert.ok(busy.some((x) => x.start === moved.start));
      assert.ok(!busy.some((x) => x.start === event.start));
      assert.equal(tenant.requests.find((r) => r.method === 'PATCH')?.path, `/users/${USERS.megan}/events/${event.id}`);
      assert.equal((await directory.getEvent(TENANTS.contoso, USERS.megan, event.id))?.start, moved.start);
    });

    it('deletes an event, and deleting it again is fine', async () => {
      const slot = night(6);
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting(slot));
      await directory.deleteEvent(TENANTS.contoso, USERS.megan, event.id);
      assert.equal(await directory.getEvent(TENANTS.contoso, USERS.megan, event.id), undefined);
      await directory.deleteEvent(TENANTS.contoso, USERS.megan, event.id);
      const busy = await busyOf('megan@contoso.com', iso(Date.parse(slot.start) - DAY), iso(Date.parse(slot.end) + DAY));
      assert.ok(!busy.some((x) => x.start === event.start));
      assert.ok(!(await busyOf('adele@contoso.com', iso(Date.parse(slot.start) - DAY), iso(Date.parse(slot.end) + DAY))).some((x) => x.start === event.start));
    });

    it('keeps "not found" about the user apart from "the event is gone"', async () => {
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting());
      const error = await failure(directory.getEvent(TENANTS.contoso, 'nobody@contoso.com', event.id));
      assert.deepEqual([error.status, error.code], [404, 'ErrorInvalidUser']);
      await assert.rejects(directory.deleteEvent(TENANTS.contoso, 'nobody@contoso.com', event.id), (e: unknown) => e instanceof GraphError && e.status === 404);
      assert.ok(await directory.getEvent(TENANTS.contoso, USERS.megan, event.id));
      // A guest's UPN keeps its '#EXT#' (percent-encoded, not cut off as a URL fragment).
      const guest = 'jo_fabrikam.fr#EXT#@contoso.onmicrosoft.com';
      assert.equal((await failure(directory.getEvent(TENANTS.contoso, guest, event.id))).code, 'ErrorInvalidUser');
      assert.ok(tenant.requests.at(-1)?.path.startsWith(`/users/${guest}/events/`));
      assert.equal((await failure(directory.getEvent(TENANTS.contoso, '..', event.id))).code, 'InvalidUserId');
    });

    it('refuses bad event ids and bad events before sending anything', async () => {
      assert.equal((await failure(directory.getEvent(TENANTS.contoso, USERS.megan, 'AAMk/../../x?y'))).code, 'InvalidEventId');
      assert.equal((await failure(directory.deleteEvent(TENANTS.contoso, USERS.megan, ''))).code, 'InvalidEventId');
      assert.equal((await failure(directory.createEvent(TENANTS.contoso, USERS.megan, meeting({ end: night(2).start })))).code, 'InvalidEvent');
      assert.equal((await failure(directory.createEvent(TENANTS.contoso, USERS.megan, meeting({ transactionId: '' })))).code, 'InvalidEvent');
      assert.equal((await failure(directory.createEvent(TENANTS.contoso, USERS.megan, meeting({ attendees: [{ email: 'not an address', name: 'x' }] })))).code, 'InvalidEvent');
      assert.equal((await failure(directory.createEvent(TENANTS.contoso, USERS.megan, meeting({ timeZone: 'Mars/Olympus' })))).code, 'InvalidTimeZone');
      assert.equal(tenant.requests.length, 0);
    });

    it('creates a weekly series, each occurrence busy in getSchedule', async () => {
      // Tuesdays and Thursdays at 02:00 UTC, four meetings, from the next Tuesday on.
      const tuesday = DateTime.fromJSDate(now, { zone: 'UTC' }).startOf('day').plus({ days: 7 }).set({ weekday: 2, hour: 2 });
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting({
        start: iso(tuesday.toMillis()),
        end: iso(tuesday.plus({ minutes: 30 }).toMillis()),
        recurrence: { pattern: 'weekly', interval: 1, daysOfWeek: [4, 2], occurrences: 4 },
      }));
      assert.deepEqual(event.recurrence, { pattern: 'weekly', interval: 1, daysOfWeek: [2, 4], occurrences: 4 });
      const busy = await busyOf('megan@contoso.com', iso(tuesday.minus({ days: 1 }).toMillis()), iso(tuesday.plus({ days: 21 }).toMillis()));
      const series = busy.filter((x) => DateTime.fromISO(x.start, { zone: 'UTC' }).hour === 2 && Date.parse(x.end) - Date.parse(x.start) === 30 * 60_000);
      assert.deepEqual(series.map((x) => x.start), [0, 2, 7, 9].map((d) => iso(tuesday.plus({ days: d }).toMillis())));
      const sent = tenant.requests.find((r) => r.method === 'POST' && r.path.endsWith('/events'))!.body as { recurrence: unknown };
      assert.deepEqual(sent.recurrence, {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday', 'thursday'], firstDayOfWeek: 'sunday' },
        range: { type: 'numbered', startDate: tuesday.toISODate(), numberOfOccurrences: 4, recurrenceTimeZone: 'UTC' },
      });
    });

    it("keeps a series in the organizer's time zone across a daylight-saving change", async () => {
      // Tuesdays at 09:00 in Redmond from 22 October 2030; US daylight saving time ends on 3 November.
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting({
        start: '2030-10-22T09:00:00-07:00',
        end: '2030-10-22T10:00:00-07:00',
        timeZone: 'Pacific Standard Time',
        recurrence: { pattern: 'weekly', interval: 1, daysOfWeek: [2], occurrences: 3 },
      }));
      assert.equal(event.start, '2030-10-22T16:00:00.000Z');
      const sent = tenant.requests.find((r) => r.method === 'POST')!.body as { start: unknown };
      assert.deepEqual(sent.start, { dateTime: '2030-10-22T09:00:00.000', timeZone: 'Pacific Standard Time' });
      const busy = await busyOf('megan@contoso.com', '2030-10-21T00:00:00Z', '2030-11-10T00:00:00Z');
      assert.deepEqual(busy.filter((x) => x.start.startsWith('2030-1') && Date.parse(x.end) - Date.parse(x.start) === 3_600_000).map((x) => x.start), [
        '2030-10-22T16:00:00.000Z',
        '2030-10-29T16:00:00.000Z',
        '2030-11-05T17:00:00.000Z',
      ]);
    });

    it('refuses a series whose first meeting is not on one of its days (in its time zone)', async () => {
      // Monday 17:00 in Los Angeles is Tuesday in UTC.
      const error = await failure(directory.createEvent(TENANTS.contoso, USERS.megan, meeting({
        start: '2030-10-21T17:00:00-07:00',
        end: '2030-10-21T18:00:00-07:00',
        recurrence: { pattern: 'weekly', interval: 1, daysOfWeek: [1], occurrences: 3 },
      })));
      assert.equal(error.code, 'InvalidRecurrence');
      const ok = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting({
        start: '2030-10-21T17:00:00-07:00',
        end: '2030-10-21T18:00:00-07:00',
        timeZone: 'America/Los_Angeles',
        recurrence: { pattern: 'weekly', interval: 1, daysOfWeek: [1], occurrences: 3 },
      }));
      assert.equal(ok.start, '2030-10-22T00:00:00.000Z');
    });
  });

  it("reads the user's working hours from the mailbox settings, in the same round trip", async () => {
    const sita = await directory.getUserProfile(TENANTS.contoso, USERS.sita);
    assert.deepEqual(sita.workingHours, { daysOfWeek: [1, 2, 3, 4, 5, 7], start: '10:00', end: '17:00', timeZone: 'Nepal Standard Time' });
    const meganProfile = await directory.getUserProfile(TENANTS.contoso, USERS.megan);
    assert.deepEqual(meganProfile.workingHours, { daysOfWeek: [1, 2, 3, 4, 5], start: '08:00', end: '17:00', timeZone: 'Pacific Standard Time' });
    assert.equal(tenant.roundTrips(), 2);
  });

  it('leaves working hours out for a user without a mailbox', async () => {
    tenant.injectFault({ path: `/users/${USERS.adele}/mailboxSettings`, status: 404, code: 'MailboxNotEnabledForRESTAPI', insideBatch: true });
    const adele = await directory.getUserProfile(TENANTS.contoso, USERS.adele);
    assert.equal(adele.workingHours, undefined);
    assert.equal(adele.timeZone, undefined);
  });
});
