import assert from 'node:assert/strict';
import { createCredentialFactory } from '../../bot/graph/credentials';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { GraphError } from '../../bot/graph/tenantDirectory';
import { TENANTS, USERS } from '../../bot/localTenant/ids';
import { LocalTenantServer } from '../../bot/localTenant/localTenantServer';

describe('Graph gateway against the local tenant over HTTP', () => {
  const tenant = new LocalTenantServer();
  let directory: GraphTenantDirectory;

  before(async () => {
    await tenant.start(0);
    directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: createCredentialFactory({ kind: 'local' }), timeoutMs: 5000 });
  });
  after(() => tenant.stop());
  beforeEach(() => {
    tenant.clearFaults();
    tenant.clearRequests();
  });

  it('reads Contoso\'s organization, verified domains and subscribed SKUs in one round trip', async () => {
    const profile = await directory.getTenantProfile(TENANTS.contoso);
    assert.match(profile.displayName, /Contoso/);
    assert.deepEqual(profile.verifiedDomains.map((d) => d.name).sort(), ['contoso.cn', 'contoso.com', 'contoso.onmicrosoft.com']);
    assert.equal(profile.verifiedDomains.find((d) => d.name === 'contoso.com')?.authenticationType, 'Federated');
    assert.equal(profile.onPremisesSyncEnabled, true);
    assert.ok(profile.skus.some((s) => s.skuPartNumber === 'SPE_E3' && s.enabledUnits > 0));
    assert.equal(tenant.roundTrips({ tenantId: TENANTS.contoso }), 1);
    assert.deepEqual(tenant.requests.filter((r) => r.viaBatch).map((r) => r.path.split('?')[0]).sort(), ['/domains', '/organization', '/subscribedSkus']);
  });

  it('reads a user with the mailbox time zone', async () => {
    const user = await directory.getUserProfile(TENANTS.contoso, USERS.liwei);
    assert.equal(user.mail, 'liwei@contoso.com');
    assert.equal(user.preferredLanguage, 'zh-CN');
    assert.equal(user.timeZone, 'China Standard Time');
  });

  it('rides out a 429 with Retry-After on the batch request', async () => {
    tenant.injectFault({ path: '/$batch', status: 429, retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const profile = await directory.getTenantProfile(TENANTS.contoso);
    assert.match(profile.displayName, /Contoso/);
    assert.ok(Date.now() - started >= 900, 'the client waited as Retry-After asked');
    assert.equal(tenant.roundTrips({ tenantId: TENANTS.contoso }), 2);
  });

  it('retries only the throttled requests inside a batch', async () => {
    tenant.injectFault({ path: '/subscribedSkus', status: 429, retryAfterSeconds: 1, times: 1 });
    const profile = await directory.getTenantProfile(TENANTS.contoso);
    assert.ok(profile.skus.length > 0);
    const inner = tenant.requests.filter((r) => r.viaBatch).map((r) => r.path.split('?')[0]);
    assert.equal(inner.filter((p) => p === '/subscribedSkus').length, 2);
    assert.equal(inner.filter((p) => p === '/organization').length, 1);
  });

  it('turns an unknown tenant into a typed 404', async () => {
    const error = await directory.getTenantProfile('99999999-0000-4000-8000-000000000000').then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GraphError);
    assert.equal(error.status, 404);
    assert.equal(error.transient, false);
  });

  it('turns a persistent outage into a transient typed error', async () => {
    tenant.injectFault({ path: '/$batch', status: 503, times: Infinity });
    const quick = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 20000 });
    await assert.rejects(quick.getTenantProfile(TENANTS.contoso), (e: unknown) => e instanceof GraphError && e.status === 503 && e.transient);
  });

  it('gives up on a call that takes longer than its timeout', async () => {
    tenant.injectFault({ path: '/$batch', latencyMs: 1500, times: 1 });
    const impatient = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 300 });
    await assert.rejects(impatient.getTenantProfile(TENANTS.contoso), (e: unknown) => e instanceof GraphError && e.code === 'Timeout');
  });

  it('refuses a tenant id that is not a GUID before sending anything', async () => {
    await assert.rejects(directory.getTenantProfile('../admin'), (e: unknown) => e instanceof GraphError && e.status === 400);
    assert.equal(tenant.requests.length, 0);
  });

  it('reports the Graph host reachable, and an unreachable one not', async () => {
    assert.equal(await directory.ping(), true);
    const nowhere = new GraphTenantDirectory({ baseUrl: 'http://127.0.0.1:9/tenants/{tenantId}', credentials: () => undefined });
    assert.equal(await nowhere.ping(), false);
  });
});
