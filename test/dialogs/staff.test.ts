import assert from 'node:assert/strict';
import { ConversationState, MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { BookingLedger } from '../../bot/booking/ledger';
import type { Meeting, OnboardingRequest } from '../../bot/domain/journey';
import { describeSlot } from '../../bot/domain/slots';
import type { StaffDeps } from '../../bot/handlers/staff';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { MemoryDocumentStore } from '../../bot/storage/documentStore';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { FastTrackBot } from '../../bot/teamsBot';
import { createTurnErrorHandler } from '../../bot/turnErrorHandler';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { staffUserId } from '../../local/tenant/staff';
import { contosoRequest } from '../fixtures/requests';
import { cards, centers, journeyDeps, MEGAN, renderer, teamsActivity, visibleText, type TestUser } from '../helpers/botHarness';

const en = renderer.strings('en-US');
const fr = renderer.strings('fr-FR');
const person = (name: string) => centers.people.find((p) => p.name === name)!;
const CONOR = person("Conor O'Brien");
const SIOBHAN = person('Siobhan Murphy');
const DUBLIN = centers.centers.find((c) => c.id === 'emea-dublin')!;
const staffUser = (p: { id: string; name: string }): TestUser => ({ aadObjectId: staffUserId(p.id), name: p.name, tenantId: TENANTS.fastTrack });
const CONOR_USER = staffUser(CONOR);
/** Someone signed in to the staff tenant who is not in centers.json. */
const VISITOR: TestUser = { aadObjectId: 'f4571ac0-0000-4000-8000-00000000ee01', name: 'Visiting Contractor', tenantId: TENANTS.fastTrack };
/** Monday 2 March 2026, 10:00 in Dublin (GMT in winter). */
const NOW = new Date('2026-03-02T10:00:00Z');
const ADMIN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };

