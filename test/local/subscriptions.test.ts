import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';

/** A notification endpoint that answers the handshake as told, and keeps what it was sent. */
async function endpoint(answer: (token: string) => { status: number; body: string }) {
  const received: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
      if (token !== null) {
        const a = answer(token);
        res.writeHead(a.status, { 'content-type': 'text/plain' });
        res.end(a.body);
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/notifications`, received, stop: () => new Promise((r) => server.close(r)) };
}

describe('the local tenant’s /subscriptions', function () {
  this.timeout(30000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());
  const graph = (path: string, init: RequestInit = {}) =>
    fetch(`${tenant.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0${path}`, { ...init, headers: { 'content-type': 'application/json' } });

  async function anEvent(): Promise<string> {
    const created = await graph(`/users/${USERS.megan}/events`, {
      method: 'POST',
      body: JSON.stringify({ subject: 'Sync', start: { dateTime: '2030-01-07T17:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-07T18:00:00', timeZone: 'UTC' } }),
    });
    assert.equal(created.status, 201);
    return ((await created.json()) as { id: string }).id;
  }

  const subscription = (eventId: string, url: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ changeType: 'updated,deleted', notificationUrl: url, lifecycleNotificationUrl: url, resource: `users/${USERS.megan}/events/${eventId}`, expirationDateTime: new Date(Date.now() + 86_400_000).toISOString(), clientState: 'secret-state', ...extra });

  it('creates a subscription only after its notification URL echoes the validation token', async () => {
    const good = await endpoint((token) => ({ status: 200, body: token }));
    const bad = await endpoint(() => ({ status: 200, body: 'not the token' }));
    try {
      const eventId = await anEvent();
      const refused = await graph('/subscriptions', { method: 'POST', body: subscription(eventId, bad.url) });
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'ValidationError');
      assert.deepEqual(tenant.listSubscriptions(), []);
      const created = await graph('/subscriptions', { method: 'POST', body: subscription(eventId, good.url) });
      assert.equal(created.status, 201);
      assert.equal(tenant.listSubscriptions().length, 1);
    } finally {
      await Promise.all([good.stop(), bad.stop()]);
    }
  });

  it('refuses an expiry beyond Graph’s 10,080 minutes for Outlook events', async () => {
    const good = await endpoint((token) => ({ status: 200, body: token }));
    try {
      const eventId = await anEvent();
      const response = await graph('/subscriptions', { method: 'POST', body: subscription(eventId, good.url, { expirationDateTime: new Date(Date.now() + 8 * 86_400_000).toISOString() }) });
      assert.equal(response.status, 400);
    } finally {
      await good.stop();
    }
  });

  it('posts a change notification with the clientState when the event is changed or deleted through Graph, and none after the subscription is deleted', async () => {
    const good = await endpoint((token) => ({ status: 200, body: token }));
    try {
      const eventId = await anEvent();
      const { id } = (await (await graph('/subscriptions', { method: 'POST', body: subscription(eventId, good.url) })).json()) as { id: string };
      const patched = await graph(`/users/${USERS.megan}/events/${eventId}`, { method: 'PATCH', body: JSON.stringify({ subject: 'Sync (moved)' }) });
      assert.equal(patched.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tenant.notificationsSettled();
      assert.deepEqual(good.received, [
        { value: [{ subscriptionId: id, subscriptionExpirationDateTime: tenant.listSubscriptions()[0]!.expirationDateTime, changeType: 'updated', resource: `Users/${USERS.megan}/Events/${eventId}`, resourceData: (good.received[0] as { value: { resourceData: unknown }[] }).value[0]!.resourceData, clientState: 'secret-state', tenantId: TENANTS.contoso }] },
      ]);
      assert.equal((good.received[0] as { value: { resourceData: { id: string } }[] }).value[0]!.resourceData.id, eventId);
      assert.equal((await graph(`/subscriptions/${id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await graph(`/users/${USERS.megan}/events/${eventId}`, { method: 'DELETE' })).status, 204);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tenant.notificationsSettled();
      assert.equal(good.received.length, 1);
    } finally {
      await good.stop();
    }
  });
});
