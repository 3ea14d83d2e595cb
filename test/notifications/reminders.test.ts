import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { BookingService } from '../../bot/booking/bookingService';
import { BookingLedger } from '../../bot/booking/ledger';
import type { Meeting, OnboardingRequest } from '../../bot/domain/journey';
import type { Slot } from '../../bot/domain/slots';
import { ConfigError, loadConfig } from '../../bot/config';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { Dispatcher } from '../../bot/notifications/dispatcher';
import { createNoticeKinds, type OutboxMessage } from '../../bot/notifications/notice';
import { noticeKey, Outbox, type NoticeRecord } from '../../bot/notifications/outbox';
import { REMINDER_KIND, ReminderScheduler, reminderKind } from '../../bot/notifications/reminders';
import { AdapterSender } from '../../bot/notifications/sender';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { MAX_VISIBILITY_SECONDS, type WorkQueue } from '../../bot/storage/workQueue';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { contosoRequest, storeRequest } from '../fixtures/requests';
import { centers, MEGAN, renderer, teamsActivity } from '../helpers/botHarness';
import { startConnector, type SentActivity } from '../helpers/connector';
import { testClock } from '../helpers/meetings';
import { freshOutboxStorage } from '../helpers/outboxStorage';

const HOUR = 3_600_000;
const TEXT = { subject: 'FastTrack onboarding kickoff: Contoso', bodyHtml: '<p>Agenda</p>' };
const ADMIN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };

type Card = { body: Record<string, unknown>[]; actions?: { type: string; url?: string; title?: string }[] };
const cardOf = (sent: SentActivity): Card => sent.activity.attachments![0]!.content as Card;
/** Every text a card shows (text blocks, facts, action titles). */
function shown(sent: SentActivity): string {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    for (const [k, v] of Object.entries(n)) {
      if (typeof v === 'string' && ['text', 'title', 'value'].includes(k)) out.push(v);
      else walk(v);
    }
  };
  walk(cardOf(sent));
  return out.join('\n');
}
const titleOf = (sent: SentActivity) => String(cardOf(sent).body[0]!.text);

