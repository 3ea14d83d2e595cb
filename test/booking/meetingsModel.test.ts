import assert from 'node:assert/strict';
import { MemoryStorage, type Activity } from 'botbuilder';
import fc from 'fast-check';
import type { Meeting, OnboardingRequest } from '../../bot/domain/journey';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { createTestBot, MEGAN, type TestUser } from '../helpers/botHarness';
import { step, type Bot } from '../helpers/journeySteps';
import { activeMeetings, allReservations, cancelRequest, fastTrackEvents, occurrences, testClock, toSlots, utc } from '../helpers/meetings';

/** A second tenant's admin: both requests go to the Americas' English-speaking Specialists, so they compete for the same people. */
const KIM: TestUser = { aadObjectId: USERS.kim, name: 'Kim Akers', tenantId: TENANTS.tailspin };
const ADMINS = [MEGAN, KIM] as const;
const FORMS: Record<string, Record<string, string>> = {
  [MEGAN.aadObjectId]: {},
  [KIM.aadObjectId]: { requesterName: 'Kim Akers', customerName: 'Kim Akers', successOwnerName: 'Kim Akers', timeZone: 'America/Chicago' },
};
const MINUTE = 60_000;

/** The system under test: one storage, the bot instance now running on it, its clock, the local tenant. */
interface Real {
  storage: MemoryStorage;
  bot: Bot;
  clock: ReturnType<typeof testClock>;
  /** Every request each admin has had (cancelled ones keep their events' absence to be checked). */
  requestIds: Map<TestUser, Set<string>>;
  /** A slot card shown and not clicked yet, per admin (it may go stale). */
  openCard: Map<TestUser, Partial<Activity>[]>;
}
type Model = Record<string, never>;

