/** What the bot knows of a customer tenant, in its own terms (read from Graph by the gateway). */
export interface TenantProfile {
  tenantId: string;
  displayName: string;
  countryLetterCode: string | undefined;
  preferredLanguage: string | undefined;
  /** True when identities are synchronised from on-premises directories. */
  onPremisesSyncEnabled: boolean;
  verifiedDomains: VerifiedDomain[];
  skus: SubscribedSku[];
}

export interface VerifiedDomain {
  name: string;
  isDefault: boolean;
  isInitial: boolean;
  /** 'Managed' (cloud) or 'Federated'; undefined when Graph did not say. */
  authenticationType: 'Managed' | 'Federated' | undefined;
}

export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  /** 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut' */
  capabilityStatus: string;
  enabledUnits: number;
  consumedUnits: number;
  servicePlans: string[];
}

/** A user of a tenant, with what the bot needs to talk to them and to book time. */
export interface UserProfile {
  id: string;
  displayName: string;
  mail: string | undefined;
  userPrincipalName: string;
  preferredLanguage: string | undefined;
  jobTitle: string | undefined;
  phone: string | undefined;
  /** The mailbox's time zone as Graph reports it (a Windows name by default). */
  timeZone: string | undefined;
}

// Until the eligibility engine lands, free and trial plans are recognised by their part number.
const NOT_PAID = /(FREE|TRIAL|DEVELOPER|VIRAL)/i;

/** Paid, enabled seats: the enabled units of SKUs that are active and neither free nor trial. */
export function countPaidSeats(skus: readonly SubscribedSku[]): number {
  return skus
    .filter((s) => s.capabilityStatus === 'Enabled' && !NOT_PAID.test(s.skuPartNumber))
    .reduce((sum, s) => sum + s.enabledUnits, 0);
}
