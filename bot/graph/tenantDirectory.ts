import type { CalendarEvent, DirectoryPerson, Interval, NewEvent, TenantProfile, UserProfile } from '../domain/tenant';

/** One mailbox's free/busy over a window (see `TenantDirectory.getSchedule`). */
export interface ScheduleResult {
  /** The SMTP address, as asked. */
  schedule: string;
  /**
   * When the mailbox is not free: its items whose status is busy, tentative, oof (or unknown), as
   * Graph gives them (whole items, possibly reaching outside the window, possibly overlapping),
   * sorted by start. Free and workingElsewhere items count as free.
   */
  busy: Interval[];
  /** Graph's response code when the mailbox's free/busy could not be read (e.g. ErrorMailRecipientNotFound); `busy` is then empty. */
  error?: string;
}

/** What `updateEvent` changes: the time always, the texts when given. */
export interface EventPatch {
  /** ISO instants. */
  start: string;
  end: string;
  subject?: string;
  bodyHtml?: string;
  /** As `NewEvent.timeZone`: pass the one the event was created with (a series is re-anchored to it); UTC when absent. */
  timeZone?: string;
  /** Replaces the attendees (another FastTrack person takes the meeting). */
  attendees?: NewEvent['attendees'];
  /** Replaces a series' recurrence (a series moved to another weekday starts again from its new first meeting). */
  recurrence?: NonNullable<NewEvent['recurrence']>;
}

/** Per call: a caller with a budget of its own (a turn, say) passes a signal to cancel the call, the HTTP request in flight included. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** One of a partner's GDAP customers (`delegatedAdminCustomer`). */
export interface DelegatedCustomer {
  tenantId: string;
  displayName: string;
}

/** One page of a partner's customers, as the "My customers" card shows it. */
export interface CustomerPage {
  customers: DelegatedCustomer[];
  /** 0-based, clamped to the pages there are. */
  page: number;
  pageCount: number;
  /** Customers matching the search (all of them without one). */
  total: number;
}

export interface CustomerListOptions {
  /** Part of the customer's name (any case), or one of its verified domains (contoso.com). */
  search?: string;
  /** 0-based page; CUSTOMER_PAGE_SIZE customers a page. */
  page?: number;
}

/** Customers a page of the "My customers" card. */
export const CUSTOMER_PAGE_SIZE = 8;

/**
 * Where a partner stands with a customer: `active` (a relationship in force), `expired` (its end
 * date passed), `ended` (terminated, by either side), `none` (no relationship at all).
 */
export interface CustomerRelationship {
  status: 'active' | 'expired' | 'ended' | 'none';
  /** The customer's name as the relationship records it. */
  displayName?: string;
  /** When the relationship in force ends (or the latest one ended). */
  endDateTime?: string;
  /** Role template ids the relationship grants (`accessDetails.unifiedRoles`). */
  roleTemplateIds: string[];
}

/** What the bot asks of Microsoft Graph, in its own terms. Dialogs depend on this, never on the SDK. */
export interface TenantDirectory {
  /** Organization, verified domains and subscribed SKUs, read in one round trip. */
  getTenantProfile(tenantId: string): Promise<TenantProfile>;
  /** A user with their mailbox time zone (undefined when the user has no mailbox). */
  getUserProfile(tenantId: string, userId: string): Promise<UserProfile>;
  /** Role template ids of the directory roles the user holds, directly or through groups. */
  getDirectoryRoleTemplateIds(tenantId: string, userId: string): Promise<string[]>;
  /** The members of a directory role (by role template id); empty when the role is not activated. */
  getRoleMembers(tenantId: string, roleTemplateId: string): Promise<DirectoryPerson[]>;
  /**
   * Free/busy of up to 20 mailboxes (SMTP addresses) between two ISO instants less than 62 days
   * apart, read through `userId`'s calendar (`calendar/getSchedule`), in one round trip. Bad
   * input is refused (GraphError 400) before anything is sent.
   */
  getSchedule(tenantId: string, userId: string, schedules: string[], start: string, end: string, options?: CallOptions): Promise<ScheduleResult[]>;
  /**
   * Creates a Teams meeting in `userId`'s calendar (the organizer), inviting the attendees.
   * Idempotent by `event.transactionId`: the gateway's own retries (429/503/504, POSTs included) and
   * any later call with the same transactionId get the event already created, never a second one.
   * That is also the recovery path when a create failed or timed out (GraphError 504 Timeout: the
   * request was aborted, but Graph may have created the event): create again with the same
   * transactionId (Graph cannot be searched by transactionId).
   */
  createEvent(tenantId: string, userId: string, event: NewEvent, options?: CallOptions): Promise<CalendarEvent>;
  /** Moves an event (a series: the whole series) and optionally changes its subject and body. */
  updateEvent(tenantId: string, userId: string, eventId: string, patch: EventPatch, options?: CallOptions): Promise<CalendarEvent>;
  /** Deletes an event (attendees get a cancellation); an event already gone counts as deleted. */
  deleteEvent(tenantId: string, userId: string, eventId: string, options?: CallOptions): Promise<void>;
  /** An event of `userId`'s calendar; undefined when it no longer exists. */
  getEvent(tenantId: string, userId: string, eventId: string, options?: CallOptions): Promise<CalendarEvent | undefined>;
  /**
   * A partner's GDAP customers (`tenantRelationships/delegatedAdminCustomers`, every page read),
   * filtered by `search` (name part, or a verified domain resolved with
   * `findTenantInformationByDomainName`), sorted by name, one page of CUSTOMER_PAGE_SIZE.
   */
  listCustomers(partnerTenantId: string, options?: CustomerListOptions): Promise<CustomerPage>;
  /** The partner's relationship with one customer (`delegatedAdminRelationships`, filtered by the customer's tenant). */
  customerRelationship(partnerTenantId: string, customerTenantId: string): Promise<CustomerRelationship>;
  /** True when the Graph endpoint answers at all (for /readyz). */
  ping(signal?: AbortSignal): Promise<boolean>;
}

/**
 * Every Graph failure, as one typed error. `status` 0 means the request never got an answer
 * (code 'Cancelled' when the caller's signal ended it). The gateway's own codes: 504 'Timeout' (the
 * call's budget ran out and its request was aborted), 503 'CircuitOpen' (the tenant's endpoint
 * failed repeatedly: the call failed at once, without a request), 401 'ConsentRequired' (the Graph
 * app has no consent in that tenant: its token request failed with AADSTS650051 / AADSTS7000229, or
 * Graph answered 401 Authorization_IdentityNotFound).
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GraphError';
  }

  /** True for failures worth trying again later (throttling, outages, timeouts). */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 503 || this.status === 504;
  }
}
