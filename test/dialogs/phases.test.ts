import assert from 'node:assert/strict';
import { ConversationState, MemoryStorage, type Activity, type Storage } from 'botbuilder';
import type { Dialog } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import { CoreOnboardingDialog } from '../../bot/dialogs/coreOnboardingDialog';
import type { JourneyDeps } from '../../bot/dialogs/journeyDeps';
import type { PhaseOptions } from '../../bot/dialogs/phase';
import { RequestFormDialog } from '../../bot/dialogs/requestFormDialog';
import { ServiceOnboardingDialog } from '../../bot/dialogs/serviceOnboardingDialog';
import { UserAdoptionDialog } from '../../bot/dialogs/userAdoptionDialog';
import { newRequest, type OnboardingRequest } from '../../bot/domain/journey';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { contosoCheck } from '../fixtures/requests';
import { journeyDeps, teamsActivity, visibleText, type TestUser } from '../helpers/botHarness';

const KIM: TestUser = { aadObjectId: USERS.kim, name: 'Kim Abercrombie', tenantId: TENANTS.tailspin };
const MEGAN: TestUser = { aadObjectId: USERS.megan, name: 'Megan Bowen', tenantId: TENANTS.contoso };
const NANCY: TestUser = { aadObjectId: USERS.nancy, name: 'Nancy Davolio', tenantId: TENANTS.northwind };

/** One turn of a case: what the user sends (given the last replies) and what they must see. */
interface Turn {
  send: 'hello' | Record<string, unknown>;
  /** The verb of the card whose token the answer carries (the card of the previous turn). */
  answers?: string;
  see: RegExp;
  notSee?: RegExp;
}

interface PhaseCase {
  name: string;
  user: TestUser;
  dialog: (deps: JourneyDeps) => Dialog;
  /** Stores what the phase starts from (an existing request), and returns the phase options. */
  given?: (deps: JourneyDeps) => Promise<Partial<PhaseOptions>>;
  turns: Turn[];
  /** Ends with this result (phase dialogs end with `{ requestId }` when the journey may go on). */
  ends?: 'withRequest' | 'withoutRequest';
  then?: (request: OnboardingRequest | undefined) => void;
}

/** A Contoso request at the given phase, as the earlier phases leave it. */
async function contosoRequestAt(deps: JourneyDeps, phase: 'services' | 'form' | 'any'): Promise<Partial<PhaseOptions>> {
  const requester = { aadObjectId: MEGAN.aadObjectId, name: MEGAN.name, tenantId: TENANTS.contoso };
  const request = newRequest('FT-TESTREQ1', requester, TENANTS.contoso, contosoCheck(['exchange', 'sharepoint', 'onedrive', 'teams', 'apps', 'intune', 'entra']), new Date());
  request.phases.core = 'done';
  request.core = { identityPlan: 'federated', dnsReady: 'yes' };
  request.phases.services = 'inProgress';
  if (phase !== 'services') {
    request.phases.services = 'done';
    request.services = { services: ['exchange', 'teams'], migration: false };
  }
  await deps.requests.create(request);
  return { requestId: request.id };
}

const FORM = {
  products: 'exchange', launchDate: '2099-01-15', mailSystem: 'none', businessReason: 'Growth', successOwnerName: 'Megan Bowen', successOwnerRole: 'CIO',
  dataMigration: 'false', requesterName: 'Megan Bowen', requesterEmail: 'megan@contoso.com', requesterPhone: '+1 425 555 0100', customerName: 'Megan Bowen',
  customerEmail: 'megan@contoso.com', preferredLanguage: 'en-US', region: 'americas', timeZone: 'America/Los_Angeles',
};

