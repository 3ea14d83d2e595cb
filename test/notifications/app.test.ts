import { localWorld } from '../../local/backends';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { createLogger } from '../../bot/logger';
import type { NoticeInput } from '../../bot/notifications/notice';
import { renderer } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';

const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0', LOG_LEVEL: 'silent', OUTBOX_POLL_MS: '50' };
const notice = (id: string): NoticeInput => ({ id, tenantId: TENANTS.contoso, userId: USERS.megan, kind: 'text', params: { key: 'requestReceived', values: { requestId: 'FT-7K3M9Q2X' } } });

describe('proactive notices in the running bot (HTTP, Azurite)', function () {
  this.timeout(60000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-notices-'));
    connector = await startConnector();
  });
  after(async () => {
    await connector.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () => startApp(loadConfig({ ...LOCAL, DATA_DIR: dataDir }), createLogger('silent'), localWorld);
  const say = (app: RunningApp, text: string, locale: string) =>
    fetch(`http://127.0.0.1:${app.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `act-${Math.random().toString(36).slice(2)}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        locale,
        text,
        from: { id: `29:${USERS.megan}`, name: 'Megan Bowen', aadObjectId: USERS.megan },
        recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
        conversation: { id: `a:${USERS.megan}`, tenantId: TENANTS.contoso, conversationType: 'personal' },
        channelData: { tenant: { id: TENANTS.contoso } },
      }),
    });

  it("delivers a notice queued in the bot to the user's chat in their language, and one queued before a restart after it", async () => {
    let app = await start();
    try {
      assert.equal((await say(app, 'ヘルプ', 'ja-JP')).status, 200);
      await connector.waitFor(1);
      connector.sent.splice(0);
      await app.outbox.enqueue(notice('in-app'));
      const [delivered] = await connector.waitFor(1);
      assert.equal(delivered!.conversationId, `a:${USERS.megan}`);
      assert.equal(delivered!.activity.text, renderer.text('ja-JP', (s) => s.notices.requestReceived, { requestId: 'FT-7K3M9Q2X' }));

      // Due in 2 s; the bot stops at once and comes back: the notice waited in the queue.
      connector.sent.splice(0);
      await app.outbox.enqueue(notice('across-restart'), { notBefore: new Date(Date.now() + 2000) });
    } finally {
      await app.stop();
    }
    assert.equal(connector.sent.length, 0, 'not sent before it was due');
    app = await start();
    try {
      const [afterRestart] = await connector.waitFor(1, 15000);
      assert.match(afterRestart!.activity.text ?? '', /FT-7K3M9Q2X/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(connector.sent.length, 1, 'once');
    } finally {
      await app.stop();
    }
  });
});
