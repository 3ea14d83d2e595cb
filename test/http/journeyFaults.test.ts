import { ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../bot/app';
import { CardRenderer } from '../../bot/cards/cardRenderer';
import { meetingCard } from '../../bot/cards/meetingCards';
import { loadConfig } from '../../bot/config';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { describeSlot } from '../../bot/domain/slots';
import { createLogger } from '../../bot/logger';
import type { LocalWorld } from '../../bot/localWorld';
import { BlobDocumentStore } from '../../bot/storage/documentStore';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { localWorld } from '../../local/backends';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { cards, visibleText } from '../helpers/botHarness';
import { startConnector, type SentActivity } from '../helpers/connector';
import { ANSWERS, step } from '../helpers/journeySteps';

const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0', OUTBOX_POLL_MS: '100' };
/** A small turn budget, so faults "longer than the budget" cost seconds, not the production 10 s each. */
const TURN_BUDGET_MS = 2000;
const renderer = CardRenderer.load();
const strings = renderer.strings('en-US');
const CREATE = '^/users/[^/]+/(calendar/)?events$';
/** The admin's zone differs from the FastTrack center's (Redmond), so cards name both. */
const FORM = { ...ANSWERS.form, timeZone: 'America/New_York' };

type Activity = SentActivity['activity'];

/**
 * The app as `npm start` runs it (Azurite as a supervised child process, the local tenant), replies
 * captured by the test connector, and what a test of Megan's chat needs; started before the tests
 * of the describe calling it, stopped after them.
 */
function journeyApp(env: Record<string, string> = {}) {
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let app: RunningApp;
  let azurite: AzuriteInstance;
  const supervision: string[] = [];
  const logs: string[] = [];
  const conversation = `a:journey-faults-${crypto.randomUUID()}`;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-journey-faults-'));
    connector = await startConnector();
    const world: LocalWorld = { ...localWorld, startStorage: async (options) => (azurite = await startAzurite({ ...options, log: (line) => supervision.push(line) })) };
    app = await startApp(loadConfig({ ...LOCAL, DATA_DIR: dataDir, TURN_BUDGET_MS: String(TURN_BUDGET_MS), ...env }), createLogger('info', { write: (line: string) => void logs.push(line) }), world);
  });
  after(async () => {
    await app?.stop();
    await connector?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** One activity of Megan's personal chat; the replies of its turn (typing left out). */
  async function turn(extra: Record<string, unknown>): Promise<{ text: string; replies: Activity[] }> {
    const before = connector.sent.length;
    const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: crypto.randomUUID(),
        from: { id: '29:contoso-megan', name: 'Megan Bowen', aadObjectId: USERS.megan },
        serviceUrl: connector.url,
        conversation: { conversationType: 'personal', tenantId: TENANTS.contoso, id: conversation },
        recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
        locale: 'en-US',
        channelData: { tenant: { id: TENANTS.contoso } },
        channelId: 'msteams',
        ...extra,
      }),
    });
    assert.equal(response.status, 200, await response.text());
    const replies = connector.sent.slice(before).map((s) => s.activity).filter((a) => a.type !== 'typing');
    return { text: visibleText(replies as never), replies };
  }
  const submit = (replies: Activity[], verb: string, answers: Record<string, unknown>) => turn({ value: { ...step(replies as never, verb).data, ...answers } });

  async function fault(spec: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${new URL(app.graphBaseUrl).origin}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    assert.equal(response.status, 201, `fault injected: ${await response.text()}`);
  }
  const clearFaults = () => fetch(`${new URL(app.graphBaseUrl).origin}/_local/faults`, { method: 'DELETE' });

  /** The first activity sent to the chat from `from` on (proactively: no turn of ours asked) that passes `test`. */
  async function proactive(from: number, test: (a: Activity) => boolean, timeoutMs = 40000): Promise<Activity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = connector.sent.slice(from).find((s) => s.conversationId === conversation && test(s.activity));
      if (found) return found.activity;
      if (Date.now() > deadline) assert.fail(`no such proactive message; the chat got: ${connector.sent.slice(from).map((s) => visibleText([s.activity] as never).slice(0, 120)).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function storedRequest(): Promise<OnboardingRequest> {
    const requests = new StorageRequestRepository(new BlobDocumentStore(new ContainerClient(azurite.connectionString, 'records')));
    const request = await requests.findOpen(TENANTS.contoso);
    assert.ok(request, 'the request is stored');
    return request;
  }

  async function fastTrackEvents(): Promise<{ id: string; subject: string; transactionId?: string | null }[]> {
    const response = await fetch(`${app.graphBaseUrl.replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${USERS.megan}/events?$top=1000`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { value: { id: string; subject: string; transactionId?: string | null }[] };
    return body.value.filter((e) => typeof e.transactionId === 'string' && e.transactionId.startsWith('FT-'));
  }

  return { turn, submit, fault, clearFaults, proactive, storedRequest, fastTrackEvents, conversation, supervision, azurite: () => azurite, connector: () => connector };
}

/**
 * The whole admin journey over HTTP (the app as `npm start` runs it: Azurite as a supervised child
 * process, the local tenant, replies captured by the test connector) while the local tenant throttles
 * with Retry-After, answers 503 bursts and is slow past the turn budget (once for real: 25 s), and
 * Azurite is killed and restarted mid-journey. The journey completes, each failure is named to the
 * user and resumed, the bookings Graph could not finish in their turn arrive later in the chat, and
 * in the end there is exactly one kickoff and one series in the local tenant's calendar and the
 * stored request holds every answer.
 */
describe('the whole journey under Graph faults and a storage restart', function () {
  this.timeout(180000);
  const { turn, submit, fault, clearFaults, proactive, storedRequest, fastTrackEvents, supervision, azurite: azuriteNow, connector: connectorNow } = journeyApp();

  it('completes, names each failure and resumes, books exactly one kickoff and one series, and loses no answer', async () => {
    await turn({ type: 'installationUpdate', action: 'add' });

    // Welcome → admin check → tenant check. The admin check is throttled with a Retry-After that fits
    // the budget (waited out); the tenant check is slower than the budget: it goes on in the
    // background, and its card arrives in the chat.
    await fault({ path: '^/users/[^/]+/transitiveMemberOf', status: 429, retryAfterSeconds: 1, times: 1, tenantId: TENANTS.contoso });
    await fault({ path: '/$batch', latencyMs: TURN_BUDGET_MS + 1500, times: 1, tenantId: TENANTS.contoso });
    const beforeCheck = connectorNow().sent.length;
    const slow = await turn({ value: { verb: 'request.start' } });
    assert.ok(slow.text.includes(strings.background.stillWorking), slow.text.slice(0, 300));
    assert.ok(!slow.text.includes(strings.messages.error), slow.text.slice(0, 300));
    const checked = await proactive(beforeCheck, (a) => a.text === strings.background.tenantCheckDone);
    assert.ok(visibleText([checked] as never).includes(strings.tenantCheck.title), 'the tenant-check card');
    // Its "Request FastTrack help", clicked during a burst of 503s, which the turn's retries ride out.
    await fault({ path: '/$batch', status: 503, times: 2, tenantId: TENANTS.contoso });
    const identity = await submit([checked], 'request.start', {});
    const services = await submit(identity.replies, 'core.identity', ANSWERS.identity);

    // Azurite dies mid-journey (after its 5 s metadata save: a kill loses the emulator's last seconds,
    // not the bot's); the supervisor restarts it and the same answers go through.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const pid = azuriteNow().pid!;
    process.kill(pid, 'SIGKILL');
    let migration: Awaited<ReturnType<typeof turn>> | undefined;
    let toldStorage = false;
    for (const started = Date.now(); !migration && Date.now() - started < 30000; ) {
      const attempt = await submit(services.replies, 'services.submit', ANSWERS.services);
      if (attempt.replies.some((r) => JSON.stringify(r).includes('migration.submit'))) migration = attempt;
      else {
        assert.ok(attempt.text.includes(strings.failures.storage), `while Azurite is down the user hears the storage message, got: ${attempt.text.slice(0, 300)}`);
        toldStorage = true;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    assert.ok(migration, `the journey went on after the restart; supervision said: ${supervision.join('\n')}`);
    assert.ok(toldStorage || azuriteNow().restarts === 1, 'the user was told storage was down, or Azurite was back before the next turn');
    assert.notEqual(azuriteNow().pid, pid, 'a new Azurite process');

    const form = await submit(migration.replies, 'migration.submit', ANSWERS.migration);
    const slots = await submit(form.replies, 'request.submit', FORM);

    // The kickoff: the create is slow for real, 25 s, far past the turn budget. The turn answers at
    // once that it is still working; the booking goes on in the background.
    await fault({ path: CREATE, method: 'POST', latencyMs: 25000, times: 1, tenantId: TENANTS.contoso });
    const slowCreateAt = Date.now();
    const pick = step(slots.replies as never, 'slot.pick').data;
    const sentBefore = connectorNow().sent.length;
    const working = await turn({ value: { ...pick, slot: '0' } });
    assert.ok(working.text.includes(strings.background.stillWorking), working.text.slice(0, 300));
    assert.ok(!JSON.stringify(working.replies).includes('meetup-join'), 'not booked within the turn');
    // A click on another slot of the same card while it works books nothing more: still working.
    const again = await turn({ value: { ...pick, slot: '1' } });
    assert.ok(again.text.includes(strings.background.stillWorking), again.text.slice(0, 300));

    const booked = await proactive(sentBefore, (a) => a.text === strings.background.booked);
    const afterKickoff = await storedRequest();
    const kickoff = afterKickoff.meetings?.find((m) => m.kind === 'kickoff' && m.status === 'booked');
    assert.ok(kickoff, 'the kickoff is recorded');
    const when = describeSlot(kickoff, kickoff.adminTimeZone, kickoff.centerTimeZone, 'en-US').adminTime;
    assert.ok(slotLabel(slots.replies, '0').includes(when), `the slot the admin picked first (${slotLabel(slots.replies, '0')}), not the one clicked while it worked: ${when}`);
    // The card as the chat shows it: both zones, the person, the join link, Reschedule and checkpoints.
    assert.deepEqual(booked.attachments?.[0]?.content, meetingCard(renderer, 'en-US', afterKickoff, kickoff, 'booked').content);
    const shown = visibleText([booked] as never);
    assert.ok(shown.includes('EST') && /PST|PT\b/.test(shown), `both zones on the card: ${shown.slice(0, 300)}`);

    // Checkpoints: Graph throttles the create with a Retry-After past the turn budget; it is not
    // waited out in the turn, and the series arrives when Graph lets it.
    const checkpointSlots = await turn({ value: { verb: 'checkpoints.add', eventId: kickoff.eventId } });
    await fault({ path: CREATE, method: 'POST', status: 429, retryAfterSeconds: 3, times: 1, tenantId: TENANTS.contoso });
    const beforeSeries = connectorNow().sent.length;
    const throttled = await submit(checkpointSlots.replies, 'slot.pick', { slot: '0', interval: '2' });
    assert.ok(throttled.text.includes(strings.background.stillWorking), throttled.text.slice(0, 300));
    const series = await proactive(beforeSeries, (a) => a.text === strings.background.booked);
    assert.ok(visibleText([series] as never).includes(strings.meeting.checkpointsTitle), 'the checkpoints card');

    // The slow create of the kickoff reaches the local tenant 25 s after it was sent, with the same
    // transactionId: it makes no second meeting. Wait it out, then count.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, slowCreateAt + 26500 - Date.now())));
    await clearFaults();
    const events = await fastTrackEvents();
    assert.equal(events.filter((e) => e.transactionId!.includes('-kickoff-')).length, 1, JSON.stringify(events));
    assert.equal(events.filter((e) => e.transactionId!.includes('-checkpoint-')).length, 1, JSON.stringify(events));

    // No answer lost: every phase's answers are stored, the meetings match the calendar, nothing pending.
    const request = await storedRequest();
    assert.deepEqual(request.phases, { core: 'done', services: 'done', form: 'done', adoption: request.phases.adoption });
    assert.equal(request.core?.identityPlan, ANSWERS.identity.identityPlan);
    assert.equal(request.form?.businessReason, FORM.businessReason);
    assert.equal(request.form?.requesterPhone, FORM.requesterPhone);
    assert.equal(request.form?.timeZone, FORM.timeZone);
    assert.equal(request.migration?.mailboxes, Number(ANSWERS.migration.mailboxes));
    const booked2 = (request.meetings ?? []).filter((m) => m.status === 'booked');
    assert.deepEqual(booked2.map((m) => m.kind).sort(), ['checkpoint', 'kickoff']);
    assert.deepEqual(booked2.map((m) => m.eventId).sort(), events.map((e) => e.id).sort());
    assert.deepEqual(request.pendingBookings ?? [], []);
    assert.equal(request.bookingCount, 2);
  });
});

/** The label of a slot choice of the slots card among the replies. */
function slotLabel(replies: Activity[], value: string): string {
  type Node = { id?: string; choices?: { title: string; value: string }[]; body?: Node[]; items?: Node[] };
  const find = (nodes: Node[] | undefined): Node | undefined => nodes?.reduce<Node | undefined>((hit, n) => hit ?? (n.id === 'slot' ? n : find(n.items)), undefined);
  const label = cards(replies as never)
    .map((card) => find((card as Node).body))
    .find(Boolean)
    ?.choices?.find((c) => c.value === value)?.title;
  assert.ok(label, `a slot choice ${value} on the card`);
  return label;
}

/**
 * A booking Graph keeps refusing (429 with a Retry-After past the turn budget, again and again):
 * tried in the background until the last try, then the admin is told in the chat what happened and
 * how to try again, the work is kept in the poison queue, and trying again books exactly one meeting.
 */
describe('a background booking that fails for good', function () {
  this.timeout(180000);
  const { turn, submit, fault, clearFaults, proactive, storedRequest, fastTrackEvents, azurite, connector } = journeyApp({ OUTBOX_MAX_ATTEMPTS: '2', TURN_BUDGET_MS: '3000' });

  it('tells the admin what happened and how to try again, keeps the work in the poison queue, and books once when they try again', async () => {
    await turn({ type: 'installationUpdate', action: 'add' });
    const identity = await turn({ value: { verb: 'request.start' } });
    const services = await submit(identity.replies, 'core.identity', ANSWERS.identity);
    const migration = await submit(services.replies, 'services.submit', ANSWERS.services);
    const form = await submit(migration.replies, 'migration.submit', ANSWERS.migration);
    const slots = await submit(form.replies, 'request.submit', FORM);

    // Retry-After 4 s, past the 3 s budget of this app: never waited out in the turn.
    await fault({ path: CREATE, method: 'POST', status: 429, retryAfterSeconds: 4, times: 'Infinity', tenantId: TENANTS.contoso });
    const before = connector().sent.length;
    const working = await submit(slots.replies, 'slot.pick', { slot: '0' });
    assert.ok(working.text.includes(strings.background.stillWorking), working.text.slice(0, 300));
    const told = await proactive(before, (a) => typeof a.text === 'string' && a.text.startsWith("I couldn't book the meeting"));
    const when = slotLabel(slots.replies, '0').split(' (')[0]!;
    assert.equal(told.text, renderer.text('en-US', (s) => s.background.failedGraph, { when, book: strings.commands.book }));
    const poison = new QueueClient(azurite().connectionString, 'fasttrack-work-poison');
    const poisoned = (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as { reason: string; original: string });
    const original = poisoned.map((p) => JSON.parse(Buffer.from(p.original, 'base64').toString('utf8')) as { type: string });
    assert.deepEqual(original.map((o) => o.type), ['booking'], 'the booking work is kept for an operator');
    assert.equal((await fastTrackEvents()).length, 0);

    // How to try again: as told, "book" — fresh times, and one meeting.
    await clearFaults();
    const fresh = await turn({ text: strings.commands.book });
    const beforeAgain = connector().sent.length;
    const booked = await submit(fresh.replies, 'slot.pick', { slot: '0' });
    // Booked in the turn, or (a slow machine, the small budget) a moment later in the chat.
    if (!JSON.stringify(booked.replies).includes('meetup-join')) {
      assert.ok(booked.text.includes(strings.background.stillWorking), booked.text.slice(0, 300));
      await proactive(beforeAgain, (a) => a.text === strings.background.booked);
    }
    const events = await fastTrackEvents();
    assert.equal(events.length, 1, JSON.stringify(events));
    const request = await storedRequest();
    assert.equal(request.meetings?.filter((m) => m.status === 'booked').length, 1);
    assert.equal(request.form?.businessReason, FORM.businessReason);
  });
});

describe('status while a background booking runs', function () {
  this.timeout(180000);
  const { turn, submit, fault, proactive, connector } = journeyApp({ TURN_BUDGET_MS: '3000' });

  it('says the kickoff is being booked (not "no meeting booked yet"), and shows it booked once the chat is told', async () => {
    const identity = await turn({ value: { verb: 'request.start' } });
    const services = await submit(identity.replies, 'core.identity', ANSWERS.identity);
    const migration = await submit(services.replies, 'services.submit', ANSWERS.services);
    const form = await submit(migration.replies, 'migration.submit', ANSWERS.migration);
    const slots = await submit(form.replies, 'request.submit', FORM);

    // Throttled once with a Retry-After past the 3 s budget: the booking goes on from the queue.
    await fault({ path: CREATE, method: 'POST', status: 429, retryAfterSeconds: 6, times: 1, tenantId: TENANTS.contoso });
    const before = connector().sent.length;
    const working = await submit(slots.replies, 'slot.pick', { slot: '0' });
    assert.ok(working.text.includes(strings.background.stillWorking), working.text.slice(0, 300));

    const status = await turn({ text: strings.commands.status });
    assert.ok(status.text.includes(renderer.text('en-US', (s) => s.nextStep.status.bookingInProgress, { kind: strings.meeting.kinds.kickoff })), status.text);
    assert.ok(!status.text.includes(strings.status.noMeetings), status.text);

    await proactive(before, (a) => a.text === strings.background.booked);
    const after = await turn({ text: strings.commands.status });
    assert.ok(!after.text.includes(renderer.text('en-US', (s) => s.nextStep.status.bookingInProgress, { kind: strings.meeting.kinds.kickoff })), after.text);
    assert.ok(after.text.includes(`${strings.meeting.kinds.kickoff}: `), after.text);
  });
});
