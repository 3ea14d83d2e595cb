import { localWorld } from '../../local/backends';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { createLogger } from '../../bot/logger';
import { startConnector } from '../helpers/connector';
import { visibleText } from '../helpers/botHarness';

const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0', LOG_LEVEL: 'silent' };

function activity(serviceUrl: string, extra: Record<string, unknown>) {
  return {
    type: 'message',
    id: `act-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    timestamp: new Date().toISOString(),
    from: { id: `29:${USERS.megan}`, name: 'Megan Bowen', aadObjectId: USERS.megan },
    recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
    conversation: { id: `a:${USERS.megan}`, tenantId: TENANTS.contoso, conversationType: 'personal' },
    channelData: { tenant: { id: TENANTS.contoso } },
    ...extra,
  };
}

async function post(app: RunningApp, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('the bot over HTTP, on Azurite and the local tenant', function () {
  this.timeout(60000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-http-'));
    connector = await startConnector();
  });
  after(async () => {
    await connector.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => connector.sent.splice(0));

  const start = (env: Record<string, string> = {}) => startApp(loadConfig({ ...LOCAL, DATA_DIR: dataDir, ...env }), createLogger('silent'), localWorld);

  it('answers liveness on /healthz and readiness of storage and Graph on /readyz, with the version', async () => {
    const app = await start();
    try {
      const live = await fetch(`http://127.0.0.1:${app.port}/healthz`);
      assert.equal(live.status, 200);
      const liveBody = (await live.json()) as Record<string, unknown>;
      assert.deepEqual({ ...liveBody, version: typeof liveBody.version }, { status: 'ok', version: 'string' });
      const ready = await fetch(`http://127.0.0.1:${app.port}/readyz`);
      assert.equal(ready.status, 200);
      const readyBody = (await ready.json()) as Record<string, unknown>;
      assert.deepEqual({ ...readyBody, version: typeof readyBody.version }, { status: 'ready', checks: { storage: 'up', graph: 'up' }, version: 'string' });
    } finally {
      await app.stop();
    }
  });

  it('stays live while Graph is unreachable, and says on /readyz that Graph is the degraded part', async () => {
    // Nothing listens on port 9 (discard): the Graph check fails, storage is fine.
    const app = await start({ GRAPH_BASE_URL: 'http://127.0.0.1:9/tenants/{tenantId}' });
    try {
      const before = Date.now();
      assert.equal((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status, 200);
      assert.ok(Date.now() - before < 500, 'liveness makes no external call');
      const ready = await fetch(`http://127.0.0.1:${app.port}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { storage: 'up', graph: 'down' });
    } finally {
      await app.stop();
    }
  });

  it('answers Teams activities through the connector and keeps the journey across a restart', async () => {
    let app = await start();
    let servicesCard: string;
    try {
      assert.equal((await post(app, activity(connector.url, { value: { verb: 'request.start' } }))).status, 200);
      const replies = await connector.waitFor(2);
      assert.match(visibleText(replies.map((r) => r.activity)), /Tenant check[\s\S]*Contoso/);
      const token = /"verb":"core.identity","token":"([0-9a-f]+)"/.exec(JSON.stringify(replies[1]!.activity.attachments))![1]!;
      connector.sent.splice(0);
      await post(app, activity(connector.url, { value: { verb: 'core.identity', token, identityPlan: 'cloudOnly', dnsReady: 'yes' } }));
      const services = await connector.waitFor(1);
      servicesCard = JSON.stringify(services[0]!.activity.attachments);
      assert.match(servicesCard, /services\.submit/);
    } finally {
      await app.stop();
    }

    connector.sent.splice(0);
    app = await start();
    try {
      // Azurite kept the dialog state and the request: the user is offered the very same step.
      await post(app, activity(connector.url, { type: 'installationUpdate', action: 'add' }));
      const back = await connector.waitFor(2);
      assert.match(visibleText(back.map((r) => r.activity)), /Welcome back/);
      const token = (s: string) => /"verb":"services.submit","token":"([0-9a-f]+)"/.exec(s)![1];
      assert.equal(token(JSON.stringify(back[1]!.activity.attachments)), token(servicesCard));
    } finally {
      await app.stop();
    }
  });

  it('rejects a request without a token when an app id is configured', async () => {
    const app = await start({ MicrosoftAppId: '11111111-2222-4333-8444-555555555555', MicrosoftAppPassword: 'not-a-real-secret', MicrosoftAppTenantId: TENANTS.contoso });
    try {
      const response = await post(app, activity(connector.url, { text: 'help' }));
      assert.equal(response.status, 401);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(connector.sent.length, 0, 'the bot did not answer an unauthenticated request');
    } finally {
      await app.stop();
    }
  });

  it('answers malformed bodies with 400 and keeps serving', async () => {
    const app = await start();
    try {
      const broken = await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
      assert.equal(broken.status, 400);
      const text = await broken.text();
      assert.doesNotMatch(text, /at .*\.(js|ts):\d+/, 'no stack trace in the answer');
      assert.equal((await post(app, activity(connector.url, { text: 'help' }))).status, 200);
      assert.match(visibleText((await connector.waitFor(1)).map((r) => r.activity)), /How I can help/);
    } finally {
      await app.stop();
    }
  });
});
