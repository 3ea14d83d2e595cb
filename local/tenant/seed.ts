/**
 * The seeded demo tenants the local tenant serves, and the types a seed is made of.
 *
 * A seed describes each tenant in the terms Graph exposes (organization, subscribed SKUs,
 * domains, users with their mailbox settings, calendars and directory roles, a partner's GDAP customers);
 * the server derives every Graph answer from it. To grow it (e.g. groups or subscriptions),
 * add an optional field to the type here, seed it below, and add a route in graphRoutes.ts.
 */
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { v5 as uuidV5 } from 'uuid';
import { SERVICE_PLANS, SKUS, type SkuPartNumber } from './catalog';
import { ROLE_TEMPLATES, SERVICE_PRINCIPALS, TENANTS, USERS } from './ids';
import { addPartnerSeed } from './partners';
import { seedEventsFor } from './seedCalendar';
import { staffTenant } from './staff';

/** Everything the local tenant serves: tenant id → tenant. */
export interface LocalTenantSeed {
  tenants: Record<string, SeedTenant>;
}

export interface SeedTenant {
  /** `GET /organization`, less `id` (the tenant id) and `verifiedDomains` (derived from `domains`). */
  organization: SeedOrganization;
  /** `GET /subscribedSkus` and, through each SKU's subscriptions, `GET /directory/subscriptions`. */
  skus: SeedSku[];
  /** `GET /domains`; the verified ones also appear in `organization.verifiedDomains`. */
  domains: SeedDomain[];
  users: SeedUser[];
  /**
   * Apps holding directory roles: they appear among a role's members (`GET /directoryRoles/…/members`)
   * with `@odata.type` `#microsoft.graph.servicePrincipal`, never in `/users`.
   */
  servicePrincipals?: SeedServicePrincipal[];
  /** `GET /tenantRelationships/delegatedAdminCustomers`: empty unless the tenant is a partner. */
  delegatedAdminCustomers: SeedDelegatedAdminCustomer[];
  /** `GET /tenantRelationships/delegatedAdminRelationships`: a partner's GDAP relationships (partners.ts). */
  delegatedAdminRelationships?: SeedRelationship[];
  /** True: the bot's Graph app has no consent here, every Graph call answers 401 (partners.ts `CONSENT_MISSING`). */
  consentMissing?: boolean;
}

export type SeedOrganization = Omit<MicrosoftGraph.Organization, 'id' | 'verifiedDomains'> & {
  displayName: string;
  countryLetterCode: string;
  preferredLanguage: string;
  onPremisesSyncEnabled: boolean | null;
  tenantType: string;
};

export type CapabilityStatus = 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut';

export interface SeedSku {
  skuId: string;
  skuPartNumber: string;
  appliesTo: 'User' | 'Company';
  capabilityStatus: CapabilityStatus;
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number };
  consumedUnits: number;
  servicePlans: SeedServicePlan[];
  /**
   * The commerce subscriptions behind the SKU (`subscribedSku.subscriptionIds`, and the
   * `companySubscription` objects of `GET /directory/subscriptions`). Graph marks a trial only
   * there, with `isTrial: true`; `subscribedSkus` itself has no trial flag.
   */
  subscriptions: SeedSubscription[];
}

export interface SeedServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  /** Success, Disabled, Error, PendingInput, PendingActivation or PendingProvisioning. */
  provisioningStatus: string;
  appliesTo: 'User' | 'Company';
}

export interface SeedSubscription {
  id: string;
  commerceSubscriptionId: string;
  isTrial: boolean;
  totalLicenses: number;
  status: CapabilityStatus;
  createdDateTime: string;
  nextLifecycleDateTime: string | null;
}

export interface SeedDomain {
  /** The domain name, e.g. contoso.com (Graph uses the name as the domain's id). */
  id: string;
  authenticationType: 'Managed' | 'Federated';
  isDefault: boolean;
  isInitial: boolean;
  isVerified: boolean;
  supportedServices: string[];
}

export interface SeedUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  /** BCP-47, as Graph returns it (e.g. en-US). */
  preferredLanguage: string | null;
  /** ISO 3166 alpha-2. Graph returns it only when `$select`ed. */
  usageLocation: string | null;
  businessPhones: string[];
  mobilePhone: string | null;
  accountEnabled: boolean;
  /** Absent for a user without an Exchange Online mailbox (Graph then answers 404 for mailboxSettings). */
  mailboxSettings?: SeedMailboxSettings;
  /** Directory roles the user holds, by role template id (see ids.ts ROLE_TEMPLATES). */
  directoryRoleTemplateIds: string[];
  /**
   * The events of the user's default calendar, the user being the organizer (`/users/{id}/events`,
   * and through them `calendar/getSchedule`). `defaultSeed()` generates them relative to its `now`
   * (seedCalendar.ts); events created through Graph are added here.
   */
  events?: SeedEvent[];
}

