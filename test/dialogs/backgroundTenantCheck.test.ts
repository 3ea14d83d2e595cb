import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackgroundTenantCheck, TENANT_CHECK_RESULT_KIND, tenantCheckResultNotice } from '../../bot/dialogs/backgroundTenantCheck';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { createLogger } from '../../bot/logger';
import type { TenantCheckWorkMessage } from '../../bot/notifications/backgroundNotices';
import { createNoticeKinds, outboxMessageSchema, type Notice } from '../../bot/notifications/notice';
import { Outbox } from '../../bot/notifications/outbox';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { catalog, products, renderer, rules, visibleText } from '../helpers/botHarness';
import { freshOutboxStorage } from '../helpers/outboxStorage';

const BUDGET_MS = 1000;
const judge = { rules, catalog, products, clock: () => new Date() };
const ASKED = { tenantId: TENANTS.contoso, notify: { tenantId: TENANTS.contoso, userId: USERS.megan }, locale: 'fr-FR' };

/** The tenant check in the background, on the local tenant (Graph) and Azurite (records, queue), with the real outbox. */
describe('tenant checks finished in the background', function () {
  this.timeout(60000);
  const tenant = new LocalTenantServer();
  let azurite: AzuriteInstance;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-background-check-'));
    [azurite] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), tenant.start(0)]);
  });
  after(async () => {
    await Promise.all([azurite?.stop(), tenant.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => tenant.reset());
  // A check the turn gave up on goes on until its Graph budget ends: let it end before the next test's
  // faults are injected, or it could take one of them (seen once in CI under load).
  afterEach(() => new Promise((resolve) => setTimeout(resolve, BUDGET_MS + 500)));

  async function world() {
    const storage = await freshOutboxStorage(azurite.connectionString);
    const kinds = createNoticeKinds(renderer).register(TENANT_CHECK_RESULT_KIND, tenantCheckResultNotice(judge));
    const outbox = new Outbox({ queue: storage.queue, documents: storage.documents, kinds });
    // A fresh directory (and so a fresh circuit breaker) per world.
    const directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: BUDGET_MS });
    const check = new BackgroundTenantCheck({ ...judge, directory, documents: storage.documents, queue: storage.queue, outbox, logger: createLogger('silent'), turnBudgetMs: BUDGET_MS });
    /** What is queued (work and notices), waiting up to `waitMs` for delayed messages. */
    const drain = async (waitMs = 0) => {
      const out: ReturnType<typeof outboxMessageSchema.parse>[] = [];
      const until = Date.now() + waitMs;
      for (;;) {
        const items = await storage.queue.receive(32, 30);
        for (const item of items) {
          out.push(outboxMessageSchema.parse(item.body));
          await storage.queue.complete(item);
        }
        if (items.length === 0 && Date.now() >= until) return out;
        if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const notices = (messages: ReturnType<typeof outboxMessageSchema.parse>[]) => messages.filter((m) => m.type === 'notice').map((m) => (m as { notice: Notice }).notice);
    return { check, kinds, drain, notices };
  }

  it('queues one check per admin while Graph is down, however often they ask, and says so at once', async () => {
    const w = await world();
    tenant.injectFault({ path: '/$batch', status: 503, times: Infinity });
    assert.deepEqual(await w.check.assessInTurn(ASKED), { deferred: true });
    assert.deepEqual(await w.check.assessInTurn(ASKED), { deferred: true });
    const queued = (await w.drain(3000)).filter((m) => m.type === 'tenantCheck');
    assert.equal(queued.length, 1, JSON.stringify(queued));
  });

  it("sends the tenant-check card when Graph answers again, and the admin's next turn goes on from it while Graph is down", async () => {
    const w = await world();
    const job: TenantCheckWorkMessage = { type: 'tenantCheck', ...ASKED, jobId: 'job-1' };
    assert.deepEqual(await w.check.handle(job, { dequeueCount: 1, last: false }), { done: true });
    const [told] = w.notices(await w.drain());
    assert.ok(told, 'the admin is told');
    assert.equal(told.id, 'tenantCheck:job-1');
    const shown = w.kinds.render(told, told.locale);
    assert.equal(shown.text, renderer.strings('fr-FR').background.tenantCheckDone);
    assert.ok(visibleText([shown]).includes(renderer.strings('fr-FR').tenantCheck.title));
    assert.ok(JSON.stringify(shown.attachments).includes('request.start'), 'eligible: the card offers to request FastTrack help');

    tenant.injectFault({ path: '/$batch', status: 503, times: Infinity });
    const next = await w.check.assessInTurn(ASKED);
    assert.ok('assessment' in next, 'the profile read in the background stands in for Graph');
    assert.equal(next.assessment.check.eligible, true);
    assert.equal(next.assessment.profile.tenantId, TENANTS.contoso);
  });

  it("is retried after Graph's Retry-After or its backoff, and at the last try tells the admin Microsoft 365 still isn't answering and how to try again", async () => {
    const w = await world();
    const job: TenantCheckWorkMessage = { type: 'tenantCheck', ...ASKED, jobId: 'job-2' };
    tenant.injectFault({ path: '/$batch', status: 429, retryAfterSeconds: 40, times: 1 });
    assert.deepEqual(await w.check.handle(job, { dequeueCount: 1, last: false }), { retryInSeconds: 40 });
    tenant.injectFault({ path: '/$batch', status: 503, times: Infinity });
    assert.deepEqual(await w.check.handle(job, { dequeueCount: 2, last: false }), { retryInSeconds: 2 });
    const last = await w.check.handle(job, { dequeueCount: 3, last: true });
    assert.ok('failed' in last, JSON.stringify(last));
    const [told] = w.notices(await w.drain());
    assert.ok(told);
    assert.equal(w.kinds.render(told, told.locale).text, renderer.text('fr-FR', (s) => s.background.tenantCheckFailed, { request: renderer.strings('fr-FR').commands.request }));
  });
});
