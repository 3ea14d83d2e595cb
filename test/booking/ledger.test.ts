import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { BookingLedger, type ReservationOwner } from '../../bot/booking/ledger';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { BlobDocumentStore, MemoryDocumentStore, type DocumentStore } from '../../bot/storage/documentStore';

const SHANGHAI = { id: 'wei.zhang', timeZone: 'Asia/Shanghai' };
const SEATTLE = { id: 'jordan.lee', timeZone: 'America/Los_Angeles' };
const owner = (requestId: string, kind: ReservationOwner['kind'] = 'kickoff'): ReservationOwner => ({ tenantId: 't1', requestId, kind });

describe('the bookings ledger', function () {
  this.timeout(30000);
  let azurite: AzuriteInstance;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-ledger-'));
    azurite = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
  });
  after(async () => {
    await azurite.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stores: [string, () => DocumentStore][] = [
    ['on Azure blob storage (Azurite)', () => new BlobDocumentStore(new ContainerClient(azurite.connectionString, `ledger${Math.random().toString(36).slice(2, 10)}`))],
    ['in memory', () => new MemoryDocumentStore()],
  ];

  for (const [where, makeStore] of stores) {
    describe(where, () => {
      it('lets exactly one of twelve concurrent requests hold the same person at the same time', async () => {
        const ledger = new BookingLedger(makeStore());
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, (_, i) => ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner(`FT-${i}`))),
        );
        assert.equal(outcomes.filter((o) => o === 'reserved').length, 1);
        assert.equal(outcomes.filter((o) => o === 'taken').length, 11);
        assert.equal((await ledger.day(SHANGHAI, '2026-12-01T02:00:00.000Z')).length, 1);
      });

      it('treats a repeated reservation by the same request as its own, not a clash', async () => {
        const ledger = new BookingLedger(makeStore());
        assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-A')), 'reserved');
        assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-A')), 'alreadyYours');
      });

      it('refuses an overlapping time and accepts the adjacent one', async () => {
        const ledger = new BookingLedger(makeStore());
        await ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-A'));
        assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T02:30:00.000Z', '2026-12-01T03:30:00.000Z', owner('FT-B')), 'taken');
        assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T03:00:00.000Z', '2026-12-01T04:00:00.000Z', owner('FT-B')), 'reserved');
      });

      it('guards meetings that cross UTC midnight in one document', async () => {
        const ledger = new BookingLedger(makeStore());
        // 15:30–16:30 in Seattle is 23:30–00:30 UTC.
        assert.equal(await ledger.reserve(SEATTLE, '2026-12-01T23:30:00.000Z', '2026-12-02T00:30:00.000Z', owner('FT-A')), 'reserved');
        assert.equal(await ledger.reserve(SEATTLE, '2026-12-02T00:00:00.000Z', '2026-12-02T01:00:00.000Z', owner('FT-B')), 'taken');
      });

      it('frees a hold that was never confirmed after ten minutes, but keeps a booked time', async () => {
        let now = new Date('2026-11-24T10:00:00Z');
        const ledger = new BookingLedger(makeStore(), () => now);
        await ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-A'));
        await ledger.reserve(SHANGHAI, '2026-12-01T05:00:00.000Z', '2026-12-01T06:00:00.000Z', owner('FT-A'));
        await ledger.confirm(SHANGHAI, '2026-12-01T05:00:00.000Z', '2026-12-01T06:00:00.000Z', owner('FT-A'), 'event-1');
        now = new Date('2026-11-24T10:11:00Z');
        assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-B')), 'reserved');
        assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T05:00:00.000Z', '2026-12-01T06:00:00.000Z', owner('FT-B')), 'taken');
      });

      it('releases a reservation so another request can take the time', async () => {
        const ledger = new BookingLedger(makeStore());
        await ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-A'));
        await ledger.release(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-A'));
        assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T02:00:00.000Z', '2026-12-01T03:00:00.000Z', owner('FT-B')), 'reserved');
      });

      it('lists a person\'s busy times across local days, daylight-saving days included', async () => {
        const ledger = new BookingLedger(makeStore());
        await ledger.reserve(SEATTLE, '2026-10-31T17:00:00.000Z', '2026-10-31T18:00:00.000Z', owner('FT-A'));
        await ledger.reserve(SEATTLE, '2026-11-02T17:00:00.000Z', '2026-11-02T18:00:00.000Z', owner('FT-B'));
        const busy = await ledger.busy(SEATTLE, '2026-10-31T00:00:00.000Z', '2026-11-03T00:00:00.000Z');
        assert.deepEqual(busy.map((b) => b.start).sort(), ['2026-10-31T17:00:00.000Z', '2026-11-02T17:00:00.000Z']);
      });
    });
  }

  describe('holds that are retried, confirmed late or expired (in memory, with a clock the test moves)', () => {
    const START = '2026-12-01T02:00:00.000Z';
    const END = '2026-12-01T03:00:00.000Z';
    let now: Date;
    let ledger: BookingLedger;
    beforeEach(() => {
      now = new Date('2026-11-24T10:00:00Z');
      ledger = new BookingLedger(new MemoryDocumentStore(), () => now);
    });

    it('refreshes its own hold on a retried reserve, so the hold lasts ten minutes from the retry', async () => {
      assert.equal(await ledger.reserve(SHANGHAI, START, END, owner('FT-A')), 'reserved');
      now = new Date('2026-11-24T10:08:00Z');
      assert.notEqual(await ledger.reserve(SHANGHAI, START, END, owner('FT-A')), 'taken');
      assert.deepEqual((await ledger.day(SHANGHAI, START)).map((r) => [r.requestId, r.status, r.heldAt]), [['FT-A', 'held', '2026-11-24T10:08:00.000Z']], 'heldAt moved to the retry');
      now = new Date('2026-11-24T10:15:00Z');
      assert.equal(await ledger.reserve(SHANGHAI, START, END, owner('FT-B')), 'taken', 'still held 7 minutes after the retry');
    });

    it('refuses to confirm a hold that has expired', async () => {
      await ledger.reserve(SHANGHAI, START, END, owner('FT-A'));
      now = new Date('2026-11-24T10:11:00Z');
      await assert.rejects(ledger.confirm(SHANGHAI, START, END, owner('FT-A'), 'event-1'));
      assert.ok(!(await ledger.day(SHANGHAI, START)).some((r) => r.status === 'booked'), 'nothing booked');
    });

    it('refuses to confirm a hold that another request took after it expired, and keeps theirs', async () => {
      await ledger.reserve(SHANGHAI, START, END, owner('FT-A'));
      now = new Date('2026-11-24T10:11:00Z');
      assert.equal(await ledger.reserve(SHANGHAI, START, END, owner('FT-B')), 'reserved');
      await assert.rejects(ledger.confirm(SHANGHAI, START, END, owner('FT-A'), 'event-1'));
      assert.deepEqual((await ledger.day(SHANGHAI, START)).filter((r) => r.status === 'booked' || r.requestId === 'FT-B').map((r) => [r.requestId, r.status]), [['FT-B', 'held']]);
    });

    it('confirms a live hold', async () => {
      await ledger.reserve(SHANGHAI, START, END, owner('FT-A'));
      now = new Date('2026-11-24T10:09:00Z');
      await ledger.confirm(SHANGHAI, START, END, owner('FT-A'), 'event-1');
      assert.deepEqual((await ledger.day(SHANGHAI, START)).map((r) => [r.requestId, r.status, r.eventId]), [['FT-A', 'booked', 'event-1']]);
    });

    it('never counts an expired hold as busy', async () => {
      await ledger.reserve(SHANGHAI, START, END, owner('FT-A'));
      now = new Date('2026-11-24T10:11:00Z');
      assert.deepEqual(await ledger.busy(SHANGHAI, '2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'), []);
      assert.equal(await ledger.reserve(SHANGHAI, '2026-12-01T02:30:00.000Z', '2026-12-01T03:30:00.000Z', owner('FT-B')), 'reserved', 'an overlapping time is free');
    });
  });
});
