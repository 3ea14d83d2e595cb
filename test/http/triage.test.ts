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
import { startConnector, type SentActivity } from '../helpers/connector';
import { ANSWERS, step } from '../helpers/journeySteps';

const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0', OUTBOX_POLL_MS: '50' };
const STAFF = 'f4571ac0-0000-4000-8000-000000000005';
const TEAM = '19:fasttrack-center@thread.tacv2';
const OTHER_TEAM = '19:contoso-it@thread.tacv2';
const s = renderer.strings('en-US');
const t = s.triage;

type Card = Record<string, unknown>;

/** The triage team's roster, by Teams user id: FastTrack people from centers.json, and one account that is not. */
const STAFF_MEMBERS: Record<string, { name: string; email: string; aadObjectId: string }> = {
  '29:emily': { name: 'Emily Carter', email: 'emily.carter@fasttrack.example.com', aadObjectId: 'f4571ac0-0000-4000-8000-0000000e0001' },
  '29:megan-brooks': { name: 'Megan Brooks', email: 'megan.brooks@fasttrack.example.com', aadObjectId: 'f4571ac0-0000-4000-8000-0000000e0005' },
  '29:daniel': { name: 'Daniel Morales', email: 'daniel.morales@fasttrack.example.com', aadObjectId: 'f4571ac0-0000-4000-8000-0000000e0002' },
  '29:outsider': { name: 'Pat Temp', email: 'pat.temp@fasttrack.example.com', aadObjectId: 'f4571ac0-0000-4000-8000-0000000e0099' },
};
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: 'f4571ac0-0000-4000-8000-0000000e0077' };
const from = (id: string) => ({ id, name: STAFF_MEMBERS[id]?.name ?? STRANGER.name, aadObjectId: STAFF_MEMBERS[id]?.aadObjectId ?? STRANGER.aadObjectId });

/** Where an activity comes from: the triage channel (staff tenant), another team, a personal chat. */
const IN_TRIAGE_CHANNEL = {
  conversation: { id: `${TEAM};messageid=1764690000000`, conversationType: 'channel', tenantId: STAFF, isGroup: true },
  channelData: { tenant: { id: STAFF }, team: { id: TEAM }, channel: { id: TEAM } },
  replyToId: '1764690000000',
};

