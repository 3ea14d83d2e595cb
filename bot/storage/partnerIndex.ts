import { updateDocument, type DocumentStore } from './documentStore';

/** One request a partner user manages for a customer. */
export interface PartnerRequestEntry {
  customerTenantId: string;
  customerName: string;
  requestId: string;
  at: string;
}

interface PartnerIndexDocument {
  requests: PartnerRequestEntry[];
}

/** At most this many entries are kept per partner user (the most recent ones). */
const LIMIT = 200;

/**
 * The requests a partner user manages, under the partner's own tenant
 * (`tenants/{partnerTenantId}/partnerRequests/{userId}`): the requests themselves live under each
 * customer's tenant (one request per tenant, keyed by the customer), so `status` and "continue" find
 * them through here.
 */
export class PartnerIndex {
  constructor(private readonly documents: DocumentStore) {}

  static key(partnerTenantId: string, userId: string): string {
    return `tenants/${partnerTenantId.toLowerCase()}/partnerRequests/${userId.toLowerCase()}`;
  }

  async remember(partnerTenantId: string, userId: string, entry: PartnerRequestEntry): Promise<void> {
    await updateDocument<PartnerIndexDocument>(this.documents, PartnerIndex.key(partnerTenantId, userId), (current) => {
      const others = (current?.requests ?? []).filter((r) => !(r.customerTenantId === entry.customerTenantId && r.requestId === entry.requestId));
      return { requests: [...others, entry].slice(-LIMIT) };
    });
  }

  async list(partnerTenantId: string, userId: string): Promise<PartnerRequestEntry[]> {
    return (await this.documents.get<PartnerIndexDocument>(PartnerIndex.key(partnerTenantId, userId)))?.value.requests ?? [];
  }
}
