import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { createLogger } from '../../bot/logger';
import type { ProactiveReference } from '../../bot/notifications/conversationReferences';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { Dispatcher } from '../../bot/notifications/dispatcher';
import { createNoticeKinds, type NoticeInput } from '../../bot/notifications/notice';
import { noticeKey, Outbox, type NoticeRecord } from '../../bot/notifications/outbox';
import { AdapterSender, LimitedSender, parseRetryAfter, type LimitWindow, type LimitedSenderOptions, type ProactiveSender } from '../../bot/notifications/sender';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { MEGAN, renderer, teamsActivity } from '../helpers/botHarness';
import { freshOutboxStorage } from '../helpers/outboxStorage';
import { busiestWindow, startTeamsConnector, type TeamsConnector } from '../helpers/teamsConnector';

/** Teams' four windows, scaled down (same shape: a burst window, a short one, a long one and a very long one). */
const WINDOWS: LimitWindow[] = [
  { count: 3, windowMs: 250 },
  { count: 4, windowMs: 500 },
  { count: 6, windowMs: 1500 },
  { count: 9, windowMs: 3000 },
];
const TENANT = MEGAN.tenantId;

describe("the proactive sender: Teams' limits, retries and blocked conversations, against a connector that enforces them", function () {
  this.timeout(60000);
  let connector: TeamsConnector;
  const adapterSender = new AdapterSender(new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({})), '');
  before(async () => {
    connector = await startTeamsConnector({ conversationLimits: WINDOWS, tenantPerSecond: 15 });
  });
  after(() => connector.stop());
  beforeEach(() => connector.reset());

  const reference = (conversationId: string, tenantId = TENANT): ProactiveReference => ({
    channelId: 'msteams',
    serviceUrl: connector.url,
    conversation: { id: conversationId, tenantId, conversationType: 'personal' },
    bot: { id: '28:bot', name: '' },
    user: { id: `29:${conversationId}`, name: '' },
  });
  const sender = (options: LimitedSenderOptions = {}) => new LimitedSender(adapterSender, { conversationLimits: WINDOWS, tenantPerSecond: 15, initialDelayMs: 50, ...options });
  const texts = (conversationId?: string) => connector.accepted.filter((a) => !conversationId || a.conversationId === conversationId).map((a) => a.text);

  it('delivers a burst of 12 messages to one conversation, each exactly once, with no window ever exceeded at the connector', async () => {
    const s = sender();
    const sent = Array.from({ length: 12 }, (_, i) => `message ${i}`);
    await Promise.all(sent.map((text) => s.send(reference('a:burst'), { type: 'message', text })));
    assert.deepEqual(connector.throttled, [], 'the connector never had to answer 429');
    assert.deepEqual([...texts('a:burst')].sort(), [...sent].sort(), 'nothing lost, nothing duplicated');
    const times = connector.accepted.map((a) => a.at);
    for (const w of WINDOWS) assert.ok(busiestWindow(times, w.windowMs) <= w.count, `at most ${w.count} in ${w.windowMs} ms, saw ${busiestWindow(times, w.windowMs)}`);
    assert.equal(busiestWindow(times, WINDOWS[0]!.windowMs), WINDOWS[0]!.count, 'the first window is used to the full (a burst goes out at once)');
  });

  it("keeps each tenant under its per-second ceiling across many conversations, two tenants at once", async () => {
    const s = sender();
    const other = '11111111-2222-4333-8444-555555555555';
    const jobs = Array.from({ length: 60 }, (_, i) => s.send(reference(`a:many-${i}`, i % 2 ? other : TENANT), { type: 'message', text: `to ${i}` }));
    await Promise.all(jobs);
    assert.deepEqual(connector.throttled, []);
    assert.equal(new Set(texts()).size, 60);
    assert.equal(connector.accepted.length, 60, 'nothing duplicated');
    for (const tenantId of [TENANT, other]) {
      const times = connector.accepted.filter((a) => a.tenantId === tenantId).map((a) => a.at);
      assert.equal(times.length, 30, `the connector saw the tenant id ${tenantId} on every message`);
      assert.ok(busiestWindow(times, 1000) <= 15, `tenant ${tenantId}: ${busiestWindow(times, 1000)} in one second`);
    }
  });

  it('retries a message answered 429 once its Retry-After (in seconds) has passed', async () => {
    connector.throttleNext('a:throttled', '1');
    await sender().send(reference('a:throttled'), { type: 'message', text: 'after a 429' });
    assert.equal(connector.throttled.length, 1);
    assert.deepEqual(texts(), ['after a 429']);
    const waited = connector.accepted[0]!.at - connector.throttled[0]!.at;
    assert.ok(waited >= 1000, `retried after ${waited} ms, Retry-After asked 1000`);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const until = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    connector.throttleNext('a:dated', until.toUTCString());
    await sender().send(reference('a:dated'), { type: 'message', text: 'after a dated 429' });
    assert.deepEqual(texts(), ['after a dated 429']);
    assert.ok(connector.accepted[0]!.at >= until.getTime(), 'not retried before the date');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')), 2000);
    assert.equal(parseRetryAfter('3'), 3000);
  });

  it('gives up after a bounded number of tries when the channel keeps answering 429', async () => {
    connector.throttleNext('a:always', '0', 100);
    await assert.rejects(sender({ maxAttempts: 3 }).send(reference('a:always'), { type: 'message', text: 'never' }), (e: { statusCode?: number }) => e.statusCode === 429);
    assert.equal(connector.throttled.length, 3, 'three tries, then the error is thrown');
    assert.deepEqual(texts(), []);
  });

  it('does not retry a 400, and retries a 502', async () => {
    let calls = 0;
    const failing = (statusCode: number): ProactiveSender => ({
      send: () => {
        calls++;
        return Promise.reject(Object.assign(new Error('refused'), { statusCode }));
      },
    });
    await assert.rejects(new LimitedSender(failing(400), { initialDelayMs: 10, maxAttempts: 4 }).send(reference('a:bad'), { type: 'message' }), (e: { statusCode?: number }) => e.statusCode === 400);
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(new LimitedSender(failing(502), { initialDelayMs: 10, maxAttempts: 4 }).send(reference('a:gateway'), { type: 'message' }), (e: { statusCode?: number }) => e.statusCode === 502);
    assert.equal(calls, 4);
  });

  it('sends nothing more to a conversation once it answered 403: the messages waiting behind it are not sent', async () => {
    connector.block('a:blocked');
    const s = sender({ conversationLimits: [{ count: 1, windowMs: 300 }] });
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => s.send(reference('a:blocked'), { type: 'message', text: `m${i}` })));
    assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { statusCode?: number }).statusCode === 403));
    assert.equal(connector.forbidden.length, 1, 'one request reached the channel');
  });

  it('lets go of the limiters of idle conversations', async () => {
    const s = sender({ conversationLimits: [{ count: 2, windowMs: 100 }], idleMs: 300 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => s.send(reference(`a:idle-${i}`), { type: 'message', text: `m${i}` })));
    assert.ok(s.limiterCount().conversations > 0, 'limiters are kept while conversations are busy');
    assert.equal(texts().length, 12);
    assert.deepEqual(connector.throttled, []);
    const deadline = Date.now() + 5000;
    while (s.limiterCount().conversations > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.limiterCount().conversations, 0);
  });

  describe('through the outbox and the dispatcher (Azurite)', () => {
    let azurite: AzuriteInstance;
    let dir: string;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-sender-'));
      azurite = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
    });
    after(async () => {
      await azurite.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('drops the notice to a blocked conversation with one log line, sends nothing more there, and sends again once the user writes', async () => {
      const { documents, queue, poisonQueue, queueClient } = await freshOutboxStorage(azurite.connectionString);
      const references = new ConversationReferenceStore(documents);
      const kinds = createNoticeKinds(renderer);
      const outbox = new Outbox({ queue, documents, kinds });
      const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
      const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
      const dispatcher = new Dispatcher({ queue, poisonQueue, documents, references, kinds, sender: sender(), logger, pollMs: 20, retryDelaySeconds: () => 0 });
      const chat = () => references.refresh(teamsActivity(MEGAN, 'en-US', { type: 'message', id: `m-${Math.random()}`, serviceUrl: connector.url }));
      const drain = async () => {
        do await dispatcher.poll();
        while (((await queueClient.getProperties()).approximateMessagesCount ?? 0) > 0);
      };
      const notice = (id: string): NoticeInput => ({ id, tenantId: MEGAN.tenantId, userId: MEGAN.aadObjectId, kind: 'text', params: { key: 'requestReceived', values: { requestId: 'FT-7K3M9Q2X' } } });
      const state = async (id: string) => (await documents.get<NoticeRecord>(noticeKey(id)))?.value.state;
      const conversationId = `a:${MEGAN.aadObjectId}`;

      await chat();
      connector.block(conversationId);
      await outbox.enqueue(notice('first'));
      await drain();
      assert.equal(await state('first'), 'dropped');
      assert.equal(connector.forbidden.length, 1);
      const logged = lines.filter((l) => l.noticeId === 'first' && l.level === 40);
      assert.equal(logged.length, 1, 'one warning line');
      assert.equal(logged[0]!.code, 'MessageWritesBlocked');
      assert.ok(!JSON.stringify(logged).includes('FT-7K3M9Q2X'), 'no message text in the log');

      await outbox.enqueue(notice('second'));
      await drain();
      assert.equal(await state('second'), 'dropped');
      assert.equal(connector.forbidden.length, 1, 'nothing more was sent to the blocked conversation');

      connector.unblock(conversationId);
      assert.equal(await chat(), 'saved', 'the user writing again refreshes (and unblocks) the reference');
      await outbox.enqueue(notice('third'));
      await drain();
      assert.equal(await state('third'), 'sent');
      assert.equal(texts(conversationId).length, 1);
    });
  });
});
