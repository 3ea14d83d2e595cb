import assert from 'node:assert/strict';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { defaultSeed } from '../../local/tenant/seed';

interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

interface GraphErrorBody {
  error: { code: string; message: string; innerError: { 'request-id': string } };
}

type Schedules = { value: MicrosoftGraph.ScheduleInformation[]; '@odata.context': string };
type Event = MicrosoftGraph.Event & { '@odata.etag': string };
type Events = { value: Event[]; '@odata.nextLink'?: string; '@odata.context': string };

/** A day with no seeded events (the seed covers 30 days from now). */
const DAY = '2031-03-04';

describe('LocalTenantServer: calendars', () => {
  const seed = defaultSeed();
  const seededMegan = seed.tenants[TENANTS.contoso]!.users.find((u) => u.id === USERS.megan)!.events!;
  const server = new LocalTenantServer({ seed });

  before(() => server.start(0));
  after(() => server.stop());
  beforeEach(() => server.reset());

  async function graph<T = Record<string, unknown>>(path: string, init: RequestInit & { json?: unknown } = {}, tenantId: string = TENANTS.contoso): Promise<Answer<T>> {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined) headers.set('Content-Type', 'application/json');
    const url = path.startsWith('http') ? path : `${server.baseUrlTemplate().replace('{tenantId}', tenantId)}/v1.0${path}`;
    const res = await fetch(url, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  function assertGraphError(answer: Answer<unknown>, status: number, code: string): void {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal((answer.body as GraphErrorBody).error.code, code);
  }

  const utc = (dateTime: string): MicrosoftGraph.DateTimeTimeZone => ({ dateTime, timeZone: 'UTC' });

  function getSchedule(body: Record<string, unknown>, headers: Record<string, string> = {}, user: string = USERS.megan): Promise<Answer<Schedules>> {
    return graph<Schedules>(`/users/${user}/calendar/getSchedule`, { method: 'POST', json: body, headers });
  }

  function createEvent(body: Record<string, unknown>, user: string = USERS.megan, headers: Record<string, string> = {}): Promise<Answer<Event>> {
    return graph<Event>(`/users/${user}/events`, { method: 'POST', json: body, headers });
  }

  const event = (start: string, end: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    subject: 'Test event',
    body: { contentType: 'HTML', content: '<p>Hello</p>' },
    start: utc(start),
    end: utc(end),
    ...extra,
  });

  describe('POST /users/{id}/calendar/getSchedule', () => {
    it("answers Graph's scheduleInformation: items, availabilityView and working hours, in UTC by default", async () => {
      const { status, body, headers } = await getSchedule({
        schedules: ['megan@contoso.com'],
        startTime: utc(seededMegan[0]!.start.slice(0, 10) + 'T00:00:00'),
        endTime: utc(seededMegan[0]!.start.slice(0, 10) + 'T23:59:59'),
      });
      assert.equal(status, 200);
      assert.equal(headers.get('preference-applied'), null);
      assert.match(body['@odata.context'], /\$metadata#Collection\(microsoft\.graph\.scheduleInformation\)$/);
      const [megan] = body.value;
      assert.equal(megan?.scheduleId, 'megan@contoso.com');
      assert.equal(megan?.availabilityView?.length, 48, 'one digit per 30 minutes of the day');
      assert.match(megan!.availabilityView!, /^[0-3]+$/);
      assert.ok(megan!.scheduleItems!.length > 0);
      for (const item of megan!.scheduleItems!) {
        assert.equal(item.start?.timeZone, 'UTC');
        assert.match(item.start!.dateTime!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$/);
        assert.ok(['free', 'tentative', 'busy', 'oof', 'workingElsewhere'].includes(item.status!));
      }
      // The lunch series is private: a time, no subject.
      const lunch = megan!.scheduleItems!.find((i) => i.isPrivate);
      assert.ok(lunch && lunch.subject === undefined);
      assert.ok(megan!.scheduleItems!.some((i) => i.subject === 'Daily stand-up'));
      assert.deepEqual(megan?.workingHours, {
        daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        startTime: '08:00:00.0000000',
        endTime: '17:00:00.0000000',
        timeZone: { name: 'Pacific Standard Time' },
      });
    });

    it('writes each slot as the strongest status over it: 0 free or working elsewhere, 1 tentative, 2 busy, 3 away', async () => {
      const at = (hhmm: string): string => `${DAY}T${hhmm}:00`;
      const statuses: Array<[string, string, string]> = [
        ['00:00', '00:30', 'tentative'],
        ['00:30', '01:30', 'busy'],
        ['01:30', '02:00', 'free'],
        ['02:00', '02:30', 'workingElsewhere'],
        ['02:30', '03:00', 'oof'],
        ['03:00', '03:15', 'busy'],
        ['03:00', '04:00', 'tentative'],
      ];
      for (const [start, end, showAs] of statuses) assert.equal((await createEvent(event(at(start), at(end), { showAs }))).status, 201);
      const { body } = await getSchedule({ schedules: ['megan@contoso.com'], startTime: utc(at('00:00')), endTime: utc(at('04:00')) });
      assert.equal(body.value[0]?.availabilityView, '12200321');
      assert.deepEqual(body.value[0]?.scheduleItems?.map((i) => i.status), ['tentative', 'busy', 'free', 'workingElsewhere', 'oof', 'busy', 'tentative']);

      const hourly = await getSchedule({ schedules: ['megan@contoso.com'], startTime: utc(at('00:00')), endTime: utc(at('04:00')), availabilityViewInterval: 60 });
      assert.equal(hourly.body.value[0]?.availabilityView, '2232');
      // A window that ends inside a slot still gets a digit for it.
      const ragged = await getSchedule({ schedules: ['megan@contoso.com'], startTime: utc(at('00:00')), endTime: utc(at('00:45')) });
      assert.equal(ragged.body.value[0]?.availabilityView, '12');
    });

    it('answers in the zone of Prefer: outlook.timezone, Windows or IANA', async () => {
      const standUp = seededMegan.find((e) => e.subject === 'Daily stand-up')!;
      const day = standUp.start.slice(0, 10);
      for (const zone of ['Pacific Standard Time', 'America/Los_Angeles']) {
        const { body, headers } = await getSchedule(
          { schedules: ['megan@contoso.com'], startTime: utc(`${day}T00:00:00`), endTime: utc(`${day}T23:59:00`) },
          { Prefer: `outlook.timezone="${zone}"` },
        );
        assert.equal(headers.get('preference-applied'), `outlook.timezone="${zone}"`);
        const item = body.value[0]!.scheduleItems!.find((i) => i.subject === 'Daily stand-up')!;
        assert.deepEqual(item.start, { dateTime: `${day}T08:30:00.0000000`, timeZone: zone });
        assert.deepEqual(item.end, { dateTime: `${day}T08:45:00.0000000`, timeZone: zone });
      }
    });

    it('takes the window in any zone Graph knows', async () => {
      const { status, body } = await getSchedule({
        schedules: ['liwei@contoso.com'],
        startTime: { dateTime: `${DAY}T00:00:00`, timeZone: 'China Standard Time' },
        endTime: { dateTime: `${DAY}T12:00:00`, timeZone: 'China Standard Time' },
      });
      assert.equal(status, 200);
      assert.equal(body.value[0]?.availabilityView?.length, 24);
    });

    it('answers an error item for an address that is not a mailbox of the tenant', async () => {
      const { status, body } = await getSchedule({
        schedules: ['ghost@contoso.com', 'nancy@northwindtraders.com', 'ADELE@contoso.com'],
        startTime: utc(`${DAY}T00:00:00`),
        endTime: utc(`${DAY}T01:00:00`),
      });
      assert.equal(status, 200);
      assert.deepEqual(body.value.map((v) => [v.scheduleId, v.error?.responseCode]), [
        ['ghost@contoso.com', 'ErrorMailRecipientNotFound'],
        ['nancy@northwindtraders.com', 'ErrorMailRecipientNotFound'],
        ['ADELE@contoso.com', undefined],
      ]);
      assert.equal(body.value[0]?.availabilityView, '');
      assert.equal(typeof body.value[0]?.error?.message, 'string');
      assert.equal(body.value[2]?.availabilityView, '00');
    });

    it('refuses more than 20 schedules, 62 days or more, a reversed window, a bad interval or zone', async () => {
      const window = { startTime: utc(`${DAY}T00:00:00`), endTime: utc(`${DAY}T01:00:00`) };
      const many = Array.from({ length: 21 }, (_, i) => `user${i}@contoso.com`);
      assertGraphError(await getSchedule({ schedules: many, ...window }), 400, 'ErrorInvalidRequest');
      assert.equal((await getSchedule({ schedules: many.slice(0, 20), ...window })).status, 200);
      assertGraphError(await getSchedule({ schedules: [], ...window }), 400, 'ErrorInvalidRequest');
      assertGraphError(await getSchedule({ schedules: ['megan@contoso.com'], startTime: utc('2031-01-01T00:00:00'), endTime: utc('2031-03-04T00:00:00') }), 400, 'ErrorTimeIntervalTooBig');
      assert.equal((await getSchedule({ schedules: ['megan@contoso.com'], startTime: utc('2031-01-01T00:00:00'), endTime: utc('2031-03-03T23:59:00') })).status, 200);
      assertGraphError(await getSchedule({ schedules: ['megan@contoso.com'], startTime: window.endTime, endTime: window.startTime }), 400, 'ErrorInvalidRequest');
      assertGraphError(await getSchedule({ schedules: ['megan@contoso.com'], ...window, availabilityViewInterval: 4 }), 400, 'ErrorInvalidRequest');
      assertGraphError(await getSchedule({ schedules: ['megan@contoso.com'], startTime: { dateTime: `${DAY}T00:00:00`, timeZone: 'Mars Standard Time' }, endTime: window.endTime }), 400, 'TimeZoneNotSupportedException');
      assertGraphError(await getSchedule({ schedules: ['megan@contoso.com'], startTime: { dateTime: 'tomorrow' }, endTime: window.endTime }), 400, 'ErrorInvalidRequest');
      assertGraphError(await getSchedule({ schedules: ['megan@contoso.com'], ...window }, {}, '00000000-0000-4000-8000-000000000000'), 404, 'ErrorInvalidUser');
      assertGraphError(await graph(`/users/${USERS.megan}/calendar/getSchedule`), 405, 'Request_BadRequest');
    });

    it('shows a meeting in the calendars of the colleagues it invites, tentative until they answer', async () => {
      await createEvent(event(`${DAY}T01:00:00`, `${DAY}T02:00:00`, { attendees: [{ emailAddress: { address: 'adele@contoso.com', name: 'Adele' }, type: 'required' }] }));
      const { body } = await getSchedule({ schedules: ['adele@contoso.com', 'alex@contoso.com'], startTime: utc(`${DAY}T00:00:00`), endTime: utc(`${DAY}T03:00:00`) });
      assert.deepEqual(body.value.map((v) => v.availabilityView), ['001100', '000000']);
    });

    it('works inside a $batch, with the step\'s own Prefer header', async () => {
      const { status, body } = await graph<{ responses: Array<{ id: string; status: number; body: Schedules }> }>('/$batch', {
        method: 'POST',
        json: {
          requests: [
            {
              id: '1',
              method: 'POST',
              url: `/users/${USERS.megan}/calendar/getSchedule`,
              headers: { 'Content-Type': 'application/json', Prefer: 'outlook.timezone="W. Europe Standard Time"' },
              body: { schedules: ['alex@contoso.com'], startTime: utc(`${DAY}T00:00:00`), endTime: utc(`${DAY}T01:00:00`) },
            },
          ],
        },
      });
      assert.equal(status, 200);
      assert.equal(body.responses[0]?.status, 200);
      assert.equal(body.responses[0]?.body.value[0]?.availabilityView, '00');
      assert.equal(server.requests.filter((r) => r.viaBatch)[0]?.path, `/users/${USERS.megan}/calendar/getSchedule`);
    });
  });

  describe('events', () => {
    it('creates a Teams meeting shaped as Graph answers it', async () => {
      const { status, body } = await createEvent(event(`${DAY}T16:00:00`, `${DAY}T17:00:00`, {
        attendees: [{ emailAddress: { address: 'someone@fasttrack.microsoft.com', name: 'FastTrack Manager' }, type: 'required' }],
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
        transactionId: 'tx-shape',
      }));
      assert.equal(status, 201);
      assert.match(body.id!, /^AAMkA[A-Za-z0-9_-]+=*$/);
      assert.match(body['@odata.etag'], /^W\/"/);
      assert.equal(body.isOnlineMeeting, true);
      assert.equal(body.onlineMeetingProvider, 'teamsForBusiness');
      assert.match(body.onlineMeeting?.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_[^/]+%40thread\.v2\/0\?context=%7b%22Tid%22%3a%22c0a70500-0000-4000-8000-000000000001%22/);
      assert.equal(body.type, 'singleInstance');
      assert.equal(body.transactionId, 'tx-shape');
      assert.equal(body.showAs, 'busy');
      assert.deepEqual(body.start, { dateTime: `${DAY}T16:00:00.0000000`, timeZone: 'UTC' });
      assert.deepEqual(body.body, { contentType: 'html', content: '<p>Hello</p>' });
      assert.equal(body.bodyPreview, 'Hello');
      assert.deepEqual(body.organizer, { emailAddress: { name: 'Megan Bowen', address: 'megan@contoso.com' } });
      assert.deepEqual(body.attendees, [
        { type: 'required', status: { response: 'none', time: '0001-01-01T00:00:00Z' }, emailAddress: { name: 'FastTrack Manager', address: 'someone@fasttrack.microsoft.com' } },
      ]);
      assert.match(body.webLink!, /^https:\/\/outlook\.office365\.com\/owa\/\?itemid=AAMkA/);
      // Recorded with its body, for tests to read what a client sent.
      assert.equal((server.requests.at(-1)?.body as { transactionId: string }).transactionId, 'tx-shape');
    });

    it('keeps the zone it was created in and answers in it (or in the Prefer zone)', async () => {
      const created = await createEvent({ subject: 'Local', start: { dateTime: `${DAY}T09:00:00`, timeZone: 'Pacific Standard Time' }, end: { dateTime: `${DAY}T10:00:00`, timeZone: 'Pacific Standard Time' } });
      assert.deepEqual(created.body.start, { dateTime: `${DAY}T09:00:00.0000000`, timeZone: 'Pacific Standard Time' });
      assert.equal(created.body.originalStartTimeZone, 'Pacific Standard Time');
      const read = await graph<Event>(`/users/${USERS.megan}/events/${created.body.id!}`);
      assert.deepEqual(read.body.start, { dateTime: `${DAY}T17:00:00.0000000`, timeZone: 'UTC' });
      const berlin = await graph<Event>(`/users/${USERS.megan}/events/${created.body.id!}`, { headers: { Prefer: 'outlook.timezone="Europe/Berlin"' } });
      assert.deepEqual(berlin.body.start, { dateTime: `${DAY}T18:00:00.0000000`, timeZone: 'Europe/Berlin' });
    });

    it('returns the same event for the same transactionId, without a duplicate', async () => {
      const body = event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { transactionId: 'FT-7K3M9Q2X-kickoff-1', isOnlineMeeting: true });
      const first = await createEvent(body);
      const again = await createEvent({ ...body, subject: 'Changed on retry' });
      assert.equal(first.status, 201);
      assert.equal(again.status, 201);
      assert.equal(again.body.id, first.body.id);
      assert.equal(again.body.subject, 'Test event');
      assert.equal(again.body.onlineMeeting?.joinUrl, first.body.onlineMeeting?.joinUrl);
      // Another mailbox may use the same transactionId for its own event.
      const adele = await createEvent(body, USERS.adele);
      assert.notEqual(adele.body.id, first.body.id);
      const list = await graph<Events>(`/users/${USERS.megan}/events?$top=1000`);
      assert.equal(list.body.value.filter((e) => e.transactionId === 'FT-7K3M9Q2X-kickoff-1').length, 1);
      assert.equal(list.body.value.length, seededMegan.length + 1);
    });

    it('lists events ten at a time, with $top, $skip and $select', async () => {
      const first = await graph<Events>(`/users/${USERS.megan}/events`);
      assert.equal(first.status, 200);
      assert.equal(first.body.value.length, 10);
      assert.match(first.body['@odata.context'], /\$metadata#users\('.+'\)\/events$/);
      assert.match(first.body['@odata.nextLink']!, /\/users\/c0a70500-0000-4000-8000-00000000a001\/events\?\$top=10&\$skip=10$/);
      const ids: string[] = [];
      let next: string | undefined = `/users/${USERS.megan}/events?$select=subject,showAs&$top=7`;
      for (let page = 0; next && page < 20; page++) {
        const answer: Answer<Events> = await graph<Events>(next);
        for (const e of answer.body.value) {
          assert.deepEqual(Object.keys(e).sort(), ['@odata.etag', 'id', 'showAs', 'subject']);
          ids.push(e.id!);
        }
        next = answer.body['@odata.nextLink'];
      }
      assert.deepEqual(ids, seededMegan.map((e) => e.id));
      const series = (await graph<Events>(`/users/${USERS.megan}/events?$top=2`)).body.value;
      assert.deepEqual(series.map((e) => [e.subject, e.type, e.recurrence?.pattern?.type]), [['Daily stand-up', 'seriesMaster', 'weekly'], ['Lunch', 'seriesMaster', 'weekly']]);

      assertGraphError(await graph(`/users/${USERS.megan}/events?$top=0`), 400, 'BadRequest');
      assertGraphError(await graph(`/users/${USERS.megan}/events?$skip=-1`), 400, 'BadRequest');
      assertGraphError(await graph(`/users/${USERS.megan}/events?$skiptoken=abc`), 400, 'Request_UnsupportedQuery');
      assertGraphError(await graph(`/users/${USERS.megan}/events?$select=nope`), 400, 'RequestBroker--ParseUri');
      assertGraphError(await graph(`/users/${USERS.megan}/events?$filter=${encodeURIComponent("transactionId eq 'x'")}`), 400, 'Request_UnsupportedQuery');
      // $top stays an unknown option elsewhere.
      assertGraphError(await graph('/users?$top=1'), 400, 'Request_UnsupportedQuery');
    });

    it('reads, updates and deletes an event by id; also under /calendar/events', async () => {
      const { body: created } = await createEvent(event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { transactionId: 'tx-crud' }));
      const path = `/users/${USERS.megan}/events/${created.id!}`;
      const read = await graph<Event>(`${path}?$select=subject,start`);
      assert.deepEqual(Object.keys(read.body).sort(), ['@odata.context', '@odata.etag', 'id', 'start', 'subject']);

      const patched = await graph<Event>(path, { method: 'PATCH', json: { subject: 'Moved', start: utc(`${DAY}T07:00:00`), end: utc(`${DAY}T08:00:00`) } });
      assert.equal(patched.status, 200);
      assert.deepEqual([patched.body.subject, patched.body.start?.dateTime, patched.body.transactionId], ['Moved', `${DAY}T07:00:00.0000000`, 'tx-crud']);
      assert.notEqual(patched.body.changeKey, created.changeKey);
      const viaCalendar = await graph<Event>(`/users/megan@contoso.com/calendar/events/${created.id!}`);
      assert.equal(viaCalendar.body.subject, 'Moved');

      assertGraphError(await graph(path, { method: 'PATCH', json: { transactionId: 'another' } }), 400, 'ErrorInvalidRequest');
      assertGraphError(await graph(path, { method: 'PATCH', json: { color: 'blue' } }), 400, 'RequestBodyRead');
      assertGraphError(await graph(path, { method: 'PATCH', json: { end: utc(`${DAY}T06:00:00`) } }), 400, 'ErrorCalendarEndDateIsEarlierThanStartDate');

      const deleted = await graph(path, { method: 'DELETE' });
      assert.equal(deleted.status, 204);
      assertGraphError(await graph(path), 404, 'ErrorItemNotFound');
      assertGraphError(await graph(path, { method: 'DELETE' }), 404, 'ErrorItemNotFound');
      assertGraphError(await graph(path, { method: 'PATCH', json: { subject: 'x' } }), 404, 'ErrorItemNotFound');
      assertGraphError(await graph(`/users/${USERS.megan}/events/not-an-id`), 400, 'ErrorInvalidIdMalformed');
      assertGraphError(await graph(`/users/nobody@contoso.com/events/${created.id!}`), 404, 'ErrorInvalidUser');
    });

    it('refuses invalid events as Graph does', async () => {
      assertGraphError(await createEvent(event(`${DAY}T06:00:00`, `${DAY}T05:00:00`)), 400, 'ErrorCalendarEndDateIsEarlierThanStartDate');
      assertGraphError(await createEvent({ subject: 'No times' }), 400, 'ErrorInvalidRequest');
      assertGraphError(await createEvent({ ...event(`${DAY}T05:00:00`, `${DAY}T06:00:00`), start: { dateTime: `${DAY}T05:00:00`, timeZone: 'Nowhere' } }), 400, 'TimeZoneNotSupportedException');
      assertGraphError(await createEvent(event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { attendees: [{ emailAddress: { name: 'No address' } }] })), 400, 'ErrorInvalidRecipients');
      assertGraphError(await createEvent(event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { isOnlineMeeting: true, onlineMeetingProvider: 'skypeForBusiness' })), 400, 'ErrorInvalidArgument');
      assertGraphError(await createEvent(event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { colour: 'red' })), 400, 'RequestBodyRead');
      assertGraphError(await createEvent(event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { showAs: 'sleeping' })), 400, 'ErrorInvalidRequest');
      assertGraphError(await graph(`/users/${USERS.megan}/events`, { method: 'POST', body: '{not json', headers: { 'Content-Type': 'application/json' } }), 400, 'BadRequest');
      assert.equal((await graph<Events>(`/users/${USERS.megan}/events?$top=1000`)).body.value.length, seededMegan.length);
    });

    it('stores a weekly or daily series and expands it into getSchedule', async () => {
      // 2031-03-04 is a Tuesday: Tuesdays and Thursdays, four meetings.
      const weekly = await createEvent(event(`${DAY}T05:00:00`, `${DAY}T05:30:00`, {
        recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday', 'thursday'] }, range: { type: 'numbered', startDate: DAY, numberOfOccurrences: 4 } },
      }));
      assert.equal(weekly.status, 201);
      assert.equal(weekly.body.type, 'seriesMaster');
      assert.deepEqual(weekly.body.recurrence, {
        pattern: { type: 'weekly', interval: 1, month: 0, dayOfMonth: 0, daysOfWeek: ['tuesday', 'thursday'], firstDayOfWeek: 'sunday', index: 'first' },
        range: { type: 'numbered', startDate: DAY, endDate: '0001-01-01', recurrenceTimeZone: 'UTC', numberOfOccurrences: 4 },
      });
      // Every other day until 10 March (inclusive): 4, 6, 8, 10 March.
      await createEvent(event(`${DAY}T06:00:00`, `${DAY}T06:15:00`, {
        recurrence: { pattern: { type: 'daily', interval: 2 }, range: { type: 'endDate', startDate: DAY, endDate: '2031-03-10' } },
      }));
      const { body } = await getSchedule({ schedules: ['megan@contoso.com'], startTime: utc('2031-03-01T00:00:00'), endTime: utc('2031-03-20T00:00:00') });
      const starts = body.value[0]!.scheduleItems!.map((i) => i.start!.dateTime!.slice(0, 16));
      assert.deepEqual(starts, [
        '2031-03-04T05:00', '2031-03-04T06:00', '2031-03-06T05:00', '2031-03-06T06:00', '2031-03-08T06:00',
        '2031-03-10T06:00', '2031-03-11T05:00', '2031-03-13T05:00',
      ]);
      assertGraphError(
        await createEvent(event(`${DAY}T05:00:00`, `${DAY}T05:30:00`, { recurrence: { pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 4 }, range: { type: 'noEnd', startDate: DAY } } })),
        400,
        'ErrorInvalidRequest',
      );
      assertGraphError(await createEvent(event(`${DAY}T05:00:00`, `${DAY}T05:30:00`, { recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: [] }, range: { type: 'noEnd', startDate: DAY } } })), 400, 'ErrorInvalidRequest');
    });

    it('answers 404 for the calendar of a user without a mailbox', async () => {
      const noMailbox = defaultSeed();
      delete noMailbox.tenants[TENANTS.contoso]!.users.find((u) => u.id === USERS.adele)!.mailboxSettings;
      const other = new LocalTenantServer({ seed: noMailbox });
      await other.start(0);
      try {
        const res = await fetch(`${other.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${USERS.adele}/events`);
        assert.equal(res.status, 404);
        assert.equal(((await res.json()) as GraphErrorBody).error.code, 'MailboxNotEnabledForRESTAPI');
        const schedule = await fetch(`${other.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${USERS.megan}/calendar/getSchedule`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ schedules: ['adele@contoso.com'], startTime: utc(`${DAY}T00:00:00`), endTime: utc(`${DAY}T01:00:00`) }),
        });
        assert.equal(((await schedule.json()) as Schedules).value[0]?.error?.responseCode, 'ErrorMailRecipientNotFound');
      } finally {
        await other.stop();
      }
    });
  });

  describe('faults, recording and reset on the calendar routes', () => {
    it('processes the request and then answers the error with afterHandler: the event exists, a retry gets it', async () => {
      const control = await fetch(`${server.url!}/_local/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ path: '^/users/[^/]+/events$', method: 'POST', status: 504, afterHandler: true }),
      });
      assert.equal(control.status, 201);
      assert.equal(((await control.json()) as { value: Array<{ afterHandler?: boolean }> }).value[0]?.afterHandler, true);

      const body = event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { transactionId: 'tx-lost' });
      assertGraphError(await createEvent(body), 504, 'GatewayTimeout');
      const list = await graph<Events>(`/users/${USERS.megan}/events?$top=1000`);
      const lost = list.body.value.filter((e) => e.transactionId === 'tx-lost');
      assert.equal(lost.length, 1, 'the event was created although the answer said 504');
      const retry = await createEvent(body);
      assert.deepEqual([retry.status, retry.body.id], [201, lost[0]!.id]);
    });

    it('answers the error without processing by default', async () => {
      server.injectFault({ path: /\/events$/, method: 'POST', status: 503 });
      assertGraphError(await createEvent(event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { transactionId: 'tx-503' })), 503, 'ServiceUnavailable');
      assert.equal((await graph<Events>(`/users/${USERS.megan}/events?$top=1000`)).body.value.filter((e) => e.transactionId === 'tx-503').length, 0);
    });

    it('applies afterHandler faults to $batch steps too', async () => {
      server.injectFault({ path: /\/events$/, status: 503, afterHandler: true, insideBatch: true });
      const { body } = await graph<{ responses: Array<{ status: number }> }>('/$batch', {
        method: 'POST',
        json: { requests: [{ id: 'create', method: 'POST', url: `/users/${USERS.megan}/events`, headers: { 'Content-Type': 'application/json' }, body: event(`${DAY}T05:00:00`, `${DAY}T06:00:00`, { transactionId: 'tx-batch' }) }] },
      });
      assert.equal(body.responses[0]?.status, 503);
      assert.equal((await graph<Events>(`/users/${USERS.megan}/events?$top=1000`)).body.value.filter((e) => e.transactionId === 'tx-batch').length, 1);
      const recorded = server.requests.find((r) => r.viaBatch);
      assert.equal((recorded?.body as { transactionId: string }).transactionId, 'tx-batch');
    });

    it('refuses an afterHandler fault without an error status', async () => {
      assert.throws(() => server.injectFault({ path: '/users', latencyMs: 10, afterHandler: true }), /afterHandler/);
      const res = await fetch(`${server.url!}/_local/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ path: '/users', status: 503, afterHandler: 'yes' }) });
      assert.equal(res.status, 400);
    });

    it('gives the seeded calendars back on reset', async () => {
      await createEvent(event(`${DAY}T05:00:00`, `${DAY}T06:00:00`));
      const seeded = await graph<Events>(`/users/${USERS.megan}/events/${seededMegan[2]!.id}`);
      assert.equal(seeded.status, 200);
      await graph(`/users/${USERS.megan}/events/${seededMegan[2]!.id}`, { method: 'DELETE' });
      assert.equal((await graph<Events>(`/users/${USERS.megan}/events?$top=1000`)).body.value.length, seededMegan.length);
      assert.equal((await fetch(`${server.url!}/_local/reset`, { method: 'POST' })).status, 204);
      const after = await graph<Events>(`/users/${USERS.megan}/events?$top=1000`);
      assert.deepEqual(after.body.value.map((e) => e.id), seededMegan.map((e) => e.id));
    });
  });
});
