import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { parseCenterModel, type FastTrackCenter, type IsoWeekday, type TimeRange } from '../../bot/domain/centers';
import { centerBusinessDays, describeSlot, findSlots, isoWeekday, SLOT_DEFAULTS, type AdminWorkingHours, type Interval, type Slot, type SlotSearchInput } from '../../bot/domain/slots';
import { regionOfTimeZone } from '../../bot/domain/timeZones';

const model = parseCenterModel(JSON.parse(readFileSync(join(__dirname, '../../bot/data/centers.json'), 'utf8')));
const center = (id: string) => model.centers.find((c) => c.id === id)!;
const REDMOND = center('americas-redmond');
const DUBLIN = center('emea-dublin');
const SINGAPORE = center('apac-singapore');
const HYDERABAD = center('apac-hyderabad');
const SHANGHAI = center('apac-shanghai');

const ADMIN_ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/Berlin', 'Europe/London', 'Asia/Shanghai', 'Asia/Calcutta', 'Asia/Katmandu', 'Australia/Adelaide'];
const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------
// A reference model written with luxon DateTime only (independent of the implementation's zone
// arithmetic), used as the oracle of the properties.
// ---------------------------------------------------------------------------------------------

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** The instant of local `hhmm` on the local day of `day` ("24:00" = the next midnight). */
const localAt = (day: DateTime, hhmm: string) => (hhmm === '24:00' ? day.startOf('day').plus({ days: 1 }).startOf('day') : day.startOf('day').set({ hour: minutes(hhmm) / 60 | 0, minute: minutes(hhmm) % 60 })).toMillis();
const ms = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();
const overlaps = (s: number, e: number, busy: readonly Interval[]) => busy.some((b) => ms(b.start) < e && s < ms(b.end) && ms(b.start) < ms(b.end));

interface RefDay {
  date: string;
  day: DateTime;
}

/** Center business days whose first opening is at or after `now`. */
function refBusinessDays(c: FastTrackCenter, now: Date, count: number): RefDay[] {
  const out: RefDay[] = [];
  let day = DateTime.fromJSDate(now, { zone: c.timeZone }).startOf('day');
  for (let i = 0; i < 400 && out.length < count; i++, day = day.plus({ days: 1 }).startOf('day')) {
    const ranges = c.businessHours[day.weekday as IsoWeekday];
    if (ranges.length === 0 || c.holidays.includes(day.toISODate()!)) continue;
    if (localAt(day, ranges[0]!.start) >= now.getTime()) out.push({ date: day.toISODate()!, day });
  }
  return out;
}