describe('the triage channel: FastTrack works every request with Universal Actions (HTTP, Azurite, the local tenant)', function () {
  this.timeout(180000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let app: RunningApp;
  const logs: Record<string, unknown>[] = [];
  let triageCard: Card;
  let requestId: string;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-triage-'));
    connector = await startConnector({
      members: (conversationId, memberId) => {
        const member = conversationId === TEAM ? STAFF_MEMBERS[memberId] : undefined;
        return member ? { id: memberId, name: member.name, aadObjectId: member.aadObjectId, email: member.email, userPrincipalName: member.email, tenantId: STAFF } : undefined;
      },
    });
    app = await startApp(loadConfig({ ...LOCAL, DATA_DIR: dataDir }), createLogger('info', { write: (chunk: string) => void logs.push(...chunk.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)) }), localWorld);
  });
  after(async () => {
    await app?.stop();
    await connector?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const { post, megan } = appClient(() => app.port, () => connector);

  /** A card action (Action.Execute) on the triage card, by a Teams user, from the triage channel unless said otherwise. */
  async function execute(user: string, verb: string, data: Record<string, unknown>, where: Record<string, unknown> = IN_TRIAGE_CHANNEL) {
    const answer = await post({ type: 'invoke', name: 'adaptiveCard/action', from: from(user), ...where, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
    assert.equal(answer.status, 200);
    return answer.body as { statusCode: number; type: string; value: unknown };
  }
  const cardOf = (answer: { type: string; value: unknown }): Card => {
    assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive', `a card, not: ${JSON.stringify(answer.value).slice(0, 300)}`);
    return answer.value as Card;
  };
  const dataOf = (card: Card) => ((card.actions as Card[]).find((a) => a.verb === 'triage.refresh') ?? (card.refresh as Card).action as Card).data as Record<string, unknown>;
  const verbs = (card: Card) => (card.actions as Card[]).map((a) => a.verb as string);
  const fact = (card: Card, title: string) => {
    const facts = ((card.body as Card[]).find((e) => e.type === 'FactSet')!.facts as { title: string; value: string }[]);
    return facts.find((f) => f.title === title)?.value;
  };
  const stored = () => fetchRequest();
  async function fetchRequest() {
    // The request as stored, through a refresh by a member: what the channel would show.
    return cardOf(await execute('29:daniel', 'triage.refresh', { tenantId: TENANTS.contoso, requestId, version: 0 }));
  }
  /** FastTrack's events in Megan's calendar (in the local tenant). */
  async function kickoffEvents(): Promise<{ id: string }[]> {
    const response = await fetch(`${app.graphBaseUrl.replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${USERS.megan}/events?$top=1000`);
    const body = (await response.json()) as { value: { id: string; transactionId?: string | null }[] };
    return body.value.filter((e) => typeof e.transactionId === 'string' && e.transactionId.startsWith('FT-'));
  }
  const warned = (reason: string) => logs.filter((l) => l.level === 40 && l.msg === 'triage card action refused' && l.reason === reason);

  it('registers the triage channel when installed in the FastTrack team, and says so there', async () => {
    const { status, replies } = await post({ type: 'installationUpdate', action: 'add', from: from('29:emily'), conversation: { id: TEAM, conversationType: 'channel', tenantId: STAFF, isGroup: true }, channelData: IN_TRIAGE_CHANNEL.channelData });
    assert.equal(status, 200);
    assert.deepEqual(replies.map((r) => r.text), [t.install.registered]);
    assert.equal(connector.sent.at(-1)!.conversationId, TEAM);
  });

  it('posts the triage card of a submitted request to the channel, rendered from the stored request', async () => {
    const identity = await megan({ value: { verb: 'request.start' } });
    const services = await megan({ value: { ...step(identity.replies, 'core.identity').data, ...ANSWERS.identity } });
    const migration = await megan({ value: { ...step(services.replies, 'services.submit').data, ...ANSWERS.services } });
    const form = await megan({ value: { ...step(migration.replies, 'migration.submit').data, ...ANSWERS.migration } });
    const slots = await megan({ value: { ...step(form.replies, 'request.submit').data, ...ANSWERS.form } });
    requestId = /FT-[0-9A-Z]{8}/.exec(visibleText(slots.replies))![0];

    const deadline = Date.now() + 20000;
    let posted: SentActivity | undefined;
    while (!(posted = connector.sent.find((x) => x.conversationId === TEAM && x.activity.attachments?.length))) {
      if (Date.now() > deadline) assert.fail('no triage card reached the channel');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    triageCard = posted.activity.attachments![0]!.content as Card;
    const text = visibleText([posted.activity as never]);
    assert.ok(text.includes(`FastTrack request ${requestId}: Contoso`), text);
    assert.equal(fact(triageCard, t.facts.tenant), `Contoso (${TENANTS.contoso})`);
    assert.match(fact(triageCard, t.facts.eligibility)!, /^Eligible: 2,000 eligible seats, 150 needed/);
    assert.equal(fact(triageCard, t.facts.services), 'Exchange Online, Microsoft Teams');
    assert.equal(fact(triageCard, t.facts.migrationTier), s.tenantCheck.migrationTier.performed);
    assert.equal(fact(triageCard, t.facts.language), s.languages['en-US']);
    assert.equal(fact(triageCard, t.facts.region), s.form.regions.americas);
    assert.equal(fact(triageCard, t.facts.needs), s.scheduling.roles.specialist, 'the form asks for data migration');
    assert.equal(fact(triageCard, t.facts.state), t.states.Submitted);
    assert.equal(fact(triageCard, t.facts.assignee), t.nobody);
    assert.deepEqual(dataOf(triageCard), { tenantId: TENANTS.contoso, requestId, version: 0 });
    assert.deepEqual(verbs(triageCard), ['triage.assign', 'triage.refresh'], "the channel's copy: anyone may take it, or see their own actions");

    // Megan books her kickoff: the next view of the card shows the person and both zones, each named.
    await megan({ value: { ...step(slots.replies, 'slot.pick').data, slot: '0' } });
    const refreshed = await fetchRequest();
    const names = ((refreshed.body as Card[]).find((e) => e.type === 'FactSet')!.facts as { title: string; value: string }[]).map((f) => f.title);
    assert.ok(fact(refreshed, t.facts.person)?.endsWith(`(${s.scheduling.roles.specialist})`), JSON.stringify(names));
    assert.ok(names.some((n) => /^Kickoff, admin's time \(Pacific (Standard|Daylight) Time\)$/.test(n)), JSON.stringify(names));
    assert.ok(names.some((n) => /^Kickoff, center's time \(.+\)$/.test(n)), JSON.stringify(names));
  });

  it('refuses an action from a tenant other than the staff tenant, logging one warn line, and changes nothing', async () => {
    const where = { ...IN_TRIAGE_CHANNEL, conversation: { ...IN_TRIAGE_CHANNEL.conversation, tenantId: TENANTS.contoso }, channelData: { ...IN_TRIAGE_CHANNEL.channelData, tenant: { id: TENANTS.contoso } } };
    const answer = await execute('29:emily', 'triage.assign', dataOf(triageCard), where);
    assert.deepEqual(answer, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: t.denied.notStaffTenant });
    const [line, ...more] = warned('notStaffTenant');
    assert.equal(more.length, 0);
    assert.equal(line!.requestId, requestId);
    assert.equal(line!.tenantId, TENANTS.contoso);
    assert.ok(!JSON.stringify(line).includes('fasttrack.example.com'), 'ids only, no e-mail address');
    assert.equal(fact(await stored(), t.facts.assignee), t.nobody);
  });

  it('refuses a card action replayed from a personal chat or from another team, in the staff tenant too', async () => {
    const personal = { conversation: { id: 'a:emily-personal', conversationType: 'personal', tenantId: STAFF }, channelData: { tenant: { id: STAFF } } };
    assert.equal((await execute('29:emily', 'triage.assign', dataOf(triageCard), personal)).value, t.denied.notTriageChannel);
    const otherTeam = { conversation: { id: `${OTHER_TEAM};messageid=1`, conversationType: 'channel', tenantId: STAFF }, channelData: { tenant: { id: STAFF }, team: { id: OTHER_TEAM } }, replyToId: '1' };
    assert.equal((await execute('29:emily', 'triage.assign', dataOf(triageCard), otherTeam)).value, t.denied.notTriageChannel);
    assert.equal(warned('notTriageChannel').length, 2);
    assert.equal(fact(await stored(), t.facts.assignee), t.nobody);
  });

  it('refuses card data that names another tenant than the request\'s, or a request that does not exist', async () => {
    assert.equal((await execute('29:emily', 'triage.assign', { ...dataOf(triageCard), tenantId: TENANTS.northwind })).value, t.denied.unknownRequest);
    assert.equal((await execute('29:emily', 'triage.assign', { ...dataOf(triageCard), requestId: 'FT-00000000' })).value, t.denied.unknownRequest);
    assert.equal(warned('unknownRequest').length, 2);
  });

  it('refuses someone who is not a member of the triage team, and a member who is not a FastTrack person', async () => {
    assert.equal((await execute(STRANGER.id, 'triage.assign', dataOf(triageCard))).value, t.denied.notMember);
    assert.equal((await execute('29:outsider', 'triage.assign', dataOf(triageCard))).value, t.denied.notFastTrack);
    assert.equal(warned('notMember').length, 1);
    assert.equal(fact(await stored(), t.facts.assignee), t.nobody);
  });

  it('lets only a FastTrack Specialist take a migration request', async () => {
    const card = cardOf(await execute('29:megan-brooks', 'triage.assign', dataOf(triageCard)));
    assert.equal((card.body as Card[])[1]!.text, renderer.text('en-US', (x) => x.triage.refusals.wrongRole, { role: s.scheduling.roles.specialist }));
    assert.equal(fact(card, t.facts.assignee), t.nobody);
  });

  it('answers "Assign to me" with the updated card (statusCode 200), and updates the channel\'s copy in place', async () => {
    const answer = await execute('29:emily', 'triage.assign', dataOf(triageCard));
    assert.equal(answer.statusCode, 200);
    const card = cardOf(answer);
    assert.equal(fact(card, t.facts.assignee), 'Emily Carter');
    assert.match(fact(card, t.facts.lastAction)!, /^Assigned by Emily Carter, /);
    assert.deepEqual(verbs(card), ['triage.approve', 'triage.hold', 'triage.ask', 'triage.reassign', 'triage.cancel']);
    assert.deepEqual(dataOf(card).version, 1);
    assert.deepEqual((card.refresh as Card).userIds, ['29:emily']);
    const copy = connector.updated.at(-1)!;
    assert.equal(copy.activityId, IN_TRIAGE_CHANNEL.replyToId);
    const channelCopy = copy.activity.attachments![0]!.content as Card;
    assert.equal(fact(channelCopy, t.facts.assignee), 'Emily Carter');
    assert.deepEqual(verbs(channelCopy), ['triage.refresh'], 'a bystander\'s copy offers no action on an assigned request');
  });

  it('refreshes each viewer\'s own copy: the assignee sees more than a bystander, both see the state and who acted', async () => {
    const mine = cardOf(await execute('29:emily', 'triage.refresh', { tenantId: TENANTS.contoso, requestId, version: 1 }));
    const theirs = cardOf(await execute('29:daniel', 'triage.refresh', { tenantId: TENANTS.contoso, requestId, version: 1 }));
    assert.deepEqual(verbs(mine), ['triage.approve', 'triage.hold', 'triage.ask', 'triage.reassign', 'triage.cancel']);
    assert.deepEqual(verbs(theirs), ['triage.refresh']);
    for (const card of [mine, theirs]) {
      assert.equal(fact(card, t.facts.state), t.states.Submitted);
      assert.match(fact(card, t.facts.lastAction)!, /^Assigned by Emily Carter, /);
    }
    const choices = ((mine.body as Card[]).flatMap((e) => (e.items as Card[] | undefined) ?? []).find((e) => e.id === 'reassignTo')!.choices as { value: string }[]).map((c) => c.value);
    assert.ok(choices.includes('ft-amer-002') && !choices.includes('ft-amer-005') && !choices.includes('ft-amer-001'), `Specialists who speak English, not Emily herself: ${choices.join(',')}`);
  });

  it('answers an action from an old copy of the card with the current card and a line saying it changed meanwhile', async () => {
    const card = cardOf(await execute('29:emily', 'triage.approve', { tenantId: TENANTS.contoso, requestId, version: 0 }));
    assert.equal((card.body as Card[])[1]!.text, t.refusals.stale);
    assert.equal(fact(card, t.facts.state), t.states.Submitted);
    assert.equal(dataOf(card).version, 1);
  });

  it('shows a missing or overlong hold reason next to its field, keeping what was typed', async () => {
    const empty = cardOf(await execute('29:emily', 'triage.hold', { tenantId: TENANTS.contoso, requestId, version: 1, holdReason: '   ' }));
    const items = (card: Card) => (card.body as Card[]).flatMap((e) => (e.items as Card[] | undefined) ?? []);
    const after = (card: Card, id: string) => items(card)[items(card).findIndex((e) => e.id === id) + 1]!;
    assert.equal(after(empty, 'holdReason').text, t.errors.textMissing);
    const long = 'x'.repeat(1001);
    const tooLong = cardOf(await execute('29:emily', 'triage.hold', { tenantId: TENANTS.contoso, requestId, version: 1, holdReason: long }));
    assert.equal(after(tooLong, 'holdReason').text, renderer.text('en-US', (x) => x.triage.errors.textTooLong, { max: 1000 }));
    assert.equal(items(tooLong).find((e) => e.id === 'holdReason')!.value, long);
    assert.equal(fact(tooLong, t.facts.state), t.states.Submitted);
  });

  it('puts the request on hold with a reason, then approves it, each raising the version', async () => {
    const held = cardOf(await execute('29:emily', 'triage.hold', { tenantId: TENANTS.contoso, requestId, version: 1, holdReason: 'Waiting for the DNS records' }));
    assert.equal(fact(held, t.facts.state), t.states.OnHold);
    assert.equal(fact(held, t.facts.holdReason), 'Waiting for the DNS records');
    const approved = cardOf(await execute('29:emily', 'triage.approve', { tenantId: TENANTS.contoso, requestId, version: 2 }));
    assert.equal(fact(approved, t.facts.state), t.states.Approved);
    assert.match(fact(approved, t.facts.lastAction)!, /^Approved by Emily Carter, /);
    assert.equal(dataOf(approved).version, 3);
    const byBystander = cardOf(await execute('29:daniel', 'triage.hold', { tenantId: TENANTS.contoso, requestId, version: 3, holdReason: 'Mine now' }));
    assert.equal((byBystander.body as Card[])[1]!.text, t.refusals.notAssignee);
  });

  it('asks the requester a question typed on the card, then reassigns to a Specialist who speaks the language, who cancels it with a reason', async () => {
    const data = (version: number, extra: Record<string, unknown> = {}) => ({ tenantId: TENANTS.contoso, requestId, version, ...extra });
    const items = (card: Card) => (card.body as Card[]).flatMap((e) => (e.items as Card[] | undefined) ?? []);
    const after = (card: Card, id: string) => items(card)[items(card).findIndex((e) => e.id === id) + 1]!;
    const asked = cardOf(await execute('29:emily', 'triage.ask', data(3, { question: 'Which domains move first?' })));
    assert.equal(fact(asked, t.facts.state), t.states.OnHoldPendingRequesterResponse);
    const texts = visibleText([{ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: asked }] } as never]);
    assert.ok(texts.includes('Which domains move first?') && texts.includes(t.noAnswer), texts);

    const nobody = cardOf(await execute('29:emily', 'triage.reassign', data(4)));
    assert.equal(after(nobody, 'reassignTo').text, t.errors.choosePerson);
    const reassigned = cardOf(await execute('29:emily', 'triage.reassign', data(4, { reassignTo: 'ft-amer-002' })));
    assert.equal(fact(reassigned, t.facts.assignee), 'Daniel Morales');
    assert.deepEqual(verbs(reassigned), ['triage.refresh'], 'Emily is a bystander now');
    assert.deepEqual(verbs(cardOf(await execute('29:daniel', 'triage.refresh', data(5)))), ['triage.approve', 'triage.hold', 'triage.reassign', 'triage.cancel'], 'no second question while one is open');

    const noNote = cardOf(await execute('29:daniel', 'triage.cancel', data(5, { cancelReason: 'other', cancelNote: '' })));
    assert.equal(after(noNote, 'cancelNote').text, t.errors.textMissing);
    const booked = await kickoffEvents();
    assert.equal(booked.length, 1, 'the kickoff Megan booked is in her calendar');
    const cancelled = cardOf(await execute('29:daniel', 'triage.cancel', data(5, { cancelReason: 'duplicate' })));
    assert.equal(fact(cancelled, t.facts.state), t.states.Cancelled);
    assert.deepEqual(await kickoffEvents(), [], 'a request FastTrack cancels takes its meetings with it');
    // Megan's chat is told (before the next test, which watches every message sent).
    const told = renderer.text('en-US', (x) => x.requesterSide.cancelled, { requestId, reason: '' }).split(' ').slice(0, 3).join(' ');
    for (const deadline = Date.now() + 20000; !connector.sent.some((x) => x.conversationId === `a:${USERS.megan}` && typeof x.activity.text === 'string' && x.activity.text.startsWith(told)); ) {
      if (Date.now() > deadline) assert.fail('the cancellation never reached the requester');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(fact(cancelled, t.facts.kickoff), t.notBooked);
    assert.equal(fact(cancelled, t.facts.cancelReason), t.cancelReasons.duplicate);
    assert.deepEqual(verbs(cancelled), ['triage.refresh']);
    assert.deepEqual((cancelled.refresh as Card).userIds, ['29:daniel', '29:emily'], 'the assignee first, then everyone who acted');
  });

  it('installed in another team, says once that it is for personal use and does nothing else there', async () => {
    const where = { conversation: { id: OTHER_TEAM, conversationType: 'channel', tenantId: TENANTS.contoso, isGroup: true }, channelData: { tenant: { id: TENANTS.contoso }, team: { id: OTHER_TEAM } } };
    const user = { id: `29:${USERS.megan}`, name: 'Megan Bowen', aadObjectId: USERS.megan };
    const install = await post({ type: 'installationUpdate', action: 'add', from: user, ...where });
    assert.deepEqual(install.replies.map((r) => r.text), [t.install.personalOnly]);
    assert.equal(install.replies[0]!.attachments?.length ?? 0, 0, 'no welcome card');
    const message = await post({ type: 'message', text: 'request help', from: user, ...where });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(message.status, 200);
    assert.deepEqual(message.replies, [], 'no journey in a team');
  });
});
