import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { withEvent } from '../../bot/domain/journey';
import { keys } from '../../bot/domain/request';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { BlobDocumentStore } from '../../bot/storage/documentStore';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { contosoRequest } from '../fixtures/requests';

const ADMIN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };

describe('one request per tenant, on Azure blob storage (Azurite)', function () {
  this.timeout(30000);
  let azurite: AzuriteInstance;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-repo-'));
    azurite = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
  });
  after(async () => {
    await azurite.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function repository() {
    const container = `records${Math.random().toString(36).slice(2, 10)}`;
    const documents = new BlobDocumentStore(new ContainerClient(azurite.connectionString, container));
    return { documents, repo: new StorageRequestRepository(documents) };
  }

  it('lets exactly one of eight admins racing for the same tenant open a request, and keeps only that one', async () => {
    const { documents, repo } = repository();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.create(contosoRequest(`FT-RACE000${i}`, ADMIN))));
    const created = results.filter((r) => r.outcome === 'created');
    assert.equal(created.length, 1);
    const winner = created[0]!.request.id;
    assert.ok(results.every((r) => r.request.id === winner), 'the others are shown the winner');
    assert.equal((await repo.findOpen(TENANTS.contoso))?.id, winner);
    const losers = results.map((_, i) => `FT-RACE000${i}`).filter((id) => id !== winner);
    const left = await Promise.all(losers.map((id) => documents.get(keys.request(TENANTS.contoso, id))));
    assert.deepEqual(left.filter(Boolean), [], 'no orphaned requests');
  });

  it('lets the tenant open a new request once the open one is cancelled', async () => {
    const { repo } = repository();
    const first = (await repo.create(contosoRequest('FT-FIRST001', ADMIN))).request;
    assert.equal((await repo.create(contosoRequest('FT-SECOND01', ADMIN))).outcome, 'exists');
    await repo.update(first.tenantId, first.id, (r) => withEvent({ ...r, stage: 'closed' }, 'cancelled', new Date(), 'Cancelled'));
    assert.equal(await repo.findOpen(TENANTS.contoso), undefined);
    assert.equal((await repo.create(contosoRequest('FT-SECOND01', ADMIN))).outcome, 'created');
    assert.equal((await repo.findOpen(TENANTS.contoso))?.id, 'FT-SECOND01');
  });
});
