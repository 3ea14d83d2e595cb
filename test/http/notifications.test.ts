import assert from 'node:assert/strict';
import { subscriptionKey, type SubscriptionRecord } from '../../bot/notifications/calendarWatch';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { startCalendarWorld, type CalendarWorld } from '../helpers/calendarWorld';

const SUBSCRIPTION = '7f105c7d-2dc5-4530-97cd-4e7ae6534c07';
const SECRET = 'the-right-client-state-0123456789abcdef';

function notification(clientState: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    value: [
      {
        subscriptionId: SUBSCRIPTION,
        subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
        changeType: 'updated',
        resource: `Users/${USERS.megan}/Events/AAMkAGI2TG93AAA=`,
        resourceData: { '@odata.type': '#Microsoft.Graph.Event', id: 'AAMkAGI2TG93AAA=' },
        ...(clientState === undefined ? {} : { clientState }),
        tenantId: TENANTS.contoso,
        ...extra,
      },
    ],
  };
}

describe('POST /api/notifications (Graph change notifications)', function () {
  this.timeout(120000);
  let env: Awaited<ReturnType<typeof startCalendarWorld>>;
  let world: CalendarWorld;
  before(async () => {
    env = await startCalendarWorld();
    world = await env.fresh();
    const record: SubscriptionRecord = {
      subscriptionId: SUBSCRIPTION,
      clientState: SECRET,
      expirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
      tenantId: TENANTS.contoso,
      requestId: 'FT-NOTIFY01',
      eventId: 'AAMkAGI2TG93AAA=',
      userId: USERS.megan,
      createdAt: new Date().toISOString(),
    };
    await world.documents.put(subscriptionKey(SUBSCRIPTION), record, { absent: true });
  });
  after(() => env.stop());
  beforeEach(() => world.logs.splice(0));

  const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, query = '') =>
    fetch(`${world.notificationUrl}${query}`, { method: 'POST', headers, body });

  /** Everything queued since the last drain (the dispatcher is not running here). */
  async function drain(): Promise<unknown[]> {
    const out: unknown[] = [];
    // The webhook delays its work by a second (settle time): wait it out, then empty the queue.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    for (;;) {
      const items = await world.queue.receive(32, 30);
      if (items.length === 0) return out;
      for (const item of items) {
        out.push(item.body);
        await world.queue.complete(item);
      }
    }
  }

  it('echoes the validation token in text/plain, exactly as sent, without reading a body', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 1c2f <&> "x"';
    const response = await post('', { 'content-type': 'text/plain' }, `?validationToken=${encodeURIComponent(token)}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await response.text(), token);
  });

  it('refuses an empty or overlong validation token', async () => {
    assert.equal((await post('', { 'content-type': 'text/plain' }, '?validationToken=')).status, 400);
    assert.equal((await post('', { 'content-type': 'text/plain' }, `?validationToken=${'a'.repeat(5000)}`)).status, 400);
  });

  it('queues a notification with the right clientState, and answers 202', async () => {
    await drain();
    const response = await post(JSON.stringify(notification(SECRET)));
    assert.equal(response.status, 202);
    assert.deepEqual(await drain(), [{ type: 'calendarChange', subscriptionId: SUBSCRIPTION, what: 'updated', eventId: 'AAMkAGI2TG93AAA=' }]);
  });

  it('acts on no notification whose clientState is wrong, missing or of an unknown subscription, and logs each without the secret', async () => {
    await drain();
    const wrong = 'an-attacker-guess-0123456789abcdef';
    for (const body of [notification(wrong), notification(undefined), notification(SECRET, { subscriptionId: '00000000-0000-0000-0000-000000000000' })]) {
      assert.equal((await post(JSON.stringify(body))).status, 202);
    }
    assert.deepEqual(await drain(), [], 'nothing queued');
    const dropped = world.logs.filter((l) => l.msg === 'change notification dropped');
    assert.deepEqual(dropped.map((l) => l.reason), ['clientStateMismatch', 'clientStateMismatch', 'unknownSubscription']);
    const logged = JSON.stringify(world.logs);
    assert.ok(!logged.includes(wrong) && !logged.includes(SECRET), 'no clientState in the logs');
  });

  it('refuses malformed, mistyped, compressed and oversized bodies with a 4xx, and keeps answering', async () => {
    const cases: [string, Promise<Response>, number][] = [
      ['not JSON', post('{"value": ['), 400],
      ['no value', post(JSON.stringify({ items: [] })), 400],
      ['an empty batch', post(JSON.stringify({ value: [] })), 400],
      ['a notification without a subscription', post(JSON.stringify({ value: [{ changeType: 'updated' }] })), 400],
      ['an unknown change type', post(JSON.stringify(notification(SECRET, { changeType: 'exploded' }))), 400],
      ['not JSON by its type', post(JSON.stringify(notification(SECRET)), { 'content-type': 'text/html' }), 415],
      ['gzip', post(Buffer.from([0x1f, 0x8b, 0x08, 0x00]), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 415],
      ['2 MB', post(JSON.stringify({ value: [{ subscriptionId: SUBSCRIPTION, padding: 'x'.repeat(2 * 1024 * 1024) }] })), 413],
    ];
    for (const [what, response, status] of cases) assert.equal((await response.catch(() => undefined))?.status, status, what);
    const alive = await post('', { 'content-type': 'text/plain' }, '?validationToken=still-here');
    assert.equal(await alive.text(), 'still-here');
    assert.deepEqual(await drain(), [], 'nothing queued');
  });

  it('answers a burst of 1,000 notifications each with a 2xx within 3 s', async () => {
    const body = JSON.stringify(notification(SECRET));
    const timings: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    // Eight senders at a time, as Graph spreads a burst over connections; each request is timed alone.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 1000) {
          next++;
          const started = performance.now();
          const response = await post(body);
          await response.arrayBuffer();
          timings.push(performance.now() - started);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );
    assert.deepEqual([...statuses], [[202, 1000]]);
    const slowest = Math.max(...timings);
    assert.ok(slowest < 3000, `the slowest answer took ${Math.round(slowest)} ms`);
    const queued = await drain();
    assert.equal(queued.length, 1000, 'every notification is queued');
  });
});
