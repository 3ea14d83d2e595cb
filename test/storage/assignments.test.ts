import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { BlobDocumentStore, MemoryDocumentStore, type DocumentStore, type StoredDocument, type WriteCondition } from '../../bot/storage/documentStore';
import { assignmentsKey, StorageRequestRepository, type AssignmentsDocument } from '../../bot/storage/requestRepository';
import { USERS } from '../../local/tenant/ids';
import { contosoRequest } from '../fixtures/requests';

const ADMIN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };
const assign = (personId: string | undefined, by = 'ft-emea-006') => (r: OnboardingRequest): OnboardingRequest => {
  const { assignee: _, ...rest } = r;
  return personId ? { ...rest, assignee: { personId, assignedAt: new Date().toISOString(), byPersonId: by } } : rest;
};

/** A store whose every read and write takes a random few milliseconds: writers interleave as on real storage. */
class JitteryStore implements DocumentStore {
  constructor(private readonly inner: DocumentStore) {}
  private pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 6));
  async get<T>(key: string): Promise<StoredDocument<T> | undefined> {
    await this.pause();
    return this.inner.get<T>(key);
  }
  async put<T>(key: string, value: T, condition: WriteCondition): Promise<string | undefined> {
    await this.pause();
    return this.inner.put(key, value, condition);
  }
  delete(key: string, etag?: string): Promise<boolean> {
    return this.inner.delete(key, etag);
  }
}

function suite(name: string, makeStore: () => DocumentStore) {
  describe(`a FastTrack person's assignment index (${name})`, () => {
    let documents: DocumentStore;
    let repo: StorageRequestRepository;
    let n = 0;
    beforeEach(() => {
      documents = makeStore();
      repo = new StorageRequestRepository(documents);
    });
    // One tenant per request: a tenant has one open request at a time.
    const created = async () => {
      const i = String(n++).padStart(2, '0');
      const { outcome, request } = await repo.create({ ...contosoRequest(`FT-ASSIGN${i}`, ADMIN), tenantId: `c0a70500-0000-4000-8000-0000000000${i}` });
      assert.equal(outcome, 'created');
      return request;
    };
    const listed = async (personId: string) => ((await documents.get<AssignmentsDocument>(assignmentsKey(personId)))?.value.requests ?? []).map((e) => e.requestId);
    const mine = async (personId: string) => (await repo.assignedTo(personId)).map((r) => r.id);

    it('lists a request under its assignee once assigned, and under nobody else', async () => {
      const request = await created();
      await repo.update(request.tenantId, request.id, assign('ft-emea-006'));
      assert.deepEqual(await listed('ft-emea-006'), [request.id]);
      assert.deepEqual(await mine('ft-emea-006'), [request.id]);
      assert.deepEqual(await mine('ft-emea-001'), []);
    });

    it('moves it from the old assignee to the new one on a reassignment, and drops it when unassigned', async () => {
      const request = await created();
      await repo.update(request.tenantId, request.id, assign('ft-emea-006'));
      await repo.update(request.tenantId, request.id, assign('ft-emea-001'));
      assert.deepEqual([await listed('ft-emea-006'), await listed('ft-emea-001')], [[], [request.id]]);
      await repo.update(request.tenantId, request.id, assign(undefined));
      assert.deepEqual(await listed('ft-emea-001'), []);
    });

    it('does not touch the index when a change leaves the assignee as it was', async () => {
      const request = await created();
      await repo.update(request.tenantId, request.id, assign('ft-emea-006'));
      const etag = (await documents.get(assignmentsKey('ft-emea-006')))?.etag;
      await repo.update(request.tenantId, request.id, (r) => ({ ...r, state: 'Approved' }));
      assert.equal((await documents.get(assignmentsKey('ft-emea-006')))?.etag, etag);
      assert.deepEqual((await repo.assignedTo('ft-emea-006')).map((r) => r.state), ['Approved']);
    });

    it('keeps every index right when two writers assign the same request to two people at once', async () => {
      for (let round = 0; round < 6; round++) {
        const request = await created();
        await Promise.all([repo.update(request.tenantId, request.id, assign('ft-emea-006')), repo.update(request.tenantId, request.id, assign('ft-emea-001'))]);
        const winner = (await repo.get(request.tenantId, request.id))!.assignee!.personId;
        const loser = winner === 'ft-emea-006' ? 'ft-emea-001' : 'ft-emea-006';
        assert.ok((await listed(winner)).includes(request.id), `round ${round}: listed under ${winner}, its assignee`);
        assert.ok(!(await listed(loser)).includes(request.id), `round ${round}: not listed under ${loser}`);
      }
    });

    it('ends with the request under its last assignee only, after ten reassignments racing among three people', async () => {
      const people = ['ft-emea-006', 'ft-emea-001', 'ft-emea-002'];
      const request = await created();
      await Promise.all(Array.from({ length: 10 }, (_, i) => repo.update(request.tenantId, request.id, assign(people[i % 3]))));
      const last = (await repo.get(request.tenantId, request.id))!.assignee!.personId;
      for (const p of people) assert.deepEqual(await listed(p), p === last ? [request.id] : [], p);
    });

    it('keeps a person\'s several requests, across reassignments of others', async () => {
      const [a, b, c] = [await created(), await created(), await created()];
      for (const r of [a, b, c]) await repo.update(r.tenantId, r.id, assign('ft-emea-006'));
      await repo.update(b.tenantId, b.id, assign('ft-emea-001'));
      assert.deepEqual(await mine('ft-emea-006'), [a.id, c.id]);
      assert.deepEqual(await mine('ft-emea-001'), [b.id]);
    });
  });
}

