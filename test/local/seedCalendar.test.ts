import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { DAYS, EVENT_ID, ianaZone, occurrencesOf } from '../../local/tenant/calendar';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { defaultSeed, type SeedEvent, type SeedRecurrence } from '../../local/tenant/seed';
import { OOF_WORKING_DAY, SEED_CALENDAR_DAYS, TENTATIVE_WORKING_DAY, WORKING_ELSEWHERE_DAY } from '../../local/tenant/seedCalendar';

const DAY = 86_400_000;

describe('the seeded calendars', () => {
  const now = new Date('2025-06-01T12:00:00Z'); // a Sunday
  const seed = defaultSeed(now);
  const users = Object.values(seed.tenants).flatMap((t) => t.users);

  it('are the same for the same now, and follow a different now', () => {
    assert.deepEqual(defaultSeed(new Date(now)), seed);
    const later = defaultSeed(new Date(now.getTime() + 7 * DAY));
    const megan = (s: typeof seed): SeedEvent[] => s.tenants[TENANTS.contoso]!.users.find((u) => u.id === USERS.megan)!.events!;
    assert.notDeepEqual(megan(later).map((e) => e.id), megan(seed).map((e) => e.id));
    // An ordinary day's meetings depend on the user and the date, not on now: 11 June is in both calendars.
    const onJune11 = (events: SeedEvent[]): string[] =>
      events.filter((e) => !e.recurrence && !e.isAllDay && e.start.startsWith('2025-06-11')).map((e) => `${e.start} ${e.subject} ${e.showAs}`);
    assert.ok(onJune11(megan(seed)).length >= 2);
    assert.deepEqual(onJune11(megan(later)), onJune11(megan(seed)));
  });

  it('give every mailbox unique, Graph-looking event ids', () => {
    const ids = users.flatMap((u) => u.events ?? []).map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, EVENT_ID);
  });

  for (const user of defaultSeed(new Date('2025-06-01T12:00:00Z')).tenants[TENANTS.contoso]!.users) {
    it(`keep ${user.userPrincipalName}'s meetings inside working hours, in the mailbox's zone, never overlapping`, () => {
      const mailbox = user.mailboxSettings!;
      const zone = ianaZone(mailbox.timeZone)!;
      const workDays = new Set(mailbox.workingHours.daysOfWeek.map((d) => DAYS.indexOf(d) + 1));
      const [startH, startM] = mailbox.workingHours.startTime.split(':').map(Number);
      const [endH, endM] = mailbox.workingHours.endTime.split(':').map(Number);
      const events = user.events!;
      const from = now.getTime() - DAY;
      const to = now.getTime() + (SEED_CALENDAR_DAYS + 1) * DAY;
      const timed = events.filter((e) => !e.isAllDay).flatMap((e) => occurrencesOf(e, from, to).map((o) => ({ ...o, e })));
      assert.ok(timed.length > SEED_CALENDAR_DAYS, `${timed.length} timed occurrences`);
      for (const o of timed) {
        const start = DateTime.fromMillis(o.start, { zone });
        const end = DateTime.fromMillis(o.end, { zone });
        assert.ok(workDays.has(start.weekday), `${o.e.subject} on a working day`);
        assert.ok(start.hour * 60 + start.minute >= startH! * 60 + startM!, `${o.e.subject} starts ${start.toISO()}`);
        assert.ok(end.hour * 60 + end.minute <= endH! * 60 + endM! && end.hasSame(start, 'day'), `${o.e.subject} ends ${end.toISO()}`);
      }
      const sorted = [...timed].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.start >= sorted[i - 1]!.end, `${sorted[i]!.e.subject} overlaps ${sorted[i - 1]!.e.subject}`);
      for (const e of events) assert.equal(e.timeZone, mailbox.timeZone);
    });
  }

  it("give Megan a stand-up and a lunch series, 2–3 meetings a day, a tentative one, a day working from home and a day out of office", () => {
    const megan = seed.tenants[TENANTS.contoso]!.users.find((u) => u.id === USERS.megan)!;
    const events = megan.events!;
    const la = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'America/Los_Angeles' });
    // Working days from Sunday 1 June: Monday 2 June is #0.
    const workingDay = (n: number): string => ['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06', '2025-06-09', '2025-06-10'][n]!;

    const standUp = events.find((e) => e.subject === 'Daily stand-up')!;
    assert.equal(la(standUp.start).toFormat('yyyy-MM-dd HH:mm'), '2025-06-02 08:30');
    assert.deepEqual(standUp.recurrence?.pattern.daysOfWeek, ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);
    assert.equal(standUp.recurrence?.range.type, 'endDate');
    assert.equal(standUp.recurrence?.range.endDate, '2025-06-30');
    assert.ok(standUp.joinUrl?.startsWith('https://teams.microsoft.com/l/meetup-join/'));
    const lunch = events.find((e) => e.subject === 'Lunch')!;
    assert.deepEqual([la(lunch.start).toFormat('HH:mm'), la(lunch.end).toFormat('HH:mm'), lunch.sensitivity, lunch.recurrence?.range.type, lunch.recurrence?.range.numberOfOccurrences], ['12:00', '13:00', 'private', 'numbered', 21]);

    const oof = events.filter((e) => e.showAs === 'oof');
    assert.deepEqual(oof.map((e) => [la(e.start).toFormat('yyyy-MM-dd HH:mm'), la(e.end).toFormat('yyyy-MM-dd HH:mm'), e.isAllDay]), [[`${workingDay(OOF_WORKING_DAY)} 00:00`, `${workingDay(OOF_WORKING_DAY + 1)} 00:00`, true]]);
    const remote = events.filter((e) => e.showAs === 'workingElsewhere');
    assert.deepEqual(remote.map((e) => la(e.start).toISODate()), [workingDay(WORKING_ELSEWHERE_DAY)]);

    const meetings = events.filter((e) => !e.recurrence && !e.isAllDay);
    const perDay = new Map<string, number>();
    for (const m of meetings) perDay.set(la(m.start).toISODate()!, (perDay.get(la(m.start).toISODate()!) ?? 0) + 1);
    assert.ok(!perDay.has(workingDay(OOF_WORKING_DAY)), 'no meetings on the day out of office');
    assert.equal(perDay.size, 21 - 1);
    assert.ok([...perDay.values()].every((n) => n === 2 || n === 3));
    assert.equal(meetings.filter((m) => la(m.start).toISODate() === workingDay(TENTATIVE_WORKING_DAY))[0]?.showAs, 'tentative');
    assert.ok(meetings.filter((m) => m.showAs === 'busy').length > meetings.length / 2);
    assert.ok(meetings.some((m) => m.isOnlineMeeting && m.joinUrl) && meetings.some((m) => !m.isOnlineMeeting && m.location?.startsWith('Room')));
  });

  it("follow Sita's Sunday-to-Friday week in Nepal's zone", () => {
    const sita = seed.tenants[TENANTS.contoso]!.users.find((u) => u.id === USERS.sita)!;
    const standUp = sita.events!.find((e) => e.subject === 'Daily stand-up')!;
    assert.ok(standUp.recurrence?.pattern.daysOfWeek.includes('sunday'));
    assert.equal(DateTime.fromISO(standUp.start, { zone: 'Asia/Kathmandu' }).toFormat('yyyy-MM-dd HH:mm'), '2025-06-01 10:30');
  });
});

