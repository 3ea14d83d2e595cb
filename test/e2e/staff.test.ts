import assert from 'node:assert/strict';
import { ContainerClient } from '@azure/storage-blob';
import { azuriteConnectionString } from '../../local/azurite';
import { BlobDocumentStore } from '../../bot/storage/documentStore';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { contosoRequest } from '../fixtures/requests';
import { cardsOf, cardText, PlaygroundApi } from './harness';
import { session } from './journeySession';

/** The bot process and the center Playground (`npm run dev -- --as center`'s config), through the Playground's API. */
describe('e2e: a FastTrack Center member\'s own chat in the Playground (staff tenant, real bot process)', function () {
  this.timeout(120_000);
  let s: Awaited<ReturnType<typeof session>> | undefined;
  after(async () => s?.stop());

  it('welcomes Conor O\'Brien as FastTrack staff (found through the Playground\'s roster) and lists the request assigned to him', async () => {
    s = await session('local/playground/center.m365agentsplayground.yml');
    const records = new BlobDocumentStore(new ContainerClient(azuriteConnectionString(Number(s.env.env.AZURITE_BLOB_PORT), Number(s.env.env.AZURITE_QUEUE_PORT)), 'records'));
    const requests = new StorageRequestRepository(records);
    const { request } = await requests.create(contosoRequest('FT-E2ESTAF1', { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' }));
    await requests.update(TENANTS.contoso, request.id, (r) => ({ ...r, assignee: { personId: 'ft-emea-006', assignedAt: new Date().toISOString(), byPersonId: 'ft-emea-006' } }));

    const api = await PlaygroundApi.connect(s.playground.url);
    assert.equal(api.config.tenantId, TENANTS.fastTrack);
    await api.install();
    const welcome = await api.nextBotMessage((m) => cardsOf(m).length > 0, 30_000);
    assert.match(cardText(cardsOf(welcome)[0]), /Welcome, Conor O'Brien\nFastTrack Center engineer · FastTrack Center Dublin/);

    const mine = await api.ask('my requests', { timeout: 30_000 });
    const text = cardText(cardsOf(mine)[0]);
    assert.match(text, /My requests\nSubmitted \(1\)\nContoso · FT-E2ESTAF1/);
    // The Playground's connector answered the roster call (the bot logs at warn): the directory fallback was never needed.
    assert.doesNotMatch(s.bot.logs(), /roster not read/);
  });
});
