import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { z } from 'zod';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { Dispatcher } from '../../bot/notifications/dispatcher';
import { createNoticeKinds } from '../../bot/notifications/notice';
import { noticeKey, Outbox, type NoticeRecord } from '../../bot/notifications/outbox';
import { AdapterSender, LimitedSender } from '../../bot/notifications/sender';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { MEGAN, renderer, teamsActivity } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';
import { freshOutboxStorage } from '../helpers/outboxStorage';

/**
 * A notice kind that posts a text, or replaces the message `replace` names: the way the triage card
 * is posted once and then updated in place (bot/triage/channelCard.ts).
 */
describe('the outbox updates a message in place: the sent message id goes back to its kind, and a replacing notice PUTs it (Azurite)', function () {
  this.timeout(60000);
  let azurite: AzuriteInstance;
  let dir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  const gone = new Set<string>();
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-update-'));
    [azurite, connector] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), startConnector({ updateStatus: (_c, activityId) => (gone.has(activityId) ? 404 : 200) })]);
  });
  after(async () => {
    await Promise.all([azurite.stop(), connector.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function world() {
    const { documents, queue, poisonQueue, queueClient } = await freshOutboxStorage(azurite.connectionString);
    const references = new ConversationReferenceStore(documents);
    const sentIds: { noticeId: string; activityId: string | undefined }[] = [];
    const kinds = createNoticeKinds(renderer).register('probe', {
      params: z.object({ text: z.string(), replace: z.string().optional() }),
      render: (_r, _locale, p) => ({ type: 'message', text: p.text, ...(p.replace ? { id: p.replace } : {}) }),
      sent: async (_p, notice, activityId) => void sentIds.push({ noticeId: notice.id, activityId }),
    });
    const outbox = new Outbox({ queue, documents, kinds });
    const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const adapter = new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({}));
    // The one outbound path, limiter included, as bot/app.ts builds it.
    const dispatcher = new Dispatcher({ queue, poisonQueue, documents, references, kinds, sender: new LimitedSender(new AdapterSender(adapter, '')), logger, pollMs: 20, retryDelaySeconds: () => 0 });
    await references.refresh(teamsActivity(MEGAN, 'en-US', { type: 'message', id: `m-${Math.random()}`, serviceUrl: connector.url }));
    const drain = async () => {
      const deadline = Date.now() + 10000;
      do await dispatcher.poll();
      while (((await queueClient.getProperties()).approximateMessagesCount ?? 0) > 0 && Date.now() < deadline);
    };
    const probe = (id: string, text: string, replace?: string) => outbox.enqueue({ id, tenantId: MEGAN.tenantId, userId: MEGAN.aadObjectId, kind: 'probe', params: { text, ...(replace ? { replace } : {}) } });
    return { documents, sentIds, lines, drain, probe };
  }

  it("hands the posted message's id to its kind, and replaces that message when a later notice names it", async () => {
    const w = await world();
    const sentBefore = connector.sent.length;
    await w.probe('probe:post', 'first version');
    await w.drain();
    const posted = connector.sent.slice(sentBefore);
    assert.equal(posted.length, 1);
    const activityId = `reply-${sentBefore + 1}`;
    assert.deepEqual(w.sentIds, [{ noticeId: 'probe:post', activityId }], 'the id the channel answered the post with');

    await w.probe('probe:update', 'second version', activityId);
    await w.drain();
    assert.equal(connector.sent.length, sentBefore + 1, 'no new message');
    const update = connector.updated.at(-1)!;
    assert.deepEqual([update.conversationId, update.activityId, update.activity.text], [`a:${MEGAN.aadObjectId}`, activityId, 'second version']);
    assert.equal((await w.documents.get<NoticeRecord>(noticeKey('probe:update')))?.value.state, 'sent');
  });

  it('drops an update of a message that is gone (404) with one warn line, and keeps the conversation: the next notice is still sent there', async () => {
    const w = await world();
    gone.add('deleted-message');
    await w.probe('probe:update-gone', 'too late', 'deleted-message');
    await w.drain();
    const record = (await w.documents.get<NoticeRecord>(noticeKey('probe:update-gone')))?.value;
    assert.deepEqual(record && record.state === 'dropped' ? record.reason : record?.state, 'messageGone');
    assert.equal(w.lines.filter((l) => l.level === 40 && /the message it updates is gone/.test(l.msg)).length, 1);

    const sentBefore = connector.sent.length;
    await w.probe('probe:after', 'still reachable');
    await w.drain();
    assert.deepEqual(connector.sent.slice(sentBefore).map((s) => s.activity.text), ['still reachable']);
  });
});
