import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { Dispatcher, type DispatcherOptions } from '../../bot/notifications/dispatcher';
import { createNoticeKinds, type NoticeInput } from '../../bot/notifications/notice';
import { noticeKey, Outbox, type NoticeRecord } from '../../bot/notifications/outbox';
import { AdapterSender, type ProactiveSender } from '../../bot/notifications/sender';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { MAX_VISIBILITY_SECONDS, type WorkQueue } from '../../bot/storage/workQueue';
import { LIWEI, MEGAN, renderer, teamsActivity, type TestUser } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';
import { freshOutboxStorage } from '../helpers/outboxStorage';

const REQUEST_ID = 'FT-7K3M9Q2X';
const received = (locale: string) => renderer.text(locale, (s) => s.notices.requestReceived, { requestId: REQUEST_ID });
const notice = (id: string, user: TestUser = MEGAN, extra: Partial<NoticeInput> = {}): NoticeInput => ({
  id,
  tenantId: user.tenantId,
  userId: user.aadObjectId,
  kind: 'text',
  params: { key: 'requestReceived', values: { requestId: REQUEST_ID } },
  ...extra,
});

/** Log lines as objects (pino JSON), to assert what an operator would see. */
function captureLogs() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines };
}

describe('the outbox: proactive notices through the storage queue (Azurite)', function () {
  this.timeout(60000);
  let azurite: AzuriteInstance;
  let dir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let failing: Map<string, number>;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-outbox-'));
    failing = new Map();
    [azurite, connector] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), startConnector({ status: (id) => failing.get(id) ?? 200 })]);
  });
  after(async () => {
    await Promise.all([azurite.stop(), connector.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    connector.sent.splice(0);
    connector.refused.splice(0);
    failing.clear();
  });

  /** A fresh outbox world: records container, queue and poison queue, as one bot storage. */
  async function world(options: Partial<DispatcherOptions> = {}) {
    const { documents, queue, poisonQueue, queueClient } = await freshOutboxStorage(azurite.connectionString);
    const references = new ConversationReferenceStore(documents);
    const kinds = createNoticeKinds(renderer);
    const outbox = new Outbox({ queue, documents, kinds });
    const { logger, lines } = captureLogs();
    const adapter = new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const dispatcher = (more: Partial<DispatcherOptions> = {}) =>
      new Dispatcher({ queue, poisonQueue, documents, references, kinds, sender: new AdapterSender(adapter, ''), logger, pollMs: 20, retryDelaySeconds: () => 0, ...options, ...more });
    /** What the user's Teams client sends: it stores (or refreshes) the conversation reference. */
    const chat = (user: TestUser, locale: string, extra: Partial<Activity> = {}) =>
      references.refresh(teamsActivity(user, locale, { type: 'message', id: `m-${Math.random()}`, serviceUrl: connector.url, ...extra }));
    const waiting = async () => (await queueClient.getProperties()).approximateMessagesCount ?? 0;
    const poisoned = async () => (await poisonQueue.receive(32, 1)).map((m) => m.body as { reason: string; original: string });
    return { documents, queue, poisonQueue, references, outbox, dispatcher, chat, lines, waiting, poisoned };
  }

  /** Polls until the queue holds nothing (visible or not) or the time is up. */
  async function drain(dispatcher: Dispatcher, waiting: () => Promise<number>, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    do await dispatcher.poll();
    while ((await waiting()) > 0 && Date.now() < deadline);
  }

  it("delivers a queued notice once, to the user's own chat, in the language of their Teams client", async () => {
    const w = await world();
    await w.chat(LIWEI, 'zh-CN');
    await w.chat(MEGAN, 'en-US');
    await w.outbox.enqueue(notice('welcome:liwei', LIWEI));
    await drain(w.dispatcher(), w.waiting);
    assert.deepEqual(
      connector.sent.map((s) => ({ to: s.conversationId, text: s.activity.text })),
      [{ to: `a:${LIWEI.aadObjectId}`, text: received('zh-CN') }],
    );
    assert.match(connector.sent[0]!.activity.text!, /你的 FastTrack 请求 FT-7K3M9Q2X/);
  });

  it("renders in the request's language when the notice names one, whatever the client's", async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    await w.outbox.enqueue(notice('in-german', MEGAN, { locale: 'de-DE' }));
    await drain(w.dispatcher(), w.waiting);
    assert.deepEqual(
      connector.sent.map((s) => s.activity.text),
      [received('de-DE')],
    );
  });

  it('shows a notice queued twice, and redelivered after it was sent, only once', async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    await w.outbox.enqueue(notice('twice'));
    await w.outbox.enqueue(notice('twice'));
    await drain(w.dispatcher(), w.waiting);
    await w.outbox.enqueue(notice('twice'));
    await drain(w.dispatcher(), w.waiting);
    assert.equal(connector.sent.length, 1, JSON.stringify(connector.sent.map((s) => s.activity.text)));
    assert.equal(await w.waiting(), 0, 'every copy was removed from the queue');
    assert.equal((await w.documents.get<NoticeRecord>(noticeKey('twice')))?.value.state, 'sent');
  });

  it('delivers each of 20 notices exactly once with two dispatchers (two bot instances) on one storage, each notice queued twice', async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    await Promise.all(Array.from({ length: 20 }, (_, i) => [w.outbox.enqueue(notice(`fanout-${i}`)), w.outbox.enqueue(notice(`fanout-${i}`))]).flat());
    const instances = [w.dispatcher(), w.dispatcher()];
    instances.forEach((d) => d.start());
    const deadline = Date.now() + 20000;
    while ((await w.waiting()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all(instances.map((d) => d.stop()));
    assert.equal(await w.waiting(), 0, 'the queue was drained');
    assert.equal(connector.sent.length, 20, `sent ${connector.sent.length} messages for 20 notices`);
    const delivered = w.lines.filter((l) => l.msg === 'outbox notice delivered').map((l) => l.noticeId as string);
    assert.deepEqual([...delivered].sort(), Array.from({ length: 20 }, (_, i) => `fanout-${i}`).sort(), 'each notice delivered once');
  });

  it('loses nothing when an instance crashes mid-send: another sends the notice once its lease is over', async () => {
    const w = await world({ leaseSeconds: 1 });
    await w.chat(MEGAN, 'en-US');
    await w.outbox.enqueue(notice('crash'));
    // The first instance claims the notice and then hangs forever, as a process killed mid-send.
    const hung: ProactiveSender = { send: () => new Promise<never>(() => {}) };
    void w.dispatcher({ sender: hung }).poll();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await w.documents.get<NoticeRecord>(noticeKey('crash')))?.value.state, 'sending', 'the crashed instance holds a claim');
    const survivor = w.dispatcher();
    await survivor.poll();
    assert.equal(connector.sent.length, 0, 'not sent while the claim is live');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await drain(survivor, w.waiting);
    assert.equal(connector.sent.length, 1, 'sent once after the lease');
    assert.equal(await w.waiting(), 0);
  });

  it('moves a notice whose channel keeps failing to the poison queue after 3 tries, with an error log line', async () => {
    const w = await world({ maxAttempts: 3 });
    await w.chat(MEGAN, 'en-US');
    failing.set(`a:${MEGAN.aadObjectId}`, 500);
    await w.outbox.enqueue(notice('always-fails'));
    await drain(w.dispatcher(), w.waiting, 30000);
    assert.equal(connector.sent.length, 0);
    // Each try is the connector client's request with its own retries of a 500 (core-rest-pipeline: 3).
    assert.ok(connector.refused.length >= 3, `tried ${connector.refused.length} times`);
    assert.equal(w.lines.filter((l) => l.msg === 'outbox notice not delivered; it will be retried' && l.noticeId === 'always-fails').length, 2, 'two tries retried, the third poisoned');
    const poison = await w.poisoned();
    assert.deepEqual(poison.map((p) => p.reason), ['sendFailed']);
    assert.match(Buffer.from(poison[0]!.original, 'base64').toString('utf8'), /"id":"always-fails"/, 'the original message is kept');
    const line = w.lines.find((l) => l.msg === 'outbox message moved to the poison queue');
    assert.equal(line?.level, 50);
    assert.equal(line?.noticeId, 'always-fails');
    assert.equal(line?.dequeueCount, 3);
    assert.equal(await w.waiting(), 0, 'it left the work queue');
  });

  it('moves malformed messages to the poison queue with a log line instead of sending or dropping them', async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    await w.queue.enqueueRaw('this is not base64 JSON {');
    await w.queue.enqueue({ type: 'notice', notice: { id: 'no-target', tenantId: MEGAN.tenantId, kind: 'text', params: { key: 'requestReceived' } } });
    await w.queue.enqueue({ type: 'notice', notice: { ...notice('unknown-key'), params: { key: 'noSuchText' } } });
    await drain(w.dispatcher(), w.waiting);
    assert.equal(connector.sent.length, 0);
    assert.deepEqual((await w.poisoned()).map((p) => p.reason), ['malformed', 'malformed', 'malformed']);
    assert.equal(w.lines.filter((l) => l.msg === 'outbox message moved to the poison queue' && l.level === 50).length, 3);
  });

  it('keeps a notice due in 9 days in the queue: 7 days (the queue limit) first, then the remaining 2, and sends nothing', async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    const delays: number[] = [];
    const recording: WorkQueue = Object.assign(Object.create(w.queue) as WorkQueue, {
      enqueue: (body: unknown, options?: { delaySeconds?: number }) => (delays.push(options?.delaySeconds ?? 0), w.queue.enqueue(body, options)),
    });
    const now = new Date();
    const due = new Date(now.getTime() + 9 * 24 * 3600 * 1000);
    await new Outbox({ queue: recording, documents: w.documents, kinds: createNoticeKinds(renderer) }).enqueue(notice('in-9-days'), { notBefore: due });
    assert.deepEqual(delays, [MAX_VISIBILITY_SECONDS]);
    assert.equal((await w.queue.receive(32, 1)).length, 0, 'invisible now');

    // Seven days later the message shows up again (here: a copy visible now, and the dispatcher's clock 7 days on).
    await w.queue.enqueue({ type: 'notice', notice: { ...notice('in-9-days'), tenantId: MEGAN.tenantId, notBefore: due.toISOString() } });
    const sevenDaysOn = () => new Date(now.getTime() + MAX_VISIBILITY_SECONDS * 1000);
    await w.dispatcher({ queue: recording, clock: sevenDaysOn }).poll();
    assert.equal(connector.sent.length, 0, 'nothing was sent early');
    assert.equal(delays.length, 2);
    assert.ok(Math.abs(delays[1]! - 2 * 24 * 3600) < 5, `queued again for ${delays[1]} s, about 2 days`);
    assert.equal(await w.waiting(), 2, 'the first copy and the re-queued one are both still waiting');
  });

  it('marks blocked the conversation of a user whose channel answers 403 (the bot was removed) and does not retry', async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    failing.set(`a:${MEGAN.aadObjectId}`, 403);
    await w.outbox.enqueue(notice('blocked'));
    await drain(w.dispatcher(), w.waiting);
    assert.equal(connector.refused.length, 1, 'tried once');
    assert.ok((await w.references.get({ tenantId: MEGAN.tenantId, userId: MEGAN.aadObjectId }))?.blockedAt, 'the reference is marked blocked');
    assert.equal((await w.documents.get<NoticeRecord>(noticeKey('blocked')))?.value.state, 'dropped');
    assert.ok(w.lines.some((l) => l.level === 40 && /403/.test(l.msg) && l.noticeId === 'blocked'));
    await w.outbox.enqueue(notice('after-blocked'));
    await drain(w.dispatcher(), w.waiting);
    assert.equal(connector.refused.length, 1, 'nothing more is sent there');
  });

  it('does not send a cancelled notice, and says so when cancelling comes too late', async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    await w.outbox.enqueue(notice('reminder:FT-7K3M9Q2X:kickoff:24h'));
    assert.equal(await w.outbox.cancel('reminder:FT-7K3M9Q2X:kickoff:24h'), true);
    await w.outbox.enqueue(notice('sent-first'));
    await drain(w.dispatcher(), w.waiting);
    assert.equal(connector.sent.length, 1, 'only the notice that was not cancelled');
    assert.equal(await w.outbox.cancel('sent-first'), false, 'already sent');
  });

  it('sends a notice for a team channel to the channel itself, not into the thread it was installed from', async () => {
    const w = await world();
    const channel = '19:general@thread.tacv2';
    await w.chat(MEGAN, 'en-US', { conversation: { id: `${channel};messageid=1700000000000`, tenantId: MEGAN.tenantId, conversationType: 'channel', isGroup: true, name: '' } });
    await w.outbox.enqueue({ ...notice('to-channel'), userId: undefined, conversationId: channel });
    await drain(w.dispatcher(), w.waiting);
    assert.deepEqual(connector.sent.map((s) => s.conversationId), [channel]);
  });

  it('refuses to queue a notice of an unknown kind, at once', async () => {
    const w = await world();
    await assert.rejects(w.outbox.enqueue({ ...notice('bad'), kind: 'noSuchKind' }), /unknown notice kind noSuchKind/);
    assert.equal(await w.waiting(), 0);
  });

  it('stops polling on stop, after the batch in hand', async () => {
    const w = await world();
    await w.chat(MEGAN, 'en-US');
    const d = w.dispatcher({ pollMs: 60000 });
    d.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await d.stop();
    assert.ok(Date.now() - started < 2000, 'an idle pause does not hold up shutdown');
    await w.outbox.enqueue(notice('after-stop'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(connector.sent.length, 0, 'a stopped dispatcher sends nothing');
    assert.equal(await w.waiting(), 1, 'the notice waits for the next start');
  });
});