/** Graph's `freeBusyStatus`, as an event's `showAs` and a schedule item's `status`. */
export type FreeBusyStatus = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

export interface SeedAttendee {
  address: string;
  name: string;
  type: 'required' | 'optional' | 'resource';
}

/** Graph's `patternedRecurrence`, limited to what the local tenant expands: daily and weekly patterns. */
export interface SeedRecurrence {
  pattern: {
    type: 'daily' | 'weekly';
    /** Every `interval` days or weeks. */
    interval: number;
    /** Weekly only: the days the event occurs on. */
    daysOfWeek: MicrosoftGraph.DayOfWeek[];
    /** Weekly only: where a week starts, for intervals above 1 (Graph's default is sunday). */
    firstDayOfWeek: MicrosoftGraph.DayOfWeek;
  };
  range: {
    type: 'numbered' | 'endDate' | 'noEnd';
    /** 'YYYY-MM-DD', local to `recurrenceTimeZone`. */
    startDate: string;
    /** 'YYYY-MM-DD' (inclusive) for an endDate range, null otherwise. */
    endDate: string | null;
    /** For a numbered range; 0 otherwise. */
    numberOfOccurrences: number;
    /** The zone the pattern's days and times are read in (Windows or IANA name, as given). */
    recurrenceTimeZone: string;
  };
}

/** One event (a single one or a series master) in a user's calendar, the user being its organizer. */
export interface SeedEvent {
  /** A Graph-looking event id ('AAMkA…='), see `eventId()` in calendar.ts. */
  id: string;
  /** The client's idempotency key: a second POST with it, for the same user, returns this event. */
  transactionId: string | null;
  subject: string;
  body: { contentType: 'text' | 'html'; content: string };
  /** The (first) occurrence, as ISO UTC instants. */
  start: string;
  end: string;
  /** The zone the event was created in (`originalStartTimeZone`, Windows or IANA name); a series repeats at its local time there. */
  timeZone: string;
  isAllDay: boolean;
  showAs: FreeBusyStatus;
  sensitivity: 'normal' | 'personal' | 'private' | 'confidential';
  location: string | null;
  attendees: SeedAttendee[];
  isOnlineMeeting: boolean;
  onlineMeetingProvider: 'teamsForBusiness' | 'unknown';
  /** `onlineMeeting.joinUrl` for a Teams meeting. */
  joinUrl: string | null;
  recurrence: SeedRecurrence | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  categories: string[];
}

export interface SeedServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  /** Directory roles the app holds, by role template id. */
  directoryRoleTemplateIds: string[];
}

export interface SeedMailboxSettings {
  /** A Windows time zone name (Graph's default), e.g. "Pacific Standard Time". */
  timeZone: string;
  language: { locale: string; displayName: string };
  workingHours: {
    daysOfWeek: MicrosoftGraph.DayOfWeek[];
    /** 'HH:mm:ss.0000000', in workingHours.timeZone. */
    startTime: string;
    endTime: string;
    timeZone: { name: string };
  };
  dateFormat: string;
  timeFormat: string;
}

export interface SeedDelegatedAdminCustomer {
  /** The customer's tenant id (Graph uses it as the object's id too). */
  tenantId: string;
  displayName: string;
}

/** A GDAP relationship of a partner with one customer (Graph's `delegatedAdminRelationship`, less what the bot never reads). */
export interface SeedRelationship {
  id: string;
  displayName: string;
  customer: { tenantId: string; displayName: string };
  /** As seeded; an `active` one whose `endDateTime` has passed is answered as `expired`. */
  status: 'active' | 'terminated' | 'expired' | 'approvalPending';
  /** ISO 8601 duration, e.g. P730D. */
  duration: string;
  createdDateTime: string;
  activatedDateTime: string | null;
  lastModifiedDateTime: string;
  endDateTime: string;
  /** `accessDetails.unifiedRoles[].roleDefinitionId`. */
  roleDefinitionIds: string[];
}

/** Namespace of the local tenant's name-based (v5) ids. */
const LOCAL_TENANT_NAMESPACE = 'b8f3c1d2-7a4e-4f60-9d2b-0c5e1a7f3b94';

/** A stable GUID derived from its parts, for ids the seed does not spell out (role objects, subscriptions). */
export function deterministicGuid(...parts: string[]): string {
  return uuidV5(parts.join('/'), LOCAL_TENANT_NAMESPACE);
}

interface SkuOptions {
  enabled: number;
  consumed: number;
  suspended?: number;
  warning?: number;
  lockedOut?: number;
  capabilityStatus?: CapabilityStatus;
  isTrial?: boolean;
  createdDateTime: string;
  nextLifecycleDateTime: string | null;
}

