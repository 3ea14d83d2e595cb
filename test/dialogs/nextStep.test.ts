import assert from 'node:assert/strict';
import { ConversationState, MemoryStorage, TestAdapter, type Activity, type TeamsChannelAccount } from 'botbuilder';
import { BookingLedger } from '../../bot/booking/ledger';
import { questionCardJson } from '../../bot/cards/questionCard';
import type { FastTrackPerson } from '../../bot/domain/centers';
import { activeMeeting } from '../../bot/domain/meetings';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { MemoryDocumentStore } from '../../bot/storage/documentStore';
import { FastTrackBot } from '../../bot/teamsBot';
import { MeetingReassign } from '../../bot/triage/meetingReassign';
import type { TriageChange } from '../../bot/triage/observer';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { BackgroundTenantCheck, TENANT_CHECK_RESULT_KIND, tenantCheckResultNotice } from '../../bot/dialogs/backgroundTenantCheck';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { createNoticeKinds, type Notice } from '../../bot/notifications/notice';
import { MemoryWorkQueue } from '../helpers/memoryQueue';
import { catalog, centers, createTestBot, journeyDeps, MEGAN as MEGAN_USER, PATTI, products, renderer, rules, teamsActivity, visibleText } from '../helpers/botHarness';
import { contosoRequest } from '../fixtures/requests';
import { step } from '../helpers/journeySteps';

const STAFF = 'f4571ac0-0000-4000-8000-000000000005';
const TEAM = '19:fasttrack-center@thread.tacv2';
const s = renderer.strings('en-US');
const t = s.triage;
const MEGAN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };
const TEXT = { subject: 'FastTrack onboarding kickoff: Contoso', bodyHtml: '<p>Agenda</p>' };
type Card = Record<string, unknown>;

const userIdOf = (person: FastTrackPerson) => `29:${person.id}`;
const fact = (card: Card, title: string) => ((card.body as Card[]).find((e) => e.type === 'FactSet')!.facts as { title: string; value: string }[]).find((f) => f.title === title)?.value;
const notice = (card: Card) => (card.body as Card[])[1]!.text as string;