const CASES: PhaseCase[] = [
  {
    name: 'core onboarding: an eligible tenant gets its request and the identity questions',
    user: MEGAN,
    dialog: (d) => new CoreOnboardingDialog(d),
    turns: [
      { send: 'hello', see: /Tenant check[\s\S]*Eligible for FastTrack: 2,000[\s\S]*How will your users sign in/ },
      { send: { identityPlan: 'synchronized', dnsReady: 'no' }, answers: 'core.identity', see: /^$/ },
    ],
    ends: 'withRequest',
    then: (r) => {
      assert.deepEqual(r?.core, { identityPlan: 'synchronized', dnsReady: 'no' });
      assert.equal(r?.phases.core, 'done');
      assert.equal(r?.phases.services, 'inProgress');
    },
  },
  {
    name: 'core onboarding: exactly 150 eligible seats qualify (Tailspin Toys)',
    user: KIM,
    dialog: (d) => new CoreOnboardingDialog(d),
    turns: [{ send: 'hello', see: /Eligible for FastTrack: 150 eligible seats counted, 150 needed[\s\S]*SPE_E5[\s\S]*trial[\s\S]*suspended[\s\S]*grace period/ }],
  },
  {
    name: 'core onboarding: an ineligible tenant learns why and nothing is recorded',
    user: NANCY,
    dialog: (d) => new CoreOnboardingDialog(d),
    turns: [{ send: 'hello', see: /Not eligible for FastTrack yet: 40/, notSee: /sign in/ }],
    ends: 'withoutRequest',
  },
  {
    name: 'core onboarding: a missing answer re-shows the card with the error',
    user: MEGAN,
    dialog: (d) => new CoreOnboardingDialog(d),
    turns: [
      { send: 'hello', see: /Tenant check/ },
      { send: { identityPlan: 'cloudOnly' }, answers: 'core.identity', see: /This answer is required/ },
      { send: 'hello', see: /Please answer the card above/ },
    ],
  },
  {
    name: 'service onboarding: only licensed services, and migration as a child dialog',
    user: MEGAN,
    dialog: (d) => new ServiceOnboardingDialog(d),
    given: (d) => contosoRequestAt(d, 'services'),
    turns: [
      { send: 'hello', see: /Microsoft Intune[\s\S]*MX record/ },
      { send: { services: 'exchange,sharepoint', migration: 'true' }, answers: 'services.submit', see: /FastTrack performs the migration[\s\S]*processed in any region/ },
      { send: { emailSource: 'otherTenant', mailboxes: '', emailSizeGb: '', fileSource: 'none' }, answers: 'migration.submit', see: /does not offer tenant-to-tenant migration/ },
      { send: { emailSource: 'gmail', mailboxes: '250', emailSizeGb: '400', fileSource: 'none' }, answers: 'migration.submit', see: /^$/ },
    ],
    ends: 'withRequest',
    then: (r) => {
      assert.deepEqual(r?.services, { services: ['exchange', 'sharepoint'], migration: true });
      assert.equal(r?.migration?.emailSource, 'gmail');
      assert.equal(r?.migration?.mode, 'performed');
      assert.equal(r?.phases.form, 'inProgress');
    },
  },
  {
    name: 'service onboarding: no migration wanted ends without the migration card',
    user: MEGAN,
    dialog: (d) => new ServiceOnboardingDialog(d),
    given: (d) => contosoRequestAt(d, 'services'),
    turns: [
      { send: 'hello', see: /Service onboarding and migration/ },
      { send: { services: 'teams', migration: 'false' }, answers: 'services.submit', see: /^$/, notSee: /Data migration/ },
    ],
    ends: 'withRequest',
    then: (r) => assert.equal(r?.migration, undefined),
  },
  {
    name: 'request form: prefilled from Graph, a past date refused, then stored',
    user: MEGAN,
    dialog: (d) => new RequestFormDialog(d),
    given: (d) => contosoRequestAt(d, 'form'),
    turns: [
      { send: 'hello', see: /Request assistance for Microsoft 365[\s\S]*megan@contoso\.com[\s\S]*America\/Los_Angeles/ },
      { send: { ...FORM, launchDate: '2020-01-01' }, answers: 'request.submit', see: /not in the past/ },
      { send: FORM, answers: 'request.submit', see: /^$/ },
    ],
    ends: 'withRequest',
    then: (r) => {
      assert.equal(r?.stage, 'awaitingScheduling');
      assert.equal(r?.form?.launchDate, '2099-01-15');
    },
  },
  {
    name: 'user adoption: saved beside onboarding, whatever its progress',
    user: MEGAN,
    dialog: (d) => new UserAdoptionDialog(d),
    given: (d) => contosoRequestAt(d, 'services'),
    turns: [
      { send: 'hello', see: /User adoption/ },
      { send: { launchDate: '2099-02-01', successOwnerName: 'Megan', successOwnerRole: 'CIO', championCount: 'many' }, answers: 'adoption.submit', see: /Enter a number/ },
      { send: { launchDate: '2099-02-01', successOwnerName: 'Megan', successOwnerRole: 'CIO', championCount: '8' }, answers: 'adoption.submit', see: /adoption plan is saved[\s\S]*Request status/ },
    ],
    then: (r) => {
      assert.equal(r?.phases.adoption, 'done');
      assert.equal(r?.phases.services, 'inProgress', 'onboarding untouched');
    },
  },
];

