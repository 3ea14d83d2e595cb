import assert from 'node:assert/strict';
import { ConversationState, MemoryStorage, TestAdapter, type Activity, type TeamsChannelAccount } from 'botbuilder';
import type { TenantDirectory } from '../../bot/graph/tenantDirectory';
import { createLogger } from '../../bot/logger';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { MemoryDocumentStore } from '../../bot/storage/documentStore';
import { FastTrackBot } from '../../bot/teamsBot';
import type { TriageChange, TriageObserver } from '../../bot/triage/observer';
import { TENANTS } from '../../local/tenant/ids';
import { centers, journeyDeps, renderer } from '../helpers/botHarness';
import { contosoRequest, storeRequest } from '../fixtures/requests';

const STAFF = 'f4571ac0-0000-4000-8000-000000000005';
const TEAM = '19:fasttrack-center@thread.tacv2';
const REQUEST = 'FT-TR1AGE02';
const t = renderer.strings('en-US').triage;
type Card = Record<string, unknown>;

/** The whole bot on TestAdapter with the triage side wired: a roster stand-in, observers, a log capture. */
async function triageBot(options: { observers: TriageObserver[]; roster?: (userId: string) => Promise<TeamsChannelAccount | undefined> }) {
  const storage = new MemoryStorage();
  const documents = new MemoryDocumentStore();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)) });
  const deps = { ...journeyDeps({ graph: { getTenantProfile: () => Promise.reject(new Error('no Graph in triage tests')) } as unknown as TenantDirectory, storage, documents }), logger };
  await storeRequest(documents, contosoRequest(REQUEST, { userId: 'c0a70500-0000-4000-8000-00000000a001', email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' }));
  const roster = options.roster ?? (async (userId: string) => (userId === '29:megan-brooks' ? ({ id: userId, name: 'Megan Brooks', email: 'megan.brooks@fasttrack.example.com' } as TeamsChannelAccount) : undefined));
  const bot = new FastTrackBot({
    ...deps,
    conversationState: new ConversationState(storage),
    references: new ConversationReferenceStore(documents),
    triage: { staffTenantId: STAFF, centerTeamId: TEAM, centers, observers: options.observers, teamMember: (_context, _teamId, userId) => roster(userId) },
  });
  const adapter = new TestAdapter((context) => bot.run(context));
  /** A card action from the triage channel; resolves to the invoke's answer. */
  async function execute(verb: string, version: number, user = '29:megan-brooks'): Promise<{ status: number; body: { statusCode: number; type: string; value: unknown } }> {
    adapter.activeQueue.splice(0);
    const activity: Partial<Activity> = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      channelId: 'msteams',
      locale: 'en-US',
      from: { id: user, name: 'Megan Brooks' },
      recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
      conversation: { id: `${TEAM};messageid=1`, conversationType: 'channel', tenantId: STAFF, isGroup: true, name: '' },
      channelData: { tenant: { id: STAFF }, team: { id: TEAM } },
      value: { action: { type: 'Action.Execute', verb, data: { tenantId: TENANTS.contoso, requestId: REQUEST, version } } },
    };
    await adapter.processActivity(activity);
    const answer = adapter.activeQueue.find((a) => a.type === 'invokeResponse');
    assert.ok(answer, 'the invoke is answered');
    return answer.value as { status: number; body: { statusCode: number; type: string; value: unknown } };
  }
  return { execute, lines, requests: deps.requests };
}

const fact = (card: Card, title: string) => ((card.body as Card[]).find((e) => e.type === 'FactSet')!.facts as { title: string; value: string }[]).find((f) => f.title === title)?.value;

describe('triage actions and their observers (TestAdapter)', () => {
  it('tells every observer of an accepted action once it is stored, in order; a failing observer is logged and the action stands', async () => {
    const told: string[] = [];
    const changes: TriageChange[] = [];
    const failing: TriageObserver = { triageChanged: async () => { told.push('failing'); throw new Error('the requester notice could not be queued'); } };
    const recording: TriageObserver = { triageChanged: async (change) => { told.push('recording'); changes.push(change); } };
    const bot = await triageBot({ observers: [failing, recording] });

    const answer = await bot.execute('triage.assign', 0);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.statusCode, 200);
    assert.equal(fact(answer.body.value as Card, t.facts.assignee), 'Megan Brooks');
    assert.deepEqual(told, ['failing', 'recording']);
    const [change] = changes;
    assert.equal(change!.before.assignee, undefined);
    assert.equal(change!.after.assignee?.personId, 'ft-amer-005');
    assert.equal(change!.entry.event, 'triage.assign');
    assert.equal((await bot.requests.get(TENANTS.contoso, REQUEST))?.assignee?.personId, 'ft-amer-005', 'stored before the observers were told');
    const warn = bot.lines.find((l) => l.msg === 'triage observer failed; the action stands');
    assert.ok(warn, 'the failing observer is logged');
    assert.equal(warn.requestId, REQUEST);
    assert.ok(!JSON.stringify(warn).includes('could not be queued'), 'no error message in the log');
  });

  it('tells no observer of a refused action (an old copy of the card)', async () => {
    const changes: TriageChange[] = [];
    const bot = await triageBot({ observers: [{ triageChanged: async (change) => void changes.push(change) }] });
    assert.equal(fact((await bot.execute('triage.assign', 0)).body.value as Card, t.facts.assignee), 'Megan Brooks');
    const stale = (await bot.execute('triage.approve', 0)).body.value as Card;
    assert.equal((stale.body as Card[])[1]!.text, t.refusals.stale);
    assert.equal(changes.length, 1, 'only the assignment');
  });

  it('answers with a try-again message when the roster cannot be read, and acts on nothing', async () => {
    const bot = await triageBot({ observers: [], roster: async () => { throw Object.assign(new Error('connector down'), { statusCode: 503 }); } });
    const answer = await bot.execute('triage.assign', 0);
    assert.deepEqual(answer.body, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: t.denied.rosterUnavailable });
    assert.equal((await bot.requests.get(TENANTS.contoso, REQUEST))?.assignee, undefined);
  });
});
