import assert from 'node:assert/strict';
import { ConversationReferenceStore } from '../bot/notifications/conversationReferences';
import { RecentReferences } from '../bot/recentReferences';
import { MemoryDocumentStore } from '../bot/storage/documentStore';
import { teamsActivity, MEGAN, NANCY } from './helpers/botHarness';

/** A document store that counts its reads. */
class CountingStore extends MemoryDocumentStore {
  reads = 0;
  override async get<T>(key: string) {
    this.reads++;
    return super.get<T>(key);
  }
}

describe('the recently seen conversation references', () => {
  const message = (extra = {}) => teamsActivity(MEGAN, 'en-US', { type: 'message', text: 'help', ...extra });
  const megan = { tenantId: MEGAN.tenantId, userId: MEGAN.aadObjectId };

  function world(options: { ttlMs?: number; max?: number } = {}) {
    let now = 0;
    const documents = new CountingStore();
    const store = new ConversationReferenceStore(documents, () => new Date(), new RecentReferences({ ...options, now: () => now }));
    return { documents, store, tick: (ms: number) => (now += ms) };
  }

  it('spares the storage read for a conversation whose reference this instance saw within the TTL', async () => {
    const w = world({ ttlMs: 1000 });
    assert.equal(await w.store.refresh(message()), 'saved');
    const reads = w.documents.reads;
    assert.equal(await w.store.refresh(message({ text: 'status' })), 'unchanged', 'another message of the same conversation');
    assert.equal(w.documents.reads, reads, 'no read within the TTL');
    w.tick(1000);
    await w.store.refresh(message());
    assert.equal(w.documents.reads, reads + 1, 'read again once the TTL is over');
  });

  it('reads the store again when anything a reference is made of changed, and always on an install', async () => {
    const w = world();
    await w.store.refresh(message());
    assert.equal(await w.store.refresh(message({ serviceUrl: 'https://smba.example/emea/' })), 'saved');
    assert.equal(await w.store.refresh(message({ serviceUrl: 'https://smba.example/emea/', locale: 'de-DE' })), 'saved');
    assert.equal(await w.store.refresh(teamsActivity(NANCY, 'en-US', { type: 'message' })), 'saved');
    const reads = w.documents.reads;
    await w.store.refresh(message({ serviceUrl: 'https://smba.example/emea/', locale: 'de-DE' }), { force: true });
    assert.equal(w.documents.reads, reads + 1);
  });

  it("unblocks a conversation at the user's very next message, even within the TTL (the 403 forgot the memo)", async () => {
    const w = world();
    await w.store.refresh(message());
    assert.equal(await w.store.block(megan), true);
    assert.ok((await w.store.get(megan))?.blockedAt);
    assert.equal(await w.store.refresh(message()), 'saved', 'the next message reached the store');
    assert.equal((await w.store.get(megan))?.blockedAt, undefined, 'and unblocked it');
  });

  it('stores the reference again at the next message after it was removed (a 404)', async () => {
    const w = world();
    await w.store.refresh(message());
    await w.store.remove(megan);
    assert.equal(await w.store.refresh(message()), 'saved');
    assert.ok(await w.store.get(megan));
  });

  it('keeps at most `max` conversations, forgetting the oldest', async () => {
    const w = world({ max: 1 });
    await w.store.refresh(message());
    await w.store.refresh(teamsActivity(NANCY, 'en-US', { type: 'message' }));
    let reads = w.documents.reads;
    await w.store.refresh(message());
    assert.equal(w.documents.reads, reads + 1, 'the oldest was forgotten');
    reads = w.documents.reads;
    await w.store.refresh(message());
    assert.equal(w.documents.reads, reads, 'the newest is remembered');
  });
});
