import assert from 'node:assert/strict';
import { MemoryStorage, type Activity } from 'botbuilder';
import { DateTime } from 'luxon';
import { BookingLedger } from '../../bot/booking/ledger';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { cards, centers, createTestBot, journeyDeps, MEGAN, renderer, visibleText } from '../helpers/botHarness';
import { step, type Bot } from '../helpers/journeySteps';
import {
  activeMeetings,
  allReservations,
  assertShowsLine,
  cancelRequest,
  fastTrackEvents,
  localeString,
  occurrences,
  slotChoices,
  testClock,
  toSlots,
  utc,
} from '../helpers/meetings';

const en = renderer.strings('en-US');
const MINUTE = 60_000;
const DAY = 86_400_000;

describe('the meetings of a request', function () {
  this.timeout(40000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  const events = () => fastTrackEvents(tenant, TENANTS.contoso, USERS.megan);
  const requestOf = async (bot: Bot) => {
    const request = await bot.requests.findOpen(TENANTS.contoso);
    assert.ok(request, 'the request is open');
    return request;
  };
  /** The request's reservations in the ledger, as start–end pairs, sorted. */
  const heldTimes = async (bot: Bot, requestId: string, kind: 'kickoff' | 'checkpoint') =>
    (await allReservations(bot.documents)).filter((r) => r.requestId === requestId && r.kind === kind).map((r) => `${r.start}–${r.end}`).sort();
  const times = (list: { start: string; end: string }[]) => list.map((o) => `${o.start}–${o.end}`).sort();

  /** Books the kickoff at the earliest time offered; returns the "Kickoff booked" replies. */
  async function bookKickoff(bot: Bot): Promise<Partial<Activity>[]> {
    const slots = await toSlots(bot, MEGAN);
    const booked = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
    assert.ok(visibleText(booked).includes(en.meeting.bookedTitle), 'the kickoff is booked');
    return booked;
  }

  /** Adds checkpoints from the kickoff card at the earliest time offered; returns the "Checkpoints booked" replies. */
  async function addCheckpoints(bot: Bot, kickoffCard: Partial<Activity>[], interval: '1' | '2' = '2'): Promise<Partial<Activity>[]> {
    const offer = await bot.click(MEGAN, step(kickoffCard, 'checkpoints.add').data);
    const done = await bot.click(MEGAN, { ...step(offer, 'slot.pick').data, slot: '0', interval });
    assert.ok(visibleText(done).includes(en.meeting.checkpointsTitle), 'the checkpoints are booked');
    return done;
  }

  describe('one kickoff and one checkpoint series per request', () => {
    it('shows the open slot card again when the admin types book while it is open', async () => {
      const bot = createTestBot({ graph: tenant });
      const slots = await toSlots(bot, MEGAN);
      const again = await bot.say(MEGAN, en.commands.book);
      assert.equal(step(again, 'slot.pick').data.token, step(slots, 'slot.pick').data.token, 'the same open card, not a second scheduling dialog');
    });

    it('books one kickoff when the admin types book during the slot card and then clicks both cards', async () => {
      const bot = createTestBot({ graph: tenant });
      const slots = await toSlots(bot, MEGAN);
      const again = await bot.say(MEGAN, en.commands.book);
      await bot.click(MEGAN, { ...step(again, 'slot.pick').data, slot: '0' });
      await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '1' });
      const request = await requestOf(bot);
      assert.equal(activeMeetings(request).filter((m) => m.kind === 'kickoff').length, 1, 'one active kickoff');
      assert.equal((await events()).length, 1, 'one event on the admin\'s calendar');
    });

    it('does not book again when the old slot card is clicked after the kickoff is booked', async () => {
      const bot = createTestBot({ graph: tenant });
      const slots = await toSlots(bot, MEGAN);
      await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
      const first = (await events())[0]!;
      const late = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '1' });
      assert.ok(!visibleText(late).includes(en.meeting.bookedTitle), 'no second "Kickoff booked"');
      const after = await events();
      assert.deepEqual(after.map((e) => [e.id, utc(e.start)]), [[first.id, utc(first.start)]]);
      assert.equal(activeMeetings(await requestOf(bot)).length, 1);
    });

    it('answers book after booking with the existing meeting and says it is already booked', async () => {
      const bot = createTestBot({ graph: tenant });
      await bookKickoff(bot);
      const kickoff = activeMeetings(await requestOf(bot))[0]!;
      const replies = await bot.say(MEGAN, en.commands.book);
      assertShowsLine(replies, 'scheduling.alreadyBooked');
      assert.equal(step(replies, 'meeting.reschedule').data.eventId, kickoff.eventId, 'the existing kickoff\'s card, with Reschedule');
      assert.equal((await events()).length, 1);
    });

    it('starts no second series from Add checkpoints on an older kickoff card', async () => {
      const bot = createTestBot({ graph: tenant });
      const kickoffCard = await bookKickoff(bot);
      await addCheckpoints(bot, kickoffCard);
      const series = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'checkpoint')!;
      const replies = await bot.click(MEGAN, step(kickoffCard, 'checkpoints.add').data);
      assert.ok(!cards(replies).some((c) => JSON.stringify(c).includes('"slot.pick"')), `no slots card for a second series: ${visibleText(replies).slice(0, 300)}`);
      assertShowsLine(replies, 'scheduling.alreadyBooked');
      assert.equal(step(replies, 'meeting.reschedule').data.eventId, series.eventId, 'the existing series\' card');
      assert.equal((await events()).length, 2);
    });

    it('books one kickoff when two slots of one card are clicked at once', async () => {
      const bot = createTestBot({ graph: tenant });
      const slots = await toSlots(bot, MEGAN);
      const data = step(slots, 'slot.pick').data;
      await Promise.all([bot.click(MEGAN, { ...data, slot: '0' }), bot.click(MEGAN, { ...data, slot: '1' })]);
      await assertOneKickoff(bot);
    });

    it('books one kickoff when two bot instances get clicks on two slots of one card at once', async () => {
      const storage = new MemoryStorage();
      const first = createTestBot({ graph: tenant, storage });
      const slots = await toSlots(first, MEGAN);
      const second = createTestBot({ graph: tenant, storage });
      const data = step(slots, 'slot.pick').data;
      await Promise.all([first.click(MEGAN, { ...data, slot: '0' }), second.click(MEGAN, { ...data, slot: '1' })]);
      await assertOneKickoff(first);
    });

    /** One event; the record's one active kickoff is that event at its time; the ledger holds only that time. */
    async function assertOneKickoff(bot: Bot): Promise<void> {
      const calendar = await events();
      assert.equal(calendar.length, 1, 'one event on the admin\'s calendar');
      const request = await requestOf(bot);
      const kickoffs = activeMeetings(request).filter((m) => m.kind === 'kickoff');
      assert.equal(kickoffs.length, 1, 'one active kickoff in the request');
      assert.equal(kickoffs[0]!.eventId, calendar[0]!.id);
      assert.equal(kickoffs[0]!.start, utc(calendar[0]!.start), 'the record keeps the time the event has');
      assert.deepEqual(await heldTimes(bot, request.id, 'kickoff'), [`${utc(calendar[0]!.start)}–${utc(calendar[0]!.end)}`], 'the ledger holds only the booked time; the other is free again');
    }
  });

  describe('rescheduling and checkpoints', () => {
    it('moves a checkpoint series as checkpoints: 30 minutes, still recurring the same way, with the same person', async () => {
      const bot = createTestBot({ graph: tenant });
      const kickoffCard = await bookKickoff(bot);
      const seriesCard = await addCheckpoints(bot, kickoffCard, '2');
      const before = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'checkpoint')!;
      const kickoffBefore = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'kickoff')!;
      const offer = await bot.click(MEGAN, step(seriesCard, 'meeting.reschedule').data);
      const kickoffIntro = localeString('scheduling.intro')!.split('{person}')[0]!.trim();
      assert.ok(!visibleText(offer).includes(kickoffIntro), `the offer is not for a kickoff: ${visibleText(offer).slice(0, 300)}`);
      assertShowsLine(offer, 'scheduling.rescheduleCheckpointsIntro');
      await bot.click(MEGAN, { ...step(offer, 'slot.pick').data, slot: String(slotChoices(offer).length - 1) });
      const moved = (await events()).find((e) => e.id === before.eventId);
      assert.ok(moved, 'the same series event, moved');
      assert.equal(Date.parse(utc(moved.end)) - Date.parse(utc(moved.start)), 30 * MINUTE, '30 minutes');
      assert.equal(moved.type, 'seriesMaster', 'still a series');
      assert.equal(moved.recurrence?.pattern.interval, 2, 'every two weeks');
      assert.equal(moved.recurrence?.range.numberOfOccurrences, 6, 'six times');
      assert.deepEqual(moved.attendees.map((a) => a.emailAddress.address), [before.person.email], 'the same FastTrack person');
      const after = activeMeetings(await requestOf(bot));
      const series = after.find((m) => m.eventId === before.eventId);
      assert.equal(series?.kind, 'checkpoint', 'the record still calls it checkpoints');
      assert.deepEqual(series?.recurrence, before.recurrence);
      assert.equal(series?.person.id, before.person.id);
      assert.equal(after.find((m) => m.kind === 'kickoff')?.start, kickoffBefore.start, 'the kickoff did not move');
    });

    it('offers another FastTrack person who speaks the language, and says so, when the usual one has no time for a reschedule', async () => {
      const clock = testClock();
      const bot = createTestBot({ graph: tenant, now: clock.now });
      const kickoffCard = await bookKickoff(bot);
      const kickoff = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'kickoff')!;
      // Another request books every day of the person for the next four weeks.
      const ledger = new BookingLedger(bot.documents, clock.now);
      const person = { id: kickoff.person.id, timeZone: kickoff.centerTimeZone };
      const other = { tenantId: TENANTS.fabrikam, requestId: 'FT-OTHER002', kind: 'kickoff' as const };
      const today = DateTime.fromJSDate(clock.now(), { zone: kickoff.centerTimeZone }).startOf('day');
      for (let d = 0; d < 28; d++) {
        const start = today.plus({ days: d }).toUTC().toISO()!;
        const end = today.plus({ days: d, hours: 23, minutes: 59 }).toUTC().toISO()!;
        const from = new Date(start).toISOString();
        const to = new Date(end).toISOString();
        // The kickoff's own day: busy around the kickoff.
        const pieces = kickoff.start >= from && kickoff.start < to ? [[from, kickoff.start], [kickoff.end, to]] : [[from, to]];
        for (const [a, b] of pieces) {
          assert.equal(await ledger.reserve(person, a!, b!, other), 'reserved');
          await ledger.confirm(person, a!, b!, other, `busy-${d}`);
        }
      }
      const offer = await bot.click(MEGAN, step(kickoffCard, 'meeting.reschedule').data);
      assertShowsLine(offer, 'scheduling.personChanged');
      await bot.click(MEGAN, { ...step(offer, 'slot.pick').data, slot: '0' });
      const moved = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'kickoff')!;
      assert.notEqual(moved.person.id, kickoff.person.id, 'another person');
      assert.ok(centers.people.find((p) => p.id === moved.person.id)?.languages.includes('en-US'), 'who speaks the request\'s language');
      assert.equal(moved.eventId, kickoff.eventId, 'the same event, moved');
      const event = (await events()).find((e) => e.id === kickoff.eventId)!;
      assert.deepEqual(event.attendees.map((a) => a.emailAddress.address), [moved.person.email], 'the invitation goes to the new person');
    });

    it('offers checkpoints only after the kickoff has ended', async () => {
      const bot = createTestBot({ graph: tenant });
      // The kickoff at the earliest time offered: the same morning has room for a checkpoint before it.
      const kickoffCard = await bookKickoff(bot);
      await addCheckpoints(bot, kickoffCard, '1');
      const meetings = activeMeetings(await requestOf(bot));
      const kickoff = meetings.find((m) => m.kind === 'kickoff')!;
      const series = meetings.find((m) => m.kind === 'checkpoint')!;
      // Slots are offered earliest first: the first one booked here is the earliest offered.
      assert.ok(series.start >= kickoff.end, `the first checkpoint (${series.start}) starts after the kickoff ends (${kickoff.end})`);
      const event = (await events()).find((e) => e.id === series.eventId)!;
      assert.ok(utc(event.start) >= kickoff.end, 'on the calendar too');
    });

    for (const interval of ['1', '2'] as const) {
      it(`holds all 6 occurrences of a ${interval === '1' ? 'weekly' : 'biweekly'} series in the ledger`, async () => {
        const bot = createTestBot({ graph: tenant });
        await addCheckpoints(bot, await bookKickoff(bot), interval);
        const request = await requestOf(bot);
        const series = activeMeetings(request).find((m) => m.kind === 'checkpoint')!;
        const ledger = new BookingLedger(bot.documents);
        const person = { id: series.person.id, timeZone: series.centerTimeZone };
        const list = occurrences(series);
        assert.equal(list.length, 6);
        for (const [i, o] of list.entries()) {
          const day = await ledger.day(person, o.start);
          assert.ok(
            day.some((r) => r.requestId === request.id && r.kind === 'checkpoint' && r.status === 'booked' && r.start <= o.start && r.end >= o.end),
            `occurrence ${i + 1} (${o.start}) is booked in the ledger; that day holds ${JSON.stringify(day.map((r) => [r.requestId, r.kind, r.status, r.start]))}`,
          );
        }
      });
    }

    it('frees every old occurrence and holds every new one when the series is rescheduled', async () => {
      const bot = createTestBot({ graph: tenant });
      const seriesCard = await addCheckpoints(bot, await bookKickoff(bot), '1');
      const offer = await bot.click(MEGAN, step(seriesCard, 'meeting.reschedule').data);
      await bot.click(MEGAN, { ...step(offer, 'slot.pick').data, slot: String(slotChoices(offer).length - 1), interval: '1' });
      const request = await requestOf(bot);
      const series = activeMeetings(request).find((m) => m.kind === 'checkpoint')!;
      assert.deepEqual(await heldTimes(bot, request.id, 'checkpoint'), times(occurrences(series)), 'the ledger holds exactly the moved series\' occurrences');
    });

    it('frees every occurrence when the series is cancelled', async () => {
      const bot = createTestBot({ graph: tenant });
      const seriesCard = await addCheckpoints(bot, await bookKickoff(bot), '2');
      const ask = await bot.click(MEGAN, step(seriesCard, 'meeting.cancel').data);
      await bot.click(MEGAN, { ...step(ask, 'meetingCancel.submit').data, reason: 'notReady', details: '' });
      const request = await requestOf(bot);
      assert.deepEqual(await heldTimes(bot, request.id, 'checkpoint'), [], 'no occurrence held');
      assert.equal((await events()).length, 1, 'the kickoff stays');
    });
  });

  describe('cancelling', () => {
    it('cancels the request\'s meetings with it: events deleted, the ledger free, and the reply names them', async () => {
      const bot = createTestBot({ graph: tenant });
      await addCheckpoints(bot, await bookKickoff(bot), '2');
      const { id } = await requestOf(bot);
      const done = await cancelRequest(bot, MEGAN);
      assertShowsLine(done, 'meeting.requestMeetingsCancelled');
      const text = visibleText(done);
      assert.ok(text.includes(en.meeting.kinds.kickoff) && text.includes(en.meeting.kinds.checkpoint), `the reply names the kickoff and the checkpoints: ${text.slice(0, 400)}`);
      assert.deepEqual((await events()).map((e) => `${e.subject} at ${utc(e.start)}`), [], 'no FastTrack event left on the admin\'s calendar');
      assert.deepEqual((await allReservations(bot.documents)).filter((r) => r.requestId === id), [], 'the ledger holds nothing for the request');
      const stored = await bot.requests.get(TENANTS.contoso, id);
      assert.deepEqual(activeMeetings(stored), [], 'every meeting of the request is cancelled');
    });

    it('keeps the request open when one meeting is cancelled', async () => {
      const bot = createTestBot({ graph: tenant });
      const seriesCard = await addCheckpoints(bot, await bookKickoff(bot), '2');
      const ask = await bot.click(MEGAN, step(seriesCard, 'meeting.cancel').data);
      await bot.click(MEGAN, { ...step(ask, 'meetingCancel.submit').data, reason: 'scheduleConflict', details: '' });
      const request = await requestOf(bot);
      assert.equal(request.stage, 'scheduled');
      assert.deepEqual(activeMeetings(request).map((m) => m.kind), ['kickoff']);
    });
  });

  describe('fresh slots', () => {
    /** Books from a fresh slots card at its first time; checks nothing lands in the bot's past. */
    async function bookFresh(bot: Bot, fresh: Partial<Activity>[], now: Date): Promise<void> {
      await bot.click(MEGAN, { ...step(fresh, 'slot.pick').data, slot: '0' });
      const calendar = await events();
      assert.equal(calendar.length, 1, 'booked from the fresh card');
      assert.ok(Date.parse(utc(calendar[0]!.start)) > now.getTime(), `the fresh slot (${utc(calendar[0]!.start)}) is in the future of ${now.toISOString()}`);
    }

    it('offers fresh slots instead of booking from a slot card older than 30 minutes', async () => {
      const clock = testClock();
      const bot = createTestBot({ graph: tenant, now: clock.now });
      const slots = await toSlots(bot, MEGAN);
      clock.advance(31 * MINUTE);
      const replies = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
      assert.deepEqual((await events()).map((e) => `${e.subject} at ${utc(e.start)}`), [], 'nothing booked from the old card');
      assertShowsLine(replies, 'scheduling.slotsRefreshed');
      await bookFresh(bot, replies, clock.now());
    });

    it('books nothing in the past when the old card is clicked after a restart days later', async () => {
      const clock = testClock();
      const storage = new MemoryStorage();
      const slots = await toSlots(createTestBot({ graph: tenant, storage, now: clock.now }), MEGAN);
      clock.advance(8 * DAY);
      const restarted = createTestBot({ graph: tenant, storage, now: clock.now });
      const replies = await restarted.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
      assert.deepEqual((await events()).map((e) => `${e.subject} at ${utc(e.start)}`), [], 'nothing booked from the old card');
      assertShowsLine(replies, 'scheduling.slotsRefreshed');
      await bookFresh(restarted, replies, clock.now());
    });

    it('offers fresh slots when another request took the picked time meanwhile', async () => {
      const clock = testClock();
      const bot = createTestBot({ graph: tenant, now: clock.now });
      const slots = await toSlots(bot, MEGAN);
      // The same proposal the card shows (same clock, calendar and ledger); another request books its first time.
      const deps = journeyDeps({ graph: tenant, storage: bot.storage, now: clock.now });
      const proposal = await deps.booking.propose(await requestOf(bot));
      assert.ok(proposal.ok);
      const taken = proposal.slots[0]!;
      const ledger = new BookingLedger(bot.documents, clock.now);
      const person = { id: taken.personId, timeZone: deps.booking.personOf(taken.personId).center.timeZone };
      const other = { tenantId: TENANTS.fabrikam, requestId: 'FT-OTHER001', kind: 'kickoff' as const };
      assert.equal(await ledger.reserve(person, taken.start, taken.end, other), 'reserved');
      await ledger.confirm(person, taken.start, taken.end, other, 'event-of-another-request');
      const replies = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
      assert.deepEqual((await events()).map((e) => `${e.subject} at ${utc(e.start)}`), [], 'nothing booked at the taken time');
      assertShowsLine(replies, 'scheduling.slotTaken');
      await bookFresh(bot, replies, clock.now());
      const kickoff = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'kickoff')!;
      assert.ok(!(kickoff.start === taken.start && kickoff.person.id === taken.personId), 'not the taken person at the taken time (another free person at that time is fine)');
    });
  });

  describe('a Graph create that times out', () => {
    // The delayed create still happens after the test: it must not land in the next test's calendar.
    let delayed: Promise<unknown> = Promise.resolve();
    afterEach(() => delayed);

    /** A bot whose Graph calls give up after a second; the create answers only after 2.5 s (and then happens). */
    async function timedOutClick(slot: string): Promise<{ bot: Bot; slots: Partial<Activity>[] }> {
      const directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 1000 });
      const bot = createTestBot({ graph: directory });
      const slots = await toSlots(bot, MEGAN);
      tenant.injectFault({ method: 'POST', path: /^\/users\/[^/]+\/events$/, latencyMs: 2500, times: 1 });
      delayed = new Promise((resolve) => setTimeout(resolve, 2700));
      const replies = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot });
      assert.ok(!visibleText(replies).includes(en.meeting.bookedTitle), 'not shown as booked while the outcome is unknown');
      return { bot, slots };
    }

    /** Waits until the delayed create has happened in the local tenant. */
    async function createLanded(): Promise<void> {
      const deadline = Date.now() + 5000;
      while ((await events()).length === 0) {
        assert.ok(Date.now() < deadline, 'the delayed create happened');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('keeps the hold while the outcome is unknown, and a retried click makes one event with the times Graph gave', async () => {
      const { bot, slots } = await timedOutClick('0');
      const request = await requestOf(bot);
      const held = (await allReservations(bot.documents)).filter((r) => r.requestId === request.id && r.kind === 'kickoff');
      assert.equal(held.length, 1, 'the person stays held for the request while the create\'s outcome is unknown');
      await createLanded();
      await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
      const calendar = await events();
      assert.equal(calendar.length, 1, 'one event');
      const kickoff = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'kickoff');
      assert.equal(kickoff?.eventId, calendar[0]!.id);
      assert.deepEqual([kickoff?.start, kickoff?.end], [utc(calendar[0]!.start), utc(calendar[0]!.end)], 'the record keeps the event\'s own times');
    });

    it('stores the times of the event it got when the retry picks another slot (the transactionId names the slot)', async () => {
      const { bot, slots } = await timedOutClick('0');
      await createLanded();
      await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '1' });
      const kickoff = activeMeetings(await requestOf(bot)).find((m) => m.kind === 'kickoff');
      const event = (await events()).find((e) => e.id === kickoff?.eventId);
      assert.ok(kickoff && event, 'the record\'s kickoff is an event on the calendar');
      assert.deepEqual([kickoff.start, kickoff.end], [utc(event.start), utc(event.end)], 'the record keeps the times of its own event, not of the slot clicked');
    });
  });
});
