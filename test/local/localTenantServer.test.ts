import assert from 'node:assert/strict';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { directoryRoleObjectId } from '../../local/tenant/graphRoutes';
import { ROLE_TEMPLATES, SERVICE_PRINCIPALS, TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { PARTNER_TENANTS } from '../../local/tenant/partners';

interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

interface GraphCollection<T> {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: T[];
}

const TEAMS_ADMINISTRATOR = '69091246-20e8-4a56-aa4d-066075b2a7a8';

interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string } };
}

interface BatchBody {
  responses: Array<{ id: string; status: number; headers: Record<string, string>; body?: unknown }>;
}

describe('LocalTenantServer', () => {
  const server = new LocalTenantServer();
  let root = '';

  before(async () => {
    root = await server.start(0);
  });

  after(async () => {
    await server.stop();
  });

  beforeEach(() => {
    server.clearFaults();
    server.clearRequests();
  });

  /** A Graph call on a tenant, the way the Graph client would send it. */
  async function graph<T = Record<string, unknown>>(tenantId: string, path: string, init: RequestInit = {}): Promise<Answer<T>> {
    const res = await fetch(`${server.baseUrlTemplate().replace('{tenantId}', tenantId)}/v1.0${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  function batch(tenantId: string, requests: unknown[]): Promise<Answer<BatchBody>> {
    return graph<BatchBody>(tenantId, '/$batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ requests }),
    });
  }

  function assertGraphError(answer: Answer<unknown>, status: number, code: string): void {
    assert.equal(answer.status, status);
    const body = answer.body as GraphErrorBody;
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.match(body.error.innerError['request-id'], /^[0-9a-f-]{36}$/);
  }

  describe('Graph endpoints for Contoso', () => {
    it('serves the organization with verified domains, country, language and hybrid identity', async () => {
      const { status, body } = await graph<GraphCollection<MicrosoftGraph.Organization>>(TENANTS.contoso, '/organization');
      assert.equal(status, 200);
      assert.match(body['@odata.context'], /\/v1\.0\/\$metadata#organization$/);
      assert.equal(body.value.length, 1);
      const org = body.value[0]!;
      assert.equal(org.id, TENANTS.contoso);
      assert.equal(org.displayName, 'Contoso');
      assert.equal(org.countryLetterCode, 'US');
      assert.equal(org.preferredLanguage, 'en');
      assert.equal(org.onPremisesSyncEnabled, true);
      assert.equal(org.tenantType, 'AAD');
      assert.deepEqual(
        org.verifiedDomains?.map((d) => [d.name, d.isDefault, d.isInitial, d.type]),
        [
          ['contoso.onmicrosoft.com', false, true, 'Managed'],
          ['contoso.com', true, false, 'Federated'],
          ['contoso.cn', false, false, 'Managed'],
        ],
      );
      assert.equal(org.verifiedDomains?.[0]?.capabilities, 'Email, OfficeCommunicationsOnline');
    });

    it('serves subscribed SKUs with real part numbers, about 2,000 paid enabled seats and a free SKU', async () => {
      const { status, body } = await graph<GraphCollection<MicrosoftGraph.SubscribedSku>>(TENANTS.contoso, '/subscribedSkus');
      assert.equal(status, 200);
      assert.match(body['@odata.context'], /\$metadata#subscribedSkus$/);
      const byPart = new Map(body.value.map((s) => [s.skuPartNumber, s]));
      assert.equal(byPart.get('SPE_E3')?.skuId, '05e9a617-0261-4cee-bb44-138d3ef5d965');
      assert.equal(byPart.get('SPE_E5')?.skuId, '06ebc4ee-1bb5-47dd-8120-11324bc54e06');
      assert.equal(byPart.get('EMS')?.skuId, 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e');
      const paid = ['SPE_E3', 'SPE_E5', 'EMS'].map((p) => byPart.get(p)!);
      assert.ok(paid.every((s) => s.capabilityStatus === 'Enabled' && s.appliesTo === 'User'));
      assert.equal(paid.reduce((n, s) => n + (s.prepaidUnits?.enabled ?? 0), 0), 2000);
      const flow = byPart.get('FLOW_FREE')!;
      assert.equal(flow.skuId, 'f30db892-07e9-47e9-837c-80727f46fd3d');
      assert.equal(flow.prepaidUnits?.enabled, 10000);

      const e3 = byPart.get('SPE_E3')!;
      assert.equal(e3.id, `${TENANTS.contoso}_${e3.skuId}`);
      assert.deepEqual(Object.keys(e3.prepaidUnits!).sort(), ['enabled', 'lockedOut', 'suspended', 'warning']);
      assert.ok((e3.consumedUnits ?? 0) <= (e3.prepaidUnits?.enabled ?? 0));
      const plans = new Map(e3.servicePlans?.map((p) => [p.servicePlanName, p]));
      for (const name of ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM', 'MCOSTANDARD']) {
        assert.ok(plans.has(name), `SPE_E3 carries ${name}`);
      }
      assert.equal(plans.get('EXCHANGE_S_ENTERPRISE')?.servicePlanId, 'efb87545-963c-4e0d-99df-69c6916d9eb0');
      assert.equal(plans.get('TEAMS1')?.provisioningStatus, 'Success');
    });

    it('serves domains with their authentication type and supported services', async () => {
      const { status, body } = await graph<GraphCollection<MicrosoftGraph.Domain>>(TENANTS.contoso, '/domains');
      assert.equal(status, 200);
      assert.match(body['@odata.context'], /\$metadata#domains$/);
      assert.deepEqual(
        body.value.map((d) => [d.id, d.isVerified, d.isDefault, d.isInitial, d.authenticationType]),
        [
          ['contoso.onmicrosoft.com', true, false, true, 'Managed'],
          ['contoso.com', true, true, false, 'Federated'],
          ['contoso.cn', true, false, false, 'Managed'],
        ],
      );
      assert.deepEqual(body.value[1]?.supportedServices, ['Email', 'OfficeCommunicationsOnline']);
    });

    it('finds a user by object id and by user principal name, with the default v1.0 properties', async () => {
      const byId = await graph<MicrosoftGraph.User>(TENANTS.contoso, `/users/${USERS.megan}`);
      const byUpn = await graph<MicrosoftGraph.User>(TENANTS.contoso, `/users/${encodeURIComponent('Megan@Contoso.com')}`);
      assert.equal(byId.status, 200);
      assert.deepEqual(byUpn.body, byId.body);
      const megan = byId.body;
      assert.match(megan['@odata.context' as keyof MicrosoftGraph.User] as string, /\$metadata#users\/\$entity$/);
      assert.equal(megan.id, USERS.megan);
      assert.equal(megan.displayName, 'Megan Bowen');
      assert.equal(megan.givenName, 'Megan');
      assert.equal(megan.surname, 'Bowen');
      assert.equal(megan.mail, 'megan@contoso.com');
      assert.equal(megan.userPrincipalName, 'megan@contoso.com');
      assert.equal(megan.preferredLanguage, 'en-US');
      assert.ok(megan.jobTitle);
      assert.ok((megan.businessPhones ?? []).length > 0);
      assert.ok(megan.mobilePhone);
      // As in Graph, usageLocation is not a default property: it needs $select.
      assert.equal('usageLocation' in megan, false);
    });

    it('returns only the $select-ed user properties, usageLocation included', async () => {
      const { status, body } = await graph(TENANTS.contoso, `/users/${USERS.liwei}?$select=displayName,usageLocation,preferredLanguage`);
      assert.equal(status, 200);
      assert.match(String(body['@odata.context']), /\$metadata#users\(displayName,usageLocation,preferredLanguage\)\/\$entity$/);
      const { ['@odata.context']: _context, ...rest } = body;
      assert.deepEqual(rest, { displayName: '李伟', usageLocation: 'CN', preferredLanguage: 'zh-CN' });
    });

    it('rejects a $select of a property users do not have, as Graph does', async () => {
      assertGraphError(await graph(TENANTS.contoso, `/users/${USERS.megan}?$select=displayName,favouriteColour`), 400, 'BadRequest');
    });

    it('refuses query options it does not implement rather than ignoring them', async () => {
      assertGraphError(await graph(TENANTS.contoso, `/users?$filter=${encodeURIComponent("startswith(displayName,'M')")}`), 400, 'Request_UnsupportedQuery');
    });

    it('serves mailbox settings with a Windows time zone and working hours', async () => {
      const { status, body } = await graph<MicrosoftGraph.MailboxSettings>(TENANTS.contoso, `/users/${USERS.megan}/mailboxSettings`);
      assert.equal(status, 200);
      assert.equal(body.timeZone, 'Pacific Standard Time');
      assert.deepEqual(body.language, { locale: 'en-US', displayName: 'English (United States)' });
      assert.deepEqual(body.workingHours, {
        daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        startTime: '08:00:00.0000000',
        endTime: '17:00:00.0000000',
        timeZone: { name: 'Pacific Standard Time' },
      });
      assert.equal(typeof body.dateFormat, 'string');
      assert.equal(typeof body.timeFormat, 'string');

      const liwei = await graph<MicrosoftGraph.MailboxSettings>(TENANTS.contoso, `/users/${USERS.liwei}/mailboxSettings`);
      assert.equal(liwei.body.timeZone, 'China Standard Time');
      assert.equal(liwei.body.workingHours?.startTime, '09:00:00.0000000');
      assert.equal(liwei.body.workingHours?.endTime, '18:00:00.0000000');
    });

    it('lists directory roles by template id: Global Administrator for Megan, Exchange only for Alex, none for Adele', async () => {
      const rolesOf = async (userId: string): Promise<MicrosoftGraph.DirectoryRole[]> => {
        const { status, body } = await graph<GraphCollection<MicrosoftGraph.DirectoryRole>>(
          TENANTS.contoso,
          `/users/${userId}/transitiveMemberOf/microsoft.graph.directoryRole`,
        );
        assert.equal(status, 200);
        assert.match(body['@odata.context'], /\$metadata#directoryRoles$/);
        return body.value;
      };
      const megan = await rolesOf(USERS.megan);
      assert.deepEqual(megan.map((r) => [r.roleTemplateId, r.displayName]), [[ROLE_TEMPLATES.globalAdministrator, 'Global Administrator']]);
      assert.equal((megan[0] as Record<string, unknown>)['@odata.type'], '#microsoft.graph.directoryRole');
      // A role object's id is the tenant's own, not the template id.
      assert.notEqual(megan[0]?.id, ROLE_TEMPLATES.globalAdministrator);
      assert.deepEqual((await rolesOf(USERS.alex)).map((r) => r.roleTemplateId), [ROLE_TEMPLATES.exchangeAdministrator]);
      assert.deepEqual(await rolesOf(USERS.adele), []);
    });

    it('accepts $select on a user\'s directory roles, even when the user holds none', async () => {
      const path = (userId: string): string => `/users/${userId}/transitiveMemberOf/microsoft.graph.directoryRole?$select=roleTemplateId,displayName`;
      const megan = await graph<GraphCollection<Record<string, unknown>>>(TENANTS.contoso, path(USERS.megan));
      assert.equal(megan.status, 200);
      assert.match(megan.body['@odata.context'], /\$metadata#directoryRoles\(roleTemplateId,displayName\)$/);
      assert.deepEqual(megan.body.value, [
        { '@odata.type': '#microsoft.graph.directoryRole', roleTemplateId: ROLE_TEMPLATES.globalAdministrator, displayName: 'Global Administrator' },
      ]);
      const adele = await graph<GraphCollection<unknown>>(TENANTS.contoso, path(USERS.adele));
      assert.equal(adele.status, 200);
      assert.deepEqual(adele.body.value, []);
      const plain = await graph<GraphCollection<unknown>>(TENANTS.contoso, `/users/${USERS.adele}/transitiveMemberOf?$select=id,roleTemplateId`);
      assert.equal(plain.status, 200);
      assertGraphError(await graph(TENANTS.contoso, `${path(USERS.adele)},favouriteColour`), 400, 'BadRequest');
    });

    it('lists the activated directory roles: those someone in the tenant holds', async () => {
      const { status, body } = await graph<GraphCollection<MicrosoftGraph.DirectoryRole>>(TENANTS.contoso, '/directoryRoles');
      assert.equal(status, 200);
      assert.match(body['@odata.context'], /\$metadata#directoryRoles$/);
      assert.deepEqual(
        body.value.map((r) => [r.id, r.roleTemplateId, r.displayName]),
        [
          [directoryRoleObjectId(TENANTS.contoso, ROLE_TEMPLATES.globalAdministrator), ROLE_TEMPLATES.globalAdministrator, 'Global Administrator'],
          [directoryRoleObjectId(TENANTS.contoso, ROLE_TEMPLATES.exchangeAdministrator), ROLE_TEMPLATES.exchangeAdministrator, 'Exchange Administrator'],
        ],
      );
      const northwind = await graph<GraphCollection<MicrosoftGraph.DirectoryRole>>(TENANTS.northwind, '/directoryRoles?$select=roleTemplateId');
      assert.deepEqual(northwind.body.value.map((r) => r.roleTemplateId), [ROLE_TEMPLATES.globalAdministrator]);
    });

    it('lists a role\'s members by role template id, with $select, as typed directory objects', async () => {
      const { status, body } = await graph<GraphCollection<Record<string, unknown>>>(
        TENANTS.contoso,
        `/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.globalAdministrator}')/members?$select=id,displayName,mail`,
      );
      assert.equal(status, 200);
      assert.match(body['@odata.context'], /\$metadata#directoryObjects\(id,displayName,mail\)$/);
      assert.deepEqual(body.value, [
        { '@odata.type': '#microsoft.graph.user', id: USERS.megan, displayName: 'Megan Bowen', mail: 'megan@contoso.com' },
        { '@odata.type': '#microsoft.graph.user', id: USERS.liwei, displayName: '李伟', mail: 'liwei@contoso.com' },
      ]);
      assert.equal(body['@odata.nextLink'], undefined);
    });

    it('counts an app among a role\'s members, and shows users with their default properties without $select', async () => {
      const { body } = await graph<GraphCollection<Record<string, unknown>>>(
        TENANTS.contoso,
        `/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.exchangeAdministrator}')/members`,
      );
      assert.deepEqual(body.value.map((m) => [m['@odata.type'], m.id]), [
        ['#microsoft.graph.user', USERS.alex],
        ['#microsoft.graph.servicePrincipal', SERVICE_PRINCIPALS.contosoMailMigration],
      ]);
      const alex = body.value[0]!;
      assert.equal(alex.userPrincipalName, 'alex@contoso.com');
      assert.equal(alex.accountEnabled, undefined, 'not a default property');
      assert.equal(body.value[1]!.servicePrincipalType, 'Application');
    });

    it('lists a role\'s members by the role\'s object id, and reads a role both ways', async () => {
      const objectId = directoryRoleObjectId(TENANTS.contoso, ROLE_TEMPLATES.globalAdministrator);
      const members = await graph<GraphCollection<MicrosoftGraph.User>>(TENANTS.contoso, `/directoryRoles/${objectId}/members?$select=id`);
      assert.equal(members.status, 200);
      assert.deepEqual(members.body.value.map((m) => m.id), [USERS.megan, USERS.liwei]);
      const byId = await graph<MicrosoftGraph.DirectoryRole>(TENANTS.contoso, `/directoryRoles/${objectId}`);
      const byTemplate = await graph<MicrosoftGraph.DirectoryRole>(TENANTS.contoso, `/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.globalAdministrator}')`);
      assert.equal(byId.status, 200);
      assert.deepEqual(byTemplate.body, byId.body);
      assert.equal(byId.body.roleTemplateId, ROLE_TEMPLATES.globalAdministrator);
      // The template id is not the role's object id.
      assertGraphError(await graph(TENANTS.contoso, `/directoryRoles/${ROLE_TEMPLATES.globalAdministrator}/members`), 404, 'Request_ResourceNotFound');
    });

    it('answers 404 for a role nobody in the tenant holds (not activated), also inside a batch', async () => {
      assertGraphError(await graph(TENANTS.contoso, `/directoryRoles(roleTemplateId='${TEAMS_ADMINISTRATOR}')/members`), 404, 'Request_ResourceNotFound');
      assertGraphError(await graph(TENANTS.northwind, `/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.exchangeAdministrator}')/members`), 404, 'Request_ResourceNotFound');
      const { body } = await batch(TENANTS.contoso, [
        { id: 'global', method: 'GET', url: `/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.globalAdministrator}')/members?$select=id` },
        { id: 'teams', method: 'GET', url: `/directoryRoles(roleTemplateId='${TEAMS_ADMINISTRATOR}')/members?$select=id` },
      ]);
      assert.deepEqual(body.responses.map((r) => [r.id, r.status]), [['global', 200], ['teams', 404]]);
    });

    it('lists the users of the tenant', async () => {
      const { status, body } = await graph<GraphCollection<MicrosoftGraph.User>>(TENANTS.contoso, '/users');
      assert.equal(status, 200);
      assert.match(body['@odata.context'], /\$metadata#users$/);
      assert.deepEqual(
        body.value.map((u) => u.id).sort(),
        [USERS.megan, USERS.liwei, USERS.adele, USERS.alex, USERS.priya, USERS.sita].sort(),
      );
    });

    it('has no delegated admin customers, not being a partner', async () => {
      const { status, body } = await graph<GraphCollection<unknown>>(TENANTS.contoso, '/tenantRelationships/delegatedAdminCustomers');
      assert.equal(status, 200);
      assert.deepEqual(body.value, []);
    });
  });

  describe('the other seeded tenants', () => {
    it('lists Contoso, Northwind, Adatum and the generated customers as the partner Fabrikam\'s delegated admin customers, paged', async () => {
      const { status, body } = await graph<GraphCollection<MicrosoftGraph.DelegatedAdminCustomer>>(TENANTS.fabrikam, '/tenantRelationships/delegatedAdminCustomers');
      assert.equal(status, 200);
      assert.match(body['@odata.context'], /\$metadata#tenantRelationships\/delegatedAdminCustomers$/);
      assert.deepEqual(
        body.value.slice(0, 3).map((c) => [c.id, c.tenantId, c.displayName]),
        [
          [TENANTS.contoso, TENANTS.contoso, 'Contoso'],
          [TENANTS.northwind, TENANTS.northwind, 'Northwind Traders'],
          [PARTNER_TENANTS.adatum, PARTNER_TENANTS.adatum, 'Adatum Corporation'],
        ],
      );
      assert.equal(body.value.length, 100, 'Graph\'s page of 100');
      assert.ok(body['@odata.nextLink']);
    });

    it('gives Northwind 40 paid seats and a trial that Graph marks in directory/subscriptions', async () => {
      const skus = await graph<GraphCollection<MicrosoftGraph.SubscribedSku>>(TENANTS.northwind, '/subscribedSkus');
      const byPart = new Map(skus.body.value.map((s) => [s.skuPartNumber, s]));
      assert.equal(byPart.get('O365_BUSINESS_PREMIUM')?.prepaidUnits?.enabled, 40);
      const trialSku = byPart.get('DEVELOPERPACK_E5')!;
      assert.equal(trialSku.prepaidUnits?.enabled, 25);

      const subscriptions = await graph<GraphCollection<MicrosoftGraph.CompanySubscription>>(TENANTS.northwind, '/directory/subscriptions');
      assert.equal(subscriptions.status, 200);
      const trial = subscriptions.body.value.find((s) => s.skuPartNumber === 'DEVELOPERPACK_E5')!;
      assert.equal(trial.isTrial, true);
      assert.deepEqual(trialSku.subscriptionIds, [trial.commerceSubscriptionId]);
      assert.equal(subscriptions.body.value.find((s) => s.skuPartNumber === 'O365_BUSINESS_PREMIUM')?.isTrial, false);
    });

    it('gives Tailspin Toys exactly 150 paid enabled seats, next to a trial, a suspended and a grace-period SKU', async () => {
      const skus = await graph<GraphCollection<MicrosoftGraph.SubscribedSku>>(TENANTS.tailspin, '/subscribedSkus');
      assert.equal(skus.status, 200);
      const subscriptions = await graph<GraphCollection<MicrosoftGraph.CompanySubscription>>(TENANTS.tailspin, '/directory/subscriptions');
      const trialIds = new Set(subscriptions.body.value.filter((x) => x.isTrial).map((x) => x.commerceSubscriptionId));
      const isTrial = (s: MicrosoftGraph.SubscribedSku): boolean => (s.subscriptionIds ?? []).some((id) => trialIds.has(id));
      assert.deepEqual(
        skus.body.value.map((s) => [s.skuPartNumber, s.capabilityStatus, s.prepaidUnits?.enabled, s.prepaidUnits?.suspended, s.prepaidUnits?.warning, isTrial(s)]),
        [
          ['SPB', 'Enabled', 100, 0, 0, false],
          ['STANDARDPACK', 'Enabled', 50, 0, 0, false],
          ['SPE_E5', 'Enabled', 25, 0, 0, true],
          ['ENTERPRISEPACK', 'Suspended', 0, 30, 0, false],
          ['O365_BUSINESS_PREMIUM', 'Warning', 0, 0, 20, false],
        ],
      );
      const paid = skus.body.value.filter((s) => s.capabilityStatus === 'Enabled' && !isTrial(s));
      assert.equal(paid.reduce((n, s) => n + (s.prepaidUnits?.enabled ?? 0), 0), 150);
      assert.equal(skus.body.value.find((s) => s.skuPartNumber === 'STANDARDPACK')?.skuId, '18181a46-0d4e-45cd-891e-60aabd171b4e');
      assert.deepEqual(
        subscriptions.body.value.map((x) => [x.skuPartNumber, x.status, x.totalLicenses]),
        [['SPB', 'Enabled', 100], ['STANDARDPACK', 'Enabled', 50], ['SPE_E5', 'Enabled', 25], ['ENTERPRISEPACK', 'Suspended', 30], ['O365_BUSINESS_PREMIUM', 'Warning', 20]],
      );
    });

    it('serves Tailspin Toys as cloud-only in GB, with Kim its only Global Administrator', async () => {
      const org = await graph<GraphCollection<MicrosoftGraph.Organization>>(TENANTS.tailspin, '/organization');
      assert.equal(org.body.value[0]?.displayName, 'Tailspin Toys');
      assert.equal(org.body.value[0]?.countryLetterCode, 'GB');
      assert.notEqual(org.body.value[0]?.onPremisesSyncEnabled, true);
      assert.deepEqual(org.body.value[0]?.verifiedDomains?.map((d) => [d.name, d.isDefault, d.isInitial, d.type]), [
        ['tailspintoys.onmicrosoft.com', false, true, 'Managed'],
        ['tailspintoys.com', true, false, 'Managed'],
      ]);
      const mailbox = await graph<MicrosoftGraph.MailboxSettings>(TENANTS.tailspin, `/users/${USERS.kim}/mailboxSettings`);
      assert.equal(mailbox.body.timeZone, 'Central Standard Time');
      const admins = await graph<GraphCollection<MicrosoftGraph.User>>(TENANTS.tailspin, `/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.globalAdministrator}')/members?$select=id,displayName,mail`);
      assert.deepEqual(admins.body.value.map((u) => [u.id, u.displayName, u.mail]), [[USERS.kim, 'Kim Abercrombie', 'kim@tailspintoys.com']]);
      const lee = await graph<GraphCollection<unknown>>(TENANTS.tailspin, `/users/${USERS.lee}/transitiveMemberOf/microsoft.graph.directoryRole`);
      assert.deepEqual(lee.body.value, []);
    });

    it('serves Northwind as cloud-only with Nancy as its Global Administrator in Eastern time', async () => {
      const org = await graph<GraphCollection<MicrosoftGraph.Organization>>(TENANTS.northwind, '/organization');
      assert.notEqual(org.body.value[0]?.onPremisesSyncEnabled, true);
      const mailbox = await graph<MicrosoftGraph.MailboxSettings>(TENANTS.northwind, `/users/${USERS.nancy}/mailboxSettings`);
      assert.equal(mailbox.body.timeZone, 'Eastern Standard Time');
      const roles = await graph<GraphCollection<MicrosoftGraph.DirectoryRole>>(TENANTS.northwind, `/users/${USERS.andrew}/transitiveMemberOf/microsoft.graph.directoryRole`);
      assert.deepEqual(roles.body.value, []);
    });

    it('keeps tenants apart: a Contoso user is not found in Northwind', async () => {
      assertGraphError(await graph(TENANTS.northwind, `/users/${USERS.megan}`), 404, 'Request_ResourceNotFound');
    });
  });

  describe('JSON batching', () => {
    it('answers organization, subscribedSkus and domains in one round trip, recording three inner requests', async () => {
      const { status, body } = await batch(TENANTS.contoso, [
        { id: 'organization', method: 'GET', url: '/organization' },
        { id: 'skus', method: 'GET', url: 'subscribedSkus' },
        { id: 'domains', method: 'GET', url: '/domains' },
      ]);
      assert.equal(status, 200);
      assert.deepEqual(body.responses.map((r) => [r.id, r.status]), [['organization', 200], ['skus', 200], ['domains', 200]]);
      const org = body.responses[0]!;
      assert.equal((org.body as GraphCollection<MicrosoftGraph.Organization>).value[0]?.displayName, 'Contoso');
      assert.match(org.headers['Content-Type']!, /^application\/json/);
      assert.ok((body.responses[1]!.body as GraphCollection<unknown>).value.length > 0);

      assert.equal(server.roundTrips({ tenantId: TENANTS.contoso }), 1);
      const inner = server.requests.filter((r) => r.viaBatch);
      assert.deepEqual(inner.map((r) => r.path), ['/organization', '/subscribedSkus', '/domains']);
      const outer = server.requests.filter((r) => !r.viaBatch);
      assert.deepEqual(outer.map((r) => [r.method, r.path]), [['POST', '/$batch']]);
      assert.ok(inner.every((r) => r.batchId === outer[0]!.batchId));
    });

    it('puts an inner 429 with its Retry-After in that response only', async () => {
      server.injectFault({ path: '/subscribedSkus', status: 429, retryAfterSeconds: 7, insideBatch: true });
      const { status, body } = await batch(TENANTS.contoso, [
        { id: '1', method: 'GET', url: '/organization' },
        { id: '2', method: 'GET', url: '/subscribedSkus' },
      ]);
      assert.equal(status, 200);
      assert.equal(body.responses[0]!.status, 200);
      const throttled = body.responses[1]!;
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers['Retry-After'], '7');
      assert.equal((throttled.body as GraphErrorBody).error.code, 'TooManyRequests');
      // The fault was for inner requests only, and used up.
      assert.equal((await graph(TENANTS.contoso, '/subscribedSkus')).status, 200);
      assert.equal((await batch(TENANTS.contoso, [{ id: '2', method: 'GET', url: '/subscribedSkus' }])).body.responses[0]!.status, 200);
    });

    it('fails the whole batch with 503 when the fault is on the outer $batch POST', async () => {
      server.injectFault({ path: '/$batch', status: 503, retryAfterSeconds: 2 });
      const answer = await batch(TENANTS.contoso, [{ id: '1', method: 'GET', url: '/organization' }]);
      assertGraphError(answer, 503, 'ServiceUnavailable');
      assert.equal(answer.headers.get('retry-after'), '2');
      assert.equal(server.requests.filter((r) => r.viaBatch).length, 0);
    });

    it('answers a request whose dependency failed with 424', async () => {
      const { body } = await batch(TENANTS.contoso, [
        { id: 'user', method: 'GET', url: '/users/nobody@contoso.com' },
        { id: 'mailbox', method: 'GET', url: '/users/nobody@contoso.com/mailboxSettings', dependsOn: ['user'] },
      ]);
      assert.deepEqual(body.responses.map((r) => r.status), [404, 424]);
    });

    it('rejects a malformed batch body with 400 and keeps serving', async () => {
      const malformed = await graph(TENANTS.contoso, '/$batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"requests": [' });
      assertGraphError(malformed, 400, 'BadRequest');
      assertGraphError(await graph(TENANTS.contoso, '/$batch', { method: 'POST', body: 'not json at all' }), 400, 'BadRequest');
      assertGraphError(await graph(TENANTS.contoso, '/$batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"requests": 3}' }), 400, 'BadRequest');
      assertGraphError(await batch(TENANTS.contoso, [{ id: '1', method: 'GET' }]), 400, 'BadRequest');
      assert.equal((await graph(TENANTS.contoso, '/organization')).status, 200);
    });

    it('rejects more than 20 requests in one batch', async () => {
      const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/organization' }));
      assertGraphError(await batch(TENANTS.contoso, requests), 400, 'BadRequest');
      assert.equal((await batch(TENANTS.contoso, requests.slice(0, 20))).body.responses.length, 20);
    });

    it('rejects duplicate request ids', async () => {
      assertGraphError(
        await batch(TENANTS.contoso, [
          { id: '1', method: 'GET', url: '/organization' },
          { id: '1', method: 'GET', url: '/domains' },
        ]),
        400,
        'BadRequest',
      );
    });
  });

  describe('errors', () => {
    it('answers an unknown tenant with 404 and a Graph error body', async () => {
      assertGraphError(await graph('00000000-0000-4000-8000-0000000000ff', '/organization'), 404, 'Authorization_IdentityNotFound');
    });

    it('answers an unknown user with 404 Request_ResourceNotFound', async () => {
      assertGraphError(await graph(TENANTS.contoso, '/users/nobody@contoso.com'), 404, 'Request_ResourceNotFound');
      assertGraphError(await graph(TENANTS.contoso, '/users/nobody@contoso.com/mailboxSettings'), 404, 'Request_ResourceNotFound');
    });

    it('answers an unknown path with 400 naming the segment', async () => {
      const answer = await graph<GraphErrorBody>(TENANTS.contoso, '/organisation');
      assertGraphError(answer, 400, 'BadRequest');
      assert.match(answer.body.error.message, /'organisation'/);
    });

    it('answers a method a resource does not support with 405', async () => {
      assertGraphError(await graph(TENANTS.contoso, '/organization', { method: 'DELETE' }), 405, 'Request_BadRequest');
    });

    it('answers another API version with 400', async () => {
      const res = await fetch(`${root}/tenants/${TENANTS.contoso}/v2.0/organization`);
      assert.equal(res.status, 400);
    });
  });

  describe('fault injection', () => {
    it('answers an injected 429 once, with Retry-After, and then answers normally', async () => {
      server.injectFault({ path: '/organization', status: 429, retryAfterSeconds: 3 });
      const throttled = await graph(TENANTS.contoso, '/organization');
      assertGraphError(throttled, 429, 'TooManyRequests');
      assert.equal(throttled.headers.get('retry-after'), '3');
      const next = await graph(TENANTS.contoso, '/organization');
      assert.equal(next.status, 200);
      assert.equal(server.roundTrips(), 2);
    });

    it('applies a regex path, a tenant filter and a count', async () => {
      server.injectFault({ path: /^\/users\/[^/]+$/, tenantId: TENANTS.northwind, status: 503, times: 2 });
      assert.equal((await graph(TENANTS.contoso, `/users/${USERS.megan}`)).status, 200);
      assertGraphError(await graph(TENANTS.northwind, `/users/${USERS.nancy}`), 503, 'ServiceUnavailable');
      assert.equal((await graph(TENANTS.northwind, `/users/${USERS.nancy}/mailboxSettings`)).status, 200);
      assertGraphError(await graph(TENANTS.northwind, `/users/${USERS.andrew}`), 503, 'ServiceUnavailable');
      assert.equal((await graph(TENANTS.northwind, `/users/${USERS.andrew}`)).status, 200);
    });

    it('delays an answer by the injected latency and then answers normally', async () => {
      server.injectFault({ path: '/domains', latencyMs: 150 });
      const started = Date.now();
      const answer = await graph(TENANTS.contoso, '/domains');
      const elapsed = Date.now() - started;
      assert.equal(answer.status, 200);
      assert.ok(elapsed >= 140, `took ${elapsed} ms`);
    });

    it('keeps delaying with times: Infinity while a one-off error still gets through', async () => {
      server.injectFault({ path: '/organization', latencyMs: 30, times: Infinity });
      server.injectFault({ path: '/organization', status: 500 });
      const started = Date.now();
      assertGraphError(await graph(TENANTS.contoso, '/organization'), 500, 'InternalServerError');
      assert.equal((await graph(TENANTS.contoso, '/organization')).status, 200);
      assert.ok(Date.now() - started >= 55);
    });

    it('refuses a fault with neither a status nor a latency', () => {
      assert.throws(() => server.injectFault({ path: '/organization' } as never), TypeError);
      assert.throws(() => server.injectFault({ path: '/organization', status: 429, times: 0 }), TypeError);
    });
  });

  describe('the HTTP control API', () => {
    it('answers ping with pong', async () => {
      const res = await fetch(`${root}/_local/ping`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'pong');
    });

    it('injects a fault posted as JSON, with a ^-string as a regular expression', async () => {
      const posted = await fetch(`${root}/_local/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ path: '^/users/[^/]+/mailboxSettings$', status: 429, retryAfterSeconds: 1, times: 'Infinity' }),
      });
      assert.equal(posted.status, 201);
      assert.equal((await graph(TENANTS.contoso, `/users/${USERS.sita}/mailboxSettings`)).status, 429);
      assert.equal((await graph(TENANTS.contoso, `/users/${USERS.priya}/mailboxSettings`)).status, 429);

      assert.equal((await fetch(`${root}/_local/faults`, { method: 'DELETE' })).status, 204);
      assert.equal((await graph(TENANTS.contoso, `/users/${USERS.sita}/mailboxSettings`)).status, 200);
    });

    it('rejects an invalid fault with 400', async () => {
      const bad = await fetch(`${root}/_local/faults`, { method: 'POST', body: '{"path": "/organization", "status": "soon"}' });
      assert.equal(bad.status, 400);
      const notJson = await fetch(`${root}/_local/faults`, { method: 'POST', body: 'path=/organization' });
      assert.equal(notJson.status, 400);
    });

    it('lists and clears recorded requests', async () => {
      await graph(TENANTS.contoso, '/organization?$select=displayName');
      await batch(TENANTS.northwind, [{ id: '1', method: 'GET', url: '/domains' }]);

      const listed = (await (await fetch(`${root}/_local/requests`)).json()) as { value: Array<{ path: string; viaBatch: boolean }>; roundTrips: number };
      assert.deepEqual(listed.value.map((r) => [r.path, r.viaBatch]), [
        ['/organization?$select=displayName', false],
        ['/$batch', false],
        ['/domains', true],
      ]);
      assert.equal(listed.roundTrips, 2);

      assert.equal((await fetch(`${root}/_local/requests`, { method: 'DELETE' })).status, 204);
      assert.equal(server.requests.length, 0);
    });
  });
});

describe('LocalTenantServer paging', () => {
  const server = new LocalTenantServer({ pageSize: 2 });

  before(() => server.start(0));
  after(() => server.stop());

  it('pages directory objects behind @odata.nextLink, keeping $select', async () => {
    const first = await fetch(`${server.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users?$select=id,mail`);
    const page1 = (await first.json()) as GraphCollection<MicrosoftGraph.User>;
    assert.equal(page1.value.length, 2);
    assert.deepEqual(Object.keys(page1.value[0]!).sort(), ['id', 'mail']);
    const link = page1['@odata.nextLink']!;
    assert.ok(link.startsWith(`${server.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users?`), link);
    assert.match(link, /\$select=id,mail&\$skiptoken=[\w-]+$/);

    const ids: string[] = page1.value.map((u) => u.id!);
    let next: string | undefined = link;
    while (next) {
      const page = (await (await fetch(next)).json()) as GraphCollection<MicrosoftGraph.User>;
      ids.push(...page.value.map((u) => u.id!));
      next = page['@odata.nextLink'];
    }
    assert.deepEqual(ids, [USERS.megan, USERS.liwei, USERS.adele, USERS.alex, USERS.priya, USERS.sita]);
  });

  it('pages a role\'s members addressed by template id, and leaves non-directory collections whole', async () => {
    const root = `${server.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0`;
    const members = (await (await fetch(`${root}/directoryRoles(roleTemplateId='${ROLE_TEMPLATES.exchangeAdministrator}')/members?$select=id`)).json()) as GraphCollection<unknown>;
    assert.equal(members.value.length, 2);
    assert.equal(members['@odata.nextLink'], undefined, 'two members fit one page of two');
    const skus = (await (await fetch(`${root}/subscribedSkus`)).json()) as GraphCollection<unknown>;
    assert.equal(skus.value.length, 6);
    assert.equal(skus['@odata.nextLink'], undefined);
  });

  it('rejects a skip token it did not issue', async () => {
    const res = await fetch(`${server.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users?$skiptoken=bogus`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as GraphErrorBody).error.code, 'Directory_InvalidPagingToken');
  });

  it('refuses a page size that is not a positive integer', () => {
    assert.throws(() => new LocalTenantServer({ pageSize: 0 }), TypeError);
  });
});

describe('LocalTenantServer lifecycle', () => {
  it('serves a custom seed, and stops promptly even while a delayed answer is pending', async () => {
    const server = new LocalTenantServer({ seed: { tenants: {} } });
    const root = await server.start(0);
    try {
      assert.match(server.baseUrlTemplate(), /^http:\/\/127\.0\.0\.1:\d+\/tenants\/\{tenantId\}$/);
      const res = await fetch(`${root}/tenants/${TENANTS.contoso}/v1.0/organization`);
      assert.equal(res.status, 404);
      server.injectFault({ path: '/organization', latencyMs: 10_000 });
      const pending = fetch(`${root}/tenants/${TENANTS.contoso}/v1.0/organization`).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await server.stop();
      await pending;
      assert.ok(Date.now() - started < 2000);
    } finally {
      await server.stop();
    }
  });
});
