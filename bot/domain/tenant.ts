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
  /** Units in their grace period after expiry (`prepaidUnits.warning`). */
  warningUnits: number;
  /** Units of a suspended subscription (`prepaidUnits.suspended`). */
  suspendedUnits: number;
  consumedUnits: number;
  /** True when a subscription behind the SKU is a trial (Graph: `directory/subscriptions` `isTrial`). */
  isTrial: boolean;
  /** Service plan names (e.g. EXCHANGE_S_ENTERPRISE), provisioned or not. */
  servicePlans: string[];
}

/** A person of a tenant's directory, as shown to another user (e.g. who the admins are). */
export interface DirectoryPerson {
  id: string;
  displayName: string;
  mail: string | undefined;
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