/** A subscribed SKU from the catalog, with one subscription behind it. */
export function catalogSku(tenantId: string, partNumber: SkuPartNumber, o: SkuOptions): SeedSku {
  const product = SKUS[partNumber];
  const units = { enabled: o.enabled, suspended: o.suspended ?? 0, warning: o.warning ?? 0, lockedOut: o.lockedOut ?? 0 };
  const status = o.capabilityStatus ?? 'Enabled';
  return {
    skuId: product.skuId,
    skuPartNumber: partNumber,
    appliesTo: product.appliesTo,
    capabilityStatus: status,
    prepaidUnits: units,
    consumedUnits: o.consumed,
    servicePlans: product.servicePlans.map((name) => ({
      servicePlanId: SERVICE_PLANS[name],
      servicePlanName: name,
      provisioningStatus: 'Success',
      appliesTo: product.appliesTo,
    })),
    subscriptions: [
      {
        id: deterministicGuid('subscription', tenantId, product.skuId),
        commerceSubscriptionId: deterministicGuid('commerce', tenantId, product.skuId),
        isTrial: o.isTrial ?? false,
        totalLicenses: units.enabled + units.suspended + units.warning + units.lockedOut,
        status,
        createdDateTime: o.createdDateTime,
        nextLifecycleDateTime: o.nextLifecycleDateTime,
      },
    ],
  };
}

