import assert from 'node:assert/strict';
import { TENANTS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { GENERATED_CUSTOMERS, PARTNER_TENANTS, generatedCustomerTenantId } from '../../local/tenant/partners';

type Json = Record<string, unknown> & { value?: Json[]; '@odata.nextLink'?: string; error?: { code: string; message: string } };

describe('the local tenant\'s partner world: Fabrikam\'s GDAP customers, relationships and consent', () => {
  const server = new LocalTenantServer();
  let root: string;
  before(async () => {
    root = await server.start(0);
  });
  after(() => server.stop());
  beforeEach(() => server.reset());

  const get = async (tenantId: string, path: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${root}/tenants/${tenantId}/v1.0${path}`);
    return { status: res.status, body: (await res.json()) as Json };
  };
  const control = (method: string, path: string) => fetch(`${root}/_local/${path}`, { method });

  it('pages Fabrikam\'s customers with @odata.nextLink, every customer once, in Graph\'s shape', async () => {
    const first = await get(TENANTS.fabrikam, '/tenantRelationships/delegatedAdminCustomers');
    const second = await fetch(first.body['@odata.nextLink']!).then((r) => r.json() as Promise<Json>);
    const all = [...first.body.value!, ...second.value!];
    assert.equal(all.length, 3 + GENERATED_CUSTOMERS);
    assert.equal(second['@odata.nextLink'], undefined);
    assert.equal(new Set(all.map((c) => c.tenantId)).size, all.length);
    assert.deepEqual(Object.keys(all[0]!).filter((k) => !k.startsWith('@')).sort(), ['displayName', 'id', 'tenantId']);
    assert.ok(all.some((c) => c.tenantId === generatedCustomerTenantId(120) && c.displayName === 'Customer 120'));
  });

  it('serves the relationships with status, end date and roles, filtered by customer, and Customer 007\'s as expired', async () => {
    const contoso = await get(TENANTS.fabrikam, `/tenantRelationships/delegatedAdminRelationships?$filter=customer/tenantId eq '${TENANTS.contoso}'`);
    assert.equal(contoso.status, 200);
    assert.equal(contoso.body.value!.length, 1);
    const r = contoso.body.value![0] as { status: string; endDateTime: string; accessDetails: { unifiedRoles: { roleDefinitionId: string }[] } };
    assert.equal(r.status, 'active');
    assert.ok(Date.parse(r.endDateTime) > Date.now());
    assert.equal(r.accessDetails.unifiedRoles[0]?.roleDefinitionId, '62e90394-69f5-4237-9190-012177145e10');
    const seven = await get(TENANTS.fabrikam, `/tenantRelationships/delegatedAdminRelationships?$filter=customer/tenantId eq '${generatedCustomerTenantId(7)}'`);
    assert.equal((seven.body.value![0] as { status: string }).status, 'expired');
    const unsupported = await get(TENANTS.fabrikam, "/tenantRelationships/delegatedAdminRelationships?$filter=status eq 'active'");
    assert.equal(unsupported.status, 400);
  });

  it('ends a relationship through /_local: expired keeps the customer listed, terminated removes it', async () => {
    assert.equal((await control('POST', `relationships/end?partnerTenantId=${TENANTS.fabrikam}&customerTenantId=${TENANTS.northwind}&how=expired`)).status, 204);
    const expired = await get(TENANTS.fabrikam, `/tenantRelationships/delegatedAdminRelationships?$filter=customer/tenantId eq '${TENANTS.northwind}'`);
    assert.equal((expired.body.value![0] as { status: string }).status, 'expired');
    assert.equal((await control('POST', `relationships/end?partnerTenantId=${TENANTS.fabrikam}&customerTenantId=${TENANTS.contoso}&how=terminated`)).status, 204);
    const customers = await get(TENANTS.fabrikam, '/tenantRelationships/delegatedAdminCustomers');
    assert.ok(!customers.body.value!.some((c) => c.tenantId === TENANTS.contoso));
    assert.ok(customers.body.value!.some((c) => c.tenantId === TENANTS.northwind));
  });

  it('answers every call for Adatum with 401 until consent is granted, by /_local/consent or the local admin-consent link', async () => {
    const refused = await get(PARTNER_TENANTS.adatum, '/organization');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error?.code, 'Authorization_IdentityNotFound');
    assert.match(refused.body.error?.message ?? '', /AADSTS7000229/);
    assert.equal((await control('GET', `login/${PARTNER_TENANTS.adatum}/v2.0/adminconsent?client_id=00000000-0000-0000-0000-000000000000`)).status, 200);
    assert.equal((await get(PARTNER_TENANTS.adatum, '/organization')).status, 200);
    assert.equal((await control('DELETE', `consent?tenantId=${PARTNER_TENANTS.adatum}`)).status, 204);
    assert.equal((await get(PARTNER_TENANTS.adatum, '/organization')).status, 401);
    assert.equal((await control('POST', `consent?tenantId=${PARTNER_TENANTS.adatum}`)).status, 204);
    assert.equal((await get(PARTNER_TENANTS.adatum, '/organization')).status, 200);
  });

  it('finds a tenant by one of its verified domains', async () => {
    const found = await get(TENANTS.fabrikam, "/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')");
    assert.equal(found.status, 200);
    assert.equal(found.body.tenantId, TENANTS.contoso);
    assert.equal((await get(TENANTS.fabrikam, "/tenantRelationships/findTenantInformationByDomainName(domainName='nowhere.example')")).status, 404);
  });
});