const workingOf = (input: SlotSearchInput): AdminWorkingHours => input.admin.workingHours ?? { daysOfWeek: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', timeZone: input.admin.timeZone };

/** Inside the center's business hours on a non-holiday (local minutes of the center). */
function inCenterHours(c: FastTrackCenter, s: number, e: number): boolean {
  const a = DateTime.fromMillis(s, { zone: c.timeZone });
  const b = DateTime.fromMillis(e, { zone: c.timeZone });
  if (c.holidays.includes(a.toISODate()!)) return false;
  const endMinutes = b.toISODate() === a.toISODate() ? b.hour * 60 + b.minute : b.hour === 0 && b.minute === 0 && b.startOf('day').diff(a.startOf('day'), 'days').days === 1 ? 1440 : -1;
  const startMinutes = a.hour * 60 + a.minute;
  return c.businessHours[a.weekday as IsoWeekday].some((r) => minutes(r.start) <= startMinutes && endMinutes <= minutes(r.end) && endMinutes > startMinutes);
}

/** Inside the admin's working hours (start < end in the generated hours). */
function inWorkingHours(w: AdminWorkingHours, s: number, e: number): boolean {
  const a = DateTime.fromMillis(s, { zone: w.timeZone });
  const b = DateTime.fromMillis(e, { zone: w.timeZone });
  if (a.toISODate() !== b.toISODate() || !w.daysOfWeek.includes(a.weekday)) return false;
  return a.hour * 60 + a.minute >= minutes(w.start) && b.hour * 60 + b.minute <= minutes(w.end);
}

interface RefCandidate {
  start: number;
  end: number;
  adminDay: string;
  personId: string;
}

interface Reference {
  days: RefDay[];
  windowStart: number;
  windowEnd: number;
  ranking: string[];
  /** Every valid slot (someone free), in time order, with the person the ranking gives it. */
  valid: RefCandidate[];
}

function reference(input: SlotSearchInput): Reference {
  const lead = input.leadBusinessDays ?? SLOT_DEFAULTS.leadBusinessDays;
  const horizon = input.horizonBusinessDays ?? SLOT_DEFAULTS.horizonBusinessDays;
  const step = (input.stepMinutes ?? SLOT_DEFAULTS.stepMinutes) * MINUTE;
  const duration = (input.durationMinutes ?? SLOT_DEFAULTS.durationMinutes) * MINUTE;
  const c = input.center;
  const days = refBusinessDays(c, input.now, horizon).slice(lead);
  const opens = days.flatMap((d) => c.businessHours[d.day.weekday as IsoWeekday].map((r) => ({ start: localAt(d.day, r.start), end: localAt(d.day, r.end) })));
  const windowStart = Math.min(...opens.map((o) => o.start));
  const windowEnd = Math.max(...opens.map((o) => o.end));
  const inWindow = (busy: readonly Interval[]) => busy.filter((b) => ms(b.start) < ms(b.end) && ms(b.end) > windowStart && ms(b.start) < windowEnd).length;
  const ranking = [...input.people].sort((a, b) => inWindow(a.busy) - inWindow(b.busy) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((p) => p.id);
  const busyOf = new Map(input.people.map((p) => [p.id, p.busy]));
  const w = workingOf(input);
  const valid: RefCandidate[] = [];
  for (const o of opens.sort((a, b) => a.start - b.start)) {
    for (let s = o.start; s + duration <= o.end; s += step) {
      const e = s + duration;
      if (!inWorkingHours(w, s, e) || overlaps(s, e, input.admin.busy)) continue;
      const personId = ranking.find((id) => !overlaps(s, e, busyOf.get(id)!));
      if (personId === undefined) continue;
      valid.push({ start: s, end: e, adminDay: DateTime.fromMillis(s, { zone: input.admin.timeZone }).toISODate()!, personId });
    }
  }
  return { days, windowStart, windowEnd, ranking, valid };
}

/** The documented choice, applied to the reference's valid slots. */
function referenceChoice(input: SlotSearchInput, valid: readonly RefCandidate[]): RefCandidate[] {
  const maxSlots = input.maxSlots ?? SLOT_DEFAULTS.maxSlots;
  const minSlots = Math.min(maxSlots, input.minSlots ?? SLOT_DEFAULTS.minSlots);
  const chosen: RefCandidate[] = [];
  const count = (day: string) => chosen.filter((c) => c.adminDay === day).length;
  const free = (v: RefCandidate) => !chosen.some((c) => v.start < c.end && c.start < v.end);
  for (const v of valid) if (chosen.length < maxSlots && count(v.adminDay) === 0 && free(v)) chosen.push(v);
  if (chosen.length < minSlots) for (const v of valid) if (chosen.length < minSlots && count(v.adminDay) === 1 && free(v)) chosen.push(v);
  return chosen.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const T0 = Date.parse('2026-01-01T00:00:00Z');
const T1 = Date.parse('2027-11-30T00:00:00Z');
const DST_CHANGES = ['2026-03-08T10:00:00Z', '2026-03-29T01:00:00Z', '2026-04-05T16:30:00Z', '2026-10-04T16:30:00Z', '2026-10-25T01:00:00Z', '2026-11-01T09:00:00Z', '2027-03-14T10:00:00Z', '2027-03-28T01:00:00Z'].map(Date.parse);

const nowArb = fc.oneof(
  fc.integer({ min: T0, max: T1 }),
  fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -12 * 24 * 60, max: 4 * 24 * 60 })).map(([t, m]) => t + m * MINUTE),
);

/** HH:mm on the quarter hour from `lo` to `hi` minutes. */
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const quarter = (lo: number, hi: number) => fc.integer({ min: lo / 15, max: hi / 15 }).map((q) => q * 15);

/** Opening hours from 05:00 (after every DST change) to at most 23:00, one or two ranges. */
const dayHoursArb: fc.Arbitrary<TimeRange[]> = fc.oneof(
  fc.constant<TimeRange[]>([]),
  fc.tuple(quarter(300, 660), quarter(60, 540)).map(([s, len]) => [{ start: hhmm(s), end: hhmm(Math.min(1380, s + len)) }]),
  fc.tuple(quarter(300, 600), quarter(60, 300), quarter(0, 120), quarter(60, 300)).map(([s, a, gap, b]) => [
    { start: hhmm(s), end: hhmm(s + a) },
    { start: hhmm(s + a + gap), end: hhmm(Math.min(1380, s + a + gap + b)) },
  ]).filter((r) => minutes(r[1]!.start) < minutes(r[1]!.end) && minutes(r[0]!.end) <= minutes(r[1]!.start)),
);

const generatedCenterArb: fc.Arbitrary<FastTrackCenter> = fc
  .record({
    zone: fc.constantFrom('America/Chicago', 'America/Sao_Paulo', 'Europe/Berlin', 'Europe/Dublin', 'Asia/Singapore', 'Asia/Calcutta', 'Australia/Adelaide'),
    hours: fc.array(dayHoursArb, { minLength: 7, maxLength: 7 }),
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: 700 }), { maxLength: 40 }),
  })
  .filter((r) => r.hours.some((h) => h.length > 0))
  .map((r) => ({
    id: 'generated',
    name: 'Generated',
    region: regionOfTimeZone(r.zone)!,
    timeZone: r.zone,
    businessHours: Object.fromEntries(r.hours.map((h, i) => [i + 1, h])) as Record<IsoWeekday, TimeRange[]>,
    holidays: r.holidays.map((d) => DateTime.fromMillis(T0, { zone: 'utc' }).plus({ days: d }).toISODate()!).sort(),
    languages: ['en-US'],
  }));

