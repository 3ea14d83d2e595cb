/**
 * Partners asking on behalf of customers (GDAP): the pure rules. No I/O here.
 */
/** A partner's journey for one customer, as the dialogs carry it (serializable: it lives in dialog state). */
export interface PartnerContext {
  /** The partner's tenant (the requester's). */
  tenantId: string;
  /** The partner user who asks (Entra object id). */
  userId: string;
  customerTenantId: string;
  customerName: string;
}

/** Where the admin-consent link points: Entra's authority (or the local tenant's stand-in) and the Graph app's client id. */
export interface ConsentLinkOptions {
  /** e.g. https://login.microsoftonline.com (no trailing slash). */
  authority: string;
  clientId: string;
}

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * The admin-consent link for the customer's admin: `{authority}/{tenant}/v2.0/adminconsent?client_id=…&scope=…/.default`.
 * Without `redirect_uri` Entra returns to the app's registered reply URL.
 */
export function adminConsentUrl(customerTenantId: string, options: ConsentLinkOptions): string {
  const query = new URLSearchParams({ client_id: options.clientId, scope: GRAPH_DEFAULT_SCOPE });
  return `${options.authority.replace(/\/+$/, '')}/${encodeURIComponent(customerTenantId)}/v2.0/adminconsent?${query.toString()}`;
}

/** Why a partner may not act for a customer now; undefined when the relationship is in force. */
export type PartnerRefusal = 'notCustomer' | 'ended' | 'expired';

export function refusalOf(relationship: { status: 'active' | 'expired' | 'ended' | 'none' }): PartnerRefusal | undefined {
  switch (relationship.status) {
    case 'active':
      return undefined;
    case 'expired':
      return 'expired';
    case 'ended':
      return 'ended';
    case 'none':
      return 'notCustomer';
  }
}

/** Delays of the consent re-checks, in seconds: soon at first, then less often; about two weeks in all. */
export const CONSENT_RECHECK_SECONDS: readonly number[] = [60, 120, 300, 600, 1800, 3600, ...Array.from({ length: 14 * 4 }, () => 6 * 3600)];
