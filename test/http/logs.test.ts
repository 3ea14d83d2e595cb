import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../bot/app';
import { CardRenderer } from '../../bot/cards/cardRenderer';
import { loadConfig, type Config } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import { localWorld } from '../../local/backends';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { visibleText } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';
import { ANSWERS, step } from '../helpers/journeySteps';

const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0' };
const strings = CardRenderer.load().strings('en-US');

/** What the user types: distinctive, so any of it in a log line is found. */
const TYPED = {
  businessReason: 'Retire the Quasarvale mail cluster 7781',
  successOwnerName: 'Ottoline Brackwater',
  successOwnerRole: 'Chief Zephyr Officer',
  requesterName: 'Ysolde Marchbanks',
  requesterEmail: 'ysolde.marchbanks@contoso.com',
  requesterPhone: '+1 425 555 0177',
  customerName: 'Peregrine Halloway',
  customerEmail: 'peregrine.halloway@contoso.com',
  champions: 'Thaddeus Wolfram-Quince',
  message: 'tell me about the Heliotrope-Nimbus migration',
};
const DEV_KEY_PART = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq';
const FORGED_TOKEN = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"aud":"someone","secret":"Fjord-Token-Payload"}').toString('base64url')}.`;

describe('the logs of a whole journey hold no tokens, secrets, addresses, phone numbers or typed text', function () {
  this.timeout(180000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let app: RunningApp;
  let config: Config;
  const lines: string[] = [];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-logs-'));
    connector = await startConnector();
    config = loadConfig({ ...LOCAL, DATA_DIR: dataDir });
    // Everything pino writes, at the most verbose level.
    app = await startApp(config, createLogger('trace', { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) }), localWorld);
  });
  after(async () => {
    await app?.stop();
    await connector?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const conversation = `a:logs-${crypto.randomUUID()}`;
  async function turn(extra: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; text: string; replies: never[] }> {
    const before = connector.sent.length;
    const body = JSON.stringify({
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
    });
    const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await response.text();
    const replies = connector.sent.slice(before).map((s) => s.activity).filter((a) => a.type !== 'typing') as never[];
    return { status: response.status, text: visibleText(replies), replies };
  }
  const faults = (method: 'POST' | 'DELETE', spec?: Record<string, unknown>) =>
    fetch(`${new URL(app.graphBaseUrl).origin}/_local/faults`, { method, headers: { 'content-type': 'application/json' }, ...(spec ? { body: JSON.stringify(spec) } : {}) });

  it('after every phase, a booking with a Graph fault on the way, a forged request and typed messages', async () => {
    await turn({ type: 'installationUpdate', action: 'add' });
    await turn({ text: TYPED.message });
    await turn({ text: 'help' });
    const identity = await turn({ value: { verb: 'request.start' } });
    const services = await turn({ value: { ...step(identity.replies, 'core.identity').data, ...ANSWERS.identity } });
    const migration = await turn({ value: { ...step(services.replies, 'services.submit').data, ...ANSWERS.services } });
    const form = await turn({ value: { ...step(migration.replies, 'migration.submit').data, ...ANSWERS.migration } });
    // A wrong answer first (re-prompted with the typed values), then the right one.
    const formAgain = await turn({ value: { ...step(form.replies, 'request.submit').data, ...ANSWERS.form, ...TYPED, launchDate: '2001-01-01' } });
    const slots = await turn({ value: { ...step(formAgain.replies, 'request.submit').data, ...ANSWERS.form, ...TYPED } });

    // Graph fails the event create: the user hears it goes on in the background; then it is booked and told.
    assert.ok((await faults('POST', { path: '^/users/[^/]+/(calendar/)?events$', method: 'POST', status: 503, times: 4 })).ok);
    const sentBefore = connector.sent.length;
    const failed = await turn({ value: { ...step(slots.replies, 'slot.pick').data, slot: '0' } });
    assert.ok(failed.text.includes(strings.background.stillWorking), failed.text.slice(0, 400));
    await faults('DELETE');
    for (const deadline = Date.now() + 40000; !connector.sent.slice(sentBefore).some((s) => s.activity.text === strings.background.booked); ) {
      assert.ok(Date.now() < deadline, 'the booking finished in the background was told in the chat');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const adoption = await turn({ value: { verb: 'adoption.start' } });
    await turn({ value: { ...step(adoption.replies, 'adoption.submit').data, ...ANSWERS.adoption, champions: TYPED.champions, successOwnerName: TYPED.successOwnerName } });
    await turn({ text: 'status' });

    // Forged requests: a made-up token, a body that is not an activity, and one with secrets in odd places.
    await turn({ text: TYPED.message }, { authorization: `Bearer ${FORGED_TOKEN}` });
    await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 42, text: TYPED.message, serviceUrl: `https://evil.example/?sig=${DEV_KEY_PART}` }) });
    await fetch(`http://127.0.0.1:${app.port}/api/messages?token=${FORGED_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{}' });

    assert.ok(lines.length >= 5, `pino wrote ${lines.length} lines`);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
    const log = lines.join('\n');
    const secrets = [DEV_KEY_PART, ...Object.values(config.botAuth).filter((v): v is string => typeof v === 'string' && /Password|Secret/i.test(v) && v.length > 0)];
    const forbidden: [string, RegExp][] = [
      ['a JWT', /eyJ[A-Za-z0-9_-]{8,}/],
      ['a bearer token', /Bearer\s/i],
      ['a storage key', /AccountKey=/i],
      ['an e-mail address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}/],
      ['a phone number', /\+\d{1,3}[\s-]?\d{3}[\s-]?\d{3}[\s-]?\d{4}/],
      ['a stack', /\bat [^\s]+ \(?[^\s]*\.(js|ts):\d+/],
      ...secrets.map((s): [string, RegExp] => ['a secret from the configuration', new RegExp(s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))]),
      ...Object.entries(TYPED).map(([field, text]): [string, RegExp] => [`the typed ${field}`, new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*'), 'i')]),
      ['the forged token', /Fjord-Token-Payload|RmpvcmQ/],
    ];
    for (const [what, pattern] of forbidden) {
      const hit = lines.find((l) => pattern.test(l));
      assert.equal(hit, undefined, `no log line holds ${what}: ${hit}`);
    }
    // Every failure line names its error by class (and code/status), never by message.
    const failures = lines.map((l) => JSON.parse(l) as { err?: Record<string, unknown> }).filter((l) => l.err);
    assert.ok(failures.length > 0, 'the Graph fault was logged');
    for (const f of failures) assert.deepEqual(Object.keys(f.err!).filter((k) => !['class', 'code', 'status'].includes(k)), [], JSON.stringify(f));
    assert.ok(!/"(message|stack)":/.test(log.replace(/"msg":"[^"]*"/g, '')), 'no message or stack fields');
  });
});