describe('occurrencesOf', () => {
  const base = (start: string, end: string, recurrence: SeedRecurrence | null, timeZone = 'UTC'): SeedEvent => ({
    id: 'AAMkAtesttesttesttesttesttestAAA=', transactionId: null, subject: 's', body: { contentType: 'text', content: '' }, start, end, timeZone,
    isAllDay: false, showAs: 'busy', sensitivity: 'normal', location: null, attendees: [], isOnlineMeeting: false, onlineMeetingProvider: 'unknown',
    joinUrl: null, recurrence, createdDateTime: start, lastModifiedDateTime: start, changeKey: 'x', categories: [],
  });
  const weekly = (days: string[], range: Partial<SeedRecurrence['range']>, interval = 1, firstDayOfWeek = 'sunday'): SeedRecurrence => ({
    pattern: { type: 'weekly', interval, daysOfWeek: days as SeedRecurrence['pattern']['daysOfWeek'], firstDayOfWeek: firstDayOfWeek as SeedRecurrence['pattern']['firstDayOfWeek'] },
    range: { type: 'numbered', startDate: '2031-03-04', endDate: null, numberOfOccurrences: 0, recurrenceTimeZone: 'UTC', ...range },
  });
  const all = (e: SeedEvent): string[] => occurrencesOf(e, Date.parse('2031-01-01T00:00:00Z'), Date.parse('2031-12-31T00:00:00Z')).map((o) => new Date(o.start).toISOString().slice(0, 16));

  it('answers a single event when it overlaps the window', () => {
    const e = base('2031-03-04T10:00:00.000Z', '2031-03-04T11:00:00.000Z', null);
    assert.equal(occurrencesOf(e, Date.parse('2031-03-04T10:59:00Z'), Date.parse('2031-03-04T12:00:00Z')).length, 1);
    assert.equal(occurrencesOf(e, Date.parse('2031-03-04T11:00:00Z'), Date.parse('2031-03-04T12:00:00Z')).length, 0);
    assert.equal(occurrencesOf(e, Date.parse('2031-03-04T09:00:00Z'), Date.parse('2031-03-04T10:00:00Z')).length, 0);
  });

  it('counts numbered occurrences across the pattern days, from the start date', () => {
    // 4 March 2031 is a Tuesday.
    assert.deepEqual(all(base('2031-03-04T10:00:00.000Z', '2031-03-04T11:00:00.000Z', weekly(['tuesday', 'friday'], { numberOfOccurrences: 3 }))), ['2031-03-04T10:00', '2031-03-07T10:00', '2031-03-11T10:00']);
  });

  it('ends an endDate range on its end date, inclusive', () => {
    assert.deepEqual(all(base('2031-03-04T10:00:00.000Z', '2031-03-04T11:00:00.000Z', weekly(['tuesday'], { type: 'endDate', endDate: '2031-03-18' }))), ['2031-03-04T10:00', '2031-03-11T10:00', '2031-03-18T10:00']);
  });

  it('skips weeks by interval, weeks starting on firstDayOfWeek', () => {
    // Every other week on Monday and Tuesday, weeks from Tuesday: the week of 4 March holds Tue 4 and Mon 10.
    assert.deepEqual(all(base('2031-03-04T10:00:00.000Z', '2031-03-04T11:00:00.000Z', weekly(['monday', 'tuesday'], { numberOfOccurrences: 4 }, 2, 'tuesday'))), ['2031-03-04T10:00', '2031-03-10T10:00', '2031-03-18T10:00', '2031-03-24T10:00']);
    // The same with weeks from Sunday: Tue 4, then the week of 16 March: Mon 17, Tue 18, then Mon 31.
    assert.deepEqual(all(base('2031-03-04T10:00:00.000Z', '2031-03-04T11:00:00.000Z', weekly(['monday', 'tuesday'], { numberOfOccurrences: 4 }, 2, 'sunday'))), ['2031-03-04T10:00', '2031-03-17T10:00', '2031-03-18T10:00', '2031-03-31T10:00']);
  });

  it('keeps the local time of day in the recurrence zone across daylight saving', () => {
    // Paris, 09:00 every Friday around the change of 30 March 2031.
    const e = base('2031-03-21T08:00:00.000Z', '2031-03-21T09:00:00.000Z', weekly(['friday'], { startDate: '2031-03-21', numberOfOccurrences: 3, recurrenceTimeZone: 'Romance Standard Time' }), 'Romance Standard Time');
    assert.deepEqual(all(e), ['2031-03-21T08:00', '2031-03-28T08:00', '2031-04-04T07:00']);
  });

  it('expands daily patterns with an interval, and noEnd ranges up to the window', () => {
    const daily: SeedRecurrence = { pattern: { type: 'daily', interval: 3, daysOfWeek: [], firstDayOfWeek: 'sunday' }, range: { type: 'noEnd', startDate: '2031-03-04', endDate: null, numberOfOccurrences: 0, recurrenceTimeZone: 'UTC' } };
    const e = base('2031-03-04T10:00:00.000Z', '2031-03-04T10:30:00.000Z', daily);
    const found = occurrencesOf(e, Date.parse('2031-03-05T00:00:00Z'), Date.parse('2031-03-14T00:00:00Z'));
    assert.deepEqual(found.map((o) => new Date(o.start).toISOString().slice(0, 10)), ['2031-03-07', '2031-03-10', '2031-03-13']);
    assert.ok(found.every((o) => o.isRecurring && o.end - o.start === 30 * 60_000));
  });
});