const WEEKDAYS: MicrosoftGraph.DayOfWeek[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

function mailbox(
  timeZone: string,
  locale: string,
  languageName: string,
  hours: [start: string, end: string],
  formats: [date: string, time: string],
  daysOfWeek: MicrosoftGraph.DayOfWeek[] = WEEKDAYS,
): SeedMailboxSettings {
  return {
    timeZone,
    language: { locale, displayName: languageName },
    workingHours: {
      daysOfWeek,
      startTime: `${hours[0]}:00.0000000`,
      endTime: `${hours[1]}:00.0000000`,
      timeZone: { name: timeZone },
    },
    dateFormat: formats[0],
    timeFormat: formats[1],
  };
}

function organization(o: Partial<SeedOrganization> & Pick<SeedOrganization, 'displayName' | 'countryLetterCode' | 'preferredLanguage' | 'onPremisesSyncEnabled'>): SeedOrganization {
  return {
    deletedDateTime: null,
    businessPhones: [],
    city: null,
    country: null,
    createdDateTime: '2019-03-01T09:00:00Z',
    defaultUsageLocation: o.countryLetterCode,
    marketingNotificationEmails: [],
    onPremisesLastSyncDateTime: null,
    postalCode: null,
    privacyProfile: null,
    securityComplianceNotificationMails: [],
    securityComplianceNotificationPhones: [],
    state: null,
    street: null,
    technicalNotificationMails: [],
    tenantType: 'AAD',
    assignedPlans: [],
    provisionedPlans: [],
    ...o,
  };
}

/** Woodgrove's organisation name: 256 characters, the most Entra ID allows for a display name. */
export const WOODGROVE_NAME =
  'Woodgrove Worldwide Financial Services, Insurance and Asset Management Holdings — Retail, Commercial and Investment Banking ' +
  'Subsidiaries and Affiliated Entities of Europe, the Middle East, Africa, Asia Pacific, Latin America and North America (Group), Ltd.';

const FREE = { createdDateTime: '2020-01-15T00:00:00Z', nextLifecycleDateTime: null } as const;
const ADMIN = [ROLE_TEMPLATES.globalAdministrator];

/**
 * The built-in seed, a fresh copy on every call (the server mutates its own copy).
 * `now` anchors the time-relative values (subscription lifecycle dates, last directory sync, and
 * the generated calendars: see seedCalendar.ts).
 */
export function defaultSeed(now: Date = new Date()): LocalTenantSeed {
  const days = (n: number): string => new Date(now.getTime() + n * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Paid subscriptions renew yearly; the next renewal is always some months ahead.
  const PAID = { createdDateTime: '2023-07-01T00:00:00Z', nextLifecycleDateTime: days(200) };
  const seed: LocalTenantSeed = {
    tenants: {
      // Eligible for FastTrack: 2,000 paid, enabled seats (1,500 + 300 + 200), hybrid identity.
      [TENANTS.contoso]: {
        organization: organization({
          displayName: 'Contoso',
          countryLetterCode: 'US',
          preferredLanguage: 'en',
          onPremisesSyncEnabled: true,
          onPremisesLastSyncDateTime: days(-1 / 48), // Entra Connect syncs every 30 minutes
          businessPhones: ['+1 425 555 0100'],
          street: '1 Contoso Way',
          city: 'Redmond',
          state: 'WA',
          postalCode: '98052',
          country: 'United States',
          technicalNotificationMails: ['megan@contoso.com'],
        }),
        skus: [
          catalogSku(TENANTS.contoso, 'SPE_E3', { enabled: 1500, consumed: 1412, ...PAID }),
          catalogSku(TENANTS.contoso, 'SPE_E5', { enabled: 300, consumed: 287, ...PAID }),
          catalogSku(TENANTS.contoso, 'EMS', { enabled: 200, consumed: 154, ...PAID }),
          // Free SKUs: large unit counts that must never count towards eligibility.
          catalogSku(TENANTS.contoso, 'FLOW_FREE', { enabled: 10000, consumed: 37, ...FREE }),
          catalogSku(TENANTS.contoso, 'POWER_BI_STANDARD', { enabled: 1000000, consumed: 12, ...FREE }),
          // A cancelled Office 365 E3: units suspended, none enabled, so none count.
          catalogSku(TENANTS.contoso, 'ENTERPRISEPACK', {
            enabled: 0, suspended: 100, consumed: 0, capabilityStatus: 'Suspended',
            createdDateTime: '2021-02-01T00:00:00Z', nextLifecycleDateTime: days(45),
          }),
        ],
        domains: [
          { id: 'contoso.onmicrosoft.com', authenticationType: 'Managed', isDefault: false, isInitial: true, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
          { id: 'contoso.com', authenticationType: 'Federated', isDefault: true, isInitial: false, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
          { id: 'contoso.cn', authenticationType: 'Managed', isDefault: false, isInitial: false, isVerified: true, supportedServices: ['Email'] },
        ],
        users: [
          {
            id: USERS.megan, userPrincipalName: 'megan@contoso.com', mail: 'megan@contoso.com',
            displayName: 'Megan Bowen', givenName: 'Megan', surname: 'Bowen', jobTitle: 'IT Director', department: 'IT', officeLocation: 'Redmond 12/1110',
            preferredLanguage: 'en-US', usageLocation: 'US', businessPhones: ['+1 425 555 0109'], mobilePhone: '+1 425 555 0110', accountEnabled: true,
            mailboxSettings: mailbox('Pacific Standard Time', 'en-US', 'English (United States)', ['08:00', '17:00'], ['M/d/yyyy', 'h:mm tt']),
            directoryRoleTemplateIds: ADMIN,
          },
          {
            id: USERS.liwei, userPrincipalName: 'liwei@contoso.com', mail: 'liwei@contoso.com',
            displayName: '李伟', givenName: '伟', surname: '李', jobTitle: 'IT 经理', department: 'IT', officeLocation: 'Shanghai 8F',
            preferredLanguage: 'zh-CN', usageLocation: 'CN', businessPhones: ['+86 21 5555 0188'], mobilePhone: '+86 139 5555 0188', accountEnabled: true,
            mailboxSettings: mailbox('China Standard Time', 'zh-CN', 'Chinese (Simplified, China)', ['09:00', '18:00'], ['yyyy/M/d', 'H:mm']),
            directoryRoleTemplateIds: ADMIN,
          },
          {
            id: USERS.adele, userPrincipalName: 'adele@contoso.com', mail: 'adele@contoso.com',
            displayName: 'Adele Vance', givenName: 'Adele', surname: 'Vance', jobTitle: 'Retail Manager', department: 'Retail', officeLocation: 'London 3/301',
            preferredLanguage: 'en-GB', usageLocation: 'GB', businessPhones: ['+44 20 7946 0123'], mobilePhone: '+44 7700 900123', accountEnabled: true,
            mailboxSettings: mailbox('GMT Standard Time', 'en-GB', 'English (United Kingdom)', ['09:00', '17:30'], ['dd/MM/yyyy', 'HH:mm']),
            directoryRoleTemplateIds: [],
          },
          {
            id: USERS.alex, userPrincipalName: 'alex@contoso.com', mail: 'alex@contoso.com',
            displayName: 'Alex Wilber', givenName: 'Alex', surname: 'Wilber', jobTitle: 'Messaging Engineer', department: 'IT', officeLocation: 'München 2.14',
            preferredLanguage: 'de-DE', usageLocation: 'DE', businessPhones: ['+49 89 5555 0140'], mobilePhone: '+49 151 5555 0140', accountEnabled: true,
            mailboxSettings: mailbox('W. Europe Standard Time', 'de-DE', 'German (Germany)', ['08:00', '16:30'], ['dd.MM.yyyy', 'HH:mm']),
            directoryRoleTemplateIds: [ROLE_TEMPLATES.exchangeAdministrator],
          },
          {
            id: USERS.priya, userPrincipalName: 'priya@contoso.com', mail: 'priya@contoso.com',
            displayName: 'Priya Patel', givenName: 'Priya', surname: 'Patel', jobTitle: 'Project Manager', department: 'PMO', officeLocation: 'Bengaluru 5A',
            preferredLanguage: 'en-IN', usageLocation: 'IN', businessPhones: ['+91 80 5555 0155'], mobilePhone: '+91 98450 55015', accountEnabled: true,
            mailboxSettings: mailbox('India Standard Time', 'en-IN', 'English (India)', ['09:30', '18:30'], ['dd-MM-yyyy', 'HH:mm']),
            directoryRoleTemplateIds: [],
          },
          {
            id: USERS.sita, userPrincipalName: 'sita@contoso.com', mail: 'sita@contoso.com',
            displayName: 'Sita Gurung', givenName: 'Sita', surname: 'Gurung', jobTitle: 'Support Analyst', department: 'Support', officeLocation: 'Kathmandu 2',
            preferredLanguage: 'ne-NP', usageLocation: 'NP', businessPhones: ['+977 1 5550 166'], mobilePhone: '+977 980 5550166', accountEnabled: true,
            // Nepal's working week runs Sunday to Friday.
            mailboxSettings: mailbox('Nepal Standard Time', 'ne-NP', 'Nepali (Nepal)', ['10:00', '17:00'], ['yyyy-MM-dd', 'HH:mm'],
              ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday']),
            directoryRoleTemplateIds: [],
          },
        ],
        // An app among the Exchange Administrators: role members are not always users.
        servicePrincipals: [
          {
            id: SERVICE_PRINCIPALS.contosoMailMigration,
            appId: deterministicGuid('application', TENANTS.contoso, 'mail-migration'),
            displayName: 'Contoso Mail Migration',
            directoryRoleTemplateIds: [ROLE_TEMPLATES.exchangeAdministrator],
          },
        ],
        delegatedAdminCustomers: [],
      },

      // Not eligible: 40 paid seats; the 25 E5 Developer seats are a trial and never count.
      // Business Standard: Exchange, SharePoint, Teams and the Office apps, but no Intune or Entra ID P1.
      [TENANTS.northwind]: {
        organization: organization({
          displayName: 'Northwind Traders',
          countryLetterCode: 'US',
          preferredLanguage: 'en',
          onPremisesSyncEnabled: null, // cloud-only: Graph reports null, not false, when sync was never enabled
          businessPhones: ['+1 206 555 0150'],
          street: '20 Harbor Street',
          city: 'Seattle',
          state: 'WA',
          postalCode: '98101',
          country: 'United States',
          createdDateTime: '2022-05-10T16:00:00Z',
        }),
        skus: [
          catalogSku(TENANTS.northwind, 'O365_BUSINESS_PREMIUM', { enabled: 40, consumed: 38, ...PAID }),
          // The trial: part number DEVELOPERPACK_E5 (on no eligible list), and its subscription
          // has isTrial: true in GET /directory/subscriptions, which is where Graph marks trials.
          catalogSku(TENANTS.northwind, 'DEVELOPERPACK_E5', {
            enabled: 25, consumed: 3, isTrial: true, createdDateTime: days(-10), nextLifecycleDateTime: days(80),
          }),
        ],
        domains: [
          { id: 'northwind.onmicrosoft.com', authenticationType: 'Managed', isDefault: false, isInitial: true, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
          { id: 'northwindtraders.com', authenticationType: 'Managed', isDefault: true, isInitial: false, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
        ],
        users: [
          {
            id: USERS.nancy, userPrincipalName: 'nancy@northwindtraders.com', mail: 'nancy@northwindtraders.com',
            displayName: 'Nancy Davolio', givenName: 'Nancy', surname: 'Davolio', jobTitle: 'Operations Manager', department: 'Operations', officeLocation: 'Seattle 1',
            preferredLanguage: 'en-US', usageLocation: 'US', businessPhones: ['+1 206 555 0151'], mobilePhone: '+1 206 555 0152', accountEnabled: true,
            mailboxSettings: mailbox('Eastern Standard Time', 'en-US', 'English (United States)', ['09:00', '17:00'], ['M/d/yyyy', 'h:mm tt']),
            directoryRoleTemplateIds: ADMIN,
          },
          {
            id: USERS.andrew, userPrincipalName: 'andrew@northwindtraders.com', mail: 'andrew@northwindtraders.com',
            displayName: 'Andrew Fuller', givenName: 'Andrew', surname: 'Fuller', jobTitle: 'Vice President, Sales', department: 'Sales', officeLocation: 'Seattle 2',
            preferredLanguage: 'en-US', usageLocation: 'US', businessPhones: ['+1 206 555 0153'], mobilePhone: '+1 206 555 0154', accountEnabled: true,
            mailboxSettings: mailbox('Eastern Standard Time', 'en-US', 'English (United States)', ['08:30', '17:30'], ['M/d/yyyy', 'h:mm tt']),
            directoryRoleTemplateIds: [],
          },
        ],
        delegatedAdminCustomers: [],
      },

      // A Microsoft partner acting for Contoso and Northwind through GDAP.
      [TENANTS.fabrikam]: {
        organization: organization({
          displayName: 'Fabrikam Conseil',
          countryLetterCode: 'FR',
          preferredLanguage: 'fr',
          onPremisesSyncEnabled: null,
          businessPhones: ['+33 1 55 55 01 70'],
          street: '12 rue de la Paix',
          city: 'Paris',
          postalCode: '75002',
          country: 'France',
          createdDateTime: '2018-09-20T08:00:00Z',
        }),
        skus: [catalogSku(TENANTS.fabrikam, 'O365_BUSINESS_PREMIUM', { enabled: 12, consumed: 9, ...PAID })],
        domains: [
          { id: 'fabrikam.onmicrosoft.com', authenticationType: 'Managed', isDefault: false, isInitial: true, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
          { id: 'fabrikam.fr', authenticationType: 'Managed', isDefault: true, isInitial: false, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
        ],
        users: [
          {
            id: USERS.patti, userPrincipalName: 'patti@fabrikam.fr', mail: 'patti@fabrikam.fr',
            displayName: 'Patti Fernandez', givenName: 'Patti', surname: 'Fernandez', jobTitle: 'Responsable partenariats', department: 'Conseil', officeLocation: 'Paris 4',
            preferredLanguage: 'fr-FR', usageLocation: 'FR', businessPhones: ['+33 1 55 55 01 71'], mobilePhone: '+33 6 55 55 01 71', accountEnabled: true,
            mailboxSettings: mailbox('Romance Standard Time', 'fr-FR', 'French (France)', ['09:00', '18:00'], ['dd/MM/yyyy', 'HH:mm']),
            directoryRoleTemplateIds: ADMIN,
          },
        ],
        delegatedAdminCustomers: [
          { tenantId: TENANTS.contoso, displayName: 'Contoso' },
          { tenantId: TENANTS.northwind, displayName: 'Northwind Traders' },
        ],
      },

      // The eligibility edge: exactly 150 paid, enabled, non-trial seats (Business Premium 100 +
      // Office 365 E1 50). Next to them, seats that must not count: an E5 trial whose part number
      // looks paid (only directory/subscriptions says isTrial), a suspended Office 365 E3, and an
      // expired Business Standard in its grace period (capabilityStatus Warning, units in
      // prepaidUnits.warning). Cloud-only, in Great Britain.
      [TENANTS.tailspin]: {
        organization: organization({
          displayName: 'Tailspin Toys',
          countryLetterCode: 'GB',
          preferredLanguage: 'en',
          onPremisesSyncEnabled: null,
          businessPhones: ['+44 161 555 0190'],
          street: '14 Kite Lane',
          city: 'Manchester',
          postalCode: 'M1 4BT',
          country: 'United Kingdom',
          createdDateTime: '2021-11-08T10:00:00Z',
          technicalNotificationMails: ['kim@tailspintoys.com'],
        }),
        skus: [
          catalogSku(TENANTS.tailspin, 'SPB', { enabled: 100, consumed: 97, ...PAID }),
          catalogSku(TENANTS.tailspin, 'STANDARDPACK', { enabled: 50, consumed: 46, ...PAID }),
          // A 30-day Microsoft 365 E5 trial: same part number as the paid product.
          catalogSku(TENANTS.tailspin, 'SPE_E5', {
            enabled: 25, consumed: 4, isTrial: true, createdDateTime: days(-20), nextLifecycleDateTime: days(10),
          }),
          // Cancelled: no enabled units, 30 suspended until the subscription is deleted.
          catalogSku(TENANTS.tailspin, 'ENTERPRISEPACK', {
            enabled: 0, suspended: 30, consumed: 0, capabilityStatus: 'Suspended',
            createdDateTime: '2022-01-10T00:00:00Z', nextLifecycleDateTime: days(60),
          }),
          // Expired, in its 30-day grace period: users keep access, the units sit in prepaidUnits.warning.
          catalogSku(TENANTS.tailspin, 'O365_BUSINESS_PREMIUM', {
            enabled: 0, warning: 20, consumed: 18, capabilityStatus: 'Warning',
            createdDateTime: '2022-03-01T00:00:00Z', nextLifecycleDateTime: days(12),
          }),
        ],
        domains: [
          { id: 'tailspintoys.onmicrosoft.com', authenticationType: 'Managed', isDefault: false, isInitial: true, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
          { id: 'tailspintoys.com', authenticationType: 'Managed', isDefault: true, isInitial: false, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
        ],
        users: [
          {
            id: USERS.kim, userPrincipalName: 'kim@tailspintoys.com', mail: 'kim@tailspintoys.com',
            displayName: 'Kim Abercrombie', givenName: 'Kim', surname: 'Abercrombie', jobTitle: 'Head of IT', department: 'IT', officeLocation: 'Dallas 3',
            preferredLanguage: 'en-US', usageLocation: 'US', businessPhones: ['+1 214 555 0191'], mobilePhone: '+1 214 555 0192', accountEnabled: true,
            mailboxSettings: mailbox('Central Standard Time', 'en-US', 'English (United States)', ['08:00', '17:00'], ['M/d/yyyy', 'h:mm tt']),
            directoryRoleTemplateIds: ADMIN,
          },
          {
            id: USERS.lee, userPrincipalName: 'lee@tailspintoys.com', mail: 'lee@tailspintoys.com',
            displayName: 'Lee Gu', givenName: 'Lee', surname: 'Gu', jobTitle: 'Store Manager', department: 'Retail', officeLocation: 'Manchester 1',
            preferredLanguage: 'en-GB', usageLocation: 'GB', businessPhones: ['+44 161 555 0193'], mobilePhone: '+44 7700 900193', accountEnabled: true,
            mailboxSettings: mailbox('GMT Standard Time', 'en-GB', 'English (United Kingdom)', ['09:00', '17:30'], ['dd/MM/yyyy', 'HH:mm']),
            directoryRoleTemplateIds: [],
          },
        ],
        delegatedAdminCustomers: [],
      },

      // The realistic worst case for message size (test/cards/messageSize.test.ts): the longest
      // organisation name Entra allows (256 characters), every SKU of the catalog (so every service
      // is offered, and every reason a SKU does not count shows), a dozen verified domains, and long
      // names for its admins, one in each FastTrack region.
      [TENANTS.woodgrove]: {
        organization: organization({
          displayName: WOODGROVE_NAME,
          countryLetterCode: 'TH',
          preferredLanguage: 'th',
          onPremisesSyncEnabled: true,
          onPremisesLastSyncDateTime: days(-1 / 48),
          businessPhones: ['+66 2 555 0100'],
          street: '999 Rama IV Road, Silom, Bang Rak',
          city: 'Bangkok',
          postalCode: '10500',
          country: 'Thailand',
          createdDateTime: '2016-04-01T03:00:00Z',
        }),
        skus: [
          catalogSku(TENANTS.woodgrove, 'SPE_E3', { enabled: 42000, consumed: 41876, ...PAID }),
          catalogSku(TENANTS.woodgrove, 'SPE_E5', { enabled: 8500, consumed: 8412, ...PAID }),
          catalogSku(TENANTS.woodgrove, 'EMS', { enabled: 3000, consumed: 2999, ...PAID }),
          catalogSku(TENANTS.woodgrove, 'STANDARDPACK', { enabled: 12000, consumed: 11010, ...PAID }),
          catalogSku(TENANTS.woodgrove, 'SPB', { enabled: 300, consumed: 287, ...PAID }),
          catalogSku(TENANTS.woodgrove, 'ENTERPRISEPACK', {
            enabled: 0, suspended: 5000, consumed: 0, capabilityStatus: 'Suspended',
            createdDateTime: '2019-02-01T00:00:00Z', nextLifecycleDateTime: days(45),
          }),
          catalogSku(TENANTS.woodgrove, 'O365_BUSINESS_PREMIUM', {
            enabled: 0, warning: 250, consumed: 240, capabilityStatus: 'Warning',
            createdDateTime: '2021-03-01T00:00:00Z', nextLifecycleDateTime: days(12),
          }),
          catalogSku(TENANTS.woodgrove, 'DEVELOPERPACK_E5', { enabled: 25, consumed: 4, isTrial: true, createdDateTime: days(-10), nextLifecycleDateTime: days(80) }),
          catalogSku(TENANTS.woodgrove, 'FLOW_FREE', { enabled: 10000, consumed: 2210, ...FREE }),
          catalogSku(TENANTS.woodgrove, 'POWER_BI_STANDARD', { enabled: 1000000, consumed: 15021, ...FREE }),
        ],
        domains: [
          { id: 'woodgroveworldwidegroup.onmicrosoft.com', authenticationType: 'Managed', isDefault: false, isInitial: true, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
          { id: 'woodgrove-worldwide-financial-services-insurance-asset-management.com', authenticationType: 'Federated', isDefault: true, isInitial: false, isVerified: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
          ...['woodgrovebank.com', 'woodgrove-insurance.co.th', 'woodgrove-asset-management.com.sg', 'woodgrove.co.uk', 'woodgrove.de', 'woodgrove.fr', 'woodgrove.com.br', 'woodgrove.co.jp', 'woodgrove.vn', 'woodgrove-retail-commercial-investment-banking.com'].map(
            (id, i): SeedDomain => ({ id, authenticationType: i % 3 === 0 ? 'Federated' : 'Managed', isDefault: false, isInitial: false, isVerified: true, supportedServices: ['Email'] }),
          ),
        ],
        users: [
          {
            id: USERS.woodgroveAmericas, userPrincipalName: 'maria.fernanda.albuquerque-vasconcelos@woodgrovebank.com', mail: 'maria.fernanda.albuquerque-vasconcelos@woodgrovebank.com',
            displayName: 'Maria Fernanda de Albuquerque Vasconcelos e Sá Carneiro-Magalhães', givenName: 'Maria Fernanda', surname: 'de Albuquerque Vasconcelos e Sá Carneiro-Magalhães',
            jobTitle: 'Diretora Regional de Tecnologia da Informação e Transformação Digital', department: 'Tecnologia da Informação', officeLocation: 'São Paulo, Avenida Paulista 1842, 23º andar',
            preferredLanguage: 'pt-BR', usageLocation: 'BR', businessPhones: ['+55 11 5555 0100'], mobilePhone: '+55 11 95555 0100', accountEnabled: true,
            mailboxSettings: mailbox('E. South America Standard Time', 'pt-BR', 'Portuguese (Brazil)', ['08:00', '18:00'], ['dd/MM/yyyy', 'HH:mm']),
            directoryRoleTemplateIds: ADMIN,
          },
          {
            id: USERS.woodgroveEmea, userPrincipalName: 'jean-baptiste.de-la-rochefoucauld-montmorency@woodgrovebank.com', mail: 'jean-baptiste.de-la-rochefoucauld-montmorency@woodgrovebank.com',
            displayName: 'Jean-Baptiste Alexandre de La Rochefoucauld-Montmorency-Laval', givenName: 'Jean-Baptiste Alexandre', surname: 'de La Rochefoucauld-Montmorency-Laval',
            jobTitle: 'Directeur des systèmes d’information, Europe, Moyen-Orient et Afrique', department: 'Systèmes d’information', officeLocation: 'Paris La Défense, Tour Woodgrove, 38e étage',
            preferredLanguage: 'fr-FR', usageLocation: 'FR', businessPhones: ['+33 1 55 55 01 80'], mobilePhone: '+33 6 55 55 01 80', accountEnabled: true,
            mailboxSettings: mailbox('W. Europe Standard Time', 'fr-FR', 'French (France)', ['08:30', '18:00'], ['dd/MM/yyyy', 'HH:mm']),
            directoryRoleTemplateIds: ADMIN,
          },
          {
            id: USERS.woodgroveApac, userPrincipalName: 'siriwan.chaiyaphruek-rattanakosin@woodgrovebank.com', mail: 'siriwan.chaiyaphruek-rattanakosin@woodgrovebank.com',
            displayName: 'ศิริวรรณ ชัยพฤกษ์รัตนโกสินทร์สมบูรณ์ศักดิ์ (Siriwan Chaiyaphruek-Rattanakosin)', givenName: 'ศิริวรรณ', surname: 'ชัยพฤกษ์รัตนโกสินทร์สมบูรณ์ศักดิ์',
            jobTitle: 'ผู้อำนวยการฝ่ายเทคโนโลยีสารสนเทศภูมิภาคเอเชียแปซิฟิก', department: 'เทคโนโลยีสารสนเทศ', officeLocation: 'Bangkok, Silom, 41st floor',
            preferredLanguage: 'th-TH', usageLocation: 'TH', businessPhones: ['+66 2 555 0101'], mobilePhone: '+66 81 555 0101', accountEnabled: true,
            mailboxSettings: mailbox('SE Asia Standard Time', 'th-TH', 'Thai (Thailand)', ['08:30', '17:30'], ['d/M/yyyy', 'H:mm']),
            directoryRoleTemplateIds: ADMIN,
          },
          {
            id: USERS.woodgroveUser, userPrincipalName: 'alexandra.montgomery-fitzwilliam@woodgrovebank.com', mail: 'alexandra.montgomery-fitzwilliam@woodgrovebank.com',
            displayName: 'Alexandra Montgomery-Fitzwilliam', givenName: 'Alexandra', surname: 'Montgomery-Fitzwilliam', jobTitle: 'Branch Operations Lead', department: 'Retail Banking', officeLocation: 'London, 1 Canada Square',
            preferredLanguage: 'en-GB', usageLocation: 'GB', businessPhones: ['+44 20 7946 0180'], mobilePhone: '+44 7700 900180', accountEnabled: true,
            mailboxSettings: mailbox('GMT Standard Time', 'en-GB', 'English (United Kingdom)', ['09:00', '17:30'], ['dd/MM/yyyy', 'HH:mm']),
            directoryRoleTemplateIds: [],
          },
        ],
        delegatedAdminCustomers: [],
      },
    },
  };
  // Fabrikam's GDAP customers and relationships, and Adatum (a customer without consent): partners.ts.
  addPartnerSeed(seed, now);
  // Every mailbox gets a generated calendar around `now` (seedCalendar.ts).
  for (const [tenantId, tenant] of Object.entries(seed.tenants)) {
    for (const user of tenant.users) user.events = seedEventsFor(tenantId, user, now);
  }
  // FastTrack's staff tenant (staff.ts): its people's calendars are the bot's ledger, not seeded events.
  seed.tenants[TENANTS.fastTrack] = staffTenant();
  return seed;
}