describe('each phase dialog, with DialogTestClient', function () {
  this.timeout(20000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());

  /** A client for a phase dialog on the given storage, and a function running one turn. */
  function client(c: PhaseCase, storage: Storage, deps: JourneyDeps, options: Partial<PhaseOptions>) {
    const phaseOptions: PhaseOptions = { tenantId: c.user.tenantId, requester: { aadObjectId: c.user.aadObjectId, name: c.user.name, tenantId: c.user.tenantId }, ...options };
    const dc = new DialogTestClient('msteams', c.dialog(deps), phaseOptions, [], new ConversationState(storage));
    return {
      dc,
      async turn(extra: Partial<Activity>): Promise<Partial<Activity>[]> {
        const replies: Partial<Activity>[] = [];
        const first = await dc.sendActivity(teamsActivity(c.user, 'en-US', extra) as Activity);
        for (let r = first; r; r = dc.getNextReply()) if (r.type !== 'typing') replies.push(r);
        return replies;
      },
    };
  }

  /** The token of the card with this verb among replies. */
  function tokenOf(replies: Partial<Activity>[], verb: string): string {
    const match = new RegExp(`"verb":"${verb.replace('.', '\\.')}","token":"([0-9a-f]+)"`).exec(JSON.stringify(replies.map((r) => r.attachments)));
    assert.ok(match, `no ${verb} card`);
    return match[1]!;
  }

  for (const c of CASES) {
    it(c.name, async () => {
      tenant.reset();
      const storage = new MemoryStorage();
      const deps = journeyDeps({ graph: tenant, storage });
      const options = (await c.given?.(deps)) ?? {};
      const { dc, turn } = client(c, storage, deps, options);
      let last: Partial<Activity>[] = [];
      for (const t of c.turns) {
        const value = t.send === 'hello' ? undefined : { verb: t.answers, token: tokenOf(last, t.answers!), ...t.send };
        const replies = await turn(value ? { type: 'message', value } : { type: 'message', text: 'hello' });
        const text = visibleText(replies);
        assert.match(text, t.see);
        if (t.notSee) assert.doesNotMatch(text, t.notSee);
        if (replies.length > 0) last = replies;
      }
      if (c.ends) {
        assert.equal(dc.dialogTurnResult.status, 'complete');
        const result = dc.dialogTurnResult.result as { requestId?: string };
        assert.equal(Boolean(result.requestId), c.ends === 'withRequest');
      }
      const request = await deps.requests.findOpen(c.user.tenantId);
      c.then?.(request);
    });
  }

  const resumable = CASES.filter((c) => c.turns.length > 1 && c.turns[1]!.answers);
  for (const c of resumable) {
    it(`resumes after a restart, from stored state — ${c.name}`, async () => {
      tenant.reset();
      const storage = new MemoryStorage();
      const deps = journeyDeps({ graph: tenant, storage });
      const options = (await c.given?.(deps)) ?? {};
      const before = client(c, storage, deps, options);
      const shown = await before.turn({ type: 'message', text: 'hello' });
      // A new process: new dialog instances and state, the same storage.
      const after = client(c, storage, journeyDeps({ graph: tenant, storage }), options);
      const next = c.turns[1]!;
      const replies = await after.turn({ type: 'message', value: { verb: next.answers, token: tokenOf(shown, next.answers!), ...(next.send as object) } });
      assert.match(visibleText(replies), next.see);
      assert.doesNotMatch(visibleText(replies), /earlier step|Please answer/);
    });
  }
});
