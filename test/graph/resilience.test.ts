import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import type { NewEvent } from '../../bot/domain/tenant';
import { GraphTenantDirectory, type GraphTenantDirectoryOptions } from '../../bot/graph/graphTenantDirectory';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { failure, iso } from '../helpers/graph';

/** One request as the local tenant's HTTP server saw it: `closedEarly` when the client hung up before the answer was written. */
interface ServedRequest {
  method: string;
  url: string;
  closedEarly: boolean;
}

/** Watches the HTTP server on `port` (Node's own diagnostics channel, so the local tenant needs no hook). */
function watchServer(port: () => number): { seen: ServedRequest[]; stop(): void } {
  const seen: ServedRequest[] = [];
  const onStart = (message: unknown): void => {
    const { request, response, socket } = message as { request: http.IncomingMessage; response: http.ServerResponse; socket: net.Socket };
    if (socket.localPort !== port()) return;
    const entry: ServedRequest = { method: request.method ?? '', url: request.url ?? '', closedEarly: false };
    seen.push(entry);
    response.on('close', () => {
      if (!response.writableFinished) entry.closedEarly = true;
    });
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  return { seen, stop: () => diagnostics.unsubscribe('http.server.request.start', onStart) };
}

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}



describe('Graph gateway: timeouts, retries and the circuit breaker against the local tenant', () => {
  /** Every Graph request the local tenant finished handling (after its injected latency), in order. */
  const handled: Array<{ method: string; path: string }> = [];
  const tenant = new LocalTenantServer({
    log: (msg, fields) => {
      if (msg === 'graph request') handled.push(fields as { method: string; path: string });
    },
  });
  let server: ReturnType<typeof watchServer>;
  const gateway = (options: Partial<GraphTenantDirectoryOptions> = {}): GraphTenantDirectory =>
    new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000, ...options });
  const night = (): { start: string; end: string } => {
    const day = DateTime.utc().startOf('day').plus({ days: 3 });
    return { start: iso(day.set({ hour: 2 }).toMillis()), end: iso(day.set({ hour: 3 }).toMillis()) };
  };
  const meeting = (): NewEvent => ({
    subject: 'FastTrack onboarding kickoff',
    bodyHtml: '<p>Welcome to FastTrack.</p>',
    ...night(),
    attendees: [{ email: 'adele@contoso.com', name: 'Adele Vance' }],
    transactionId: `FT-TEST-${Math.random().toString(36).slice(2)}`,
  });
  const eventsWith = async (transactionId: string): Promise<string[]> => {
    const res = await fetch(`${tenant.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${USERS.megan}/events?$top=1000&$select=id,transactionId`);
    const { value } = (await res.json()) as { value: Array<{ id: string; transactionId: string | null }> };
    return value.filter((e) => e.transactionId === transactionId).map((e) => e.id);
  };
  const schedule = (directory: GraphTenantDirectory, tenantId: string = TENANTS.contoso): Promise<unknown> =>
    directory.getSchedule(tenantId, tenantId === TENANTS.contoso ? USERS.megan : USERS.kim, [tenantId === TENANTS.contoso ? 'megan@contoso.com' : 'kim@tailspintoys.com'], iso(Date.now()), iso(Date.now() + 86_400_000));
  const scheduleRequests = (): number => tenant.requests.filter((r) => r.path.endsWith('/calendar/getSchedule')).length;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  before(async () => {
    await tenant.start(0);
    server = watchServer(() => Number(new URL(tenant.url!).port));
  });
  after(async () => {
    server.stop();
    await tenant.stop();
  });
  beforeEach(() => {
    tenant.reset();
    handled.length = 0;
    server.seen.length = 0;
  });

  describe('timeouts abort the request', () => {
    it('aborts a create that outlives its timeout (the local tenant sees the connection closed), and a retry with the same transactionId gives the one event', async () => {
      tenant.injectFault({ method: 'POST', path: /\/events$/, latencyMs: 1000 });
      const directory = gateway({ timeoutMs: 300 });
      const request = meeting();
      const started = Date.now();
      const error = await failure(directory.createEvent(TENANTS.contoso, USERS.megan, request));
      assert.deepEqual([error.status, error.code, error.transient], [504, 'Timeout', true]);
      assert.ok(Date.now() - started < 900, 'the caller heard of the timeout before Graph would have answered');
      await until(() => server.seen.some((r) => r.method === 'POST' && r.closedEarly), 'the local tenant saw the POST closed before its answer');

      // Graph may still create the event it was asked for; a retry with the same transactionId finds it or makes it, once.
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, request);
      await until(() => handled.filter((h) => h.method === 'POST').length === 2, 'the aborted create was handled too');
      assert.deepEqual(await eventsWith(request.transactionId), [event.id]);
      assert.equal(tenant.requests.filter((r) => r.method === 'POST').length, 2, 'no retry of its own after the budget ran out');
    });

    it("cancels a create when the caller's signal aborts, closing the request", async () => {
      tenant.injectFault({ method: 'POST', path: /\/events$/, latencyMs: 2000 });
      const caller = new AbortController();
      setTimeout(() => caller.abort(), 100);
      const started = Date.now();
      const error = await failure(gateway().createEvent(TENANTS.contoso, USERS.megan, meeting(), { signal: caller.signal }));
      assert.equal(error.code, 'Cancelled');
      assert.ok(Date.now() - started < 1000);
      await until(() => server.seen.some((r) => r.method === 'POST' && r.closedEarly), 'the local tenant saw the POST closed');
    });

    it('aborts every kind of calendar call on timeout: getSchedule, getEvent, updateEvent, deleteEvent', async () => {
      const directory = gateway({ timeoutMs: 200 });
      const event = await directory.createEvent(TENANTS.contoso, USERS.megan, meeting());
      tenant.injectFault({ path: /^\/users\//, latencyMs: 1000, times: Infinity });
      const calls: Array<() => Promise<unknown>> = [
        () => schedule(directory),
        () => directory.getEvent(TENANTS.contoso, USERS.megan, event.id),
        () => directory.updateEvent(TENANTS.contoso, USERS.megan, event.id, night()),
        () => directory.deleteEvent(TENANTS.contoso, USERS.megan, event.id),
      ];
      for (const call of calls) assert.equal((await failure(call())).code, 'Timeout');
      await until(() => server.seen.filter((r) => r.closedEarly).length === 4, 'the four requests were closed');
    });
  });

  describe('retries', () => {
    it('waits as long as a Retry-After within the cap asks, then succeeds', async () => {
      tenant.injectFault({ path: /getSchedule$/, status: 429, retryAfterSeconds: 1 });
      const started = Date.now();
      await schedule(gateway({ maxRetryWaitSeconds: 2 }));
      assert.ok(Date.now() - started >= 950, 'the Retry-After was honoured');
      assert.equal(scheduleRequests(), 2);
    });

    it('does not wait out a Retry-After longer than the cap: the 429 comes back at once, with the wait Graph asked for', async () => {
      tenant.injectFault({ path: /getSchedule$/, status: 429, retryAfterSeconds: 30 });
      const error = await failure(schedule(gateway({ maxRetryWaitSeconds: 2 })));
      assert.deepEqual([error.status, error.retryAfterSeconds], [429, 30]);
      assert.equal(scheduleRequests(), 1);
    });

    it('does the same for a throttled request inside a batch', async () => {
      tenant.injectFault({ path: '/subscribedSkus', status: 429, retryAfterSeconds: 30, insideBatch: true });
      const error = await failure(gateway({ maxRetryWaitSeconds: 2 }).getTenantProfile(TENANTS.contoso));
      assert.deepEqual([error.status, error.retryAfterSeconds], [429, 30]);
      assert.equal(tenant.roundTrips(), 1);
    });

    it("tries a persistent outage a bounded number of times, never stacking the SDK's retries on its own", async () => {
      tenant.injectFault({ path: /getSchedule$/, status: 503, retryAfterSeconds: 0, times: Infinity });
      const error = await failure(schedule(gateway({ retries: 2 })));
      assert.deepEqual([error.status, error.transient], [503, true]);
      assert.equal(scheduleRequests(), 3, 'the first try and two retries, nothing more');
    });

    it('tries a request whose connection drops without an answer again, a bounded number of times', async () => {
      let received = 0;
      const dropping = http.createServer((req) => {
        received += 1;
        req.socket.destroy();
      });
      await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = dropping.address() as AddressInfo;
        const directory = new GraphTenantDirectory({ baseUrl: `http://127.0.0.1:${port}/tenants/{tenantId}`, credentials: () => undefined, retries: 2 });
        const error = await failure(schedule(directory));
        assert.deepEqual([error.status, error.code, error.transient], [0, 'NetworkError', true]);
        assert.equal(received, 3);
      } finally {
        await new Promise<void>((resolve) => dropping.close(() => resolve()));
      }
    });

    it('never retries a refusal (4xx other than 429)', async () => {
      tenant.injectFault({ path: /getSchedule$/, status: 403, times: Infinity });
      assert.equal((await failure(schedule(gateway()))).status, 403);
      assert.equal(scheduleRequests(), 1);
    });
  });

  describe('circuit breaker', () => {
    const breaking = (): GraphTenantDirectory => gateway({ retries: 0, breakerFailures: 3, breakerCooldownMs: 300 });
    const openCircuit = async (directory: GraphTenantDirectory): Promise<void> => {
      tenant.injectFault({ path: /getSchedule$/, tenantId: TENANTS.contoso, status: 503, times: Infinity });
      for (let i = 0; i < 3; i++) assert.equal((await failure(schedule(directory))).code, 'ServiceUnavailable');
      assert.equal(scheduleRequests(), 3);
    };

    it('opens after three consecutive outages: later calls fail at once with CircuitOpen, sending nothing', async () => {
      const directory = breaking();
      await openCircuit(directory);
      for (let i = 0; i < 5; i++) {
        const error = await failure(schedule(directory));
        assert.deepEqual([error.status, error.code, error.transient], [503, 'CircuitOpen', true]);
      }
      assert.equal(scheduleRequests(), 3, 'no request reached Graph while the circuit was open');
      // Per tenant endpoint: another tenant's calls still go through.
      await schedule(directory, TENANTS.tailspin);
    });

    it('lets one call test the circuit after the cooldown, and closes it when that call succeeds', async () => {
      const directory = breaking();
      await openCircuit(directory);
      tenant.clearFaults();
      assert.equal((await failure(schedule(directory))).code, 'CircuitOpen', 'still open before the cooldown');
      await sleep(350);
      await schedule(directory);
      await schedule(directory);
      assert.equal(scheduleRequests(), 5);
    });

    it('opens again when the test call after the cooldown fails', async () => {
      const directory = breaking();
      await openCircuit(directory);
      await sleep(350);
      assert.equal((await failure(schedule(directory))).code, 'ServiceUnavailable');
      assert.equal((await failure(schedule(directory))).code, 'CircuitOpen');
      assert.equal(scheduleRequests(), 4, 'one test request, then none');
    });

    it('opens on timeouts too, so a Graph that hangs costs the timeout only until then', async () => {
      tenant.injectFault({ path: /getSchedule$/, latencyMs: 5000, times: Infinity });
      const directory = gateway({ timeoutMs: 150, breakerFailures: 2 });
      assert.equal((await failure(schedule(directory))).code, 'Timeout');
      assert.equal((await failure(schedule(directory))).code, 'Timeout');
      assert.equal((await failure(schedule(directory))).code, 'CircuitOpen');
      assert.equal(scheduleRequests(), 2);
    });

    it('is not opened by refusals, nor by callers cancelling', async () => {
      const directory = breaking();
      tenant.injectFault({ path: /getSchedule$/, status: 403, times: 4 });
      for (let i = 0; i < 4; i++) assert.equal((await failure(schedule(directory))).status, 403);
      tenant.injectFault({ path: /getSchedule$/, latencyMs: 2000, times: 4 });
      for (let i = 0; i < 4; i++) {
        const error = await failure(directory.getSchedule(TENANTS.contoso, USERS.megan, ['megan@contoso.com'], iso(Date.now()), iso(Date.now() + 86_400_000), { signal: AbortSignal.timeout(50) }));
        assert.equal(error.code, 'Cancelled');
      }
      await schedule(directory);
    });
  });
});
