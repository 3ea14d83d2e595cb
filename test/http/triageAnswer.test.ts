import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import { localWorld } from '../../local/backends';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { renderer, visibleText } from '../helpers/botHarness';
import { appClient } from '../helpers/appClient';
import { startConnector } from '../helpers/connector';
import { ANSWERS, step } from '../helpers/journeySteps';

const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0', OUTBOX_POLL_MS: '50' };
const STAFF = 'f4571ac0-0000-4000-8000-000000000005';
const TEAM = '19:fasttrack-center@thread.tacv2';
const t = renderer.strings('en-US').triage;
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

type Card = Record<string, unknown>;

/** Daniel Morales: a FastTrack Specialist in the Americas who speaks English, so he may take Megan's migration request. */
const DANIEL = { id: '29:daniel', name: 'Daniel Morales', aadObjectId: 'f4571ac0-0000-4000-8000-0000000e0002', email: 'daniel.morales@fasttrack.example.com' };

describe("the requester's answer comes back to the triage card in the channel (HTTP, Azurite, the local tenant)", function () {
  this.timeout(180000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let app: RunningApp;
  const logs: Record<string, unknown>[] = [];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-triage-answer-'));
    connector = await startConnector({
      members: (conversationId, memberId) =>
        conversationId === TEAM && memberId === DANIEL.id ? { id: DANIEL.id, name: DANIEL.name, aadObjectId: DANIEL.aadObjectId, email: DANIEL.email, userPrincipalName: DANIEL.email, tenantId: STAFF } : undefined,
    });
    app = await startApp(loadConfig({ ...LOCAL, DATA_DIR: dataDir }), createLogger('info', { write: (chunk: string) => void logs.push(...chunk.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)) }), localWorld);
  });
  after(async () => {
    await app?.stop();
    await connector?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const { post, megan } = appClient(() => app.port, () => connector);

  /** Daniel's card action on the posted card, from its thread in the triage channel. */
  async function daniel(verb: string, data: Record<string, unknown>, messageId: string): Promise<Card> {
    const answer = await post({
      type: 'invoke',
      name: 'adaptiveCard/action',
      from: { id: DANIEL.id, name: DANIEL.name, aadObjectId: DANIEL.aadObjectId },
      conversation: { id: `${TEAM};messageid=${messageId}`, conversationType: 'channel', tenantId: STAFF, isGroup: true },
      channelData: { tenant: { id: STAFF }, team: { id: TEAM }, channel: { id: TEAM } },
      replyToId: messageId,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    const body = answer.body as { type: string; value: unknown };
    assert.equal(body.type, ADAPTIVE, `a card, not: ${JSON.stringify(body.value).slice(0, 300)}`);
    return body.value as Card;
  }

  async function until<T>(what: string, find: () => T | undefined, timeoutMs = 20000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) assert.fail(`${what} did not happen`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const fact = (card: Card, title: string) => ((card.body as Card[]).find((e) => e.type === 'FactSet')!.facts as { title: string; value: string }[]).find((f) => f.title === title)?.value;
  const textOf = (card: unknown) => visibleText([{ attachments: [{ contentType: ADAPTIVE, content: card }] } as never]);

  it("updates the channel's copy of the card in place, once, when the requester answers FastTrack's question in their chat", async () => {
    // The bot is in the triage team; Megan submits a request (migration: a Specialist's).
    await post({ type: 'installationUpdate', action: 'add', from: { id: DANIEL.id, name: DANIEL.name }, conversation: { id: TEAM, conversationType: 'channel', tenantId: STAFF, isGroup: true }, channelData: { tenant: { id: STAFF }, team: { id: TEAM } } });
    const identity = await megan({ value: { verb: 'request.start' } });
    const services = await megan({ value: { ...step(identity.replies, 'core.identity').data, ...ANSWERS.identity } });
    const migration = await megan({ value: { ...step(services.replies, 'services.submit').data, ...ANSWERS.services } });
    const form = await megan({ value: { ...step(migration.replies, 'migration.submit').data, ...ANSWERS.migration } });
    const slots = await megan({ value: { ...step(form.replies, 'request.submit').data, ...ANSWERS.form } });
    const requestId = /FT-[0-9A-Z]{8}/.exec(visibleText(slots.replies as never))![0];

    // The test connector answers a post with `reply-{n}`: the posted card's message id in the channel.
    const postedAt = await until('the triage card in the channel', () => {
      const i = connector.sent.findIndex((x) => x.conversationId === TEAM && x.activity.attachments?.length);
      return i >= 0 ? i : undefined;
    });
    const messageId = `reply-${postedAt + 1}`;

    const data = (version: number, extra: Record<string, unknown> = {}) => ({ tenantId: TENANTS.contoso, requestId, version, ...extra });
    await daniel('triage.assign', data(0), messageId);
    const asked = await daniel('triage.ask', data(1, { question: 'Which domains move first?' }), messageId);
    assert.equal(fact(asked, t.facts.state), t.states.OnHoldPendingRequesterResponse);
    const staffUpdates = connector.updated.length;

    // The question card reaches Megan's chat; she answers on it.
    const question = await until('the question card in the admin\'s chat', () =>
      connector.sent.find((x) => x.conversationId === `a:${USERS.megan}` && x.activity.attachments?.some((a) => textOf(a.content).includes('Which domains move first?'))),
    );
    const card = question.activity.attachments!.find((a) => a.contentType === ADAPTIVE)!.content as Card;
    const execute = ((card.actions ?? []) as Card[]).find((a) => a.type === 'Action.Execute') as { verb: string; data: Record<string, unknown> };
    const answered = await megan({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: execute.verb, data: { ...execute.data, answer: 'contoso.com, then fabrikam.com' } }, trigger: 'manual' } });
    assert.equal(answered.status, 200);

    // The channel's copy (the posted message, by its id) now shows the answer and the state it went back to.
    const update = await until("the channel's copy updated", () => connector.updated.slice(staffUpdates).find((u) => u.activityId === messageId));
    assert.equal(update.conversationId, TEAM);
    const channelCopy = update.activity.attachments!.find((a) => a.contentType === ADAPTIVE)!.content as Card;
    const text = textOf(channelCopy);
    assert.ok(text.includes('Which domains move first?'), text);
    assert.ok(text.includes(renderer.text('en-US', (s) => s.triage.answerValue, { answer: 'contoso.com, then fabrikam.com' })), text);
    assert.ok(!text.includes(t.noAnswer), text);
    assert.equal(fact(channelCopy, t.facts.state), t.states.Submitted);
    assert.match(fact(channelCopy, t.facts.lastAction)!, /^Answered by /);
    assert.deepEqual((channelCopy.refresh as Card).userIds, [DANIEL.id], "Daniel's own view refreshes too");

    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(connector.updated.slice(staffUpdates).length, 1, 'one update for one answer');
    assert.equal(connector.sent.filter((x) => x.conversationId === TEAM && x.activity.attachments?.length).length, 1, 'no second card in the channel');
  });
});
