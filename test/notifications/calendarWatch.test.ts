import assert from 'node:assert/strict';
import type { Meeting, OnboardingRequest } from '../../bot/domain/journey';
import { describeSlot } from '../../bot/domain/slots';
import { CalendarWatch, subscriptionKey, type SubscriptionRecord } from '../../bot/notifications/calendarWatch';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { contosoRequest, storeRequest } from '../fixtures/requests';
import { centers, MEGAN, renderer } from '../helpers/botHarness';
import { startCalendarWorld, type CalendarWorld, type LogLine } from '../helpers/calendarWorld';

const TEXT = { subject: 'FastTrack onboarding kickoff: Contoso', bodyHtml: '<p>Agenda</p>' };
const ADMIN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };
type Card = { body: { type: string; text?: string; facts?: { title: string; value: string }[] }[]; actions: { title: string; data?: { verb?: string; eventId?: string } }[] };

describe('meetings followed in Outlook: Graph subscriptions on the local tenant and Azurite', function () {
  this.timeout(120000);
  let env: Awaited<ReturnType<typeof startCalendarWorld>>;
  let world: CalendarWorld;
  before(async () => {
    env = await startCalendarWorld();
  });
  after(() => env.stop());
  beforeEach(async () => {
    env.tenant.reset();
    env.connector.sent.splice(0);
    world = await env.fresh();
    await world.installFor(MEGAN);
  });
  afterEach(() => world.stop());

  const graph = (path: string, init: RequestInit = {}) => fetch(`${env.tenant.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0${path}`, init);

  async function bookKickoff(id: string): Promise<{ request: OnboardingRequest; meeting: Meeting }> {
    const request = await storeRequest(world.documents, contosoRequest(id, ADMIN));
    const proposal = await world.booking.propose(request);
    assert.ok(proposal.ok && proposal.slots.length > 0, 'slots');
    const booked = await world.booking.book(request, proposal.slots[0]!, 'kickoff', TEXT);
    assert.equal(booked.outcome, 'booked');
    assert.ok(booked.outcome === 'booked');
    return { request: booked.request, meeting: booked.meeting };
  }

  async function stored(request: OnboardingRequest): Promise<Meeting> {
    const current = await world.requests.get(request.tenantId, request.id);
    return current!.meetings!.find((m) => m.kind === 'kickoff')!;
  }

  async function heldTimes(meeting: Meeting): Promise<string[]> {
    const person = centers.people.find((p) => p.id === meeting.person.id)!;
    const timeZone = centers.centers.find((c) => c.id === person.centerId)!.timeZone;
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 40 * 86_400_000).toISOString();
    return (await world.ledger.busy({ id: person.id, timeZone }, from, to)).map((b) => new Date(b.start).toISOString());
  }

  /** Waits for a log line (the dispatcher handled the queued work). */
  async function logged(match: (l: LogLine) => boolean, timeoutMs = 20000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = world.logs.find(match);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no such log line; got ${JSON.stringify(world.logs.map((l) => l.msg))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const card = (sent: { activity: { attachments?: { content: unknown }[] } }) => sent.activity.attachments![0]!.content as Card;

  it('subscribes to a booked meeting on the admin’s calendar, with a secret clientState and the expiry Graph granted', async () => {
    const { request, meeting } = await bookKickoff('FT-WATCH001');
    const subscriptions = env.tenant.listSubscriptions(TENANTS.contoso);
    assert.equal(subscriptions.length, 1);
    const s = subscriptions[0]!;
    // Graph subscribes Outlook events per mailbox, not per event: the record keeps the meeting's event.
    assert.equal(s.resource, `users/${USERS.megan}/events`);
    assert.equal(s.userId, USERS.megan);
    assert.equal(s.changeType, 'updated,deleted');
    assert.equal(s.notificationUrl, world.notificationUrl);
    assert.equal(s.lifecycleNotificationUrl, world.notificationUrl);
    const record = (await world.documents.get<SubscriptionRecord>(subscriptionKey(s.id)))!.value;
    assert.deepEqual({ requestId: record.requestId, eventId: record.eventId, tenantId: record.tenantId }, { requestId: request.id, eventId: meeting.eventId, tenantId: TENANTS.contoso });
    assert.equal(record.clientState, s.clientState);
    assert.ok(record.clientState.length >= 32);
    assert.equal(record.expirationDateTime, s.expirationDateTime);
    assert.ok(Date.parse(record.expirationDateTime) - Date.now() < 7 * 86_400_000, 'under Graph’s 7 days for Outlook events');
  });

  it('tells the admin "moved to …" in both zones when the event is moved in Outlook, and the record and the ledger follow', async () => {
    const { request, meeting } = await bookKickoff('FT-WATCH002');
    world.dispatcher.start();
    const start = new Date(Date.parse(meeting.start) + 86_400_000 + 3_600_000).toISOString();
    const end = new Date(Date.parse(meeting.end) + 86_400_000 + 3_600_000).toISOString();
    // The one HTTP call that "moves the meeting in Outlook" (README).
    const moved = await graph(`/users/${USERS.megan}/events/${encodeURIComponent(meeting.eventId)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ start: { dateTime: start.slice(0, 19), timeZone: 'UTC' }, end: { dateTime: end.slice(0, 19), timeZone: 'UTC' } }),
    });
    assert.equal(moved.status, 200);
    const [notice] = await env.connector.waitFor(1, 20000);
    const content = card(notice!);
    assert.equal(content.body[0]!.text, renderer.strings('en-US').calendarChanges.movedTitle);
    const facts = content.body.find((b) => b.type === 'FactSet')!.facts!;
    const when = describeSlot({ start, end }, ADMIN.timeZone, meeting.centerTimeZone, 'en-US');
    assert.equal(facts[0]!.value, when.adminTime, 'the new time in the admin’s zone');
    if (!when.sameZone) assert.equal(facts[1]!.value, when.centerTime, 'and in the FastTrack Center’s');
    assert.deepEqual(content.actions.map((a) => a.data?.verb).filter(Boolean), ['status.show', 'meeting.reschedule']);
    assert.equal(content.actions.find((a) => a.data?.verb === 'meeting.reschedule')!.data!.eventId, meeting.eventId);

    const now = await stored(request);
    assert.deepEqual([now.start, now.end, now.status], [start, end, 'booked']);
    const held = await heldTimes(meeting);
    assert.ok(held.includes(start), 'the new time is held');
    assert.ok(!held.includes(meeting.start), 'the old time is free');
    // Another notification of the same change (a redelivery) tells nothing new.
    await env.tenant.notificationsSettled();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(env.connector.sent.length, 1);
  });

  it('says nothing about a move made from the chat, though Graph notifies it too', async () => {
    const { request, meeting } = await bookKickoff('FT-WATCH003');
    world.dispatcher.start();
    const proposal = await world.booking.propose(request, { personId: meeting.person.id });
    assert.ok(proposal.ok);
    const slot = proposal.slots.find((s) => s.start !== meeting.start)!;
    const result = await world.booking.move(request, meeting, slot);
    assert.equal(result.outcome, 'moved');
    await env.tenant.notificationsSettled();
    assert.ok(env.tenant.notificationDeliveries.some((d) => d.what === 'updated' && d.status === 202), 'Graph notified the change');
    await logged((l) => l.msg === 'calendar work done' && l.what === 'updated');
    assert.deepEqual(env.connector.sent, []);
    assert.equal((await stored(request)).start, result.outcome === 'moved' ? result.meeting.start : '');
  });

  it('says nothing when another event of the admin’s calendar changes', async () => {
    const { request, meeting } = await bookKickoff('FT-WATCH009');
    world.dispatcher.start();
    const other = await graph(`/users/${USERS.megan}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Team lunch', start: { dateTime: '2030-01-07T17:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-07T18:00:00', timeZone: 'UTC' } }),
    });
    const { id } = (await other.json()) as { id: string };
    const moved = await graph(`/users/${USERS.megan}/events/${encodeURIComponent(id)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'Team lunch (moved)' }) });
    assert.equal(moved.status, 200);
    await env.tenant.notificationsSettled();
    await logged((l) => l.msg === 'calendar work done' && l.what === 'updated');
    assert.deepEqual(env.connector.sent, []);
    assert.equal((await stored(request)).start, meeting.start);
  });

  it('tells the admin "cancelled in Outlook — book again?" when the event is deleted, and frees the ledger', async () => {
    const { request, meeting } = await bookKickoff('FT-WATCH004');
    world.dispatcher.start();
    assert.ok((await heldTimes(meeting)).includes(meeting.start));
    const deleted = await graph(`/users/${USERS.megan}/events/${encodeURIComponent(meeting.eventId)}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    const [notice] = await env.connector.waitFor(1, 20000);
    const content = card(notice!);
    assert.equal(content.body[0]!.text, renderer.strings('en-US').calendarChanges.cancelledTitle);
    assert.deepEqual(content.actions.map((a) => a.data?.verb), ['meeting.book']);
    const now = await stored(request);
    assert.equal(now.status, 'cancelled');
    assert.ok(!(await heldTimes(meeting)).includes(meeting.start), 'the time is free again');
    assert.equal((await world.requests.get(request.tenantId, request.id))!.stage, 'awaitingScheduling');
    assert.deepEqual(env.tenant.listSubscriptions(TENANTS.contoso), [], 'the subscription is deleted');
  });

  it('deletes the subscription when the meeting is cancelled from the chat, and tells nothing', async () => {
    const { request, meeting } = await bookKickoff('FT-WATCH005');
    world.dispatcher.start();
    await world.booking.cancel(request, meeting, 'notReady');
    assert.deepEqual(env.tenant.listSubscriptions(TENANTS.contoso), []);
    await env.tenant.notificationsSettled();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual(env.connector.sent, []);
  });

  it('renews the subscription on reauthorizationRequired and keeps the new expiry Graph granted', async () => {
    await bookKickoff('FT-WATCH006');
    world.dispatcher.start();
    const [s] = env.tenant.listSubscriptions(TENANTS.contoso);
    await new Promise((resolve) => setTimeout(resolve, 20));
    env.tenant.clearRequests();
    assert.ok(env.tenant.sendLifecycleNotification(s!.id, 'reauthorizationRequired'));
    await logged((l) => l.msg === 'calendar subscription renewed');
    assert.ok(env.tenant.requests.some((r) => r.method === 'PATCH' && r.path === `/subscriptions/${s!.id}`), 'renewed in Graph');
    const [renewed] = env.tenant.listSubscriptions(TENANTS.contoso);
    const record = (await world.documents.get<SubscriptionRecord>(subscriptionKey(s!.id)))!.value;
    assert.equal(record.expirationDateTime, renewed!.expirationDateTime);
    assert.ok(Date.parse(record.expirationDateTime) > Date.parse(s!.expirationDateTime), 'a later expiry');
  });

  it('creates the subscription again when Graph removes it', async () => {
    const { meeting } = await bookKickoff('FT-WATCH007');
    world.dispatcher.start();
    const [s] = env.tenant.listSubscriptions(TENANTS.contoso);
    assert.ok(env.tenant.sendLifecycleNotification(s!.id, 'subscriptionRemoved'));
    await logged((l) => l.msg === 'subscription removed by Graph; created again');
    const now = env.tenant.listSubscriptions(TENANTS.contoso);
    assert.equal(now.length, 1);
    assert.notEqual(now[0]!.id, s!.id);
    assert.equal((await world.watch.record(now[0]!.id))!.eventId, meeting.eventId);
  });

  it('deletes the subscription of a meeting that has ended when its check comes', async () => {
    const { meeting } = await bookKickoff('FT-WATCH008');
    const [s] = env.tenant.listSubscriptions(TENANTS.contoso);
    const later = new Date(Date.parse(meeting.end) + 60_000);
    // The same watch as the bot's, an hour after the meeting (the check the queue holds for then).
    const afterwards = new CalendarWatch({ gateway: world.directory, directory: world.directory, documents: world.documents, requests: world.requests, booking: world.booking, outbox: world.outbox, queue: world.queue, notificationUrl: () => world.notificationUrl, logger: world.logger, clock: () => later });
    await afterwards.handle({ type: 'calendarChange', subscriptionId: s!.id, what: 'renewDue' });
    assert.deepEqual(env.tenant.listSubscriptions(TENANTS.contoso), []);
    assert.equal(await world.watch.record(s!.id), undefined);
  });
});
