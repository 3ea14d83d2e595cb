import assert from 'node:assert/strict';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { CUSTOMER_PAGE_SIZE, GraphError } from '../../bot/graph/tenantDirectory';
import { toGraphError } from '../../bot/graph/transport';
import { TENANTS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { GENERATED_CUSTOMERS, PARTNER_TENANTS, generatedCustomerTenantId } from '../../local/tenant/partners';

describe('the Graph gateway for partners, against the local tenant over HTTP', function () {
  this.timeout(30000);
  const tenant = new LocalTenantServer();
  let directory: GraphTenantDirectory;
  before(async () => {
    await tenant.start(0);
    directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000 });
  });
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  it('lists every customer of Fabrikam across Graph\'s pages, sorted by name, a card page at a time', async () => {
    const first = await directory.listCustomers(TENANTS.fabrikam);
    assert.equal(first.total, 3 + GENERATED_CUSTOMERS);
    assert.equal(first.pageCount, Math.ceil((3 + GENERATED_CUSTOMERS) / CUSTOMER_PAGE_SIZE));
    assert.deepEqual(first.customers.map((c) => c.displayName).slice(0, 3), ['Adatum Corporation', 'Contoso', 'Customer 001']);
    assert.equal(first.customers.length, CUSTOMER_PAGE_SIZE);
    const pages = tenant.requests.filter((r) => r.path.startsWith('/tenantRelationships/delegatedAdminCustomers'));
    assert.equal(pages.length, 2, 'Graph pages by 100: two pages read through @odata.nextLink');
    const last = await directory.listCustomers(TENANTS.fabrikam, { page: 999 });
    assert.equal(last.page, first.pageCount - 1, 'a page past the end is the last page');
    assert.deepEqual(last.customers.map((c) => c.displayName).at(-1), 'Northwind Traders');
  });

  it('searches by part of the name in any case, and by a verified domain of the customer', async () => {
    const byName = await directory.listCustomers(TENANTS.fabrikam, { search: 'north' });
    assert.deepEqual(byName.customers, [{ tenantId: TENANTS.northwind, displayName: 'Northwind Traders' }]);
    const byDomain = await directory.listCustomers(TENANTS.fabrikam, { search: 'contoso.com' });
    assert.deepEqual(byDomain.customers.map((c) => c.tenantId), [TENANTS.contoso]);
    const many = await directory.listCustomers(TENANTS.fabrikam, { search: 'customer 1', page: 1 });
    assert.equal(many.total, 21, 'Customer 100 to Customer 120: every name containing "customer 1"');
    assert.equal(many.page, 1);
  });

  it('finds nothing for a name or a domain that is no customer\'s', async () => {
    assert.deepEqual((await directory.listCustomers(TENANTS.fabrikam, { search: 'Wide World Importers' })).customers, []);
    const domain = await directory.listCustomers(TENANTS.fabrikam, { search: 'tailspintoys.com' });
    assert.equal(domain.total, 0, 'Tailspin exists, but is not a Fabrikam customer');
    assert.equal((await directory.listCustomers(TENANTS.contoso)).total, 0, 'Contoso is no partner');
  });

  it('tells an active relationship with its roles, an expired one, an ended one and none', async () => {
    const contoso = await directory.customerRelationship(TENANTS.fabrikam, TENANTS.contoso);
    assert.equal(contoso.status, 'active');
    assert.deepEqual(contoso.roleTemplateIds, ['62e90394-69f5-4237-9190-012177145e10']);
    assert.equal((await directory.customerRelationship(TENANTS.fabrikam, generatedCustomerTenantId(7))).status, 'expired');
    assert.equal((await directory.customerRelationship(TENANTS.fabrikam, TENANTS.tailspin)).status, 'none');
    tenant.endRelationship(TENANTS.fabrikam, TENANTS.northwind, 'terminated');
    assert.equal((await directory.customerRelationship(TENANTS.fabrikam, TENANTS.northwind)).status, 'ended');
    tenant.endRelationship(TENANTS.fabrikam, TENANTS.contoso, 'expired');
    assert.equal((await directory.customerRelationship(TENANTS.fabrikam, TENANTS.contoso)).status, 'expired');
    await assert.rejects(directory.customerRelationship(TENANTS.fabrikam, "x' or 1 eq 1"), (e: unknown) => e instanceof GraphError && e.code === 'InvalidTenantId');
  });

  it('fails with the typed ConsentRequired for a customer without consent, in the tenant check\'s batch and in a single call', async () => {
    await assert.rejects(directory.getTenantProfile(PARTNER_TENANTS.adatum), (e: unknown) => e instanceof GraphError && e.code === 'ConsentRequired' && e.status === 401 && !e.transient);
    await assert.rejects(directory.getRoleMembers(PARTNER_TENANTS.adatum, '62e90394-69f5-4237-9190-012177145e10'), (e: unknown) => e instanceof GraphError && e.code === 'ConsentRequired');
    assert.equal(tenant.requests.filter((r) => r.tenantId === PARTNER_TENANTS.adatum && !r.viaBatch).length, 2, 'not retried');
    tenant.setConsent(PARTNER_TENANTS.adatum, true);
    assert.equal((await directory.getTenantProfile(PARTNER_TENANTS.adatum)).displayName, 'Adatum Corporation');
  });

  it('maps production\'s refused token requests (AADSTS650051, AADSTS7000229) to the same ConsentRequired', () => {
    for (const message of [
      'AADSTS650051: The application needs access to a service that your organization has not subscribed to or enabled.',
      'ClientSecretCredential authentication failed: AADSTS7000229: The client application 1234 is missing service principal in the tenant 5678.',
    ]) {
      const error = Object.assign(new Error(message), { name: 'AuthenticationError' });
      assert.equal(toGraphError(error).code, 'ConsentRequired');
    }
    assert.equal(toGraphError(new TypeError('fetch failed')).code, 'NetworkError');
  });
});
