import { performance } from 'node:perf_hooks';
import { BookingService } from '../bot/booking/bookingService';
import { BookingLedger } from '../bot/booking/ledger';
import { parseCenterModel } from '../bot/domain/centers';
import { GraphTenantDirectory } from '../bot/graph/graphTenantDirectory';
import { USERS } from '../local/tenant/ids';
import { LocalTenantServer } from '../local/tenant/localTenantServer';
import { MemoryDocumentStore } from '../bot/storage/documentStore';
import { StorageRequestRepository } from '../bot/storage/requestRepository';
import { contosoRequest, storeRequest } from '../test/fixtures/requests';

/** Graph round trips per booking, counted at the local tenant, and the time of a propose + book. */
export async function benchBooking(bookings = 20): Promise<{ getSchedulePerBooking: number; createPerBooking: number; otherCalls: number; medianMs: number }> {
  const tenant = new LocalTenantServer();
  await tenant.start(0);
  try {
    const directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined });
    const centers = parseCenterModel(require('../bot/data/centers.json'));
    const documents = new MemoryDocumentStore();
    const requests = new StorageRequestRepository(documents);
    const booking = new BookingService({ directory, ledger: new BookingLedger(documents), centers, requests, clock: () => new Date() });
    const times: number[] = [];
    tenant.clearRequests();
    for (let i = 0; i < bookings; i++) {
      const request = await storeRequest(documents, contosoRequest(`FT-BENCH${String(i).padStart(3, '0')}`, { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' }, { dataMigration: true }));
      const t0 = performance.now();
      const proposal = await booking.propose(request);
      if (!proposal.ok || proposal.slots.length === 0) throw new Error('no slot to book');
      const booked = await booking.book(request, proposal.slots[0]!, 'kickoff', { subject: 'FastTrack onboarding kickoff: Contoso', bodyHtml: '<p>Agenda</p>' });
      if (booked.outcome !== 'booked') throw new Error('not booked');
      times.push(performance.now() - t0);
    }
    const calls = tenant.requests.filter((r) => !r.viaBatch);
    const schedule = calls.filter((r) => r.path.endsWith('/calendar/getSchedule')).length;
    const create = calls.filter((r) => r.method === 'POST' && /\/events$/.test(r.path.split('?')[0]!)).length;
    times.sort((a, b) => a - b);
    return { getSchedulePerBooking: schedule / bookings, createPerBooking: create / bookings, otherCalls: calls.length - schedule - create, medianMs: times[Math.floor(times.length / 2)]! };
  } finally {
    await tenant.stop();
  }
}

if (require.main === module) {
  benchBooking().then((r) => console.log(JSON.stringify(r)));
}