describe('the ordinary next step after the triage and partner work (TestAdapter, the local tenant)', function () {
  this.timeout(60000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  /** The bot with the triage side wired as bot/app.ts wires it (the meetings move on a reassignment); every FastTrack person is on the roster. */
  async function world(requestId: string) {
    const storage = new MemoryStorage();
    const documents = new MemoryDocumentStore();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)) });
    const deps = { ...journeyDeps({ graph: tenant, storage, documents }), logger };
    const changes: TriageChange[] = [];
    const observers = [{ triageChanged: async (change: TriageChange) => void changes.push(change) }, new MeetingReassign({ booking: deps.booking, logger })];
    const roster = async (userId: string) => {
      const person = centers.people.find((p) => userIdOf(p) === userId);
      return person ? ({ id: userId, name: person.name, email: person.email } as TeamsChannelAccount) : undefined;
    };
    const bot = new FastTrackBot({
      ...deps,
      conversationState: new ConversationState(storage),
      references: new ConversationReferenceStore(documents),
      triage: { staffTenantId: STAFF, centerTeamId: TEAM, centers, observers, teamMember: (_context, _teamId, userId) => roster(userId) },
      triageObservers: observers,
    });
    const adapter = new TestAdapter((context) => bot.run(context));
    const request = (await deps.requests.create(contosoRequest(requestId, MEGAN))).request;
    /** Megan (Contoso's admin, the requester) in her personal chat: the bot's replies. */
    async function chat(extra: Partial<Activity>): Promise<Partial<Activity>[]> {
      adapter.activeQueue.splice(0);
      await adapter.processActivity(teamsActivity(MEGAN_USER, 'en-US', extra));
      return adapter.activeQueue.splice(0).filter((a) => a.type !== 'typing');
    }
    async function execute(person: FastTrackPerson, verb: string, version: number, extra: Record<string, unknown> = {}, thread = '1'): Promise<Card> {
      // An adapter per invoke, so that two clicks can be in flight at once.
      const adapter = new TestAdapter((context) => bot.run(context));
      const activity: Partial<Activity> = {
        type: 'invoke',
        name: 'adaptiveCard/action',
        channelId: 'msteams',
        locale: 'en-US',
        from: { id: userIdOf(person), name: person.name },
        recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
        conversation: { id: `${TEAM};messageid=${thread}`, conversationType: 'channel', tenantId: STAFF, isGroup: true, name: '' },
        channelData: { tenant: { id: STAFF }, team: { id: TEAM } },
        value: { action: { type: 'Action.Execute', verb, data: { tenantId: TENANTS.contoso, requestId, version, ...extra } } },
      };
      await adapter.processActivity(activity);
      const answer = adapter.activeQueue.find((a) => a.type === 'invokeResponse');
      const body = (answer?.value as { body: { type: string; value: unknown } }).body;
      assert.equal(body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(body.value));
      return body.value as Card;
    }
    return { deps, documents, request, execute, chat, changes, lines, ledger: new BookingLedger(documents) };
  }

  describe('reassigning a request whose kickoff is booked', () => {
    async function booked(requestId: string) {
      const w = await world(requestId);
      const proposal = await w.deps.booking.propose(w.request);
      assert.ok(proposal.ok && proposal.slots.length > 0);
      const kickoff = await w.deps.booking.book(w.request, proposal.slots[0]!, 'kickoff', TEXT);
      assert.ok(kickoff.outcome === 'booked');
      const owner = centers.people.find((p) => p.id === kickoff.meeting.person.id)!;
      const colleagues = centers.people.filter((p) => p.id !== owner.id && p.role === owner.role && p.languages.includes('en-US') && p.centerId === owner.centerId);
      assert.ok(colleagues.length >= 2, 'two colleagues who could take it');
      const center = centers.centers.find((c) => c.id === owner.centerId)!;
      const assigned = await w.execute(owner, 'triage.assign', 0);
      assert.equal(fact(assigned, t.facts.assignee), owner.name);
      return { ...w, owner, colleagues, kickoff: kickoff.meeting, zone: center.timeZone };
    }

    it('refuses to reassign to someone busy at the kickoff time, saying so: the card, the request and the meeting keep the assignee', async () => {
      const w = await booked('FT-NEXTST01');
      const busy = w.colleagues[0]!;
      await w.ledger.reserve({ id: busy.id, timeZone: w.zone }, w.kickoff.start, w.kickoff.end, { tenantId: TENANTS.northwind, requestId: 'FT-OTHER001', kind: 'kickoff' });

      const card = await w.execute(w.owner, 'triage.reassign', 1, { reassignTo: busy.id });
      assert.equal(notice(card), renderer.text('en-US', (x) => x.nextStep.triage.reassignBusyKickoff, { name: busy.name }));
      assert.equal(fact(card, t.facts.assignee), w.owner.name, 'the card still names the assignee');
      assert.ok(fact(card, t.facts.person)?.startsWith(w.owner.name), 'and the meeting is still theirs');
      const stored = await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST01');
      assert.equal(stored?.assignee?.personId, w.owner.id);
      assert.equal(activeMeeting(stored!, 'kickoff')?.person.id, w.owner.id);
      assert.equal(stored?.triage?.version, 1, 'nothing was applied: the card the assignee holds is still current');
      assert.deepEqual(w.changes.map((c) => c.entry.event), ['triage.assign'], 'no reassignment for the requester to be told of');
    });

    it('reassigns to someone free at the kickoff time: the answering card names them for the request and for the meeting', async () => {
      const w = await booked('FT-NEXTST02');
      const free = w.colleagues[1]!;
      const card = await w.execute(w.owner, 'triage.reassign', 1, { reassignTo: free.id });
      assert.equal(fact(card, t.facts.assignee), free.name);
      assert.ok(fact(card, t.facts.person)?.startsWith(free.name), fact(card, t.facts.person));
      const stored = await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST02');
      assert.equal(activeMeeting(stored!, 'kickoff')?.person.id, free.id);
      assert.equal(stored?.assignee?.personId, free.id);
    });
    it('moves the meetings back when the reassignment is refused after they moved (the assignee acted on another copy meanwhile)', async () => {
      const w = await booked('FT-NEXTST08');
      const other = w.colleagues[0]!;
      // Two copies of the card (two posts in the channel, or another instance): "Reassign" on one (its calendar update slow) while "Put on hold" on the other goes through first.
      tenant.injectFault({ path: /^\/users\/[^/]+\/(calendar\/)?events\/.+$/, method: 'PATCH', latencyMs: 700, times: 1 });
      const reassigning = w.execute(w.owner, 'triage.reassign', 1, { reassignTo: other.id });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [reassigned, held] = await Promise.all([reassigning, w.execute(w.owner, 'triage.hold', 1, { holdReason: 'Waiting for the licences' }, '2')]);
      assert.equal(fact(held, t.facts.state), t.states.OnHold);
      assert.equal(notice(reassigned), t.refusals.stale);
      const stored = await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST08');
      assert.equal(stored?.assignee?.personId, w.owner.id, 'the reassignment was refused');
      assert.equal(activeMeeting(stored!, 'kickoff')?.person.id, w.owner.id, 'and the meeting is with the assignee again');
      assert.ok(fact(reassigned, t.facts.person)?.startsWith(w.owner.name), 'as the answering card says');
    });

    it('offers the checkpoints with the person the request was reassigned to', async () => {
      const w = await booked('FT-NEXTST10');
      const colleague = w.colleagues[1]!;
      assert.equal(fact(await w.execute(w.owner, 'triage.reassign', 1, { reassignTo: colleague.id }), t.facts.assignee), colleague.name);
      const slots = await w.chat({ value: { verb: 'checkpoints.add' } });
      const text = visibleText(slots);
      assert.ok(text.includes(renderer.text('en-US', (x) => x.scheduling.checkpointsIntro, { person: colleague.name })), text);
      const done = visibleText(await w.chat({ value: { ...step(slots, 'slot.pick').data, slot: '0', interval: '1' } }));
      assert.ok(done.includes(s.meeting.checkpointsTitle), done);
      const stored = await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST10');
      assert.equal(activeMeeting(stored!, 'checkpoint')?.person.id, colleague.id, 'the series is with the assignee');
    });

    it("keeps the person the request was reassigned to (from another center) when the admin reschedules the kickoff", async () => {
      const w = await booked('FT-NEXTST04');
      // Someone in another center who can work the request (the triage card offers every center's people).
      const elsewhere = centers.people.find((p) => p.centerId !== w.owner.centerId && p.role === w.owner.role && p.languages.includes('en-US'))!;
      const card = await w.execute(w.owner, 'triage.reassign', 1, { reassignTo: elsewhere.id });
      assert.equal(fact(card, t.facts.assignee), elsewhere.name);

      const slots = await w.chat({ text: s.commands.reschedule });
      const text = visibleText(slots);
      assert.ok(text.includes(elsewhere.name), text);
      assert.ok(!text.includes(w.owner.name), text);
      const moved = await w.chat({ value: { ...step(slots, 'slot.pick').data, slot: '0' } });
      assert.ok(visibleText(moved).includes(elsewhere.name), visibleText(moved));
      const stored = await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST04');
      assert.equal(activeMeeting(stored!, 'kickoff')?.person.id, elsewhere.id, 'the meeting is still with the assignee');
      assert.notEqual(activeMeeting(stored!, 'kickoff')?.start, w.kickoff.start, 'at the new time');
      assert.equal(stored?.assignee?.personId, elsewhere.id);
    });
  });

  describe('two clicks at once', () => {
    it('applies a double-clicked Approve once: one transition, one change for the requester notice, the second click answered with the current card', async () => {
      const w = await world('FT-NEXTST05');
      const megan = centers.people.find((p) => p.id === 'ft-amer-005')!;
      await w.execute(megan, 'triage.assign', 0);
      const [first, second] = await Promise.all([w.execute(megan, 'triage.approve', 1), w.execute(megan, 'triage.approve', 1)]);
      assert.equal(fact(first, t.facts.state), t.states.Approved);
      assert.equal(fact(second, t.facts.state), t.states.Approved);
      assert.deepEqual([notice(first), notice(second)].filter((n) => n === t.refusals.stale).length, 1, 'one of them was told it changed meanwhile');
      assert.deepEqual(w.changes.map((c) => c.entry.event), ['triage.assign', 'triage.approve']);
      const stored = await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST05');
      assert.equal(stored?.history.filter((h) => h.event === 'triage.approve').length, 1);
      assert.equal(stored?.triage?.version, 2);
    });

    it('gives "Assign to me" clicked by two people at once to one of them; the other sees who has it', async () => {
      const w = await world('FT-NEXTST06');
      const [megan, sofia] = ['ft-amer-005', 'ft-amer-006'].map((id) => centers.people.find((p) => p.id === id)!);
      const cards = await Promise.all([w.execute(megan!, 'triage.assign', 0), w.execute(sofia!, 'triage.assign', 0)]);
      const stored = await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST06');
      const winner = centers.people.find((p) => p.id === stored?.assignee?.personId)!;
      assert.ok(winner === megan || winner === sofia);
      for (const card of cards) assert.equal(fact(card, t.facts.assignee), winner.name, 'both cards name the one who has it');
      assert.equal(w.changes.filter((c) => c.entry.event === 'triage.assign').length, 1);
    });
  });

  describe("the requester's question card", () => {
    it('answered twice (a double click on Send) keeps showing the answer FastTrack has, recorded once, not "no longer applies"', async () => {
      const w = await world('FT-NEXTST09');
      const megan = centers.people.find((p) => p.id === 'ft-amer-005')!;
      await w.execute(megan, 'triage.assign', 0);
      await w.execute(megan, 'triage.ask', 1, { question: 'Which domains move first?' });
      const asked = (await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST09'))!.triage!.question!;
      const send = async (answer: string) => {
        const replies = await w.chat({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'question.answer', data: { tenantId: TENANTS.contoso, requestId: 'FT-NEXTST09', version: 2, askedAt: asked.askedAt, answer } } } });
        const invoke = replies.find((a) => a.type === 'invokeResponse')!.value as { body: { value: Card } };
        return visibleText([{ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: invoke.body.value }] }]);
      };
      const answered = renderer.text('en-US', (x) => x.requesterSide.answered, { answer: 'example.com first' });
      assert.ok((await send('example.com first')).includes(answered));
      const again = await send('example.com first');
      assert.ok(again.includes(answered), again);
      assert.ok(!again.includes(s.requesterSide.noLongerApplies), again);
      assert.deepEqual(w.changes.map((c) => c.entry.event), ['triage.assign', 'triage.ask', 'triage.answer']);
    });
  });

  describe('the admin cancels the request themselves', () => {
    it('makes the open question card say it no longer applies, and the triage card refuse any further action as cancelled', async () => {
      const w = await world('FT-NEXTST07');
      const megan = centers.people.find((p) => p.id === 'ft-amer-005')!;
      await w.execute(megan, 'triage.assign', 0);
      await w.execute(megan, 'triage.ask', 1, { question: 'Which domains move first?' });
      const asked = (await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST07'))!.triage!.question!;

      // Megan (the admin) types "cancel" in her chat meanwhile, and confirms.
      const confirm = await w.chat({ text: s.commands.cancel });
      const yes = ((confirm[0]!.attachments![0]!.content as Card).actions as Card[]).find((a) => (a.data as Card).answer === 'yes')!.data as Record<string, unknown>;
      assert.ok(visibleText(await w.chat({ value: yes })).includes(renderer.text('en-US', (x) => x.messages.requestCancelled, { requestId: 'FT-NEXTST07' })));

      // Her question card, answered now: no longer applies, nothing recorded.
      const answer = await w.chat({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'question.answer', data: { tenantId: TENANTS.contoso, requestId: 'FT-NEXTST07', version: 2, askedAt: asked.askedAt, answer: 'example.com first' } } } });
      const invoke = answer.find((a) => a.type === 'invokeResponse')!.value as { body: { value: Card } };
      assert.ok(visibleText([{ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: invoke.body.value }] }]).includes(s.requesterSide.noLongerApplies));
      assert.equal((await w.deps.requests.get(TENANTS.contoso, 'FT-NEXTST07'))?.triage?.question?.answer, undefined);

      // FastTrack acts on its card: refused, the card shows the request cancelled.
      const approve = await w.execute(megan, 'triage.approve', 2);
      assert.equal(notice(approve), t.refusals.final);
      assert.equal(fact(approve, t.facts.state), t.states.Cancelled);
      assert.deepEqual(w.changes.map((c) => c.entry.event), ['triage.assign', 'triage.ask']);
    });
  });

  describe("a requester's hostile answer", () => {
    const HOSTILE = '${requestId} ${strings.triage.title} ${if(true, "EVALUATED", "x")} {answer} **bold** [Approve here](https://evil.example) <b>html</b>';

    /** Every node of a card holding `text`, with its type. */
    function holders(node: unknown, text: string, out: { type: string; key: string }[] = [], parent = ''): { type: string; key: string }[] {
      if (Array.isArray(node)) node.forEach((n) => holders(n, text, out, parent));
      else if (node && typeof node === 'object') {
        const n = node as Card;
        for (const [key, value] of Object.entries(n)) {
          if (typeof value === 'string' && value.includes(text)) out.push({ type: typeof n.type === 'string' ? n.type : parent, key });
          else holders(value, text, out, typeof n.type === 'string' ? n.type : parent);
        }
      }
      return out;
    }

    it('shows it on the triage card literally, as plain text: no template expression evaluated, no Markdown link or bold', async () => {
      const w = await world('FT-NEXTST03');
      const megan = centers.people.find((p) => p.id === 'ft-amer-005')!;
      await w.execute(megan, 'triage.assign', 0);
      await w.execute(megan, 'triage.ask', 1, { question: 'Which **domains** move first? ${requestId}' });
      await w.deps.requests.update(TENANTS.contoso, 'FT-NEXTST03', (r) => ({ ...r, state: 'Submitted', triage: { ...r.triage!, version: 3, question: { ...r.triage!.question!, answer: HOSTILE, answeredAt: new Date().toISOString() } } }));

      const card = await w.execute(megan, 'triage.refresh', 3);
      const json = JSON.stringify(card);
      assert.equal(json.split('EVALUATED').length, json.split('${if(true, \\"EVALUATED\\"').length, 'no expression evaluated: every EVALUATED is inside the expression as typed');
      assert.ok(json.includes(JSON.stringify(renderer.text('en-US', (x) => x.triage.answerValue, { answer: HOSTILE })).slice(1, -1)), 'the answer as typed');
      assert.deepEqual(holders(card, HOSTILE), [{ type: 'TextRun', key: 'text' }], 'only in a TextRun, which Teams never reads as Markdown');
      assert.deepEqual(holders(card, 'Which **domains** move first? ${requestId}'), [{ type: 'TextRun', key: 'text' }], 'the question too');

      // The requester's own question card, answered in place: the question and the answer as typed, as plain text.
      const answered = questionCardJson(renderer, 'en-US', { tenantId: TENANTS.contoso, requestId: 'FT-NEXTST03', version: 3, askedAt: 'x', question: HOSTILE }, { look: 'answered', answer: HOSTILE });
      assert.deepEqual(holders(answered, HOSTILE), [{ type: 'TextRun', key: 'text' }, { type: 'TextRun', key: 'text' }]);
    });
  });

  describe('partners', () => {
    it("offers a partner the customer's own open request titled with the customer's name, not \"your tenant\", and opens no second one", async () => {
      const bot = createTestBot({ graph: tenant });
      await bot.click(MEGAN_USER, { verb: 'request.start' });
      const megans = await bot.requests.findOpen(TENANTS.contoso);
      const choice = await bot.click(PATTI, { verb: 'request.start' });
      const customers = await bot.click(PATTI, { ...step(choice, 'partner.for').data, for: 'customer' });
      const offered = visibleText(await bot.click(PATTI, { ...step(customers, 'partner.pick').data, customerTenantId: TENANTS.contoso }));
      assert.ok(offered.includes(renderer.text('en-US', (x) => x.nextStep.existing.customerTitle, { customer: 'Contoso' })), offered);
      assert.ok(!offered.includes(s.existing.title), offered);
      assert.equal((await bot.requests.findOpen(TENANTS.contoso))?.id, megans?.id, 'the same request');
    });

    it('counts one customer in the singular on My customers, and many in the plural', async () => {
      const bot = createTestBot({ graph: tenant });
      const choice = await bot.click(PATTI, { verb: 'request.start' });
      const customers = await bot.click(PATTI, { ...step(choice, 'partner.for').data, for: 'customer' });
      assert.match(visibleText(customers), /Page 1 of 16 · 123 customers/);
      const one = await bot.click(PATTI, { ...step(customers, 'partner.search').data, search: 'northwindtraders.com' });
      assert.match(visibleText(one), /Page 1 of 1 · 1 customer(?!s)/);
    });

    it('resumes for the customer when a partner clicks "Request help" on a tenant check that finished in the background, instead of asking for whom again', async () => {
      // Patti's check of Contoso's tenant did not fit in her turn: it finished from the queue, and its card came to her chat.
      const judge = { rules, catalog, products, clock: () => new Date() };
      const told: Notice[] = [];
      const check = new BackgroundTenantCheck({
        ...judge,
        directory: new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000 }),
        documents: new MemoryDocumentStore(),
        queue: new MemoryWorkQueue(),
        outbox: { enqueue: async (notice: Notice) => void told.push(notice) } as never,
        logger: createLogger('silent'),
        turnBudgetMs: 1000,
      });
      const job = { type: 'tenantCheck' as const, tenantId: TENANTS.contoso, notify: { tenantId: PATTI.tenantId, userId: PATTI.aadObjectId }, locale: 'en-US', jobId: 'job-partner' };
      assert.deepEqual(await check.handle(job, { dequeueCount: 1, last: false }), { done: true });
      const shown = createNoticeKinds(renderer).register(TENANT_CHECK_RESULT_KIND, tenantCheckResultNotice(judge)).render(told[0]!, 'en-US');
      const requestHelp = ((shown.attachments![0]!.content as Card).actions as Card[]).find((a) => a.title === s.welcome.requestHelp);
      assert.ok(requestHelp, 'Contoso is eligible: the card offers to request help');

      const bot = createTestBot({ graph: tenant });
      const text = visibleText(await bot.click(PATTI, requestHelp.data as Record<string, unknown>));
      assert.doesNotMatch(text, new RegExp(s.partners.choiceTitle.replace('?', '\\?')));
      assert.ok(text.includes(renderer.text('en-US', (x) => x.partners.forCustomerIntro, { customer: 'Contoso' })), text);
    });
  });
});
