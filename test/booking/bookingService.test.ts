import assert from 'node:assert/strict';
import { BookingService } from '../../bot/booking/bookingService';
import { BookingLedger } from '../../bot/booking/ledger';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { findSlots, type Slot } from '../../bot/domain/slots';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { MemoryDocumentStore } from '../../bot/storage/documentStore';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { contosoRequest, storeRequest } from '../fixtures/requests';
import { centers } from '../helpers/botHarness';

const TEXT = { subject: 'FastTrack onboarding kickoff: Contoso', bodyHtml: '<p>Agenda</p>' };

const MEGAN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };
const LIWEI = { userId: USERS.liwei, email: 'liwei@contoso.com', timeZone: 'Asia/Shanghai' };

describe('booking the kickoff', function () {
  this.timeout(30000);
  const tenant = new LocalTenantServer();
  let directory: GraphTenantDirectory;
  before(async () => {
    await tenant.start(0);
    directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 10000 });
  });
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  function service() {
    const documents = new MemoryDocumentStore();
    const ledger = new BookingLedger(documents);
    const requests = new StorageRequestRepository(documents);
    const booking = new BookingService({ directory, ledger, centers, requests, clock: () => new Date() });
    return { ledger, booking, requests, store: (request: OnboardingRequest) => storeRequest(documents, request) };
  }

  /** The admin's events as the local tenant holds them. */
  async function eventsOf(userId: string): Promise<{ id: string; subject: string; transactionId?: string; start: { dateTime: string }; onlineMeeting?: { joinUrl?: string } }[]> {
    const response = await fetch(`${tenant.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${userId}/events?$top=1000`);
    const body = (await response.json()) as { value: { id: string; subject: string; transactionId?: string; start: { dateTime: string }; onlineMeeting?: { joinUrl?: string } }[] };
    return body.value.filter((e) => e.subject.startsWith('FastTrack'));
  }

  async function firstSlot(booking: BookingService, request: OnboardingRequest): Promise<Slot> {
    const proposal = await booking.propose(request);
    assert.ok(proposal.ok, 'the request is routed');
    assert.ok(proposal.slots.length >= 3, `3–5 slots, got ${proposal.slots.length}`);
    return proposal.slots[0]!;
  }

  it('proposes 3 to 5 slots on different days with one getSchedule and books with one create', async () => {
    const { booking, store } = service();
    const request = await store(contosoRequest('FT-BOOK0001', MEGAN));
    tenant.clearRequests();
    const proposal = await booking.propose(request);
    assert.ok(proposal.ok);
    assert.ok(proposal.slots.length >= 3 && proposal.slots.length <= 5);
    const days = new Set(proposal.slots.map((x) => new Intl.DateTimeFormat('en-CA', { timeZone: MEGAN.timeZone }).format(new Date(x.start))));
    assert.ok(days.size >= Math.min(3, proposal.slots.length), 'spread across days');
    const booked = await booking.book(request, proposal.slots[0]!, 'kickoff', TEXT);
    assert.equal(booked.outcome, 'booked');
    const calls = tenant.requests.filter((r) => !r.viaBatch).map((r) => `${r.method} ${r.path.split('?')[0]!.replace(/\/users\/[^/]+/, '/users/{id}')}`);
    assert.deepEqual(calls, ['POST /users/{id}/calendar/getSchedule', 'POST /users/{id}/events']);
    const events = await eventsOf(USERS.megan);
    assert.equal(events.length, 1);
    assert.match(events[0]!.onlineMeeting?.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
  });

  it('makes one event and one booking of a double-clicked slot', async () => {
    const { booking, ledger, requests, store } = service();
    const request = await store(contosoRequest('FT-BOOK0002', MEGAN));
    const slot = await firstSlot(booking, request);
    const [a, b] = await Promise.all([booking.book(request, slot, 'kickoff', TEXT), booking.book(request, slot, 'kickoff', TEXT)]);
    // The later click either books the very same event (same transactionId) or finds it already booked.
    assert.ok(a.outcome === 'booked' || a.outcome === 'exists', a.outcome);
    assert.ok(b.outcome === 'booked' || b.outcome === 'exists', b.outcome);
    assert.ok([a.outcome, b.outcome].includes('booked'), 'one of them booked');
    assert.ok('meeting' in a && 'meeting' in b && a.meeting.eventId === b.meeting.eventId, 'the same event');
    const stored = await requests.get(request.tenantId, request.id);
    assert.equal(stored?.meetings?.length, 1, 'one meeting recorded');
    assert.equal((await eventsOf(USERS.megan)).length, 1);
    const person = booking.personOf(slot.personId);
    const day = await ledger.day({ id: slot.personId, timeZone: person.center.timeZone }, slot.start);
    assert.deepEqual(day.map((r) => [r.requestId, r.status]), [[request.id, 'booked']]);
  });

  it('lets only one of two requests book the same person at the same time', async () => {
    const { booking, store } = service();
    const first = await store(contosoRequest('FT-BOOK0003', MEGAN));
    const second = await store(contosoRequest('FT-BOOK0004', LIWEI, { preferredLanguage: 'en-US', region: 'americas' }));
    const slot = await firstSlot(booking, first);
    const outcomes = await Promise.all([booking.book(first, slot, 'kickoff', TEXT), booking.book(second, slot, 'kickoff', TEXT)]);
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['booked', 'taken']);
    assert.equal((await eventsOf(USERS.megan)).length + (await eventsOf(USERS.liwei)).length, 1);
  });

  it('makes one event when Graph created it but its answer was lost (503, then the SDK retries)', async () => {
    const { booking, store } = service();
    const request = await store(contosoRequest('FT-BOOK0005', MEGAN));
    const slot = await firstSlot(booking, request);
    tenant.injectFault({ method: 'POST', path: /\/events$/, status: 503, times: 1, afterHandler: true });
    const booked = await booking.book(request, slot, 'kickoff', TEXT);
    assert.equal(booked.outcome, 'booked');
    assert.equal((await eventsOf(USERS.megan)).length, 1);
    assert.equal(tenant.requests.filter((r) => r.method === 'POST' && /\/events$/.test(r.path)).length, 2, 'created, answer lost, retried');
  });

  it('recovers from a crash between the reservation and the create with one event', async () => {
    const { booking, ledger, store } = service();
    const request = await store(contosoRequest('FT-BOOK0006', MEGAN));
    const slot = await firstSlot(booking, request);
    const { center } = booking.personOf(slot.personId);
    // The crashed attempt: the person is held, no event exists yet.
    await ledger.reserve({ id: slot.personId, timeZone: center.timeZone }, slot.start, slot.end, { tenantId: request.tenantId, requestId: request.id, kind: 'kickoff' });
    const booked = await booking.book(request, slot, 'kickoff', TEXT);
    assert.equal(booked.outcome, 'booked');
    assert.equal((await eventsOf(USERS.megan)).length, 1);
    const day = await ledger.day({ id: slot.personId, timeZone: center.timeZone }, slot.start);
    assert.deepEqual(day.map((r) => r.status), ['booked']);
  });

  it('releases the person when the create fails for good', async () => {
    const { booking, ledger, store } = service();
    const request = await store(contosoRequest('FT-BOOK0007', MEGAN));
    const slot = await firstSlot(booking, request);
    tenant.injectFault({ method: 'POST', path: /\/events$/, status: 400, times: Infinity });
    await assert.rejects(booking.book(request, slot, 'kickoff', TEXT));
    const { center } = booking.personOf(slot.personId);
    assert.deepEqual(await ledger.day({ id: slot.personId, timeZone: center.timeZone }, slot.start), []);
  });

  it('moves a meeting with PATCH and frees the old time; cancelling deletes it', async () => {
    const { booking, ledger, store } = service();
    const request = await store(contosoRequest('FT-BOOK0008', MEGAN));
    const proposal = await booking.propose(request);
    assert.ok(proposal.ok);
    const booked = await booking.book(request, proposal.slots[0]!, 'kickoff', TEXT);
    assert.ok(booked.outcome === 'booked');
    const target = proposal.slots.find((x) => x.personId === booked.meeting.person.id && x.start !== booked.meeting.start)
      ?? findSlots({ now: new Date(), center: booking.personOf(booked.meeting.person.id).center, admin: { timeZone: MEGAN.timeZone, busy: [] }, people: [{ id: booked.meeting.person.id, busy: [{ start: booked.meeting.start, end: booked.meeting.end }] }] })[0]!;
    const moved = await booking.move({ ...request, meetings: [booked.meeting] }, booked.meeting, target);
    assert.equal(moved.outcome, 'moved');
    const events = await eventsOf(USERS.megan);
    assert.equal(events.length, 1);
    assert.equal(new Date(`${events[0]!.start.dateTime}Z`).toISOString(), target.start, 'the event moved');
    const { center } = booking.personOf(booked.meeting.person.id);
    const person = { id: booked.meeting.person.id, timeZone: center.timeZone };
    assert.ok(!(await ledger.day(person, booked.meeting.start)).some((r) => r.start === booked.meeting.start), 'old time freed');
    assert.ok(moved.outcome === 'moved');
    const { meeting: cancelled } = await booking.cancel(request, moved.meeting, 'scheduleConflict');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await eventsOf(USERS.megan)).length, 0);
    assert.deepEqual((await ledger.day(person, target.start)).filter((r) => r.start === target.start), []);
  });

  it('names the language and region without coverage, and books nothing', async () => {
    const { booking, store } = service();
    // The center data's deliberate gap: no FastTrack Specialist in the Americas speaks Thai.
    const request = await store(contosoRequest('FT-BOOK0009', MEGAN, { preferredLanguage: 'th-TH', dataMigration: true, region: 'americas' }));
    tenant.clearRequests();
    const proposal = await booking.propose(request);
    assert.deepEqual(proposal, { ok: false, reason: 'noLanguageCoverage', language: 'th-TH', region: 'americas' });
    assert.equal(tenant.requests.length, 0, 'no Graph call for a request nobody can take');
  });
});
