import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackgroundBooking } from '../../bot/booking/backgroundBooking';
import { BookingService } from '../../bot/booking/bookingService';
import { BookingLedger } from '../../bot/booking/ledger';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { describeSlot, type Slot } from '../../bot/domain/slots';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { createLogger } from '../../bot/logger';
import type { BookingWorkMessage } from '../../bot/notifications/backgroundNotices';
import { createNoticeKinds, outboxMessageSchema, type Notice } from '../../bot/notifications/notice';
import { Outbox } from '../../bot/notifications/outbox';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { contosoRequest, storeRequest } from '../fixtures/requests';
import { centers, renderer } from '../helpers/botHarness';
import { freshOutboxStorage } from '../helpers/outboxStorage';

const MEGAN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/New_York' };
const CREATE = /^\/users\/[^/]+\/(calendar\/)?events$/;
const BUDGET_MS = 1000;

/**
 * The background booking on its own parts: the real booking service on the local tenant, records
 * and the work queue on Azurite, the real outbox. Each "instance" is its own BackgroundBooking and
 * BookingService on the same storage and Graph, as two bot instances would be.
 */
describe('bookings finished in the background', function () {
  this.timeout(60000);
  const tenant = new LocalTenantServer();
  let azurite: AzuriteInstance;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-background-'));
    [azurite] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), tenant.start(0)]);
  });
  after(async () => {
    await Promise.all([azurite?.stop(), tenant.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => tenant.reset());

  async function world() {
    const storage = await freshOutboxStorage(azurite.connectionString);
    const requests = new StorageRequestRepository(storage.documents);
    const kinds = createNoticeKinds(renderer);
    const outbox = new Outbox({ queue: storage.queue, documents: storage.documents, kinds });
    const instance = () => {
      const directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: BUDGET_MS });
      const booking = new BookingService({ directory, ledger: new BookingLedger(storage.documents), centers, requests, clock: () => new Date() });
      const background = new BackgroundBooking({ booking, requests, documents: storage.documents, queue: storage.queue, outbox, renderer, logger: createLogger('silent'), clock: () => new Date(), turnBudgetMs: BUDGET_MS, maxAttempts: 3 });
      return { booking, background };
    };
    /** Everything queued so far (booking work and notices), removed from the queue. */
    const drain = async () => {
      const out: ReturnType<typeof outboxMessageSchema.parse>[] = [];
      for (let items = await storage.queue.receive(32, 30); items.length > 0; items = await storage.queue.receive(32, 30)) {
        for (const item of items) {
          out.push(outboxMessageSchema.parse(item.body));
          await storage.queue.complete(item);
        }
      }
      return out;
    };
    return { storage, requests, kinds, instance, drain };
  }

  /** The request's events in the local tenant (by their transactionId, which names the request). */
  async function events(requestId: string): Promise<{ id: string; transactionId?: string | null }[]> {
    const response = await fetch(`${tenant.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${USERS.megan}/events?$top=1000`);
    const body = (await response.json()) as { value: { id: string; transactionId?: string | null }[] };
    return body.value.filter((e) => e.transactionId?.startsWith(`${requestId}-`));
  }

  async function ready(w: Awaited<ReturnType<typeof world>>, id: string): Promise<{ request: OnboardingRequest; slot: Slot }> {
    const request = await storeRequest(w.storage.documents, contosoRequest(id, MEGAN));
    const proposal = await w.instance().booking.propose(request);
    assert.ok(proposal.ok && proposal.slots.length > 0);
    return { request, slot: proposal.slots[0]! };
  }

  const message = (request: OnboardingRequest, slot: Slot, locale = 'en-US'): BookingWorkMessage => ({
    type: 'booking',
    tenantId: request.tenantId,
    requestId: request.id,
    notify: { tenantId: TENANTS.contoso, userId: USERS.megan },
    kind: 'kickoff',
    slot,
    locale,
    jobId: `${request.id}-kickoff-test`,
  });

  it('hands a booking whose create is slower than the turn can wait to the queue, and says so at once; the booking goes on', async () => {
    const w = await world();
    const { request, slot } = await ready(w, 'FT-BGSLOW01');
    tenant.injectFault({ path: CREATE, method: 'POST', latencyMs: 3 * BUDGET_MS, times: 1 });
    const { background } = w.instance();
    const started = Date.now();
    const result = await background.bookInTurn({ request, slot, kind: 'kickoff', notify: { tenantId: TENANTS.contoso, userId: USERS.megan }, locale: 'en-US' });
    assert.deepEqual(result, { deferred: true });
    assert.equal((await events(request.id)).length, 0, 'answered while the create was still on its way');
    assert.ok(await background.pending(request, 'kickoff'), 'a click now is told it is still being worked on');
    // Queued to start once the create in flight has timed out at the latest (the turn budget, and a second).
    let [queued] = await w.drain();
    for (const until = Date.now() + 5000; !queued && Date.now() < until; [queued] = await w.drain()) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(queued?.type, 'booking');
    const job = queued as BookingWorkMessage;
    assert.deepEqual(job.slot, slot);

    // The queued job books the very slot: one meeting, and the admin is told with the meeting card.
    const done = await background.handle(job, { dequeueCount: 1, last: false });
    assert.deepEqual(done, { done: true });
    assert.equal((await events(request.id)).length, 1);
    assert.equal(await background.pending(request, 'kickoff'), false);
    const notices = (await w.drain()).filter((m) => m.type === 'notice').map((m) => (m as { notice: Notice }).notice);
    assert.ok(notices.length >= 1 && notices.every((n) => n.id === `booking:${job.jobId}`), 'one result notice id, however often it is queued');
    const shown = w.kinds.render(notices[0]!, 'en-US');
    assert.equal(shown.text, renderer.strings('en-US').background.booked);
    assert.equal(shown.attachments?.length, 1);
    // The slow create reaches the local tenant after all, with the same transactionId: still one meeting.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 3 * BUDGET_MS + 500 - Date.now())));
    assert.equal((await events(request.id)).length, 1);
  });

  it("counts the turn's time already spent: in a turn that used most of its budget, a booking that would fit a fresh turn is handed over", async () => {
    const w = await world();
    const { request, slot } = await ready(w, 'FT-BGLATE01');
    // 400 ms fits the 750 ms a fresh turn gives the booking, not the 250 ms at least left after 700 ms of the turn.
    tenant.injectFault({ path: CREATE, method: 'POST', latencyMs: 400, times: 1 });
    const { background } = w.instance();
    const result = await background.bookInTurn({ request, slot, kind: 'kickoff', notify: { tenantId: TENANTS.contoso, userId: USERS.megan }, turnStartedAt: Date.now() - 700 });
    assert.deepEqual(result, { deferred: true });
  });

  it('makes one meeting when two instances handle the same booking message at once, or one is redelivered', async () => {
    const w = await world();
    const { request, slot } = await ready(w, 'FT-BGTWICE1');
    const job = message(request, slot);
    const results = await Promise.all([w.instance().background.handle(job, { dequeueCount: 1, last: false }), w.instance().background.handle(job, { dequeueCount: 1, last: false })]);
    // Both done (one booked, the other found it), or the second tries again later: never a second meeting.
    for (const r of results) assert.ok('done' in r || 'retryInSeconds' in r, JSON.stringify(r));
    assert.deepEqual(await w.instance().background.handle(job, { dequeueCount: 2, last: false }), { done: true });
    assert.equal((await events(request.id)).length, 1);
    const stored = await w.requests.get(request.tenantId, request.id);
    assert.equal(stored?.meetings?.filter((m) => m.status === 'booked').length, 1);
    assert.deepEqual(stored?.pendingBookings ?? [], []);
    const ids = new Set((await w.drain()).filter((m) => m.type === 'notice').map((m) => (m as { notice: Notice }).notice.id));
    assert.deepEqual([...ids], [`booking:${job.jobId}`]);
  });

  it("is retried after Graph's Retry-After or its backoff, and at the last try tells the admin what happened and how to try again, in their language", async () => {
    const w = await world();
    const { request, slot } = await ready(w, 'FT-BGFAIL01');
    const job = message(request, slot, 'de-DE');
    const { background } = w.instance();
    tenant.injectFault({ path: CREATE, method: 'POST', status: 429, retryAfterSeconds: 30, times: 1 });
    assert.deepEqual(await background.handle(job, { dequeueCount: 1, last: false }), { retryInSeconds: 30 });
    tenant.injectFault({ path: CREATE, method: 'POST', status: 503, times: Infinity });
    assert.deepEqual(await background.handle(job, { dequeueCount: 2, last: false }), { retryInSeconds: 2 * (BUDGET_MS / 1000) });
    assert.ok(await background.pending(request, 'kickoff'));
    const last = await background.handle(job, { dequeueCount: 3, last: true });
    assert.ok('failed' in last, JSON.stringify(last));
    assert.equal(await background.pending(request, 'kickoff'), false, 'the admin may book again');
    assert.equal((await events(request.id)).length, 0);

    const [told] = (await w.drain()).filter((m) => m.type === 'notice').map((m) => (m as { notice: Notice }).notice);
    assert.ok(told, 'the admin is told');
    const text = w.kinds.render(told, told.locale).text ?? '';
    const when = describeSlot(slot, MEGAN.timeZone, centers.centers.find((c) => c.id === centers.people.find((p) => p.id === slot.personId)!.centerId)!.timeZone, 'de-DE').adminTime;
    assert.equal(text, renderer.text('de-DE', (s) => s.background.failedGraph, { when, book: renderer.strings('de-DE').commands.book }));
  });
});
