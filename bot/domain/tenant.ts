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
  /** The mailbox's working hours; undefined without a mailbox or when Graph did not say. */
  workingHours?: WorkingHours;
}

/** When a user usually works, from their mailbox settings (Graph `mailboxSettings.workingHours`). */
export interface WorkingHours {
  /** ISO weekdays: 1 = Monday … 7 = Sunday, ascending. */
  daysOfWeek: number[];
  /** 'HH:mm', local time in `timeZone`. */
  start: string;
  end: string;
  /** As Graph gives it: a Windows name (by default) or an IANA one. */
  timeZone: string;
}

/** A span of time between two ISO UTC instants (e.g. '2025-06-02T16:00:00.000Z'), end exclusive. */
export interface Interval {
  start: string;
  end: string;
}

/** A weekly series: `occurrences` meetings on `daysOfWeek` (ISO 1 = Monday … 7 = Sunday) every `interval` weeks. */
export interface WeeklyRecurrence {
  pattern: 'weekly';
  interval: number;
  daysOfWeek: number[];
  occurrences: number;
}

/** An event of a user's calendar, as the bot sees it (the first occurrence for a series). */
export interface CalendarEvent {
  id: string;
  subject: string;
  /** ISO UTC instants. */
  start: string;
  end: string;
  /** The Teams meeting link (Graph `onlineMeeting.joinUrl`). */
  joinUrl: string | undefined;
  /** Opens the event in Outlook on the web. */
  webLink: string | undefined;
  transactionId: string | undefined;
  /** Undefined for a single event, and for a series that is not a numbered weekly one. */
  recurrence: WeeklyRecurrence | undefined;
}

/** A Teams meeting to put in a user's calendar (the user is the organizer). */
export interface NewEvent {
  subject: string;
  bodyHtml: string;
  /** ISO instants (any offset; sent to Graph in `timeZone`). */
  start: string;
  end: string;
  attendees: { email: string; name: string }[];
  /** Makes the create idempotent: a second create with the same id returns the first event (Graph `transactionId`). */
  transactionId: string;
  recurrence?: CalendarEvent['recurrence'];
  /**
   * The zone the event is kept in (Windows or IANA name, as Graph accepts); UTC when absent. A
   * series' weekdays and its local time of day follow this zone, across daylight-saving changes.
   */
  timeZone?: string;
}