const centerArb = fc.oneof(fc.constantFrom(...model.centers), generatedCenterArb);

const workingHoursArb = (adminZone: string): fc.Arbitrary<AdminWorkingHours | undefined> =>
  fc.option(
    fc
      .record({
        days: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 0 }),
        start: quarter(300, 780),
        length: quarter(60, 720),
        zone: fc.oneof(fc.constant(adminZone), fc.constant(adminZone), fc.constantFrom(...ADMIN_ZONES)),
      })
      .map((w) => ({ daysOfWeek: w.days, start: hhmm(w.start), end: hhmm(Math.min(1380, w.start + w.length)), timeZone: w.zone })),
    { nil: undefined },
  );

/** Busy intervals around `now`, 5 minutes to 10 hours, written with Z or with an offset. */
const busyArb = (now: number, maxLength: number): fc.Arbitrary<Interval[]> =>
  fc.array(
    fc.record({
      // Any minute, or on the quarter hour with whole half hours (so intervals touch slot edges).
      at: fc.oneof(fc.integer({ min: -24 * 60, max: 24 * 24 * 60 }), fc.integer({ min: -24 * 4, max: 24 * 24 * 4 }).map((q) => q * 15)),
      length: fc.oneof(fc.integer({ min: 5, max: 600 }), fc.integer({ min: 1, max: 12 }).map((h) => h * 30)),
      zone: fc.constantFrom('utc', ...ADMIN_ZONES),
    }).map(({ at, length, zone }) => {
      const s = DateTime.fromMillis(now + at * MINUTE, { zone });
      return { start: zone === 'utc' ? s.toJSDate().toISOString() : s.toISO()!, end: s.plus({ minutes: length }).toISO()! };
    }),
    { maxLength },
  );