describe('meeting reminders through the outbox (Azurite, the local tenant, a test clock)', function () {
  this.timeout(120000);
  let azurite: AzuriteInstance;
  let dir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  const tenant = new LocalTenantServer();
  let directory: GraphTenantDirectory;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-reminders-'));
    [azurite, connector] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), startConnector(), tenant.start(0)]);
    directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 10000 });
  });
  after(async () => {
    await Promise.all([azurite.stop(), connector.stop(), tenant.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    tenant.reset();
    connector.sent.splice(0);
  });

  /**
   * The bot's booking, outbox, reminders and dispatcher on one fresh storage, all on a test clock.
   * The queue is the real one, but time is the clock's: a message is queued visible at once (its
   * delay, computed by the outbox from the clock, is recorded), and the dispatcher — on the same
   * clock — sends it only once the clock says it is due, queuing it again otherwise. Moving the
   * clock is waiting.
   */
  async function world(offsets = ['24h', '1h']) {
    const { documents, queue, poisonQueue } = await freshOutboxStorage(azurite.connectionString);
    const clock = testClock();
    const queued: { id: string; notBefore: string | undefined; delaySeconds: number }[] = [];
    const timeQueue: WorkQueue = Object.assign(Object.create(queue) as WorkQueue, {
      enqueue: (body: unknown, options?: { delaySeconds?: number }) => {
        const { notice } = body as OutboxMessage;
        queued.push({ id: notice.id, notBefore: notice.notBefore, delaySeconds: options?.delaySeconds ?? 0 });
        return queue.enqueue(body);
      },
    });
    const requests = new StorageRequestRepository(documents);
    const references = new ConversationReferenceStore(documents);
    const kinds = createNoticeKinds(renderer).register(REMINDER_KIND, reminderKind({ requests, offsets, clock: clock.now }));
    const lines: { msg: string; noticeId?: string }[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const outbox = new Outbox({ queue: timeQueue, documents, kinds, clock: clock.now });
    const scheduler = new ReminderScheduler({ outbox, offsets, clock: clock.now, logger });
    const booking = new BookingService({ directory, ledger: new BookingLedger(documents, clock.now), centers, requests, clock: clock.now, observers: [scheduler] });
    const adapter = new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const dispatcher = new Dispatcher({ queue: timeQueue, poisonQueue, documents, references, kinds, sender: new AdapterSender(adapter, ''), logger, clock: clock.now, retryDelaySeconds: () => 0 });
    // Megan has the app installed: her client's last activity stored the conversation reference.
    await references.refresh(teamsActivity(MEGAN, 'en-US', { type: 'message', id: `m-${Math.random()}`, serviceUrl: connector.url }));

    /** Polls until every message left in the queue is not due yet (or the queue is empty). */
    async function deliverDue(): Promise<void> {
      for (let round = 0; round < 40; round++) {
        const mark = lines.length;
        const received = await dispatcher.poll();
        const notDue = lines.slice(mark).filter((l) => l.msg.startsWith('outbox notice not due yet')).length;
        if (received === 0 || notDue === received) return;
      }
      assert.fail('the queue did not settle');
    }
    const store = (request: OnboardingRequest) => storeRequest(documents, request);
    const state = async (id: string) => (await documents.get<NoticeRecord>(noticeKey(id)))?.value.state;
    return { clock, queued, requests, booking, deliverDue, store, state, lines };
  }

  /** Books the kickoff at the first slot at least `hoursAhead` away. */
  async function bookKickoff(w: Awaited<ReturnType<typeof world>>, request: OnboardingRequest, hoursAhead = 26): Promise<{ meeting: Meeting; request: OnboardingRequest }> {
    const slot = await slotAfter(w, request, 'kickoff', w.clock.now().getTime() + hoursAhead * HOUR);
    const booked = await w.booking.book(request, slot, 'kickoff', TEXT);
    assert.equal(booked.outcome, 'booked');
    return booked as { meeting: Meeting; request: OnboardingRequest };
  }

  /** Moves the clock past each reminder's due time in turn (24 h before, then 1 h before), delivering what is due. */
  async function dueOneByOne(w: Awaited<ReturnType<typeof world>>, meeting: Meeting): Promise<void> {
    for (const offset of [24 * HOUR, HOUR]) {
      w.clock.set(new Date(Date.parse(meeting.start) - offset + 60_000));
      await w.deliverDue();
    }
  }

  async function slotAfter(w: Awaited<ReturnType<typeof world>>, request: OnboardingRequest, kind: Meeting['kind'], after: number, personId?: string): Promise<Slot> {
    const proposal = await w.booking.propose(request, { kind, ...(personId ? { personId } : {}) });
    assert.ok(proposal.ok, 'the request is routed');
    const slot = proposal.slots.find((s) => Date.parse(s.start) >= after);
    assert.ok(slot, `a slot after ${new Date(after).toISOString()}: ${proposal.slots.map((s) => s.start).join(', ')}`);
    return slot;
  }

  it('queues two reminders for a booked kickoff, due 24 hours and 1 hour before it, and delivers each at its time', async () => {
    const w = await world();
    const { meeting } = await bookKickoff(w, await w.store(contosoRequest('FT-REMIND01', ADMIN)));
    const start = Date.parse(meeting.start);
    const now = w.clock.now().getTime();
    assert.deepEqual(
      w.queued.map((q) => q.notBefore),
      [new Date(start - 24 * HOUR).toISOString(), new Date(start - HOUR).toISOString()],
    );
    // The queue delay comes from the injected clock (capped at the queue's 7-day visibility).
    assert.deepEqual(
      w.queued.map((q) => q.delaySeconds),
      [start - 24 * HOUR, start - HOUR].map((due) => Math.min(MAX_VISIBILITY_SECONDS, Math.ceil((due - now) / 1000))),
    );

    await w.deliverDue();
    assert.equal(connector.sent.length, 0, 'nothing before its time');
    w.clock.set(new Date(start - 24 * HOUR + 60_000));
    await w.deliverDue();
    assert.deepEqual(connector.sent.map(titleOf), [renderer.text('en-US', (s) => s.reminders.kickoffTitle, { when: 'in 24 hours' })]);
    assert.equal(connector.sent[0]!.conversationId, `a:${MEGAN.aadObjectId}`);
    w.clock.set(new Date(start - HOUR + 60_000));
    await w.deliverDue();
    assert.deepEqual(connector.sent.map(titleOf).slice(1), ['Your FastTrack kickoff starts in 1 hour']);
    assert.equal(connector.sent.length, 2);
  });

  it('sends one reminder, saying the time really left, when the bot comes back after both were due', async () => {
    const w = await world();
    const { meeting } = await bookKickoff(w, await w.store(contosoRequest('FT-REMIND07', ADMIN)));
    w.clock.set(new Date(Date.parse(meeting.start) - 30 * 60_000));
    await w.deliverDue();
    assert.deepEqual(connector.sent.map(titleOf), ['Your FastTrack kickoff starts in 30 minutes']);
    assert.deepEqual(await Promise.all(w.queued.map((q) => w.state(q.id))), ['cancelled', 'sent'], 'the 24-hour reminder was overtaken by the 1-hour one');
  });

  it('queues one reminder per checkpoint occurrence per offset, and sends each before its own occurrence', async () => {
    const w = await world();
    const kickoff = await bookKickoff(w, await w.store(contosoRequest('FT-REMIND02', ADMIN)));
    const slot = await slotAfter(w, kickoff.request, 'checkpoint', Date.parse(kickoff.meeting.end) + 26 * HOUR);
    const booked = await w.booking.book(kickoff.request, slot, 'checkpoint', TEXT, { intervalWeeks: 1, occurrences: 6 });
    assert.equal(booked.outcome, 'booked');
    const series = (booked as { meeting: Meeting }).meeting;
    const checkpointReminders = w.queued.slice(2);
    assert.equal(checkpointReminders.length, 12, '6 occurrences × 2 offsets');
    const starts = Array.from({ length: 6 }, (_, k) => Date.parse(series.start) + k * 7 * 24 * HOUR);
    assert.deepEqual(
      checkpointReminders.map((q) => q.notBefore),
      starts.flatMap((s) => [new Date(s - 24 * HOUR).toISOString(), new Date(s - HOUR).toISOString()]),
    );
    assert.equal(new Set(w.queued.map((q) => q.id)).size, 14, 'each reminder has its own id');
    assert.equal(checkpointReminders.at(-1)!.delaySeconds, MAX_VISIBILITY_SECONDS, 'five weeks ahead: the queue holds it 7 days at a time');

    for (const [k, s] of starts.entries()) {
      for (const [offset, words] of [[24 * HOUR, 'in 24 hours'], [HOUR, 'in 1 hour']] as const) {
        w.clock.set(new Date(s - offset + 60_000));
        await w.deliverDue();
        const last = connector.sent.at(-1);
        assert.ok(last, `a reminder ${words} before checkpoint ${k + 1}`);
        assert.equal(titleOf(last), `Your FastTrack checkpoint starts ${words}`);
        assert.match(shown(last), new RegExp(`Checkpoint ${k + 1} of 6`));
      }
      assert.equal(connector.sent.length, 2 * (k + 1), `two reminders before checkpoint ${k + 1}`);
    }
    assert.ok(!connector.sent.some((s) => /kickoff/.test(titleOf(s))), 'the kickoff reminders, due after the kickoff began, were not sent');
  });

  it('reminders follow a moved meeting: the old ones are never delivered, the new ones are, at the new time', async () => {
    const w = await world();
    const first = await bookKickoff(w, await w.store(contosoRequest('FT-REMIND03', ADMIN)));
    const oldIds = w.queued.map((q) => q.id);
    const later = await slotAfter(w, first.request, 'kickoff', Date.parse(first.meeting.start) + 25 * HOUR, first.meeting.person.id);
    const moved = await w.booking.move(first.request, first.meeting, later);
    assert.equal(moved.outcome, 'moved');
    const newStart = Date.parse((moved as { meeting: Meeting }).meeting.start);
    const newIds = w.queued.slice(2).map((q) => q.id);
    assert.equal(newIds.length, 2);
    assert.deepEqual(await Promise.all(oldIds.map(w.state)), ['cancelled', 'cancelled']);

    // The old meeting's time comes: its reminders are due, and nothing is sent.
    w.clock.set(new Date(Date.parse(first.meeting.start) - 30 * 60_000));
    await w.deliverDue();
    assert.equal(connector.sent.length, 0);

    w.clock.set(new Date(newStart - 24 * HOUR + 60_000));
    await w.deliverDue();
    w.clock.set(new Date(newStart - HOUR + 60_000));
    await w.deliverDue();
    assert.deepEqual(connector.sent.map(titleOf), ['Your FastTrack kickoff starts in 24 hours', 'Your FastTrack kickoff starts in 1 hour']);
    const newTime = new Intl.DateTimeFormat('en-US', { timeZone: ADMIN.timeZone, month: 'short', day: 'numeric' }).format(new Date(newStart));
    for (const sent of connector.sent) assert.ok(shown(sent).includes(newTime), `shows the new day ${newTime}: ${shown(sent)}`);
    assert.deepEqual(await Promise.all(newIds.map(w.state)), ['sent', 'sent']);
  });

  it('reminders vanish with a cancelled meeting', async () => {
    const w = await world();
    const { meeting, request } = await bookKickoff(w, await w.store(contosoRequest('FT-REMIND04', ADMIN)));
    await w.booking.cancel(request, meeting, 'other');
    await dueOneByOne(w, meeting);
    assert.equal(connector.sent.length, 0);
    assert.deepEqual(await Promise.all(w.queued.map((q) => w.state(q.id))), ['cancelled', 'cancelled']);
  });

  it('does not send a reminder whose meeting vanished from the request record', async () => {
    const w = await world();
    const { meeting, request } = await bookKickoff(w, await w.store(contosoRequest('FT-REMIND05', ADMIN)));
    // The record lost the meeting without the booking service being told (no cancel of the reminders).
    await w.requests.update(request.tenantId, request.id, (r) => ({ ...r, meetings: [] }));
    await dueOneByOne(w, meeting);
    assert.equal(connector.sent.length, 0);
    assert.equal(w.lines.filter((l) => /no longer wanted/.test(l.msg)).length, 2, 'both reminders were skipped, with a log line');
  });

  it("shows a reminder in the request's language (de-DE), with the admin's and the center's time, each zone named, and the join link", async () => {
    const w = await world();
    const berlin = { ...ADMIN, timeZone: 'Europe/Berlin' };
    const { meeting } = await bookKickoff(w, await w.store(contosoRequest('FT-REMIND06', berlin, { preferredLanguage: 'de-DE', region: 'emea' })));
    assert.equal(meeting.centerTimeZone, 'Europe/Dublin', 'a German speaker from Dublin');
    assert.match(meeting.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    w.clock.set(new Date(Date.parse(meeting.start) - 24 * HOUR + 60_000));
    await w.deliverDue();
    assert.equal(connector.sent.length, 1);
    const sent = connector.sent[0]!;
    assert.equal(titleOf(sent), 'Ihr FastTrack-Kick-off beginnt in 24 Stunden');
    const text = shown(sent);
    const zone = (timeZone: string) => new Intl.DateTimeFormat('de-DE', { timeZone, timeZoneName: 'long' }).formatToParts(new Date(meeting.start)).find((p) => p.type === 'timeZoneName')!.value;
    const time = (timeZone: string) => new Intl.DateTimeFormat('de-DE', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(meeting.start));
    for (const timeZone of ['Europe/Berlin', 'Europe/Dublin']) {
      assert.ok(text.includes(zone(timeZone)), `names ${zone(timeZone)}: ${text}`);
      assert.ok(text.includes(time(timeZone)), `shows ${time(timeZone)} (${timeZone}): ${text}`);
    }
    assert.ok(text.includes('Ihre Zeit') && text.includes('Zeit im FastTrack Center'), text);
    assert.ok(text.includes(meeting.person.name));
    const join = cardOf(sent).actions?.find((a) => a.type === 'Action.OpenUrl');
    assert.equal(join?.url, meeting.joinUrl);
    assert.equal(join?.title, renderer.strings('de-DE').meeting.join);
  });
});

describe('REMINDER_OFFSETS', () => {
  it('reminds 24 hours and 1 hour before each meeting unless configured otherwise', () => {
    assert.deepEqual(loadConfig({}).reminderOffsets, ['24h', '1h']);
    assert.deepEqual(loadConfig({ REMINDER_OFFSETS: ' 2d, 30M ,2d' }).reminderOffsets, ['2d', '30m']);
  });

  it('stops start-up with the key named when an offset is not a number and m, h or d', () => {
    for (const bad of ['24', '1w', '0h', '24h;1h', ',']) {
      assert.throws(() => loadConfig({ REMINDER_OFFSETS: bad }), (error: unknown) => error instanceof ConfigError && error.key === 'REMINDER_OFFSETS' && /REMINDER_OFFSETS=24h,1h/.test(error.message), bad);
    }
  });
});