suite('in memory, with interleaving reads and writes', () => new JitteryStore(new MemoryDocumentStore()));

/** A store whose first write of one key waits until released: that writer's index write lands late. */
class LateWriteStore extends MemoryDocumentStore {
  release: () => void = () => undefined;
  private held = false;
  constructor(private readonly lateKey: string) {
    super();
  }
  override async put<T>(key: string, value: T, condition: WriteCondition): Promise<string | undefined> {
    if (key === this.lateKey && !this.held) {
      this.held = true;
      await new Promise<void>((resolve) => (this.release = resolve));
    }
    return super.put(key, value, condition);
  }
}

describe('a FastTrack person\'s assignment index, when a slow writer\'s index write lands after a reassignment', () => {
  it('does not leave the request listed under the person it was taken from', async () => {
    const documents = new LateWriteStore(assignmentsKey('ft-emea-006'));
    const repo = new StorageRequestRepository(documents);
    const { request } = await repo.create(contosoRequest('FT-ASSIGNLT', ADMIN));
    // Writer A assigns Conor: the request is written, its index write for Conor is held back.
    const a = repo.update(request.tenantId, request.id, assign('ft-emea-006'));
    while ((await repo.get(request.tenantId, request.id))?.assignee?.personId !== 'ft-emea-006') await new Promise((resolve) => setTimeout(resolve, 1));
    // Writer B reassigns to Siobhan, indexes and all, before A's index write lands.
    await repo.update(request.tenantId, request.id, assign('ft-emea-001'));
    documents.release();
    await a;
    const listed = async (personId: string) => ((await documents.get<AssignmentsDocument>(assignmentsKey(personId)))?.value.requests ?? []).map((e) => e.requestId);
    assert.deepEqual([await listed('ft-emea-006'), await listed('ft-emea-001')], [[], [request.id]]);
  });
});

describe('on Azure blob storage (Azurite)', function () {
  this.timeout(60000);
  let azurite: AzuriteInstance;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-assign-'));
    azurite = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
  });
  after(async () => {
    await azurite.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  suite('Azurite', () => new BlobDocumentStore(new ContainerClient(azurite.connectionString, `records${Math.random().toString(36).slice(2, 10)}`)));
});