const inputArb: fc.Arbitrary<SlotSearchInput> = fc
  .record({ now: nowArb, center: centerArb, adminZone: fc.constantFrom(...ADMIN_ZONES), people: fc.integer({ min: 1, max: 5 }), step: fc.constantFrom(15, 30, 30, 60) })
  .chain(({ now, center, adminZone, people, step }) =>
    fc.record({
      now: fc.constant(new Date(now)),
      center: fc.constant(center),
      admin: fc.record({ timeZone: fc.constant(adminZone), workingHours: workingHoursArb(adminZone), busy: busyArb(now, 25) }),
      people: fc.tuple(...Array.from({ length: people }, (_, i) => busyArb(now, 40).map((busy) => ({ id: `p${(i * 7) % 5}${i}`, busy })))),
      stepMinutes: fc.constant(step),
    }),
  );

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('findSlots: properties', function () {
  this.timeout(120_000);

  it('every slot satisfies every rule, and the choice is the documented one', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const slots = findSlots(input);
        const ref = reference(input);
        const lead = ref.days[0];
        const w = workingOf(input);
        const busyOf = new Map(input.people.map((p) => [p.id, p.busy]));
        assert.ok(slots.length <= SLOT_DEFAULTS.maxSlots, 'at most 5');
        slots.forEach((slot, i) => {
          const s = Date.parse(slot.start);
          const e = Date.parse(slot.end);
          assert.match(slot.start, /Z$/);
          assert.equal(e - s, 60 * MINUTE, 'exactly 60 minutes');
          assert.ok(inCenterHours(input.center, s, e), `${slot.start} inside the center's business hours, not on a holiday`);
          assert.ok(inWorkingHours(w, s, e), `${slot.start} inside the admin's working hours`);
          assert.ok(!overlaps(s, e, input.admin.busy), `${slot.start} overlaps no admin busy period`);
          assert.ok(!overlaps(s, e, busyOf.get(slot.personId)!), `${slot.start} overlaps no busy period of ${slot.personId}`);
          assert.ok(lead && s >= localAt(lead.day, input.center.businessHours[lead.day.weekday as IsoWeekday][0]!.start), `${slot.start} after the lead time`);
          const centerDate = DateTime.fromMillis(s, { zone: input.center.timeZone }).toISODate()!;
          assert.ok(ref.days.some((d) => d.date === centerDate), `${slot.start} on a business day of the horizon`);
          // The first person of the ranking who is free.
          assert.equal(slot.personId, ref.ranking.find((id) => !overlaps(s, e, busyOf.get(id)!)));
          if (i > 0) assert.ok(Date.parse(slots[i - 1]!.end) <= s, 'sorted and not overlapping');
        });
        const perDay = new Map<string, number>();
        for (const slot of slots) {
          const day = DateTime.fromISO(slot.start, { zone: input.admin.timeZone }).toISODate()!;
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
        assert.ok([...perDay.values()].every((n) => n <= 2), 'at most two per admin day');
        // Spread: when enough admin days have room, one slot per day (unless a slot crosses an admin midnight).
        const daysWithRoom = new Set(ref.valid.map((v) => v.adminDay));
        const crossesMidnight = ref.valid.some((v) => DateTime.fromMillis(v.end - 1, { zone: input.admin.timeZone }).toISODate() !== v.adminDay);
        if (!crossesMidnight && daysWithRoom.size >= SLOT_DEFAULTS.minSlots) {
          assert.equal(slots.length, Math.min(SLOT_DEFAULTS.maxSlots, daysWithRoom.size));
          assert.equal(perDay.size, slots.length, 'one slot per admin day');
        }
        if (ref.valid.length > 0) assert.ok(slots.length > 0, 'finds a slot when one exists');
        // Exactly the documented choice over the reference's valid slots.
        assert.deepEqual(
          slots.map((s) => `${s.start} ${s.personId}`),
          referenceChoice(input, ref.valid).map((v) => `${new Date(v.start).toISOString()} ${v.personId}`),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('slot starts sit on the center grid: an opening time plus whole steps', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const step = input.stepMinutes!;
        for (const slot of findSlots(input)) {
          const local = DateTime.fromISO(slot.start, { zone: input.center.timeZone });
          const m = local.hour * 60 + local.minute;
          const range = input.center.businessHours[local.weekday as IsoWeekday].find((r) => minutes(r.start) <= m && m < minutes(r.end))!;
          assert.equal((m - minutes(range.start)) % step, 0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a fully busy admin gets no slots', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const busy = [{ start: new Date(input.now.getTime() - 86_400_000).toISOString(), end: new Date(input.now.getTime() + 400 * 86_400_000).toISOString() }];
        assert.deepEqual(findSlots({ ...input, admin: { ...input.admin, busy } }), []);
      }),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const local = (slot: Slot, zone: string) => DateTime.fromISO(slot.start, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');
const search = (o: Partial<SlotSearchInput> & Pick<SlotSearchInput, 'now' | 'center'>, adminZone: string, extra: Partial<SlotSearchInput['admin']> = {}) =>
  findSlots({ people: [{ id: 'p1', busy: [] }], ...o, admin: { timeZone: adminZone, busy: [], ...extra } });

describe('findSlots: examples', () => {
  it('US spring forward (2026-03-08): Redmond at 08:00 local on both sides of the change', () => {
    const slots = search({ now: at('2026-03-04T10:00', 'America/Los_Angeles'), center: REDMOND }, 'America/New_York');
    // Wed 10:00 → B1 = Thu 5th (lead), so Fri 6th first; admin 09:00–17:00 New York = 06:00–14:00 Los Angeles.
    assert.deepEqual(
      slots.map((s) => s.start),
      ['2026-03-06T16:00:00.000Z', '2026-03-09T15:00:00.000Z', '2026-03-10T15:00:00.000Z', '2026-03-11T15:00:00.000Z', '2026-03-12T15:00:00.000Z'],
    );
    assert.deepEqual(
      slots.map((s) => local(s, 'America/Los_Angeles')),
      ['Fri 2026-03-06 08:00', 'Mon 2026-03-09 08:00', 'Tue 2026-03-10 08:00', 'Wed 2026-03-11 08:00', 'Thu 2026-03-12 08:00'],
    );
    assert.equal(local(slots[1]!, 'America/New_York'), 'Mon 2026-03-09 11:00');
  });

  it('US fall back (2026-11-01): 09:00 Los Angeles is 16:00Z on the Friday before, 17:00Z on the Monday after', () => {
    const slots = search({ now: at('2026-10-28T10:00', 'America/Los_Angeles'), center: REDMOND }, 'America/Los_Angeles');
    assert.deepEqual(
      slots.slice(0, 2).map((s) => s.start),
      ['2026-10-30T16:00:00.000Z', '2026-11-02T17:00:00.000Z'],
    );
    // Admin 09:00–17:00 Los Angeles (default working hours), center from 08:00: every slot at 09:00 local.
    assert.ok(slots.every((s) => DateTime.fromISO(s.start, { zone: 'America/Los_Angeles' }).hour === 9));
  });

  it('EU spring forward (2026-03-29): Dublin 09:00 is 10:00 in Berlin on both sides of the change', () => {
    const slots = search({ now: at('2026-03-25T10:00', 'Europe/Dublin'), center: DUBLIN }, 'Europe/Berlin');
    assert.deepEqual(
      slots.map((s) => s.start),
      ['2026-03-27T09:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-03-31T08:00:00.000Z', '2026-04-01T08:00:00.000Z', '2026-04-02T08:00:00.000Z'],
    );
    assert.deepEqual(
      slots.map((s) => `${local(s, 'Europe/Dublin')} / ${DateTime.fromISO(s.start, { zone: 'Europe/Berlin' }).toFormat('HH:mm')}`),
      ['Fri 2026-03-27 09:00 / 10:00', 'Mon 2026-03-30 09:00 / 10:00', 'Tue 2026-03-31 09:00 / 10:00', 'Wed 2026-04-01 09:00 / 10:00', 'Thu 2026-04-02 09:00 / 10:00'],
    );
  });

  it('EU fall back (2026-10-25): Dublin closed on the Irish bank holiday Monday, 09:00 GMT after', () => {
    const slots = search({ now: at('2026-10-21T12:00', 'Europe/Dublin'), center: DUBLIN }, 'Europe/Dublin');
    assert.deepEqual(
      slots.map((s) => local(s, 'Europe/Dublin')),
      ['Fri 2026-10-23 09:00', 'Tue 2026-10-27 09:00', 'Wed 2026-10-28 09:00', 'Thu 2026-10-29 09:00', 'Fri 2026-10-30 09:00'],
    );
    assert.equal(slots[1]!.start, '2026-10-27T09:00:00.000Z');
    assert.equal(slots[0]!.start, '2026-10-23T08:00:00.000Z');
  });

  it('New York admin and Dublin center while only the US has changed (2026-03-08 … 03-29)', () => {
    const before = search({ now: at('2026-03-02T12:00', 'Europe/Dublin'), center: DUBLIN }, 'America/New_York');
    // EST: New York 09:00 = 14:00 GMT.
    assert.equal(before[0]!.start, '2026-03-04T14:00:00.000Z');
    const between = search({ now: at('2026-03-16T12:00', 'Europe/Dublin'), center: DUBLIN }, 'America/New_York');
    // EDT, Dublin still on GMT: New York 09:00 = 13:00 GMT. Tue 17th is St Patrick's Day, so B1 = Wed 18th.
    assert.equal(between[0]!.start, '2026-03-19T13:00:00.000Z');
    assert.equal(local(between[0]!, 'America/New_York'), 'Thu 2026-03-19 09:00');
    const after = search({ now: at('2026-03-30T12:00', 'Europe/Dublin'), center: DUBLIN }, 'America/New_York');
    // Both changed: New York 09:00 = 14:00 Irish Standard Time.
    assert.equal(after[0]!.start, '2026-04-01T13:00:00.000Z');
    assert.equal(local(after[0]!, 'Europe/Dublin'), 'Wed 2026-04-01 14:00');
  });

  it('an India admin (+05:30) gets valid local times inside their working hours', () => {
    const slots = search({ now: at('2026-06-08T12:00', 'Asia/Singapore'), center: SINGAPORE }, 'Asia/Calcutta');
    assert.equal(slots.length, 5);
    // Singapore 09:00–18:00 (+08) ∩ India 09:00–17:00 (+05:30) = 03:30–10:00Z; the center grid gives 03:30Z = 09:00 IST.
    assert.deepEqual(
      slots.map((s) => local(s, 'Asia/Calcutta')),
      ['Wed 2026-06-10 09:00', 'Thu 2026-06-11 09:00', 'Fri 2026-06-12 09:00', 'Mon 2026-06-15 09:00', 'Tue 2026-06-16 09:00'],
    );
    const late = search({ now: at('2026-06-08T12:00', 'Asia/Singapore'), center: SINGAPORE }, 'Asia/Calcutta', {
      workingHours: { daysOfWeek: [1, 2, 3, 4, 5], start: '09:30', end: '18:30', timeZone: 'Asia/Calcutta' },
      busy: [{ start: '2026-06-10T09:00+05:30', end: '2026-06-10T14:00+05:30' }],
    });
    // Singapore closes at 18:00 SGT = 15:30 IST: 14:00 IST fits, 15:00 would not.
    assert.equal(local(late[0]!, 'Asia/Calcutta'), 'Wed 2026-06-10 14:00');
    assert.equal(local(late[0]!, 'Asia/Singapore'), 'Wed 2026-06-10 16:30');
    assert.equal(local(late[1]!, 'Asia/Calcutta'), 'Thu 2026-06-11 09:30');
  });

  it('a Nepal admin (+05:45) gets quarter-hour local times, all inside 09:00–17:00', () => {
    const slots = search({ now: at('2026-06-08T12:00', 'Asia/Singapore'), center: SINGAPORE }, 'Asia/Katmandu');
    assert.equal(slots.length, 5);
    for (const s of slots) {
      const start = DateTime.fromISO(s.start, { zone: 'Asia/Katmandu' });
      const end = DateTime.fromISO(s.end, { zone: 'Asia/Katmandu' });
      assert.equal(start.minute % 15, 0);
      assert.ok(start.hour * 60 + start.minute >= 9 * 60 && end.hour * 60 + end.minute <= 17 * 60, `${start.toISO()} in working hours`);
    }
    // 09:00 NPT = 03:15Z is off the Singapore half-hour grid: the first start is 03:30Z = 09:15 NPT = 11:30 SGT.
    assert.equal(local(slots[0]!, 'Asia/Katmandu'), 'Wed 2026-06-10 09:15');
    assert.equal(local(slots[0]!, 'Asia/Singapore'), 'Wed 2026-06-10 11:30');
    // Hyderabad opens at 09:30 IST (04:00Z), which is 09:45 in Kathmandu.
    const fromIndia = search({ now: at('2026-06-08T12:00', 'Asia/Calcutta'), center: HYDERABAD }, 'Asia/Katmandu');
    assert.equal(local(fromIndia[0]!, 'Asia/Katmandu'), 'Wed 2026-06-10 09:45');
    assert.equal(local(fromIndia[0]!, 'Asia/Calcutta'), 'Wed 2026-06-10 09:30');
  });

  it('an Adelaide admin (+10:30 in summer) meets Shanghai around its lunch break', () => {
    const slots = search({ now: at('2026-03-02T12:00', 'Asia/Shanghai'), center: SHANGHAI }, 'Australia/Adelaide', { busy: [{ start: '2026-03-04T09:00+10:30', end: '2026-03-04T14:00+10:30' }] });
    // Shanghai 09:00–12:00 and 13:30–18:00 (+08); Adelaide 09:00–17:00 (+10:30) = Shanghai 06:30–14:30.
    // Busy until 14:00 Adelaide = 11:30 Shanghai: the morning has 30 minutes left, so 13:30 after lunch.
    assert.equal(local(slots[0]!, 'Asia/Shanghai'), 'Wed 2026-03-04 13:30');
    assert.equal(local(slots[0]!, 'Australia/Adelaide'), 'Wed 2026-03-04 16:00');
    assert.equal(local(slots[1]!, 'Australia/Adelaide'), 'Thu 2026-03-05 11:30');
  });

  it('a fully busy admin gets no slots', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    assert.deepEqual(search({ now, center: REDMOND }, 'America/Los_Angeles', { busy: [{ start: '2026-06-01T00:00:00Z', end: '2026-07-01T00:00:00Z' }] }), []);
  });

  it('no slots when the business hours and the working hours never meet', () => {
    assert.deepEqual(search({ now: at('2026-06-08T12:00', 'America/Los_Angeles'), center: REDMOND }, 'Asia/Calcutta'), []);
  });

  it('skips the center holidays (Thanksgiving and the day after in Redmond)', () => {
    const slots = search({ now: at('2026-11-23T10:00', 'America/Los_Angeles'), center: REDMOND }, 'America/Los_Angeles');
    assert.deepEqual(
      slots.map((s) => local(s, 'America/Los_Angeles')),
      ['Wed 2026-11-25 09:00', 'Mon 2026-11-30 09:00', 'Tue 2026-12-01 09:00', 'Wed 2026-12-02 09:00', 'Thu 2026-12-03 09:00'],
    );
  });

  it('holidays count as no business day for the lead time either (Chinese National Day)', () => {
    // Wed 2026-09-30: Oct 1, 2, 5, 6, 7 are holidays; B1 = Thu Oct 8 (lead), first slot Fri Oct 9.
    const slots = search({ now: at('2026-09-30T10:00', 'Asia/Shanghai'), center: SHANGHAI }, 'Asia/Shanghai');
    assert.equal(local(slots[0]!, 'Asia/Shanghai'), 'Fri 2026-10-09 09:00');
  });

  it('lead time: before opening, today is the lead day; once opened, tomorrow is', () => {
    const early = search({ now: at('2026-06-08T07:00', 'America/Los_Angeles'), center: REDMOND }, 'America/Los_Angeles');
    assert.equal(local(early[0]!, 'America/Los_Angeles'), 'Tue 2026-06-09 09:00');
    const opening = search({ now: at('2026-06-08T08:00', 'America/Los_Angeles'), center: REDMOND }, 'America/Los_Angeles');
    assert.equal(local(opening[0]!, 'America/Los_Angeles'), 'Tue 2026-06-09 09:00');
    const open = search({ now: at('2026-06-08T08:01', 'America/Los_Angeles'), center: REDMOND }, 'America/Los_Angeles');
    assert.equal(local(open[0]!, 'America/Los_Angeles'), 'Wed 2026-06-10 09:00');
    const friday = search({ now: at('2026-06-12T16:00', 'America/Los_Angeles'), center: REDMOND }, 'America/Los_Angeles');
    assert.equal(local(friday[0]!, 'America/Los_Angeles'), 'Tue 2026-06-16 09:00');
    assert.deepEqual(
      centerBusinessDays(REDMOND, at('2026-07-02T12:00', 'America/Los_Angeles'), 3).map((d) => d.date),
      ['2026-07-06', '2026-07-07', '2026-07-08'],
    );
  });

  it('the horizon: nothing beyond the 10th business day; a shorter horizon finds fewer days', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    const busy = [{ start: '2026-06-09T00:00:00Z', end: '2026-06-19T00:00:00Z' }];
    // B1 = Tue 9th … B10 = Mon 22nd; the admin is busy until Thu 18th (PT), so only Fri 19th and Mon 22nd remain.
    const slots = search({ now, center: REDMOND }, 'America/Los_Angeles', { busy });
    assert.deepEqual(
      slots.map((s) => local(s, 'America/Los_Angeles')),
      ['Fri 2026-06-19 09:00', 'Fri 2026-06-19 10:00', 'Mon 2026-06-22 09:00'],
    );
    assert.deepEqual(search({ now, center: REDMOND, horizonBusinessDays: 1 }, 'America/Los_Angeles'), []);
  });

  it('spreads across days; doubles up only when fewer than 3 days have room', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    const all = search({ now, center: REDMOND }, 'America/Los_Angeles');
    assert.equal(new Set(all.map((s) => s.start.slice(0, 10))).size, 5);
    // Only Wed 10th and Thu 11th have room (admin busy otherwise): 2 on Wed, 1 on Thu.
    const busy = [
      { start: '2026-06-09T00:00:00-07:00', end: '2026-06-10T00:00:00-07:00' },
      { start: '2026-06-12T00:00:00-07:00', end: '2026-06-30T00:00:00-07:00' },
    ];
    assert.deepEqual(
      search({ now, center: REDMOND }, 'America/Los_Angeles', { busy }).map((s) => local(s, 'America/Los_Angeles')),
      ['Wed 2026-06-10 09:00', 'Wed 2026-06-10 10:00', 'Thu 2026-06-11 09:00'],
    );
    // Only one free hour at all: one slot.
    const one = [
      { start: '2026-06-09T00:00:00-07:00', end: '2026-06-10T13:00:00-07:00' },
      { start: '2026-06-10T14:00:00-07:00', end: '2026-06-30T00:00:00-07:00' },
    ];
    assert.deepEqual(
      search({ now, center: REDMOND }, 'America/Los_Angeles', { busy: one }).map((s) => local(s, 'America/Los_Angeles')),
      ['Wed 2026-06-10 13:00'],
    );
  });

  it('chooses the least-booked free person, ties by id', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    const busy = (n: number, from = '2026-06-15T08:00:00-07:00') => Array.from({ length: n }, (_, i) => ({ start: DateTime.fromISO(from).plus({ hours: i * 2 }).toISO()!, end: DateTime.fromISO(from).plus({ hours: i * 2 + 1 }).toISO()! }));
    const people = [
      { id: 'ft-b', busy: busy(1) },
      { id: 'ft-a', busy: busy(1) },
      { id: 'ft-c', busy: [] as Interval[] },
    ];
    // ft-c is least booked, but busy on Wed 10th 09:00–12:00 there.
    people[2]!.busy = [{ start: '2026-06-10T09:00:00-07:00', end: '2026-06-10T12:00:00-07:00' }];
    const slots = search({ now, center: REDMOND, people }, 'America/Los_Angeles');
    // All three have one busy interval now: tie by id → ft-a, unless busy.
    assert.equal(slots[0]!.personId, 'ft-a');
    const fewer = search({ now, center: REDMOND, people: [...people, { id: 'ft-d', busy: [] }] }, 'America/Los_Angeles');
    assert.deepEqual(
      fewer.map((s) => s.personId),
      ['ft-d', 'ft-d', 'ft-d', 'ft-d', 'ft-d'],
    );
    const dBusyWednesday = search({ now, center: REDMOND, people: [...people, { id: 'ft-d', busy: [{ start: '2026-06-10T09:00:00-07:00', end: '2026-06-10T09:30:00-07:00' }] }] }, 'America/Los_Angeles');
    // Everyone has one busy interval: ft-a (id order) is free Wed 09:00.
    assert.equal(dBusyWednesday[0]!.personId, 'ft-a');
    assert.equal(local(dBusyWednesday[0]!, 'America/Los_Angeles'), 'Wed 2026-06-10 09:00');
  });

  it('a meeting may start when a busy period ends and end when the next begins', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    const around = (from: string, to: string) => [
      { start: '2026-06-09T00:00:00-07:00', end: from },
      { start: to, end: '2026-06-30T00:00:00-07:00' },
    ];
    const slots = search(
      { now, center: REDMOND, people: [{ id: 'ft-a', busy: around('2026-06-10T10:00:00-07:00', '2026-06-10T11:00:00-07:00') }] },
      'America/Los_Angeles',
      { busy: around('2026-06-10T10:00:00-07:00', '2026-06-10T11:00:00-07:00') },
    );
    assert.deepEqual(slots, [{ start: '2026-06-10T17:00:00.000Z', end: '2026-06-10T18:00:00.000Z', personId: 'ft-a' }]);
  });

  it('a person busy at every candidate time leaves no slot', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    const people = [{ id: 'ft-x', busy: [{ start: '2026-06-01T00:00:00Z', end: '2026-07-01T00:00:00Z' }] }];
    assert.deepEqual(search({ now, center: REDMOND, people }, 'America/Los_Angeles'), []);
    assert.deepEqual(search({ now, center: REDMOND, people: [] }, 'America/Los_Angeles'), []);
  });

  it('respects working hours in another zone than the admin display zone, and Saturdays', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    const slots = search({ now, center: REDMOND }, 'America/New_York', { workingHours: { daysOfWeek: [2, 4, 6], start: '13:00', end: '15:00', timeZone: 'America/Los_Angeles' } });
    // Tue 9th is the lead day and Tue 23rd is past B10 (Mon 22nd); Saturdays the center is closed.
    assert.deepEqual(
      slots.map((s) => local(s, 'America/Los_Angeles')),
      ['Thu 2026-06-11 13:00', 'Tue 2026-06-16 13:00', 'Thu 2026-06-18 13:00'],
    );
  });

  it('rejects what it cannot compute with', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    assert.throws(() => search({ now, center: REDMOND }, 'Mars/Olympus'), /admin: "Mars\/Olympus" is not an IANA time zone/);
    assert.throws(() => search({ now, center: REDMOND }, 'America/New_York', { busy: [{ start: '2026-06-10T09:00:00', end: '2026-06-10T10:00:00' }] }), /admin busy: "2026-06-10T09:00:00" is not an ISO instant with an offset/);
    assert.throws(() => search({ now, center: REDMOND }, 'America/New_York', { workingHours: { daysOfWeek: [1], start: '9:00', end: '17:00', timeZone: 'America/New_York' } }), /"9:00" is not HH:mm/);
    assert.throws(() => search({ now, center: REDMOND, durationMinutes: 0 }, 'America/New_York'), /durationMinutes/);
  });

  it('reads instants with offsets, fractions and Z alike', () => {
    const now = at('2026-06-08T12:00', 'America/Los_Angeles');
    const forms = ['2026-06-10T16:00:00Z', '2026-06-10T16:00:00.0000000Z', '2026-06-10T09:00-07:00', '2026-06-10T18:00:00.000+02:00', '2026-06-10T16:00:00.5z'];
    for (const start of forms) {
      const slots = search({ now, center: REDMOND }, 'America/Los_Angeles', { busy: [{ start, end: '2026-06-10T23:59:00Z' }] });
      assert.ok(!slots.some((s) => s.start.startsWith('2026-06-10')), start);
    }
  });

  it('isoWeekday reads Graph day names', () => {
    assert.deepEqual(['monday', 'Sunday', 'FRIDAY', 'funday'].map(isoWeekday), [1, 7, 5, undefined]);
  });
});

