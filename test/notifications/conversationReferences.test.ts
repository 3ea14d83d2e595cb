import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { keys } from '../../bot/domain/request';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore, type ProactiveReference } from '../../bot/notifications/conversationReferences';
import { Dispatcher } from '../../bot/notifications/dispatcher';
import { createNoticeKinds, type NoticeInput } from '../../bot/notifications/notice';
import { Outbox } from '../../bot/notifications/outbox';
import { AdapterSender } from '../../bot/notifications/sender';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { createTestBot, MEGAN, renderer } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';
import { freshOutboxStorage } from '../helpers/outboxStorage';

const notice = (id: string): NoticeInput => ({
  id,
  tenantId: MEGAN.tenantId,
  userId: MEGAN.aadObjectId,
  kind: 'text',
  params: { key: 'requestReceived', values: { requestId: 'FT-7K3M9Q2X' } },
});

describe('conversation references: kept current by every activity, removed on uninstall (Azurite)', function () {
  this.timeout(60000);
  let azurite: AzuriteInstance;
  let dir: string;
  const tenant = new LocalTenantServer();
  let connectors: Awaited<ReturnType<typeof startConnector>>[];
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-references-'));
    [azurite, connectors] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), Promise.all([startConnector(), startConnector()]), tenant.start(0)]);
  });
  after(async () => {
    await Promise.all([azurite.stop(), tenant.stop(), ...connectors.map((c) => c.stop())]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => connectors.forEach((c) => c.sent.splice(0)));

  /** The bot (TestAdapter) and the outbox on one Azurite storage, as two halves of one instance. */
  async function world() {
    const { documents, queue, poisonQueue } = await freshOutboxStorage(azurite.connectionString);
    const kinds = createNoticeKinds(renderer);
    const references = new ConversationReferenceStore(documents);
    const lines: { level: number; msg: string; noticeId?: string }[] = [];
    const dispatcher = new Dispatcher({
      queue,
      poisonQueue,
      documents,
      references,
      kinds,
      sender: new AdapterSender(new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({})), ''),
      logger: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) }),
    });
    const bot = createTestBot({ graph: tenant, documents });
    const outbox = new Outbox({ queue, documents, kinds });
    /** Queues a notice and lets the dispatcher handle it. */
    const notify = async (id: string) => {
      await outbox.enqueue(notice(id));
      await dispatcher.poll();
    };
    const stored = async (key = keys.conversation(MEGAN.tenantId, MEGAN.aadObjectId)) => documents.get<{ reference: ProactiveReference; locale?: string }>(key);
    const from = (serviceUrl: string, extra: Partial<Activity>) => bot.send(MEGAN, (extra.locale as string | undefined) ?? 'en-US', { serviceUrl, ...extra });
    return { bot, notify, stored, from, lines, references };
  }

  it('removes the reference when the app is uninstalled, so a later notice is not sent', async () => {
    const [connector] = connectors;
    const w = await world();
    await w.from(connector!.url, { type: 'installationUpdate', action: 'add' });
    await w.notify('before-uninstall');
    assert.equal(connector!.sent.length, 1, 'a notice reaches the installed app');

    await w.from(connector!.url, { type: 'installationUpdate', action: 'remove' });
    assert.equal(await w.stored(), undefined, 'the reference is gone');
    await w.notify('after-uninstall');
    assert.equal(connector!.sent.length, 1, 'nothing is sent after the uninstall');
    assert.ok(w.lines.some((l) => l.level === 40 && l.noticeId === 'after-uninstall' && /no conversation reference/.test(l.msg)), 'and the operator is told why');
  });

  it('follows the conversation to a new service URL and language, and does not rewrite a reference that did not change', async () => {
    const [first, second] = connectors;
    const w = await world();
    await w.from(first!.url, { type: 'message', text: 'help' });
    const written = await w.stored();
    assert.equal(written?.value.reference.serviceUrl, first!.url);
    await w.from(first!.url, { type: 'message', text: 'status', id: 'another-activity' });
    assert.equal((await w.stored())?.etag, written?.etag, 'the same reference is not written again');

    await w.from(second!.url, { type: 'message', text: '帮助', locale: 'zh-CN' });
    assert.equal((await w.stored())?.value.reference.serviceUrl, second!.url);
    first!.sent.splice(0);
    second!.sent.splice(0);
    await w.notify('after-move');
    assert.equal(first!.sent.length, 0, 'nothing goes to the old service URL');
    assert.deepEqual(
      second!.sent.map((s) => s.activity.text),
      [renderer.text('zh-CN', (s) => s.notices.requestReceived, { requestId: 'FT-7K3M9Q2X' })],
    );
  });

  it('keeps a team install by conversation, and removes it when the app leaves the team', async () => {
    const [connector] = connectors;
    const w = await world();
    const channel = '19:general@thread.tacv2';
    const conversation = { id: channel, tenantId: MEGAN.tenantId, conversationType: 'channel', isGroup: true, name: 'General' };
    await w.from(connector!.url, { type: 'installationUpdate', action: 'add', conversation });
    const key = keys.teamConversation(MEGAN.tenantId, channel);
    assert.equal((await w.stored(key))?.value.reference.conversation.id, channel);
    assert.equal(await w.stored(), undefined, 'a team install is not the user\'s personal chat');
    await w.from(connector!.url, { type: 'installationUpdate', action: 'remove', conversation });
    assert.equal(await w.stored(key), undefined);
  });
});
