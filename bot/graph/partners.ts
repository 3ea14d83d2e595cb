/** The partner half of the Graph gateway: a partner's GDAP customers and its relationships with them. */
import { z } from 'zod';
import { CUSTOMER_PAGE_SIZE, GraphError, type CustomerListOptions, type CustomerPage, type CustomerRelationship, type DelegatedCustomer } from './tenantDirectory';
import { GUID, parse, type GraphTransport } from './transport';

const nextLink = { '@odata.nextLink': z.string().nullish() };
const customersSchema = z.object({
  value: z.array(z.object({ id: z.string().nullish(), tenantId: z.string().regex(GUID), displayName: z.string().nullish() })),
  ...nextLink,
});
const relationshipsSchema = z.object({
  value: z.array(
    z.object({
      status: z.string(),
      endDateTime: z.string().nullish(),
      customer: z.object({ tenantId: z.string(), displayName: z.string().nullish() }).nullish(),
      accessDetails: z.object({ unifiedRoles: z.array(z.object({ roleDefinitionId: z.string() })).nullish() }).nullish(),
    }),
  ),
  ...nextLink,
});
const tenantInformationSchema = z.object({ tenantId: z.string().regex(GUID) });

/** A DNS name: letters, digits, '-' and at least one '.', so it can go into an OData string literal safely. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const MAX_SEARCH = 100;

export class GraphPartners {
  constructor(
    private readonly transport: GraphTransport,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async listCustomers(partnerTenantId: string, options: CustomerListOptions = {}): Promise<CustomerPage> {
    const search = (options.search ?? '').trim().slice(0, MAX_SEARCH);
    const [all, domainTenant] = await Promise.all([
      this.transport.getAllPages(partnerTenantId, '/tenantRelationships/delegatedAdminCustomers?$select=id,tenantId,displayName', customersSchema),
      DOMAIN.test(search) ? this.tenantOfDomain(partnerTenantId, search) : Promise.resolve(undefined),
    ]);
    const needle = search.toLocaleLowerCase();
    const customers = [...new Map(all.map((c): [string, DelegatedCustomer] => [c.tenantId.toLowerCase(), { tenantId: c.tenantId.toLowerCase(), displayName: c.displayName ?? c.tenantId }])).values()]
      .filter((c) => !needle || c.displayName.toLocaleLowerCase().includes(needle) || c.tenantId === domainTenant || c.tenantId === needle)
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    const pageCount = Math.max(1, Math.ceil(customers.length / CUSTOMER_PAGE_SIZE));
    const page = Math.min(Math.max(0, Math.floor(options.page ?? 0)), pageCount - 1);
    return { customers: customers.slice(page * CUSTOMER_PAGE_SIZE, (page + 1) * CUSTOMER_PAGE_SIZE), page, pageCount, total: customers.length };
  }

  async customerRelationship(partnerTenantId: string, customerTenantId: string): Promise<CustomerRelationship> {
    // The id goes into an OData string literal: only a GUID may.
    if (!GUID.test(customerTenantId)) throw new GraphError(400, 'InvalidTenantId', 'The customer tenant id is not a GUID');
    const url = `/tenantRelationships/delegatedAdminRelationships?$filter=customer/tenantId eq '${customerTenantId.toLowerCase()}'`;
    const relationships = (await this.transport.getAllPages(partnerTenantId, url, relationshipsSchema)).filter(
      (r) => r.customer?.tenantId.toLowerCase() === customerTenantId.toLowerCase(),
    );
    const now = this.clock().getTime();
    const inForce = relationships.filter((r) => r.status === 'active' && (!r.endDateTime || Date.parse(r.endDateTime) > now));
    const pick = inForce[0] ?? [...relationships].sort((a, b) => Date.parse(b.endDateTime ?? '') - Date.parse(a.endDateTime ?? ''))[0];
    if (!pick) return { status: 'none', roleTemplateIds: [] };
    const status: CustomerRelationship['status'] = inForce.length > 0 ? 'active' : pick.status === 'expired' || pick.status === 'active' ? 'expired' : 'ended';
    const roles = (inForce.length > 0 ? inForce : [pick]).flatMap((r) => (r.accessDetails?.unifiedRoles ?? []).map((u) => u.roleDefinitionId.toLowerCase()));
    return {
      status,
      ...(pick.customer?.displayName ? { displayName: pick.customer.displayName } : {}),
      ...(pick.endDateTime ? { endDateTime: pick.endDateTime } : {}),
      roleTemplateIds: [...new Set(roles)],
    };
  }

  /** The tenant a verified domain belongs to (`findTenantInformationByDomainName`); undefined when none has it. */
  private async tenantOfDomain(partnerTenantId: string, domain: string): Promise<string | undefined> {
    try {
      const info = parse(
        tenantInformationSchema,
        await this.transport.request(partnerTenantId, { method: 'GET', path: `/tenantRelationships/findTenantInformationByDomainName(domainName='${domain.toLowerCase()}')` }),
      );
      return info.tenantId.toLowerCase();
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return undefined;
      throw error;
    }
  }
}
