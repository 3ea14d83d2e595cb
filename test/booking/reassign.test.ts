import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BookingService } from '../../bot/booking/bookingService';
import { BookingLedger, type LedgerPerson } from '../../bot/booking/ledger';
import type { FastTrackPerson } from '../../bot/domain/centers';
import type { Meeting, OnboardingRequest } from '../../bot/domain/journey';
import { occurrencesOf } from '../../bot/domain/meetings';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { createLogger } from '../../bot/logger';
import { applyTriage, triageVersion } from '../../bot/domain/triage';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { MeetingReassign } from '../../bot/triage/meetingReassign';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { contosoRequest, storeRequest } from '../fixtures/requests';
import { centers } from '../helpers/botHarness';
import { fastTrackEvents } from '../helpers/meetings';
import { freshOutboxStorage } from '../helpers/outboxStorage';

const TEXT = { subject: 'FastTrack onboarding kickoff: Contoso', bodyHtml: '<p>Agenda</p>' };
const MEGAN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };

describe('reassigning a request moves its meetings to the new person (Azurite, the local tenant)', function () {
  this.timeout(60000);
  const tenant = new LocalTenantServer();
  let azurite: AzuriteInstance;
  let dir: string;
  let directory: GraphTenantDirectory;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-reassign-'));
    [azurite] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0, log: () => undefined }), tenant.start(0)]);
    directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 10000 });
  });
  after(async () => {
    await Promise.all([azurite?.stop(), tenant.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => tenant.reset());

  async function world() {
    const { documents } = await freshOutboxStorage(azurite.connectionString);
    const ledger = new BookingLedger(documents);
    const requests = new StorageRequestRepository(documents);
    const booking = new BookingService({ directory, ledger, centers, requests, clock: () => new Date() });
    return { ledger, booking, requests, documents };
  }

  /** A request with its kickoff and a weekly series of 3 checkpoints booked, as stored. */
  async function bookedRequest(w: Awaited<ReturnType<typeof world>>, id: string): Promise<{ request: OnboardingRequest; kickoff: Meeting; series: Meeting }> {
    const request = await storeRequest(w.documents, contosoRequest(id, MEGAN));
    const proposal = await w.booking.propose(request);
    assert.ok(proposal.ok && proposal.slots.length > 0);
    const kickoff = await w.booking.book(request, proposal.slots[0]!, 'kickoff', TEXT);
    assert.equal(kickoff.outcome, 'booked');
    assert.ok(kickoff.outcome === 'booked');
    const after = kickoff.request;
    const checkpoints = await w.booking.propose(after, { kind: 'checkpoint', personId: kickoff.meeting.person.id });
    assert.ok(checkpoints.ok && checkpoints.slots.length > 0);
    const series = await w.booking.book(after, checkpoints.slots[0]!, 'checkpoint', { ...TEXT, subject: 'FastTrack checkpoint: Contoso' }, { intervalWeeks: 1, occurrences: 3 });
    assert.ok(series.outcome === 'booked');
    return { request: series.request, kickoff: kickoff.meeting, series: series.meeting };
  }

  /** Another person who may take the request: the same role and language, not the one booked. */
  function colleagueOf(personId: string): FastTrackPerson {
    const booked = centers.people.find((p) => p.id === personId)!;
    const other = centers.people.find((p) => p.id !== personId && p.role === booked.role && p.languages.includes('en-US') && p.centerId === booked.centerId);
    assert.ok(other, 'a colleague in the same center');
    return other;
  }

  const ledgerPerson = (personId: string): LedgerPerson => {
    const person = centers.people.find((p) => p.id === personId)!;
    return { id: person.id, timeZone: centers.centers.find((c) => c.id === person.centerId)!.timeZone };
  };

  /** The person's live reservations of the request at the meeting's times. */
  async function heldFor(w: Awaited<ReturnType<typeof world>>, personId: string, request: OnboardingRequest, meeting: Meeting): Promise<string[]> {
    const out: string[] = [];
    for (const time of occurrencesOf(meeting, meeting.adminTimeZone)) {
      const day = await w.ledger.day(ledgerPerson(personId), time.start);
      for (const r of day) if (r.requestId === request.id && r.start === time.start && w.ledger.active(r)) out.push(`${r.kind} ${r.start} ${r.status}`);
    }
    return out;
  }

  it("makes the new person the attendee of the kickoff and of the series in the admin's calendar, moves every hold to them and frees the old person", async () => {
    const w = await world();
    const { request, kickoff, series } = await bookedRequest(w, 'FT-REAS0001');
    const oldId = kickoff.person.id;
    const colleague = colleagueOf(oldId);

    const outcome = await w.booking.reassign(request, colleague);
    assert.equal(outcome.outcome, 'reassigned');

    const events = await fastTrackEvents(tenant, TENANTS.contoso, USERS.megan);
    assert.equal(events.length, 2, 'still the kickoff and the series, no new event');
    for (const event of events) assert.deepEqual(event.attendees.map((a) => a.emailAddress.address), [colleague.email], `${event.subject}: the new person is the attendee`);
    const series2 = events.find((e) => e.recurrence);
    assert.equal(series2?.recurrence?.range.numberOfOccurrences, 3, 'the series keeps its occurrences');

    assert.deepEqual(await heldFor(w, colleague.id, request, kickoff), [`kickoff ${kickoff.start} booked`]);
    assert.equal((await heldFor(w, colleague.id, request, series)).filter((r) => r.endsWith('booked')).length, 3, 'every checkpoint held for the new person');
    assert.deepEqual(await heldFor(w, oldId, request, kickoff), [], "the old person's kickoff time is free");
    assert.deepEqual(await heldFor(w, oldId, request, series), [], "the old person's checkpoints are free");

    const stored = await w.requests.get(request.tenantId, request.id);
    for (const meeting of stored!.meetings!) {
      assert.equal(meeting.person.id, colleague.id);
      assert.equal(meeting.person.name, colleague.name);
      assert.deepEqual(
        meeting.history.filter((h) => h.event === 'reassigned').map((h) => [h.fromPersonId, h.personId]),
        [[oldId, colleague.id]],
      );
    }
    assert.ok(stored!.history.some((h) => h.event === 'meetingReassigned'));
  });

  it('refuses a new person busy at one checkpoint of the series, and changes nothing', async () => {
    const w = await world();
    const { request, kickoff, series } = await bookedRequest(w, 'FT-REAS0002');
    const colleague = colleagueOf(kickoff.person.id);
    // Another request has the colleague at the second checkpoint.
    const second = occurrencesOf(series, series.adminTimeZone)[1]!;
    assert.equal(await w.ledger.reserve(ledgerPerson(colleague.id), second.start, second.end, { tenantId: TENANTS.contoso, requestId: 'FT-OTHER001', kind: 'kickoff' }), 'reserved');
    const before = await fastTrackEvents(tenant, TENANTS.contoso, USERS.megan);

    const outcome = await w.booking.reassign(request, colleague);
    assert.equal(outcome.outcome, 'busy');
    assert.ok(outcome.outcome === 'busy');
    assert.equal(outcome.meeting.kind, 'checkpoint');
    assert.equal(outcome.personId, colleague.id);

    assert.deepEqual(await fastTrackEvents(tenant, TENANTS.contoso, USERS.megan), before, 'the calendar is as it was');
    assert.deepEqual(await heldFor(w, colleague.id, request, kickoff), [], 'no hold left for the new person');
    assert.deepEqual(await heldFor(w, colleague.id, request, series), []);
    assert.equal((await heldFor(w, kickoff.person.id, request, series)).length, 3, 'the old person keeps every checkpoint');
    assert.equal((await heldFor(w, kickoff.person.id, request, kickoff)).length, 1);
    const stored = await w.requests.get(request.tenantId, request.id);
    assert.deepEqual(stored!.meetings!.map((m) => m.person.id), [kickoff.person.id, kickoff.person.id]);
  });

  it('does nothing more when asked again (a retried change), and finishes a reassignment cut short before it was recorded', async () => {
    const w = await world();
    const { request, kickoff } = await bookedRequest(w, 'FT-REAS0003');
    const colleague = colleagueOf(kickoff.person.id);
    // A first try that crashed after holding the new person for the kickoff (nothing else done).
    await w.ledger.reserve(ledgerPerson(colleague.id), kickoff.start, kickoff.end, { tenantId: request.tenantId, requestId: request.id, kind: 'kickoff' });

    const first = await w.booking.reassign(request, colleague);
    assert.ok(first.outcome === 'reassigned');
    assert.equal(first.meetings.length, 2);
    tenant.clearRequests();
    const again = await w.booking.reassign(request, colleague);
    assert.ok(again.outcome === 'reassigned');
    assert.deepEqual(again.meetings, [], 'nothing left to move');
    assert.equal(tenant.requests.filter((r) => r.method === 'PATCH').length, 0, 'no second PATCH');
    const stored = await w.requests.get(request.tenantId, request.id);
    assert.equal(stored!.history.filter((h) => h.event === 'meetingReassigned').reduce((n, h) => n + (h.count ?? 1), 0), 2, 'one entry per meeting');
    assert.deepEqual(await heldFor(w, colleague.id, request, kickoff), [`kickoff ${kickoff.start} booked`]);
  });

  it("moves the meetings when the triage channel reassigns the request (the MeetingReassign observer), and logs a busy new person", async () => {
    const w = await world();
    const { request, kickoff } = await bookedRequest(w, 'FT-REAS0004');
    const lines: { msg: string; kind?: string; personId?: string }[] = [];
    const observer = new MeetingReassign({ booking: w.booking, logger: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) }) });
    const now = new Date();
    const oldPerson = centers.people.find((p) => p.id === kickoff.person.id)!;
    const colleague = colleagueOf(oldPerson.id);
    const assigned = applyTriage(request, { action: 'assign' }, { kind: 'staff', person: oldPerson }, 0, now);
    assert.ok(assigned.ok);
    const reassigned = applyTriage(assigned.request, { action: 'reassign', to: colleague }, { kind: 'staff', person: oldPerson }, triageVersion(assigned.request), now);
    assert.ok(reassigned.ok);
    // An assignment is not a reassignment: nothing moves.
    await observer.triageChanged({ before: request, after: assigned.request, entry: assigned.entry });
    assert.deepEqual((await fastTrackEvents(tenant, TENANTS.contoso, USERS.megan)).map((e) => e.attendees[0]?.emailAddress.address), [oldPerson.email, oldPerson.email]);

    await observer.triageChanged({ before: assigned.request, after: reassigned.request, entry: reassigned.entry });
    assert.deepEqual((await fastTrackEvents(tenant, TENANTS.contoso, USERS.megan)).map((e) => e.attendees[0]?.emailAddress.address), [colleague.email, colleague.email]);
    assert.ok(lines.some((l) => l.msg === 'meetings reassigned'));

    // Back to the first person, who is now busy at the kickoff's time with another request: kept as it is, and logged.
    await w.ledger.reserve(ledgerPerson(oldPerson.id), kickoff.start, kickoff.end, { tenantId: TENANTS.contoso, requestId: 'FT-OTHER002', kind: 'kickoff' });
    const back = applyTriage(reassigned.request, { action: 'reassign', to: oldPerson }, { kind: 'staff', person: colleague }, triageVersion(reassigned.request), now);
    assert.ok(back.ok);
    await observer.triageChanged({ before: reassigned.request, after: back.request, entry: back.entry });
    assert.deepEqual((await fastTrackEvents(tenant, TENANTS.contoso, USERS.megan)).map((e) => e.attendees[0]?.emailAddress.address), [colleague.email, colleague.email]);
    const busy = lines.find((l) => l.msg.startsWith('reassigned person busy'));
    assert.equal(busy?.kind, 'kickoff');
    assert.equal(busy?.personId, oldPerson.id);
  });
});