describe('the meetings of requests, under any sequence of what admins do (model-based)', function () {
  this.timeout(120_000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());

  async function requestsOf(real: Real, admin: TestUser): Promise<OnboardingRequest[]> {
    const open = await real.bot.requests.findOpen(admin.tenantId);
    if (open && open.requester.aadObjectId === admin.aadObjectId) real.requestIds.get(admin)!.add(open.id);
    const all = await Promise.all([...real.requestIds.get(admin)!].map((id) => real.bot.requests.get(admin.tenantId, id)));
    return all.filter((r): r is OnboardingRequest => r !== undefined);
  }

  async function openRequest(real: Real, admin: TestUser): Promise<OnboardingRequest | undefined> {
    const open = await real.bot.requests.findOpen(admin.tenantId);
    return open?.requester.aadObjectId === admin.aadObjectId ? open : undefined;
  }

  /** Picks a slot on a slots card among the replies, if there is one. */
  async function pick(real: Real, admin: TestUser, replies: Partial<Activity>[], slot: number, interval: '1' | '2' = '1'): Promise<void> {
    const card = cardOf(replies);
    if (!card) return;
    real.openCard.delete(admin);
    await real.bot.click(admin, { ...card.data, slot: String(slot % choicesOf(card.card)), interval });
  }

  const key = (m: { start: string; end: string }) => `${m.start}–${m.end}`;

  /** Every invariant of the meetings, checked against the system itself. */
  async function checkInvariants(real: Real, before: Set<string>, what: string): Promise<Set<string>> {
    const now = real.clock.now().getTime();
    const activeAll: (Meeting & { requestId: string })[] = [];
    for (const admin of ADMINS) {
      const requests = await requestsOf(real, admin);
      const mine: Meeting[] = [];
      for (const r of requests) {
        const active = activeMeetings(r);
        assert.ok(active.filter((m) => m.kind === 'kickoff').length <= 1, `${what}: request ${r.id} has at most one active kickoff`);
        assert.ok(active.filter((m) => m.kind === 'checkpoint').length <= 1, `${what}: request ${r.id} has at most one active checkpoint series`);
        if (r.stage === 'closed') assert.deepEqual(active, [], `${what}: a cancelled request ${r.id} keeps no meeting`);
        mine.push(...active);
        activeAll.push(...active.map((m) => ({ ...m, requestId: r.id })));
      }
      const calendar = (await fastTrackEvents(tenant, admin.tenantId, admin.aadObjectId)).map((e) => `${e.id} ${utc(e.start)}–${utc(e.end)}`).sort();
      assert.deepEqual(calendar, mine.map((m) => `${m.eventId} ${key(m)}`).sort(), `${what}: ${admin.name}'s calendar holds exactly the active meetings`);
    }
    const reservations = await allReservations(real.bot.documents);
    const booked = reservations.filter((r) => r.status === 'booked').map((r) => `${r.personId} ${r.requestId} ${r.kind} ${key(r)}`).sort();
    const expected = activeAll.flatMap((m) => occurrences(m).map((o) => `${m.person.id} ${m.requestId} ${m.kind} ${key(o)}`)).sort();
    assert.deepEqual(booked, expected, `${what}: the ledger's booked times are exactly the active meetings' occurrences`);
    const byPerson = new Map<string, { start: string; end: string }[]>();
    for (const r of reservations.filter((x) => x.status === 'booked' || Date.parse(x.heldAt) > now - 10 * MINUTE)) byPerson.set(r.personId, [...(byPerson.get(r.personId) ?? []), r]);
    for (const [person, list] of byPerson) {
      const sorted = [...list].sort((a, b) => a.start.localeCompare(b.start));
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]!.end <= sorted[i]!.start, `${what}: ${person} holds ${key(sorted[i - 1]!)} and ${key(sorted[i]!)}, which overlap`);
    }
    const seen = new Set(activeAll.map((m) => `${m.eventId} ${key(m)}`));
    for (const m of activeAll) {
      if (!before.has(`${m.eventId} ${key(m)}`)) assert.ok(Date.parse(m.start) > now, `${what}: ${m.kind} booked at ${m.start}, in the past of the bot's clock (${new Date(now).toISOString()})`);
    }
    return seen;
  }

  type Cmd = fc.AsyncCommand<Model, Real>;
  const command = (name: string, run: (real: Real) => Promise<void>): Cmd => ({
    check: () => true,
    run: async (_model, real) => {
      await run(real);
    },
    toString: () => name,
  });
  const admin = fc.constantFrom(...ADMINS);
  const slot = fc.nat({ max: 4 });

  const commands = [
    fc.tuple(admin, slot).map(([a, s]) =>
      command(`book(${a.name}, ${s})`, async (real) => {
        const replies = (await openRequest(real, a)) ? await real.bot.say(a, 'book') : await toSlots(real.bot, a, 'en-US', FORMS[a.aadObjectId]);
        await pick(real, a, replies, s);
      }),
    ),
    admin.map((a) =>
      command(`open slot card(${a.name})`, async (real) => {
        const replies = (await openRequest(real, a)) ? await real.bot.say(a, 'book') : await toSlots(real.bot, a, 'en-US', FORMS[a.aadObjectId]);
        if (cardOf(replies)) real.openCard.set(a, replies);
      }),
    ),
    fc.tuple(admin, slot).map(([a, s]) =>
      command(`double click(${a.name}, ${s})`, async (real) => {
        const card = cardOf(real.openCard.get(a) ?? []);
        if (!card) return;
        real.openCard.delete(a);
        const value = { ...card.data, slot: String(s % choicesOf(card.card)) };
        await Promise.all([real.bot.click(a, value), real.bot.click(a, value)]);
      }),
    ),
    fc.tuple(admin, fc.constantFrom('kickoff' as const, 'checkpoint' as const), slot).map(([a, kind, s]) =>
      command(`reschedule ${kind}(${a.name}, ${s})`, async (real) => {
        const meeting = activeMeetings(await openRequest(real, a)).find((m) => m.kind === kind);
        if (!meeting) return;
        await pick(real, a, await real.bot.click(a, { verb: 'meeting.reschedule', eventId: meeting.eventId }), s, meeting.recurrence?.intervalWeeks === 2 ? '2' : '1');
      }),
    ),
    fc.tuple(admin, slot, fc.constantFrom('1' as const, '2' as const)).map(([a, s, interval]) =>
      command(`add checkpoints(${a.name}, ${s}, every ${interval})`, async (real) => {
        if (!activeMeetings(await openRequest(real, a)).some((m) => m.kind === 'kickoff')) return;
        await pick(real, a, await real.bot.click(a, { verb: 'checkpoints.add' }), s, interval);
      }),
    ),
    fc.tuple(admin, fc.constantFrom('kickoff' as const, 'checkpoint' as const)).map(([a, kind]) =>
      command(`cancel ${kind}(${a.name})`, async (real) => {
        const meeting = activeMeetings(await openRequest(real, a)).find((m) => m.kind === kind);
        if (!meeting) return;
        const ask = await real.bot.click(a, { verb: 'meeting.cancel', eventId: meeting.eventId });
        await real.bot.click(a, { ...step(ask, 'meetingCancel.submit').data, reason: 'scheduleConflict', details: '' });
      }),
    ),
    admin.map((a) =>
      command(`cancel request(${a.name})`, async (real) => {
        if (!(await openRequest(real, a))) return;
        await cancelRequest(real.bot, a);
        real.openCard.delete(a);
      }),
    ),
    fc.constant(
      command('restart', async (real) => {
        real.bot = createTestBot({ graph: tenant, storage: real.storage, now: real.clock.now });
      }),
    ),
    fc.constantFrom(5, 31, 2 * 24 * 60).map((minutes) =>
      command(`advance clock ${minutes} min`, async (real) => {
        real.clock.advance(minutes * MINUTE);
      }),
    ),
  ];

  it('keeps ≤ 1 kickoff and ≤ 1 series per request, the calendar and the ledger in agreement, no overlaps, nothing in the past', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 12 }), async (cmds) => {
        tenant.reset();
        const storage = new MemoryStorage();
        const clock = testClock();
        const real: Real = { storage, clock, bot: createTestBot({ graph: tenant, storage, now: clock.now }), requestIds: new Map(ADMINS.map((a) => [a, new Set<string>()])), openCard: new Map() };
        let seen = new Set<string>();
        // Each command is checked right after it runs (asyncModelRun runs them in order).
        const checked = [...cmds].map((c): Cmd => ({
          check: c.check.bind(c),
          run: async (model, r) => {
            await c.run(model, r);
            seen = await checkInvariants(r, seen, `after ${c.toString()}`);
          },
          toString: () => c.toString(),
        }));
        await fc.asyncModelRun(() => ({ model: {}, real }), checked);
      }),
      { numRuns: 25, endOnFailure: true, seed: 20261202 },
    );
  });
});

function cardOf(replies: Partial<Activity>[]): { card: Record<string, unknown>; data: Record<string, unknown> } | undefined {
  try {
    return step(replies, 'slot.pick');
  } catch {
    return undefined;
  }
}

function choicesOf(card: Record<string, unknown>): number {
  const choice = (card.body as Record<string, unknown>[]).find((e) => e.id === 'slot') as { choices: unknown[] } | undefined;
  return Math.max(choice?.choices.length ?? 1, 1);
}