describe('describeSlot', () => {
  const norm = (s: string) => s.replace(/\s/g, ' ');
  const slot = { start: '2026-12-01T17:00:00.000Z', end: '2026-12-01T18:00:00.000Z', personId: 'p1' };

  it('shows each time with its zone name', () => {
    const d = describeSlot(slot, 'America/Los_Angeles', 'Asia/Shanghai', 'en-US');
    assert.equal(norm(d.adminTime), 'Tue, Dec 1, 9:00 – 10:00 AM PST');
    assert.match(norm(d.centerTime), /^Wed, Dec 2, 1:00 – 2:00 AM GMT\+8$/);
    assert.equal(d.adminZoneName, 'Pacific Standard Time');
    assert.equal(d.centerZoneName, 'China Standard Time');
  });

  it('names the zone as it is at the slot (daylight time in summer) and handles half-hour zones', () => {
    const d = describeSlot({ start: '2026-07-01T03:30:00Z', end: '2026-07-01T04:30:00Z' }, 'Asia/Calcutta', 'Europe/Dublin', 'en-US');
    assert.equal(norm(d.adminTime), 'Wed, Jul 1, 9:00 – 10:00 AM GMT+5:30');
    assert.equal(d.adminZoneName, 'India Standard Time');
    assert.equal(d.centerZoneName, 'Irish Standard Time');
    assert.match(norm(d.centerTime), /4:30 – 5:30 AM GMT\+1$/);
  });

  it('names each zone once: the short name after the time, the long name apart, never both in one label', () => {
    const d = describeSlot(slot, 'America/Los_Angeles', 'Asia/Shanghai', 'en-US');
    for (const label of [d.adminTime, d.centerTime]) assert.doesNotMatch(label, /Standard Time/);
    assert.equal(d.sameZone, false);
  });

  it('tells when the center sees the same time under the same zone name, so it is shown once', () => {
    const same = (admin: string, center: string, at: { start: string; end: string } = slot) => describeSlot(at, admin, center, 'en-US').sameZone;
    assert.equal(same('America/Los_Angeles', 'America/Los_Angeles'), true, 'the same zone');
    assert.equal(same('Asia/Calcutta', 'Asia/Kolkata'), true, 'two names of one zone');
    assert.equal(same('America/Vancouver', 'America/Los_Angeles'), true, 'another zone with the same offset and name (PST)');
    assert.equal(same('America/Denver', 'America/Los_Angeles'), false, 'another offset');
    const summer = { start: '2026-07-01T09:00:00.000Z', end: '2026-07-01T10:00:00.000Z' };
    assert.equal(same('Europe/London', 'Europe/Dublin', summer), false, 'same offset in summer, but British Summer Time is not Irish Standard Time');
    assert.equal(same('Europe/London', 'Europe/Dublin'), true, 'both Greenwich Mean Time in winter');
  });

  it('is localised', () => {
    const d = describeSlot(slot, 'Europe/Berlin', 'America/Los_Angeles', 'de-DE');
    assert.match(norm(d.adminTime), /^Di\., 1\. Dez\., 18:00 ?– ?19:00 (Uhr )?MEZ$/);
    assert.equal(d.adminZoneName, 'Mitteleuropäische Normalzeit');
    assert.equal(describeSlot(slot, 'Asia/Shanghai', 'Asia/Shanghai', 'zh-CN').adminZoneName, '中国标准时间');
  });
});