describe('a FastTrack person\'s own chat in the staff tenant', function () {
  this.timeout(30000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());

  function staffBot(options: { roster?: StaffDeps['roster'] } = {}) {
    const storage = new MemoryStorage();
    const documents = new MemoryDocumentStore();
    const clock = () => NOW;
    const requests = new StorageRequestRepository(documents);
    const deps = journeyDeps({ graph: tenant, storage, documents, requests, now: clock });
    const ledger = new BookingLedger(documents, clock);
    const staff: StaffDeps = { staffTenantId: TENANTS.fastTrack, centers, ledger, assignments: requests, ...(options.roster ? { roster: options.roster } : {}) };
    const bot = new FastTrackBot({ ...deps, conversationState: new ConversationState(storage), references: new ConversationReferenceStore(documents, clock), staff });
    const adapter = new TestAdapter((context) => bot.run(context));
    adapter.onTurnError = createTurnErrorHandler(renderer, deps.logger);
    const send = async (user: TestUser, locale: string, extra: Partial<Activity>) => {
      adapter.activeQueue.splice(0);
      await adapter.processActivity(teamsActivity(user, locale, extra));
      return adapter.activeQueue.splice(0).filter((a) => a.type !== 'typing');
    };
    let n = 0;
    /** A request of its own tenant, assigned to `assignee` (through the repository, as the triage channel does). */
    const assigned = async (assignee: { id: string } | undefined, change: Partial<OnboardingRequest> = {}, organization = 'Contoso') => {
      const i = String(++n).padStart(2, '0');
      const base = contosoRequest(`FT-STAFF0${i}`, ADMIN, { products: ['exchange', 'teams'], preferredLanguage: 'fr-FR' });
      const { request } = await requests.create({ ...base, tenantId: `c0a70500-0000-4000-8000-0000000001${i}`, tenantCheck: { ...base.tenantCheck, organization } });
      return (await requests.update(request.tenantId, request.id, (r) => ({
        ...r,
        ...change,
        ...(assignee ? { assignee: { personId: assignee.id, assignedAt: new Date(NOW.getTime() + n * 1000).toISOString(), byPersonId: CONOR.id } } : {}),
      })))!;
    };
    return {
      requests,
      ledger,
      assigned,
      say: (user: TestUser, text: string, locale = 'en-US') => send(user, locale, { type: 'message', text }),
      click: (user: TestUser, verb: string, locale = 'en-US') => send(user, locale, { type: 'message', value: { verb } }),
      install: (user: TestUser, locale = 'en-US') => send(user, locale, { type: 'installationUpdate', action: 'add' }),
    };
  }

  /** The card's state sections: heading → the request titles under it. */
  function sections(replies: Partial<Activity>[]): Record<string, string[]> {
    const card = cards(replies)[0]!;
    const out: Record<string, string[]> = {};
    for (const group of (card.body as { type: string; items?: { text?: string; items?: { text?: string }[] }[] }[]).filter((b) => b.type === 'Container')) {
      const [heading, ...requests] = group.items!;
      out[heading!.text!] = requests.map((r) => r.items![0]!.text!);
    }
    return out;
  }

  describe('who is writing', () => {
    it('welcomes a FastTrack person on install with the staff welcome, not the admin journey\'s', async () => {
      const bot = staffBot();
      const replies = await bot.install(CONOR_USER);
      const text = visibleText(replies);
      assert.ok(text.includes("Welcome, Conor O'Brien"), text);
      assert.ok(text.includes(`${en.staff.roles.center} · ${DUBLIN.name}`), text);
      assert.ok(text.includes(en.staff.myRequests) && text.includes(en.staff.myMeetings));
      assert.ok(!text.includes(en.welcome.title), 'not the admin journey\'s welcome');
    });

    it('finds the person by the Teams roster\'s e-mail when the roster answers', async () => {
      const bot = staffBot({ roster: async () => ({ email: SIOBHAN.email.toUpperCase() }) });
      const text = visibleText(await bot.install(CONOR_USER));
      assert.ok(text.includes('Welcome, Siobhan Murphy'), 'the roster decides, not the activity\'s name');
    });

    it('tells someone of the staff tenant who is no FastTrack person that this chat is for FastTrack people, and shows nothing else', async () => {
      for (const bot of [staffBot(), staffBot({ roster: async () => ({ email: 'visitor@fasttrack.example.com' }) })]) {
        const install = await bot.install(VISITOR);
        const asked = await bot.say(VISITOR, 'my requests');
        for (const replies of [install, asked]) {
          assert.equal(replies.length, 1);
          assert.equal(cards(replies).length, 0, 'no card, neither the staff nor the admin one');
          assert.match(replies[0]!.text ?? '', /^This chat is for FastTrack people/);
        }
      }
      const named = await staffBot({ roster: async () => ({ email: 'visitor@fasttrack.example.com' }) }).say(VISITOR, 'hello');
      assert.ok(named[0]!.text!.includes('visitor@fasttrack.example.com'), 'the account is named');
    });

    it('asks to try again, and shows nothing, when neither the roster nor the staff directory answers', async () => {
      const bot = staffBot({
        roster: async () => {
          throw new Error('roster down');
        },
      });
      tenant.injectFault({ tenantId: TENANTS.fastTrack, path: /^\/users\//, status: 503, times: Infinity });
      try {
        const replies = await bot.say(CONOR_USER, 'my requests');
        assert.deepEqual(replies.map((r) => [r.text, r.attachments?.length ?? 0]), [[en.staff.notIdentified, 0]]);
      } finally {
        tenant.clearFaults();
      }
    });

    it('leaves a customer tenant\'s chat to the admin journey', async () => {
      const bot = staffBot();
      const text = visibleText(await bot.say(MEGAN, 'my requests'));
      assert.ok(text.includes(en.welcome.title), 'the admin welcome');
      assert.ok(!text.includes(en.staff.requestsTitle));
    });
  });

  describe('my requests', () => {
    it('shows the requests assigned to me grouped by state in the order of the states, and not another person\'s', async () => {
      const bot = staffBot();
      const submitted = await bot.assigned(CONOR);
      const approved = await bot.assigned(CONOR, { state: 'Approved' }, 'Fabrikam');
      const onHold = await bot.assigned(CONOR, { state: 'OnHold' }, 'Tailspin Toys');
      const cancelled = await bot.assigned(CONOR, { state: 'Cancelled' }, 'Northwind Traders');
      const waiting = await bot.assigned(CONOR, { state: 'OnHoldPendingRequesterResponse' }, 'Woodgrove');
      const siobhans = await bot.assigned(SIOBHAN, {}, 'Litware');
      await bot.assigned(undefined, {}, 'Unassigned Ltd');
      const replies = await bot.say(CONOR_USER, 'my requests');
      assert.deepEqual(sections(replies), {
        'Submitted (1)': [`Contoso · ${submitted.id}`],
        'Approved (1)': [`Fabrikam · ${approved.id}`],
        'On hold (1)': [`Tailspin Toys · ${onHold.id}`],
        'On hold, waiting for the requester (1)': [`Woodgrove · ${waiting.id}`],
        'Cancelled (1)': [`Northwind Traders · ${cancelled.id}`],
      });
      const text = visibleText(replies);
      assert.ok(!text.includes(siobhans.id) && !text.includes('Litware'), 'Siobhan\'s request is not mine');
      assert.ok(!text.includes('Unassigned Ltd'));
    });

    it('shows each request\'s services, language and kickoff, the kickoff in my center\'s zone', async () => {
      const bot = staffBot();
      const kickoff = { kind: 'kickoff', status: 'booked', start: '2026-03-04T14:00:00.000Z', end: '2026-03-04T15:00:00.000Z' } as Meeting;
      await bot.assigned(CONOR, { meetings: [kickoff] });
      await bot.assigned(CONOR, { form: undefined, services: undefined }, 'Fabrikam');
      const text = visibleText(await bot.say(CONOR_USER, 'my requests'));
      assert.ok(text.includes('Exchange Online, Microsoft Teams'), text);
      assert.ok(text.includes(en.languages['fr-FR']));
      const time = describeSlot(kickoff, DUBLIN.timeZone, DUBLIN.timeZone, 'en-US').centerTime;
      assert.match(time, /GMT/);
      assert.ok(text.includes(time), text);
      assert.ok(text.includes(en.staff.notBooked) && text.includes(en.staff.notChosen), 'the request without a form says what is missing');
    });

    it('drops a request from my list once it is reassigned to someone else, and shows it in theirs', async () => {
      const bot = staffBot();
      const request = await bot.assigned(CONOR);
      await bot.requests.update(request.tenantId, request.id, (r) => ({ ...r, assignee: { personId: SIOBHAN.id, assignedAt: NOW.toISOString(), byPersonId: CONOR.id } }));
      assert.ok(visibleText(await bot.say(CONOR_USER, 'my requests')).includes(en.staff.requestsEmpty));
      assert.deepEqual(sections(await bot.say(staffUser(SIOBHAN), 'my requests')), { 'Submitted (1)': [`Contoso · ${request.id}`] });
    });

    it('answers in my language when I type the command in it or in English, and to the card\'s button', async () => {
      const bot = staffBot();
      await bot.assigned(CONOR);
      for (const replies of [await bot.say(CONOR_USER, fr.staff.commands.myRequests, 'fr-FR'), await bot.say(CONOR_USER, 'My Requests', 'fr-FR'), await bot.click(CONOR_USER, 'staff.requests', 'fr-FR')]) {
        const text = visibleText(replies);
        assert.ok(text.includes(fr.staff.requestsTitle), text);
        assert.ok(text.includes(`${fr.staff.states.Submitted} (1)`), text);
      }
    });
  });

  describe('my meetings', () => {
    const owner = (requestId: string, kind: 'kickoff' | 'checkpoint' = 'kickoff') => ({ tenantId: TENANTS.contoso, requestId, kind });
    const dublin = { id: CONOR.id, timeZone: DUBLIN.timeZone };
    async function booked(bot: ReturnType<typeof staffBot>, start: string, minutes: number, o: ReturnType<typeof owner>, who = dublin) {
      const end = new Date(Date.parse(start) + minutes * 60_000).toISOString();
      assert.equal(await bot.ledger.reserve(who, start, end, o), 'reserved');
      await bot.ledger.confirm(who, start, end, o, `evt-${o.requestId}-${start}`);
      return { start, end };
    }

    it('lists my confirmed meetings of the next 10 business days of my center, in its zone with the zone named, and nothing else', async () => {
      const bot = staffBot();
      const request = await bot.requests.create(contosoRequest('FT-MEET0001', ADMIN));
      const kickoff = await booked(bot, '2026-03-03T14:00:00.000Z', 60, owner(request.request.id));
      // Friday 13 March is the 10th business day (2–6, 9–13 March); Monday 16 March the 11th.
      const lastDay = await booked(bot, '2026-03-13T09:00:00.000Z', 45, owner(request.request.id, 'checkpoint'));
      await booked(bot, '2026-03-16T09:00:00.000Z', 45, owner('FT-MEET0002', 'checkpoint'));
      // Held, never confirmed; ended already this morning; another person's.
      await bot.ledger.reserve(dublin, '2026-03-04T10:00:00.000Z', '2026-03-04T11:00:00.000Z', owner('FT-MEET0003'));
      await booked(bot, '2026-03-02T09:00:00.000Z', 30, owner('FT-MEET0004', 'checkpoint'));
      await booked(bot, '2026-03-05T10:00:00.000Z', 60, owner('FT-MEET0005'), { id: SIOBHAN.id, timeZone: DUBLIN.timeZone });

      const replies = await bot.say(CONOR_USER, 'my meetings');
      const card = cards(replies)[0]!;
      const facts = (card.body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === 'FactSet')!.facts!;
      const at = (slot: { start: string; end: string }) => describeSlot(slot, DUBLIN.timeZone, DUBLIN.timeZone, 'en-US').centerTime;
      assert.deepEqual(facts, [
        { title: at(kickoff), value: `Kickoff · Contoso · ${request.request.id}` },
        { title: at(lastDay), value: `Checkpoint · Contoso · ${request.request.id}` },
      ]);
      assert.ok(facts.every((f) => f.title.includes('GMT')), 'each time names the zone');
      assert.ok(visibleText(replies).includes('the next 10 business days of FastTrack Center Dublin, times in Greenwich Mean Time'), visibleText(replies));
    });

    it('says so when I have no confirmed meeting, and answers the button in my language', async () => {
      const bot = staffBot();
      await bot.ledger.reserve(dublin, '2026-03-04T10:00:00.000Z', '2026-03-04T11:00:00.000Z', owner('FT-MEET0003'));
      const text = visibleText(await bot.click(CONOR_USER, 'staff.meetings', 'fr-FR'));
      assert.ok(text.includes(fr.staff.meetingsTitle) && text.includes(fr.staff.meetingsEmpty), text);
    });
  });
});
