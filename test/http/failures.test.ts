import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../bot/app';
import { CardRenderer } from '../../bot/cards/cardRenderer';
import { loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import type { LocalWorld } from '../../bot/localWorld';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { localWorld } from '../../local/backends';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { visibleText } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';
import { ANSWERS, step } from '../helpers/journeySteps';

const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0' };
const strings = CardRenderer.load().strings('en-US');

type Sent = Awaited<ReturnType<typeof startConnector>>['sent'];

/**
 * The bot as `npm start` runs it (local tenant, Azurite as a child process), with the Azurite
 * instance kept so a test can kill or stop it, and the replies captured by the test connector.
 */
describe('when a dependency fails, the user is told which one, quickly', function () {
  this.timeout(120000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let app: RunningApp;
  let azurite: AzuriteInstance;
  const supervision: string[] = [];
  const logs: string[] = [];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-failures-'));
    connector = await startConnector();
    const world: LocalWorld = {
      ...localWorld,
      startStorage: async (options) => (azurite = await startAzurite({ ...options, log: (line) => supervision.push(line) })),
    };
    app = await startApp(loadConfig({ ...LOCAL, DATA_DIR: dataDir, TURN_BUDGET_MS: '8000' }), createLogger('info', { write: (line: string) => void logs.push(line) }), world);
  });
  after(async () => {
    await app?.stop();
    await connector?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Posts one activity of a conversation and returns the visible text and cards of the replies, and how long the turn took. */
  async function turn(conversationId: string, extra: Record<string, unknown>): Promise<{ text: string; replies: Sent[number]['activity'][]; ms: number }> {
    const before = connector.sent.length;
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(connector.url, conversationId, extra)) });
    const ms = Date.now() - started;
    assert.equal(response.status, 200, await response.text());
    const replies = connector.sent.slice(before).map((s) => s.activity).filter((a) => a.type !== 'typing');
    return { text: visibleText(replies as never), replies, ms };
  }

  async function graphFault(spec: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${new URL(app.graphBaseUrl).origin}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    assert.ok(response.ok, `fault injected: ${response.status}`);
  }

  it('restarts Azurite when it is killed mid-journey, and the journey goes on without restarting the bot', async () => {
    const conversation = `a:failures-${crypto.randomUUID()}`;
    const started = await turn(conversation, { value: { verb: 'request.start' } });
    const identity = step(started.replies as never, 'core.identity');
    // Azurite saves its metadata every 5 s (LokiJS autosave): a SIGKILL loses the writes of the
    // last seconds, which is the emulator's durability, not the bot's. Kill it after that save.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const pid = azurite.pid;
    assert.ok(pid, 'Azurite runs as a child process');

    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    // The same answers are submitted until a turn reads the paused step and writes the next one.
    let advanced: Awaited<ReturnType<typeof turn>> | undefined;
    while (!advanced && Date.now() - killedAt < 30000) {
      const attempt = await turn(conversation, { value: { ...identity.data, ...ANSWERS.identity } });
      if (attempt.replies.some((r) => JSON.stringify(r).includes('services.submit'))) advanced = attempt;
      else {
        assert.ok(attempt.text.includes(strings.failures.storage), `while Azurite is down the user hears the storage message, got: ${attempt.text.slice(0, 300)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    assert.ok(advanced, `the journey advanced after the restart; supervision said: ${supervision.join('\n')}`);
    assert.notEqual(azurite.pid, pid, 'a new Azurite process');
    assert.equal(azurite.restarts, 1);
    assert.ok(supervision.some((l) => /azurite exited unexpectedly/.test(l)) && supervision.some((l) => /azurite restarted/.test(l)), supervision.join('\n'));
    // Loose bound: "a few seconds" on a loaded machine, against a bot that never recovered.
    assert.ok(Date.now() - killedAt < 20000, `recovered after ${Date.now() - killedAt} ms`);

    // The step written after the restart is read back by the next turn.
    const services = step(advanced.replies as never, 'services.submit');
    const next = await turn(conversation, { value: { ...services.data, ...ANSWERS.services } });
    assert.ok(next.replies.some((r) => JSON.stringify(r).includes('migration.submit')), next.text.slice(0, 300));
  });

  it('names Microsoft 365 when the tenant answers 503 bursts, never the generic error, and fails fast once the breaker opened', async () => {
    await graphFault({ path: '/$batch', status: 503, times: 'Infinity', tenantId: TENANTS.contoso });
    await graphFault({ path: '^/users/.*/transitiveMemberOf', status: 503, times: 'Infinity', tenantId: TENANTS.contoso });
    await graphFault({ path: '/organization', status: 503, times: 'Infinity', tenantId: TENANTS.contoso });
    try {
      const answers: Awaited<ReturnType<typeof turn>>[] = [];
      for (let i = 0; i < 4; i++) answers.push(await turn(`a:failures-${crypto.randomUUID()}`, { value: { verb: 'request.start' } }));
      for (const answer of answers) {
        assert.ok(answer.text.includes(strings.messages.graphUnavailable) || answer.text.includes(strings.failures.graph), answer.text.slice(0, 300));
        assert.ok(!answer.text.includes(strings.messages.error), answer.text.slice(0, 300) + logs.join(''));
      }
      // After the first turns opened the tenant's circuit, a turn no longer waits for Graph's retries.
      const last = answers.at(-1)!;
      assert.ok(last.ms < 5000, `answered within ${last.ms} ms`);
    } finally {
      await fetch(`${new URL(app.graphBaseUrl).origin}/_local/faults`, { method: 'DELETE' });
    }
  });

  it('does not wait out a Retry-After longer than the turn budget: Microsoft 365 is named at once', async () => {
    // Every Graph call of Northwind answers 429 with Retry-After 9 s, past the 8 s budget.
    await graphFault({ path: '^/', status: 429, retryAfterSeconds: 9, times: 'Infinity', tenantId: TENANTS.northwind });
    try {
      const nancy = { from: { id: '29:northwind-nancy', name: 'Nancy Davolio', aadObjectId: USERS.nancy }, conversation: { conversationType: 'personal', tenantId: TENANTS.northwind, id: `a:failures-${crypto.randomUUID()}` }, channelData: { tenant: { id: TENANTS.northwind } } };
      const answer = await turn('', { value: { verb: 'request.start' }, ...nancy });
      assert.ok(answer.text.includes(strings.messages.graphUnavailable) || answer.text.includes(strings.failures.graph), answer.text.slice(0, 300));
      assert.ok(!answer.text.includes(strings.messages.error), answer.text.slice(0, 300));
      // Waiting the 9 s (or until the budget ran out) would take 8 s or more.
      assert.ok(answer.ms < 5000, `answered within ${answer.ms} ms`);
    } finally {
      await fetch(`${new URL(app.graphBaseUrl).origin}/_local/faults`, { method: 'DELETE' });
    }
  });

  it('says "I can\'t save right now" when Azurite is gone, for help too, and answers fast once the breaker opened', async () => {
    await azurite.stop();
    const conversation = `a:failures-${crypto.randomUUID()}`;
    const answers: Awaited<ReturnType<typeof turn>>[] = [];
    for (let i = 0; i < 4; i++) answers.push(await turn(conversation, { text: 'help' }));
    for (const answer of answers) {
      assert.ok(answer.text.includes(strings.failures.storage), answer.text.slice(0, 300));
      assert.ok(!answer.text.includes(strings.messages.error), answer.text.slice(0, 300));
    }
    // The SDK alone took ~16 s a turn here; with the breaker open a turn fails at once.
    for (const answer of answers.slice(2)) assert.ok(answer.ms < 5000, `answered within ${answer.ms} ms`);
    const de = await turn(conversation, { text: 'hilfe', locale: 'de-DE' });
    assert.ok(de.text.includes(CardRenderer.load().strings('de-DE').failures.storage), de.text.slice(0, 300));
  });
});

/** A personal-chat activity as Teams sends it, to the given serviceUrl. */
function activity(serviceUrl: string, conversationId: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id: crypto.randomUUID(),
    from: { id: '29:contoso-megan', name: 'Megan Bowen', aadObjectId: USERS.megan },
    timestamp: new Date().toISOString(),
    serviceUrl,
    conversation: { conversationType: 'personal', tenantId: TENANTS.contoso, id: conversationId },
    recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
    locale: 'en-US',
    channelData: { tenant: { id: TENANTS.contoso } },
    channelId: 'msteams',
    ...extra,
  };
}
