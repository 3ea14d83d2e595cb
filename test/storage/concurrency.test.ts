import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import type { Storage, StoreItems } from 'botbuilder';
import { withEvent, type Meeting } from '../../bot/domain/journey';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { BlobStateStorage } from '../../bot/storage/blobStateStorage';
import { BlobDocumentStore } from '../../bot/storage/documentStore';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { createTestBot, MEGAN, visibleText } from '../helpers/botHarness';
import { ANSWERS, step, walkTo } from '../helpers/journeySteps';
import { contosoRequest } from '../fixtures/requests';

const ADMIN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };

describe('concurrent changes on Azure blob storage (Azurite)', function () {
  this.timeout(60000);
  let azurite: AzuriteInstance;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-concurrency-'));
    azurite = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
  });
  after(async () => {
    await azurite.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const container = (prefix: string) => new ContainerClient(azurite.connectionString, `${prefix}${Math.random().toString(36).slice(2, 10)}`);

  it('keeps both of two changes made to one request at the same moment: the adoption plan and a booked meeting', async () => {
    const repo = new StorageRequestRepository(new BlobDocumentStore(container('records')));
    const request = (await repo.create(contosoRequest('FT-CONCUR01', ADMIN))).request;
    const meeting = { kind: 'kickoff', status: 'booked', eventId: 'evt-1' } as Meeting;
    const adoption = { launchDate: '2099-04-01', successOwnerName: 'Megan Bowen', successOwnerRole: 'CIO', champions: '', championCount: 12 };
    const now = new Date();
    await Promise.all([
      repo.update(request.tenantId, request.id, (r) => withEvent({ ...r, adoption, phases: { ...r.phases, adoption: 'done' } }, 'adoptionPlanned', now)),
      repo.update(request.tenantId, request.id, (r) => withEvent({ ...r, meetings: [...(r.meetings ?? []), meeting], stage: 'scheduled' }, 'kickoffBooked', now)),
    ]);
    const stored = await repo.get(request.tenantId, request.id);
    assert.equal(stored?.adoption?.championCount, 12, 'the adoption plan survived');
    assert.deepEqual(stored?.meetings?.map((m) => m.eventId), ['evt-1'], 'the meeting survived');
    assert.equal(stored?.stage, 'scheduled');
    assert.deepEqual(stored?.history.map((h) => h.event).sort(), ['adoptionPlanned', 'created', 'kickoffBooked']);
  });

  it('keeps every one of twelve concurrent changes to one request', async () => {
    const repo = new StorageRequestRepository(new BlobDocumentStore(container('records')));
    const request = (await repo.create(contosoRequest('FT-CONCUR02', ADMIN))).request;
    const now = new Date();
    await Promise.all(Array.from({ length: 12 }, (_, i) => repo.update(request.tenantId, request.id, (r) => withEvent(r, `change${i}`, now))));
    const events = (await repo.get(request.tenantId, request.id))!.history.map((h) => h.event);
    for (let i = 0; i < 12; i++) assert.ok(events.includes(`change${i}`), `change${i} was lost: ${events.join(', ')}`);
  });

  it('refuses a bot-state write made with a stale ETag with status 412, so a conflict is told by its status code', async () => {
    const storage = new BlobStateStorage(container('state'));
    await storage.write({ 'msteams/conversations/a:1/': { dialogState: 1 } });
    const read = (await storage.read(['msteams/conversations/a:1/']))['msteams/conversations/a:1/'] as { eTag: string };
    await storage.write({ 'msteams/conversations/a:1/': { dialogState: 2, eTag: read.eTag } });
    await assert.rejects(storage.write({ 'msteams/conversations/a:1/': { dialogState: 3, eTag: read.eTag } }), (error: unknown) => (error as { statusCode?: number }).statusCode === 412);
    const after = (await storage.read(['msteams/conversations/a:1/']))['msteams/conversations/a:1/'] as { dialogState: number };
    assert.equal(after.dialogState, 2, 'the newer state is kept');
  });

  describe('a turn whose dialog state loses the race to another instance', () => {
    const tenant = new LocalTenantServer();
    before(() => tenant.start(0));
    after(() => tenant.stop());

    it('still answers the user normally and keeps the record change it made', async () => {
      const state = new BlobStateStorage(container('state'));
      let race = false;
      // Another instance writes the same conversation's state between this turn's read and its write.
      const racing: Storage = {
        read: (keys) => state.read(keys),
        delete: (keys) => state.delete(keys),
        write: async (changes: StoreItems) => {
          if (race) {
            race = false;
            const [key] = Object.keys(changes);
            const current = (await state.read([key!]))[key!] as object;
            await state.write({ [key!]: { ...current } });
          }
          return state.write(changes);
        },
      };
      const documents = new BlobDocumentStore(container('records'));
      const bot = createTestBot({ graph: tenant, storage: racing, documents });
      await walkTo(bot, 'services');
      const adoption = await bot.click(MEGAN, { verb: 'adoption.start' });
      race = true;
      const saved = await bot.click(MEGAN, { ...step(adoption, 'adoption.submit').data, ...ANSWERS.adoption });
      assert.equal(race, false, 'the racing write happened');
      const text = visibleText(saved);
      assert.match(text, /user adoption plan is saved/);
      assert.doesNotMatch(text, /something went wrong/i);
      const stored = await bot.requests.findOpen(TENANTS.contoso);
      assert.equal(stored?.adoption?.championCount, 12);
    });
  });
});
