import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SubscribedSku } from '../../bot/domain/tenant';
import { createCredentialFactory } from '../../bot/graph/credentials';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { GraphError } from '../../bot/graph/tenantDirectory';
import { ROLE_TEMPLATES, TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { defaultSeed } from '../../local/tenant/seed';
import { failure } from '../helpers/graph';

const TEAMS_ADMINISTRATOR = '69091246-20e8-4a56-aa4d-066075b2a7a8';

/** Paid, enabled seats as the eligibility rules see them: enabled units of active, non-trial SKUs. */
function paidEnabledSeats(skus: readonly SubscribedSku[]): number {
  return skus.filter((s) => s.capabilityStatus === 'Enabled' && !s.isTrial).reduce((n, s) => n + s.enabledUnits, 0);
}


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

  it('reads Contoso\'s organization, verified domains, subscribed SKUs and subscriptions in one round trip', async () => {
    const profile = await directory.getTenantProfile(TENANTS.contoso);
    assert.match(profile.displayName, /Contoso/);
    assert.deepEqual(profile.verifiedDomains.map((d) => d.name).sort(), ['contoso.cn', 'contoso.com', 'contoso.onmicrosoft.com']);
    assert.equal(profile.verifiedDomains.find((d) => d.name === 'contoso.com')?.authenticationType, 'Federated');
    assert.equal(profile.onPremisesSyncEnabled, true);
    assert.ok(profile.skus.some((s) => s.skuPartNumber === 'SPE_E3' && s.enabledUnits > 0));
    assert.equal(tenant.roundTrips({ tenantId: TENANTS.contoso }), 1);
    assert.deepEqual(
      tenant.requests.filter((r) => r.viaBatch).map((r) => r.path.split('?')[0]).sort(),
      ['/directory/subscriptions', '/domains', '/organization', '/subscribedSkus'],
    );
  });

  it('fills suspended and warning units and the trial flag of every SKU', async () => {
    const contoso = await directory.getTenantProfile(TENANTS.contoso);
    const e3 = contoso.skus.find((s) => s.skuPartNumber === 'SPE_E3')!;
    assert.deepEqual([e3.enabledUnits, e3.warningUnits, e3.suspendedUnits, e3.isTrial], [1500, 0, 0, false]);
    assert.ok(e3.servicePlans.includes('EXCHANGE_S_ENTERPRISE') && e3.servicePlans.includes('INTUNE_A'));
    const cancelled = contoso.skus.find((s) => s.skuPartNumber === 'ENTERPRISEPACK')!;
    assert.deepEqual([cancelled.capabilityStatus, cancelled.enabledUnits, cancelled.suspendedUnits], ['Suspended', 0, 100]);
    // Free SKUs are not trials either: their part numbers, not isTrial, keep them out of the paid seats.
    assert.ok(contoso.skus.every((s) => !s.isTrial));

    const northwind = await directory.getTenantProfile(TENANTS.northwind);
    assert.equal(northwind.skus.find((s) => s.skuPartNumber === 'DEVELOPERPACK_E5')?.isTrial, true);
    assert.equal(northwind.skus.find((s) => s.skuPartNumber === 'O365_BUSINESS_PREMIUM')?.isTrial, false);
  });

  it('reads Tailspin Toys as exactly 150 paid seats, telling the E5 trial by its subscription, not its part number', async () => {
    const profile = await directory.getTenantProfile(TENANTS.tailspin);
    assert.equal(profile.displayName, 'Tailspin Toys');
    assert.equal(profile.countryLetterCode, 'GB');
    assert.equal(profile.onPremisesSyncEnabled, false);
    assert.deepEqual(
      profile.verifiedDomains.map((d) => [d.name, d.isDefault, d.isInitial, d.authenticationType]),
      [
        ['tailspintoys.onmicrosoft.com', false, true, 'Managed'],
        ['tailspintoys.com', true, false, 'Managed'],
      ],
    );
    const sku = (part: string): SubscribedSku => profile.skus.find((s) => s.skuPartNumber === part)!;
    assert.deepEqual(
      profile.skus.map((s) => [s.skuPartNumber, s.capabilityStatus, s.enabledUnits, s.warningUnits, s.suspendedUnits, s.isTrial]),
      [
        ['SPB', 'Enabled', 100, 0, 0, false],
        ['STANDARDPACK', 'Enabled', 50, 0, 0, false],
        ['SPE_E5', 'Enabled', 25, 0, 0, true],
        ['ENTERPRISEPACK', 'Suspended', 0, 0, 30, false],
        ['O365_BUSINESS_PREMIUM', 'Warning', 0, 20, 0, false],
      ],
    );
    assert.equal(paidEnabledSeats(profile.skus), 150);
    assert.ok(sku('SPB').servicePlans.includes('INTUNE_A'));
    assert.ok(!sku('STANDARDPACK').servicePlans.includes('INTUNE_A'));
  });

  it('tells trials by part number when directory/subscriptions is forbidden inside the batch, still in one round trip', async () => {
    tenant.injectFault({ path: '/directory/subscriptions', status: 403, insideBatch: true, times: 2 });
    const northwind = await directory.getTenantProfile(TENANTS.northwind);
    assert.equal(northwind.skus.find((s) => s.skuPartNumber === 'DEVELOPERPACK_E5')?.isTrial, true);
    assert.equal(northwind.skus.find((s) => s.skuPartNumber === 'O365_BUSINESS_PREMIUM')?.isTrial, false);
    assert.equal(tenant.roundTrips({ tenantId: TENANTS.northwind }), 1);
    // Without the subscriptions, a trial under a paid part number cannot be seen: the documented cost of degrading.
    const tailspin = await directory.getTenantProfile(TENANTS.tailspin);
    assert.equal(tailspin.skus.find((s) => s.skuPartNumber === 'SPE_E5')?.isTrial, false);
    assert.equal(tailspin.skus.find((s) => s.skuPartNumber === 'ENTERPRISEPACK')?.suspendedUnits, 30);
  });

  it('fails the profile on any other failure of directory/subscriptions', async () => {
    tenant.injectFault({ path: '/directory/subscriptions', status: 500, insideBatch: true });
    const error = await failure(directory.getTenantProfile(TENANTS.contoso));
    assert.equal(error.status, 500);
    assert.equal(error.code, 'InternalServerError');
  });

  it('retries a throttled directory/subscriptions inside the batch', async () => {
    tenant.injectFault({ path: '/directory/subscriptions', status: 429, retryAfterSeconds: 0, insideBatch: true });
    const profile = await directory.getTenantProfile(TENANTS.northwind);
    assert.equal(profile.skus.find((s) => s.skuPartNumber === 'DEVELOPERPACK_E5')?.isTrial, true);
    const inner = tenant.requests.filter((r) => r.viaBatch).map((r) => r.path.split('?')[0]);
    assert.equal(inner.filter((p) => p === '/directory/subscriptions').length, 2);
    assert.equal(inner.filter((p) => p === '/subscribedSkus').length, 1);
  });

  it('reads a user with the mailbox time zone', async () => {
    const user = await directory.getUserProfile(TENANTS.contoso, USERS.liwei);
    assert.equal(user.mail, 'liwei@contoso.com');
    assert.equal(user.preferredLanguage, 'zh-CN');
    assert.equal(user.timeZone, 'China Standard Time');
  });

  describe('directory roles', () => {
    it('reads the role template ids a user holds: Global Administrator for Megan, Exchange only for Alex, none for Adele', async () => {
      assert.deepEqual(await directory.getDirectoryRoleTemplateIds(TENANTS.contoso, USERS.megan), [ROLE_TEMPLATES.globalAdministrator]);
      assert.deepEqual(await directory.getDirectoryRoleTemplateIds(TENANTS.contoso, USERS.alex), [ROLE_TEMPLATES.exchangeAdministrator]);
      assert.deepEqual(await directory.getDirectoryRoleTemplateIds(TENANTS.contoso, USERS.adele), []);
      assert.deepEqual(await directory.getDirectoryRoleTemplateIds(TENANTS.tailspin, USERS.kim), [ROLE_TEMPLATES.globalAdministrator]);
      assert.deepEqual(
        tenant.requests.map((r) => [r.method, r.path, r.viaBatch]).slice(0, 1),
        [['GET', `/users/${USERS.megan}/transitiveMemberOf/microsoft.graph.directoryRole?$select=roleTemplateId,displayName`, false]],
      );
    });

    it('turns an unknown user into a typed 404', async () => {
      const error = await failure(directory.getDirectoryRoleTemplateIds(TENANTS.contoso, 'nobody@contoso.com'));
      assert.equal(error.status, 404);
      assert.equal(error.code, 'Request_ResourceNotFound');
    });

    it('lists Contoso\'s Global Administrators with their mail', async () => {
      const admins = await directory.getRoleMembers(TENANTS.contoso, ROLE_TEMPLATES.globalAdministrator);
      assert.deepEqual(admins, [
        { id: USERS.megan, displayName: 'Megan Bowen', mail: 'megan@contoso.com' },
        { id: USERS.liwei, displayName: '李伟', mail: 'liwei@contoso.com' },
      ]);
      assert.deepEqual(
        tenant.requests.map((r) => r.path),
        [`/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.globalAdministrator}')/members?$select=id,displayName,mail`],
      );
    });

    it('keeps only people among a role\'s members: the app holding Exchange Administrator is left out', async () => {
      assert.deepEqual(await directory.getRoleMembers(TENANTS.contoso, ROLE_TEMPLATES.exchangeAdministrator), [
        { id: USERS.alex, displayName: 'Alex Wilber', mail: 'alex@contoso.com' },
      ]);
    });

    it('answers an empty list for a role that is not activated in the tenant (Graph: 404)', async () => {
      assert.deepEqual(await directory.getRoleMembers(TENANTS.contoso, TEAMS_ADMINISTRATOR), []);
      assert.deepEqual(await directory.getRoleMembers(TENANTS.northwind, ROLE_TEMPLATES.exchangeAdministrator), []);
    });

    it('refuses a role template id that is not a GUID before sending anything', async () => {
      const error = await failure(directory.getRoleMembers(TENANTS.contoso, "x')/members?$select=id&a=('"));
      assert.equal(error.status, 400);
      assert.equal(tenant.requests.length, 0);
    });

    it('turns other failures of the role calls into typed errors', async () => {
      tenant.injectFault({ path: /^\/directoryRoles/, status: 403 });
      const forbidden = await failure(directory.getRoleMembers(TENANTS.contoso, ROLE_TEMPLATES.globalAdministrator));
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.code, 'Authorization_RequestDenied');
      assert.equal(forbidden.transient, false);

      const unknownTenant = await failure(directory.getRoleMembers('99999999-0000-4000-8000-000000000000', ROLE_TEMPLATES.globalAdministrator));
      assert.equal(unknownTenant.status, 404, 'a 404 about the tenant is not an empty role');
    });

    it('rides out a throttled role call, retrying it after the Retry-After', async () => {
      tenant.injectFault({ path: /transitiveMemberOf/, status: 429, retryAfterSeconds: 1 });
      assert.deepEqual(await directory.getDirectoryRoleTemplateIds(TENANTS.contoso, USERS.liwei), [ROLE_TEMPLATES.globalAdministrator]);
      assert.equal(tenant.roundTrips(), 2);
    });
  });

  describe('paging through @odata.nextLink', () => {
    const seed = defaultSeed();
    const contoso = seed.tenants[TENANTS.contoso]!;
    const many = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
    contoso.users.find((u) => u.id === USERS.megan)!.directoryRoleTemplateIds = [ROLE_TEMPLATES.globalAdministrator, ROLE_TEMPLATES.exchangeAdministrator, TEAMS_ADMINISTRATOR];
    contoso.users.find((u) => u.id === USERS.adele)!.directoryRoleTemplateIds = many;
    const paged = new LocalTenantServer({ seed, pageSize: 1 });
    let pagedDirectory: GraphTenantDirectory;

    before(async () => {
      await paged.start(0);
      pagedDirectory = new GraphTenantDirectory({ baseUrl: paged.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000 });
    });
    after(() => paged.stop());
    beforeEach(() => paged.clearRequests());

    it('follows next links for a user\'s roles and a role\'s members', async () => {
      assert.deepEqual(await pagedDirectory.getDirectoryRoleTemplateIds(TENANTS.contoso, USERS.megan), [
        ROLE_TEMPLATES.globalAdministrator,
        ROLE_TEMPLATES.exchangeAdministrator,
        TEAMS_ADMINISTRATOR,
      ]);
      assert.equal(paged.roundTrips(), 3);
      assert.match(paged.requests[1]!.path, /\$select=roleTemplateId,displayName&\$skiptoken=/);

      const admins = await pagedDirectory.getRoleMembers(TENANTS.contoso, ROLE_TEMPLATES.globalAdministrator);
      assert.deepEqual(admins.map((a) => a.mail), ['megan@contoso.com', 'liwei@contoso.com']);
      // Exchange Administrators: Megan, Alex, then the app on a page of its own.
      const exchange = await pagedDirectory.getRoleMembers(TENANTS.contoso, ROLE_TEMPLATES.exchangeAdministrator);
      assert.deepEqual(exchange.map((a) => a.id), [USERS.megan, USERS.alex]);
    });

    it('stops after ten pages with a typed error rather than following links forever', async () => {
      const error = await failure(pagedDirectory.getDirectoryRoleTemplateIds(TENANTS.contoso, USERS.adele));
      assert.equal(error.code, 'TooManyPages');
      assert.equal(paged.roundTrips(), 10);
    });
  });

  it('refuses to follow a next link that leaves the Graph endpoint', async () => {
    const rogue = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ value: [{ roleTemplateId: ROLE_TEMPLATES.globalAdministrator }], '@odata.nextLink': 'http://attacker.invalid/v1.0/users?$skiptoken=x' }));
    });
    await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = rogue.address() as AddressInfo;
      const misled = new GraphTenantDirectory({ baseUrl: `http://127.0.0.1:${port}/tenants/{tenantId}`, credentials: () => undefined, timeoutMs: 5000 });
      const error = await failure(misled.getDirectoryRoleTemplateIds(TENANTS.contoso, USERS.megan));
      assert.equal(error.code, 'UnexpectedNextLink');
    } finally {
      await new Promise<void>((resolve) => rogue.close(() => resolve()));
    }
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
