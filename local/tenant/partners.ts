/**
 * Fabrikam's partner world in the local tenant: its GDAP customers (`delegatedAdminCustomers`), the
 * relationships behind them (`delegatedAdminRelationships`, with status, end date and the roles of
 * their access details), and one seeded customer tenant where the bot's Graph app has no consent.
 *
 * - Contoso and Northwind: consented, active relationships (Northwind's ends in 30 days).
 * - Adatum Corporation (`PARTNER_TENANTS.adatum`): an eligible tenant whose admin never consented to
 *   the Graph app: every Graph call for it answers 401 (see `CONSENT_MISSING`), as production fails
 *   when the app has no service principal there, until `POST /_local/consent?tenantId=…` (or the
 *   local admin-consent link) grants it.
 * - 120 generated customers ("Customer 001 …"), deterministic, so that the customers' list pages;
 *   they have no tenant of their own in the local tenant. Customer 007's relationship has expired.
 */
import { ROLE_TEMPLATES, TENANTS } from './ids';
import { catalogSku, deterministicGuid, type LocalTenantSeed, type SeedRelationship, type SeedTenant } from './seed';

export const PARTNER_TENANTS = {
  /** A Fabrikam customer without consent for the Graph app. */
  adatum: 'ada70000-0000-4000-8000-000000000006',
} as const;

export const PARTNER_USERS = {
  /** Adatum, Global Administrator, en-US, Eastern Standard Time. */
  adatumAdmin: 'ada70000-0000-4000-8000-00000000a601',
} as const;

/** How many generated customers Fabrikam has besides Contoso, Northwind and Adatum. */
export const GENERATED_CUSTOMERS = 120;

/** The Graph error the local tenant answers for a tenant without consent (production's token request fails the same way). */
export const CONSENT_MISSING = {
  status: 401,
  code: 'Authorization_IdentityNotFound',
  message:
    'AADSTS7000229: The client application is missing service principal in the tenant. The administrator of the tenant has not consented to the application (local tenant: POST /_local/consent?tenantId=… grants it).',
} as const;

/** Roles a GDAP relationship gives Fabrikam (unifiedRoles' roleDefinitionId are role template ids). */
const ROLES = [ROLE_TEMPLATES.globalAdministrator];

/** The id of a generated customer's tenant: `cu570000-…` is not hex, so a v5 GUID from its number. */
export function generatedCustomerTenantId(n: number): string {
  return deterministicGuid('customer', TENANTS.fabrikam, String(n));
}

export function generatedCustomerName(n: number): string {
  return `Customer ${String(n).padStart(3, '0')}`;
}

function relationship(customerTenantId: string, displayName: string, status: SeedRelationship['status'], endDateTime: string, createdDateTime: string): SeedRelationship {
  return {
    id: `${deterministicGuid('gdap', TENANTS.fabrikam, customerTenantId)}-${deterministicGuid('gdap-part', customerTenantId).slice(0, 8)}`,
    displayName: `Fabrikam GDAP ${displayName}`.slice(0, 50),
    customer: { tenantId: customerTenantId, displayName },
    status,
    duration: 'P730D',
    createdDateTime,
    activatedDateTime: createdDateTime,
    lastModifiedDateTime: createdDateTime,
    endDateTime,
    roleDefinitionIds: [...ROLES],
  };
}

/** Adatum: eligible (300 Microsoft 365 E3 seats), cloud-only, without consent for the Graph app. */
function adatum(days: (n: number) => string): SeedTenant {
  const PAID = { createdDateTime: '2023-07-01T00:00:00Z', nextLifecycleDateTime: days(200) };
  return {
    organization: {
      displayName: 'Adatum Corporation',
      countryLetterCode: 'US',
      preferredLanguage: 'en',
      onPremisesSyncEnabled: null,
      tenantType: 'AAD',
      deletedDateTime: null,
      businessPhones: ['+1 617 555 0160'],
      city: 'Boston',
      country: 'United States',
      createdDateTime: '2020-06-01T12:00:00Z',
      defaultUsageLocation: 'US',
      marketingNotificationEmails: [],
      onPremisesLastSyncDateTime: null,
      postalCode: '02110',
      privacyProfile: null,
      securityComplianceNotificationMails: [],
      securityComplianceNotificationPhones: [],
      state: 'MA',
      street: '1 Adatum Plaza',
      technicalNotificationMails: ['it@adatum.com'],
      assignedPlans: [],
      provisionedPlans: [],
    },
    skus: [catalogSku(PARTNER_TENANTS.adatum, 'SPE_E3', { enabled: 300, consumed: 281, ...PAID })],
    domains: [
      { id: 'adatum.onmicrosoft.com', authenticationType: 'Managed', isDefault: false, isInitial: true, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
      { id: 'adatum.com', authenticationType: 'Managed', isDefault: true, isInitial: false, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
    ],
    users: [
      {
        id: PARTNER_USERS.adatumAdmin, userPrincipalName: 'it@adatum.com', mail: 'it@adatum.com',
        displayName: 'Terry Adams', givenName: 'Terry', surname: 'Adams', jobTitle: 'IT Manager', department: 'IT', officeLocation: 'Boston 3',
        preferredLanguage: 'en-US', usageLocation: 'US', businessPhones: ['+1 617 555 0161'], mobilePhone: null, accountEnabled: true,
        mailboxSettings: {
          timeZone: 'Eastern Standard Time',
          language: { locale: 'en-US', displayName: 'English (United States)' },
          workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '08:30:00.0000000', endTime: '17:00:00.0000000', timeZone: { name: 'Eastern Standard Time' } },
          dateFormat: 'M/d/yyyy',
          timeFormat: 'h:mm tt',
        },
        directoryRoleTemplateIds: [ROLE_TEMPLATES.globalAdministrator],
      },
    ],
    delegatedAdminCustomers: [],
    consentMissing: true,
  };
}

/** Adds Fabrikam's customers, relationships and the Adatum tenant to a seed (called by `defaultSeed`). */
export function addPartnerSeed(seed: LocalTenantSeed, now: Date): void {
  const days = (n: number): string => new Date(now.getTime() + n * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fabrikam = seed.tenants[TENANTS.fabrikam];
  if (!fabrikam) return;
  seed.tenants[PARTNER_TENANTS.adatum] = adatum(days);
  const named: [string, string][] = [
    [TENANTS.contoso, 'Contoso'],
    [TENANTS.northwind, 'Northwind Traders'],
    [PARTNER_TENANTS.adatum, 'Adatum Corporation'],
  ];
  const generated: [string, string][] = Array.from({ length: GENERATED_CUSTOMERS }, (_, i) => [generatedCustomerTenantId(i + 1), generatedCustomerName(i + 1)]);
  fabrikam.delegatedAdminCustomers = [...named, ...generated].map(([tenantId, displayName]) => ({ tenantId, displayName }));
  fabrikam.delegatedAdminRelationships = [
    relationship(TENANTS.contoso, 'Contoso', 'active', days(700), days(-30)),
    // Northwind's ends in 30 days (and `POST /_local/relationships/expire` ends it now).
    relationship(TENANTS.northwind, 'Northwind Traders', 'active', days(30), days(-700)),
    relationship(PARTNER_TENANTS.adatum, 'Adatum Corporation', 'active', days(500), days(-10)),
    ...generated.map(([tenantId, name], i) =>
      // Customer 007's relationship ran out yesterday: it is listed, but expired.
      i === 6 ? relationship(tenantId, name, 'active', days(-1), days(-731)) : relationship(tenantId, name, 'active', days(365), days(-365)),
    ),
  ];
}
