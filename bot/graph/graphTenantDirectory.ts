import { Client, GraphError as SdkGraphError, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { CalendarEvent, DirectoryPerson, Interval, NewEvent, SubscribedSku, TenantProfile, UserProfile, VerifiedDomain, WorkingHours } from '../domain/tenant';
import { toIanaTimeZone } from '../domain/timeZones';
import type { CredentialFactory } from './credentials';
import { GraphError, type EventPatch, type ScheduleResult, type TenantDirectory } from './tenantDirectory';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** When Graph does not say (no permission for directory/subscriptions), trials are told by their part number. */
const TRIAL_PART_NUMBER = /TRIAL|DEVELOPERPACK/i;
/** Most pages followed through @odata.nextLink for one collection (Graph pages directory objects by 100). */
const MAX_PAGES = 10;
const USER_ODATA_TYPE = '#microsoft.graph.user';

/** getSchedule's limits: at most 20 mailboxes, a window shorter than 62 days. */
const MAX_SCHEDULES = 20;
const MAX_SCHEDULE_MS = 62 * 86_400_000;
const AVAILABILITY_VIEW_INTERVAL = 30;
/**
 * Every calendar call asks for UTC times (read back into instants whatever zone comes anyway) and
 * immutable ids, so a stored event id stays valid when the event moves between folders.
 */
const CALENDAR_PREFER = 'outlook.timezone="UTC", IdType="ImmutableId"';
/** Schedule item statuses that make a mailbox unavailable; free and workingElsewhere do not. */
const BUSY_STATUSES = new Set(['busy', 'tentative', 'oof', 'unknown']);
/** availabilityView digits that are not free: 1 tentative, 2 busy, 3 away (4 working elsewhere is free). */
const BUSY_DIGITS = new Set(['1', '2', '3']);
/** ISO weekday (1 = Monday) → Graph day name. */
const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const EVENT_SELECT = 'id,subject,start,end,webLink,transactionId,onlineMeeting,recurrence';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const SMTP_ADDRESS = /^[^\s@<>()",;]{1,64}@[^\s@<>()",;]{1,255}$/;
/** Graph event ids are base64 (URL-safe in v1.0, sometimes with '/' or '+' in older formats). */
const EVENT_ID = /^[A-Za-z0-9+/=_-]{1,1024}$/;
/** A user is named by object id or user principal name (a guest's holds '#EXT#'); it is percent-encoded into one path segment. */
const USER_ID = /^[^\s/\\]{1,256}$/;
/** 404 codes about the user, mailbox or tenant rather than the event: the event is not known to be gone. */
const NOT_ABOUT_THE_EVENT = /^(ErrorInvalidUser|MailboxNotEnabledForRESTAPI|ResourceNotFound|Request_ResourceNotFound|Authorization_.*)$/;

export interface GraphTenantDirectoryOptions {
  /** Base URL without the version, e.g. https://graph.microsoft.com; `{tenantId}` is replaced per tenant. */
  baseUrl: string;
  credentials: CredentialFactory;
  /** Per call, including the SDK's own retries. */
  timeoutMs?: number;
  /** How often a batch's throttled inner requests are tried again (the SDK does not retry inside a batch). */
  batchRetries?: number;
  /** Longest wait honoured from a Retry-After before giving up. */
  maxRetryAfterSeconds?: number;
}

// Graph answers are untrusted input too: parse only what is used, tolerate what is not.
const organizationSchema = z.object({
  value: z.array(
    z.object({
      displayName: z.string().nullish(),
      countryLetterCode: z.string().nullish(),
      preferredLanguage: z.string().nullish(),
      onPremisesSyncEnabled: z.boolean().nullish(),
      verifiedDomains: z.array(z.object({ name: z.string(), isDefault: z.boolean().nullish(), isInitial: z.boolean().nullish() })).nullish(),
    }),
  ),
});
const skusSchema = z.object({
  value: z.array(
    z.object({
      skuId: z.string(),
      skuPartNumber: z.string(),
      capabilityStatus: z.string().nullish(),
      consumedUnits: z.number().nullish(),
      prepaidUnits: z.object({ enabled: z.number().nullish(), warning: z.number().nullish(), suspended: z.number().nullish() }).nullish(),
      servicePlans: z.array(z.object({ servicePlanName: z.string().nullish() })).nullish(),
      subscriptionIds: z.array(z.string()).nullish(),
    }),
  ),
});
// GET /directory/subscriptions: the only place Graph marks a trial.
const subscriptionsSchema = z.object({
  value: z.array(z.object({ commerceSubscriptionId: z.string().nullish(), skuId: z.string().nullish(), isTrial: z.boolean().nullish() })),
});
const nextLink = { '@odata.nextLink': z.string().nullish() };
const directoryRolesSchema = z.object({ value: z.array(z.object({ roleTemplateId: z.string().nullish() })), ...nextLink });
const roleMembersSchema = z.object({
  value: z.array(z.object({ '@odata.type': z.string().nullish(), id: z.string(), displayName: z.string().nullish(), mail: z.string().nullish() })),
  ...nextLink,
});
const domainsSchema = z.object({
  value: z.array(z.object({ id: z.string(), isVerified: z.boolean().nullish(), authenticationType: z.string().nullish() })),
});
const userSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  preferredLanguage: z.string().nullish(),
  jobTitle: z.string().nullish(),
  mobilePhone: z.string().nullish(),
  businessPhones: z.array(z.string()).nullish(),
});
const mailboxSchema = z.object({
  timeZone: z.string().nullish(),
  workingHours: z
    .object({
      daysOfWeek: z.array(z.string()).nullish(),
      startTime: z.string().nullish(),
      endTime: z.string().nullish(),
      timeZone: z.object({ name: z.string().nullish() }).nullish(),
    })
    .nullish(),
});
const dateTimeTimeZoneSchema = z.object({ dateTime: z.string(), timeZone: z.string().nullish() });
const scheduleSchema = z.object({
  value: z.array(
    z.object({
      scheduleId: z.string().nullish(),
      availabilityView: z.string().nullish(),
      scheduleItems: z.array(z.object({ status: z.string().nullish(), start: dateTimeTimeZoneSchema, end: dateTimeTimeZoneSchema })).nullish(),
      error: z.object({ message: z.string().nullish(), responseCode: z.string().nullish() }).nullish(),
    }),
  ),
});
const eventSchema = z.object({
  id: z.string(),
  subject: z.string().nullish(),
  start: dateTimeTimeZoneSchema,
  end: dateTimeTimeZoneSchema,
  webLink: z.string().nullish(),
  transactionId: z.string().nullish(),
  onlineMeeting: z.object({ joinUrl: z.string().nullish() }).nullish(),
  recurrence: z
    .object({
      pattern: z.object({ type: z.string().nullish(), interval: z.number().nullish(), daysOfWeek: z.array(z.string()).nullish() }).nullish(),
      range: z.object({ type: z.string().nullish(), numberOfOccurrences: z.number().nullish() }).nullish(),
    })
    .nullish(),
});
const batchSchema = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), headers: z.record(z.string(), z.string()).nullish(), body: z.unknown() })),
});

interface BatchStep {
  id: string;
  method: 'GET';
  url: string;
}
type BatchResponse = z.infer<typeof batchSchema>['responses'][number];

/** The Graph gateway on `@microsoft/microsoft-graph-client`: one client per customer tenant. */
export class GraphTenantDirectory implements TenantDirectory {
  private readonly clients = new Map<string, Client>();
  private readonly timeoutMs: number;
  private readonly batchRetries: number;
  private readonly maxRetryAfterSeconds: number;

  constructor(private readonly options: GraphTenantDirectoryOptions) {
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.batchRetries = options.batchRetries ?? 3;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;
  }

  async getTenantProfile(tenantId: string): Promise<TenantProfile> {
    const r = await this.batch(tenantId, [
      { id: 'organization', method: 'GET', url: '/organization?$select=displayName,countryLetterCode,preferredLanguage,onPremisesSyncEnabled,verifiedDomains' },
      { id: 'skus', method: 'GET', url: '/subscribedSkus' },
      { id: 'domains', method: 'GET', url: '/domains' },
      { id: 'subscriptions', method: 'GET', url: '/directory/subscriptions' },
    ]);
    const org = parse(organizationSchema, bodyOf(r, 'organization')).value[0];
    if (!org) throw new GraphError(404, 'OrganizationNotFound', 'Graph returned no organization for the tenant');
    const skus = parse(skusSchema, bodyOf(r, 'skus')).value;
    const domains = parse(domainsSchema, bodyOf(r, 'domains')).value;
    // Some tenants have not granted the permission directory/subscriptions needs: a 403 there
    // leaves trials to be told by their part number rather than failing the whole profile.
    const subscriptionsResponse = r.get('subscriptions')!;
    const subscriptions = subscriptionsResponse.status === 403 ? undefined : parse(subscriptionsSchema, bodyOf(r, 'subscriptions')).value;
    const authTypes = new Map(domains.map((d) => [d.id.toLowerCase(), d.authenticationType]));
    return {
      tenantId,
      displayName: org.displayName ?? '',
      countryLetterCode: org.countryLetterCode ?? undefined,
      preferredLanguage: org.preferredLanguage ?? undefined,
      onPremisesSyncEnabled: org.onPremisesSyncEnabled === true,
      verifiedDomains: (org.verifiedDomains ?? []).map(
        (d): VerifiedDomain => ({
          name: d.name,
          isDefault: d.isDefault === true,
          isInitial: d.isInitial === true,
          authenticationType: asAuthType(authTypes.get(d.name.toLowerCase())),
        }),
      ),
      skus: skus.map(
        (s): SubscribedSku => ({
          skuId: s.skuId,
          skuPartNumber: s.skuPartNumber,
          capabilityStatus: s.capabilityStatus ?? 'Enabled',
          enabledUnits: s.prepaidUnits?.enabled ?? 0,
          warningUnits: s.prepaidUnits?.warning ?? 0,
          suspendedUnits: s.prepaidUnits?.suspended ?? 0,
          consumedUnits: s.consumedUnits ?? 0,
          isTrial: isTrial(s, subscriptions),
          servicePlans: (s.servicePlans ?? []).flatMap((p) => (p.servicePlanName ? [p.servicePlanName] : [])),
        }),
      ),
    };
  }

  async getUserProfile(tenantId: string, userId: string): Promise<UserProfile> {
    const id = encodeURIComponent(userId);
    const r = await this.batch(tenantId, [
      { id: 'user', method: 'GET', url: `/users/${id}?$select=id,displayName,mail,userPrincipalName,preferredLanguage,jobTitle,mobilePhone,businessPhones` },
      { id: 'mailbox', method: 'GET', url: `/users/${id}/mailboxSettings` },
    ]);
    const user = parse(userSchema, bodyOf(r, 'user'));
    // A user without a mailbox has no mailbox settings: no time zone, not an error.
    const mailbox = r.get('mailbox');
    const settings = mailbox && mailbox.status < 300 ? parse(mailboxSchema, mailbox.body) : undefined;
    const timeZone = settings?.timeZone ?? undefined;
    const workingHours = settings ? workingHoursOf(settings) : undefined;
    return {
      id: user.id,
      displayName: user.displayName ?? user.userPrincipalName ?? '',
      mail: user.mail ?? undefined,
      userPrincipalName: user.userPrincipalName ?? '',
      preferredLanguage: user.preferredLanguage ?? undefined,
      jobTitle: user.jobTitle ?? undefined,
      phone: user.businessPhones?.[0] ?? user.mobilePhone ?? undefined,
      timeZone,
      ...(workingHours ? { workingHours } : {}),
    };
  }

  async getSchedule(tenantId: string, userId: string, schedules: string[], start: string, end: string): Promise<ScheduleResult[]> {
    if (!Array.isArray(schedules) || schedules.length === 0 || schedules.length > MAX_SCHEDULES) {
      throw new GraphError(400, 'InvalidSchedules', `getSchedule takes 1 to ${MAX_SCHEDULES} mailboxes, not ${Array.isArray(schedules) ? schedules.length : 'none'}`);
    }
    if (!schedules.every((x) => typeof x === 'string' && SMTP_ADDRESS.test(x))) throw new GraphError(400, 'InvalidSchedules', 'A schedule is not an SMTP address');
    const from = instant(start, 'start');
    const to = instant(end, 'end');
    if (to <= from) throw new GraphError(400, 'InvalidTimeWindow', 'The end of the window must be after its start');
    if (to - from >= MAX_SCHEDULE_MS) throw new GraphError(400, 'InvalidTimeWindow', 'getSchedule covers less than 62 days');
    const client = this.clientFor(tenantId);
    const path = `/users/${userSegment(userId)}/calendar/getSchedule`;
    const raw = await this.call(() =>
      client
        .api(path)
        .header('Prefer', CALENDAR_PREFER)
        .post({
          schedules,
          startTime: { dateTime: utcDateTime(from), timeZone: 'UTC' },
          endTime: { dateTime: utcDateTime(to), timeZone: 'UTC' },
          availabilityViewInterval: AVAILABILITY_VIEW_INTERVAL,
        }) as Promise<unknown>,
    );
    const answers = parse(scheduleSchema, raw).value;
    return schedules.map((schedule): ScheduleResult => {
      const info = answers.find((a) => a.scheduleId?.toLowerCase() === schedule.toLowerCase());
      if (!info) return { schedule, busy: [], error: 'ScheduleMissing' };
      if (info.error) return { schedule, busy: [], error: info.error.responseCode ?? info.error.message ?? 'UnknownError' };
      // Without the right to see items, Graph gives only the availabilityView: read the busy slots from it.
      const busy = info.scheduleItems
        ? info.scheduleItems.filter((i) => BUSY_STATUSES.has(i.status ?? 'unknown')).map((i): Interval => ({ start: toInstant(i.start), end: toInstant(i.end) }))
        : busyFromAvailabilityView(info.availabilityView ?? '', from);
      return { schedule, busy: sortIntervals(busy) };
    });
  }

  async createEvent(tenantId: string, userId: string, event: NewEvent): Promise<CalendarEvent> {
    const body = newEventBody(event);
    const client = this.clientFor(tenantId);
    const path = `/users/${userSegment(userId)}/events`;
    // The SDK's RetryHandler may send this POST again after a 429/503/504: the transactionId makes that safe.
    const raw = await this.call(() => client.api(path).header('Prefer', CALENDAR_PREFER).post(body) as Promise<unknown>);
    return toCalendarEvent(parse(eventSchema, raw));
  }

  async updateEvent(tenantId: string, userId: string, eventId: string, patch: EventPatch): Promise<CalendarEvent> {
    const zone = eventZone(patch.timeZone);
    const start = instant(patch.start, 'start');
    const end = instant(patch.end, 'end');
    if (end <= start) throw new GraphError(400, 'InvalidEvent', 'The event must end after it starts');
    const body: Record<string, unknown> = { start: zonedDateTime(start, zone), end: zonedDateTime(end, zone) };
    if (patch.subject !== undefined) body.subject = checkedSubject(patch.subject);
    if (patch.bodyHtml !== undefined) body.body = { contentType: 'HTML', content: patch.bodyHtml };
    if (patch.attendees !== undefined) body.attendees = attendeesBody(patch.attendees);
    // A series moved to another day or time starts again from its new first meeting.
    if (patch.recurrence !== undefined) body.recurrence = recurrenceBody(patch.recurrence, start, zone);
    const client = this.clientFor(tenantId);
    const path = `/users/${userSegment(userId)}/events/${eventSegment(eventId)}`;
    const raw = await this.call(() => client.api(path).header('Prefer', CALENDAR_PREFER).patch(body) as Promise<unknown>);
    return toCalendarEvent(parse(eventSchema, raw));
  }

  async deleteEvent(tenantId: string, userId: string, eventId: string): Promise<void> {
    const client = this.clientFor(tenantId);
    const path = `/users/${userSegment(userId)}/events/${eventSegment(eventId)}`;
    try {
      await this.call(() => client.api(path).delete() as Promise<unknown>);
    } catch (error) {
      // Already deleted (by an earlier try whose answer was lost, or by the user): done.
      if (isEventGone(error)) return;
      throw error;
    }
  }

  async getEvent(tenantId: string, userId: string, eventId: string): Promise<CalendarEvent | undefined> {
    const client = this.clientFor(tenantId);
    const path = `/users/${userSegment(userId)}/events/${eventSegment(eventId)}?$select=${EVENT_SELECT}`;
    try {
      return toCalendarEvent(parse(eventSchema, await this.call(() => client.api(path).header('Prefer', CALENDAR_PREFER).get() as Promise<unknown>)));
    } catch (error) {
      if (isEventGone(error)) return undefined;
      throw error;
    }
  }

  async getDirectoryRoleTemplateIds(tenantId: string, userId: string): Promise<string[]> {
    const url = `/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.directoryRole?$select=roleTemplateId,displayName`;
    const roles = await this.getAllPages(tenantId, url, directoryRolesSchema);
    return [...new Set(roles.flatMap((role) => (role.roleTemplateId ? [role.roleTemplateId.toLowerCase()] : [])))];
  }

  async getRoleMembers(tenantId: string, roleTemplateId: string): Promise<DirectoryPerson[]> {
    // The id goes into an OData key literal: only a GUID may, so nothing can break out of the quotes.
    if (!GUID.test(roleTemplateId)) throw new GraphError(400, 'InvalidRoleTemplateId', 'The role template id is not a GUID');
    const url = `/directoryRoles(roleTemplateId='${roleTemplateId}')/members?$select=id,displayName,mail`;
    let members: z.infer<typeof roleMembersSchema>['value'];
    try {
      members = await this.getAllPages(tenantId, url, roleMembersSchema);
    } catch (error) {
      // A role nobody was ever assigned is not activated in the tenant: Graph answers 404 for it.
      // (An Authorization_* 404 is about the caller or the tenant, not the role.)
      if (error instanceof GraphError && error.status === 404 && !error.code.startsWith('Authorization_')) return [];
      throw error;
    }
    // Apps (service principals) and groups can hold roles too; only people are wanted here.
    return members
      .filter((m) => m['@odata.type'] === USER_ODATA_TYPE)
      .map((m): DirectoryPerson => ({ id: m.id, displayName: m.displayName ?? '', mail: m.mail ?? undefined }));
  }

  async ping(): Promise<boolean> {
    try {
      // Any HTTP answer from the host means it is reachable; auth is per tenant and not tested here.
      await fetch(new URL(this.options.baseUrl.replace('{tenantId}', 'ping')).origin, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
      return true;
    } catch {
      return false;
    }
  }

  /** Sends steps as one JSON batch; throttled inner steps are retried (bounded), other failures thrown. */
  private async batch(tenantId: string, steps: BatchStep[]): Promise<Map<string, BatchResponse>> {
    const client = this.clientFor(tenantId);
    const results = new Map<string, BatchResponse>();
    let pending = steps;
    for (let attempt = 0; ; attempt++) {
      const raw = await this.call(() => client.api('/$batch').post({ requests: pending }));
      const { responses } = parse(batchSchema, raw);
      const retry: BatchStep[] = [];
      let wait = 0;
      for (const step of pending) {
        const response = responses.find((x) => x.id === step.id);
        if (!response) throw new GraphError(502, 'BatchResponseMissing', `Graph's batch answer had no response for step ${step.id}`);
        if ([429, 503, 504].includes(response.status) && attempt < this.batchRetries) {
          retry.push(step);
          wait = Math.max(wait, retryAfter(response.headers) ?? 2 ** attempt);
        } else {
          results.set(step.id, response);
        }
      }
      if (retry.length === 0) return results;
      if (wait > this.maxRetryAfterSeconds) {
        throw new GraphError(429, 'TooManyRequests', `Graph asked to wait ${wait} s, longer than ${this.maxRetryAfterSeconds} s`, wait);
      }
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      pending = retry;
    }
  }

  /**
   * GETs a collection and follows its @odata.nextLink (at most MAX_PAGES pages). A next link must
   * point below the tenant's own base URL and version; it is then sent through the same client.
   */
  private async getAllPages<T>(tenantId: string, url: string, schema: z.ZodType<{ value: T[]; '@odata.nextLink'?: string | null | undefined }>): Promise<T[]> {
    const client = this.clientFor(tenantId);
    const items: T[] = [];
    let next: string | undefined = url;
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_PAGES) throw new GraphError(502, 'TooManyPages', `Graph's answer ran to more than ${MAX_PAGES} pages`);
      const path: string = next;
      const body = parse(schema, await this.call(() => client.api(path).get() as Promise<unknown>));
      items.push(...body.value);
      next = body['@odata.nextLink'] ? this.relativeToVersion(tenantId, body['@odata.nextLink']) : undefined;
    }
    return items;
  }

  /** '/users/…?$skiptoken=…' for a next link under the tenant's base URL and version; GraphError otherwise. */
  private relativeToVersion(tenantId: string, link: string): string {
    const root = new URL(`${this.baseUrlFor(tenantId)}/v1.0/`);
    let target: URL;
    try {
      target = new URL(link);
    } catch {
      throw new GraphError(502, 'UnexpectedNextLink', 'Graph returned a next link that is not a URL');
    }
    if (target.origin !== root.origin || !target.pathname.startsWith(root.pathname)) {
      throw new GraphError(502, 'UnexpectedNextLink', 'Graph returned a next link outside the Graph endpoint');
    }
    return `/${target.pathname.slice(root.pathname.length)}${target.search}`;
  }

  private baseUrlFor(tenantId: string): string {
    return this.options.baseUrl.replace('{tenantId}', tenantId).replace(/\/+$/, '');
  }

  private clientFor(tenantId: string): Client {
    if (!GUID.test(tenantId)) throw new GraphError(400, 'InvalidTenantId', 'The tenant id is not a GUID');
    let client = this.clients.get(tenantId);
    if (!client) {
      const baseUrl = this.baseUrlFor(tenantId);
      const credential = this.options.credentials(tenantId);
      const authProvider: AuthenticationProvider = credential
        ? new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] })
        : { getAccessToken: async () => '' };
      const host = new URL(baseUrl).hostname;
      client = Client.initWithMiddleware({
        authProvider,
        baseUrl,
        defaultVersion: 'v1.0',
        // Tokens are only attached to Graph's own hosts or the ones listed here (e.g. national clouds).
        ...(credential && baseUrl.startsWith('https:') && host !== 'graph.microsoft.com' ? { customHosts: new Set([host]) } : {}),
      });
      this.clients.set(tenantId, client);
    }
    return client;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GraphError(504, 'Timeout', `Graph did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([request(), timeout]);
    } catch (error) {
      throw toGraphError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

function bodyOf(responses: Map<string, BatchResponse>, id: string): unknown {
  const response = responses.get(id)!;
  if (response.status >= 300) {
    const code = z.object({ error: z.object({ code: z.string() }) }).safeParse(response.body);
    throw new GraphError(response.status, code.success ? code.data.error.code : 'UnknownError', `Graph answered ${response.status} for ${id}`, retryAfter(response.headers));
  }
  return response.body;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new GraphError(502, 'UnexpectedResponse', `Graph's answer did not have the expected shape at ${result.error.issues[0]?.path.join('.') ?? '?'}`);
  return result.data;
}

function retryAfter(headers: Record<string, string> | null | undefined): number | undefined {
  const value = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * True when a subscription behind the SKU is a trial. `subscribedSku.subscriptionIds` holds the
 * commerce subscription ids; a SKU none of whose ids is listed is matched by skuId. Without
 * subscriptions (no permission), or with none found for the SKU, the part number decides.
 */
function isTrial(
  sku: z.infer<typeof skusSchema>['value'][number],
  subscriptions: z.infer<typeof subscriptionsSchema>['value'] | undefined,
): boolean {
  const byPartNumber = TRIAL_PART_NUMBER.test(sku.skuPartNumber);
  if (!subscriptions) return byPartNumber;
  const ids = new Set((sku.subscriptionIds ?? []).map((id) => id.toLowerCase()));
  let linked = subscriptions.filter((x) => x.commerceSubscriptionId && ids.has(x.commerceSubscriptionId.toLowerCase()));
  if (linked.length === 0) linked = subscriptions.filter((x) => x.skuId?.toLowerCase() === sku.skuId.toLowerCase());
  return linked.length > 0 ? linked.some((x) => x.isTrial === true) : byPartNumber;
}

// ---- Calendars ----

/** The user's path segment: an object id or a UPN, checked and percent-encoded. */
function userSegment(userId: string): string {
  // '.' and '..' would survive encoding and be resolved as dot segments of the URL.
  if (typeof userId !== 'string' || !USER_ID.test(userId) || userId === '.' || userId === '..') throw new GraphError(400, 'InvalidUserId', 'The user id is not an object id or a user principal name');
  return encodeURIComponent(userId);
}

function eventSegment(eventId: string): string {
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId)) throw new GraphError(400, 'InvalidEventId', 'The event id is not a Graph event id');
  return encodeURIComponent(eventId);
}

/** True for a 404 about the event itself (Graph: ErrorItemNotFound), not about its user, mailbox or tenant. */
function isEventGone(error: unknown): boolean {
  return error instanceof GraphError && error.status === 404 && !NOT_ABOUT_THE_EVENT.test(error.code);
}

/** Epoch ms of an ISO instant that carries its offset (a local time without one is ambiguous). */
function instant(value: string, field: string): number {
  const parsed = typeof value === 'string' && INSTANT.test(value) ? DateTime.fromISO(value, { setZone: true }) : undefined;
  const ms = parsed?.isValid ? parsed.toMillis() : NaN;
  if (!Number.isFinite(ms)) throw new GraphError(400, 'InvalidTime', `The ${field} is not an ISO date and time with an offset`);
  return ms;
}

/** Graph's dateTime for an instant in UTC: '2025-06-02T16:00:00.000' (with timeZone 'UTC'). */
function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, -1);
}

/** The IANA zone for an event's time zone name (UTC when absent); GraphError for an unknown one. */
function eventZone(name: string | undefined): { name: string; iana: string } {
  if (name === undefined) return { name: 'UTC', iana: 'UTC' };
  const iana = toIanaTimeZone(name);
  if (!iana) throw new GraphError(400, 'InvalidTimeZone', 'The event time zone is not a known Windows or IANA time zone');
  return { name, iana };
}

function zonedDateTime(ms: number, zone: { name: string; iana: string }): { dateTime: string; timeZone: string } {
  return { dateTime: DateTime.fromMillis(ms, { zone: zone.iana }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS"), timeZone: zone.name };
}

function checkedSubject(subject: string): string {
  if (typeof subject !== 'string' || subject.length > 255) throw new GraphError(400, 'InvalidEvent', 'The subject must be a text of at most 255 characters');
  return subject;
}

/** The POST body of a Teams meeting, checked: times, attendees, transactionId, recurrence. */
function newEventBody(event: NewEvent): Record<string, unknown> {
  const zone = eventZone(event.timeZone);
  const start = instant(event.start, 'start');
  const end = instant(event.end, 'end');
  if (end <= start) throw new GraphError(400, 'InvalidEvent', 'The event must end after it starts');
  if (typeof event.transactionId !== 'string' || event.transactionId.length === 0 || event.transactionId.length > 255) {
    throw new GraphError(400, 'InvalidEvent', 'The transactionId must be a text of 1 to 255 characters');
  }
  const body: Record<string, unknown> = {
    subject: checkedSubject(event.subject),
    body: { contentType: 'HTML', content: event.bodyHtml },
    start: zonedDateTime(start, zone),
    end: zonedDateTime(end, zone),
    attendees: attendeesBody(event.attendees),
    isOnlineMeeting: true,
    onlineMeetingProvider: 'teamsForBusiness',
    transactionId: event.transactionId,
  };
  if (event.recurrence) body.recurrence = recurrenceBody(event.recurrence, start, zone);
  return body;
}

function attendeesBody(attendees: NewEvent['attendees']): unknown[] {
  if (!Array.isArray(attendees) || attendees.length > 500 || !attendees.every((a) => SMTP_ADDRESS.test(a.email) && typeof a.name === 'string')) {
    throw new GraphError(400, 'InvalidEvent', 'An attendee has no valid SMTP address');
  }
  return attendees.map((a) => ({ emailAddress: { address: a.email, name: a.name }, type: 'required' }));
}

/** A weekly numbered recurrence starting with the first meeting at `start` (ms) in `zone`, checked. */
function recurrenceBody(recurrence: NonNullable<NewEvent['recurrence']>, start: number, zone: ReturnType<typeof eventZone>): Record<string, unknown> {
  const { interval, daysOfWeek, occurrences } = recurrence;
  if (recurrence.pattern !== 'weekly' || !Number.isInteger(interval) || interval < 1 || interval > 99) {
    throw new GraphError(400, 'InvalidRecurrence', 'A weekly recurrence needs an interval of 1 to 99 weeks');
  }
  if (!Array.isArray(daysOfWeek) || daysOfWeek.length === 0 || !daysOfWeek.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
    throw new GraphError(400, 'InvalidRecurrence', 'A weekly recurrence needs ISO weekdays (1 = Monday … 7 = Sunday)');
  }
  if (!Number.isInteger(occurrences) || occurrences < 1 || occurrences > 999) throw new GraphError(400, 'InvalidRecurrence', 'A recurrence needs 1 to 999 occurrences');
  const first = DateTime.fromMillis(start, { zone: zone.iana });
  // Graph would start the series on the next matching day, leaving the first meeting off the pattern.
  if (!daysOfWeek.includes(first.weekday)) {
    throw new GraphError(400, 'InvalidRecurrence', `The first meeting falls on ISO weekday ${first.weekday} in ${zone.name}, which is not among the recurrence's days`);
  }
  return {
    pattern: { type: 'weekly', interval, daysOfWeek: [...new Set(daysOfWeek)].sort().map((d) => DAY_NAMES[d - 1]), firstDayOfWeek: 'sunday' },
    range: { type: 'numbered', startDate: first.toISODate(), numberOfOccurrences: occurrences, recurrenceTimeZone: zone.name },
  };
}

/** A Graph dateTimeTimeZone as an ISO UTC instant, whatever zone Graph answered in. */
function toInstant(value: z.infer<typeof dateTimeTimeZoneSchema>): string {
  const zone = value.timeZone ? toIanaTimeZone(value.timeZone) ?? (/^(utc|coordinated universal time)$/i.test(value.timeZone) ? 'UTC' : undefined) : 'UTC';
  if (!zone) throw new GraphError(502, 'UnexpectedResponse', "Graph's answer has a time in an unknown time zone");
  // Graph writes seven fractional digits; milliseconds are enough.
  const parsed = DateTime.fromISO(value.dateTime.replace(/(\.\d{3})\d+/, '$1'), { zone });
  if (!parsed.isValid) throw new GraphError(502, 'UnexpectedResponse', "Graph's answer has a time that is not an ISO date and time");
  return new Date(parsed.toMillis()).toISOString();
}

function toCalendarEvent(e: z.infer<typeof eventSchema>): CalendarEvent {
  const pattern = e.recurrence?.pattern;
  const range = e.recurrence?.range;
  const days = (pattern?.daysOfWeek ?? []).map((d) => DAY_NAMES.indexOf(d.toLowerCase() as (typeof DAY_NAMES)[number]) + 1);
  const weekly =
    pattern?.type === 'weekly' && range?.type === 'numbered' && days.length > 0 && days.every((d) => d > 0)
      ? { pattern: 'weekly' as const, interval: pattern.interval ?? 1, daysOfWeek: days.sort(), occurrences: range.numberOfOccurrences ?? 0 }
      : undefined;
  return {
    id: e.id,
    subject: e.subject ?? '',
    start: toInstant(e.start),
    end: toInstant(e.end),
    joinUrl: e.onlineMeeting?.joinUrl ?? undefined,
    webLink: e.webLink ?? undefined,
    transactionId: e.transactionId ?? undefined,
    recurrence: weekly,
  };
}

/** Busy slots read from an availabilityView (digits per 30 minutes from `from`), adjacent ones joined. */
function busyFromAvailabilityView(view: string, from: number): Interval[] {
  const step = AVAILABILITY_VIEW_INTERVAL * 60_000;
  const out: Interval[] = [];
  let runStart: number | undefined;
  for (let i = 0; i <= view.length; i++) {
    const busy = i < view.length && BUSY_DIGITS.has(view[i]!);
    if (busy && runStart === undefined) runStart = from + i * step;
    if (!busy && runStart !== undefined) {
      out.push({ start: new Date(runStart).toISOString(), end: new Date(from + i * step).toISOString() });
      runStart = undefined;
    }
  }
  return out;
}

/** Sorted by start then end, exact duplicates dropped. */
function sortIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
  return sorted.filter((x, i) => i === 0 || x.start !== sorted[i - 1]!.start || x.end !== sorted[i - 1]!.end);
}

/** Working hours from mailbox settings: ISO weekdays, 'HH:mm', the zone Graph named (the mailbox's when it did not). */
function workingHoursOf(settings: z.infer<typeof mailboxSchema>): WorkingHours | undefined {
  const hours = settings.workingHours;
  const start = hours?.startTime?.slice(0, 5);
  const end = hours?.endTime?.slice(0, 5);
  const named = hours?.timeZone?.name;
  // A custom zone ("Customized Time Zone") has no usable name: the mailbox's own zone stands in.
  const timeZone = named && named !== 'Customized Time Zone' ? named : settings.timeZone ?? undefined;
  if (!hours || !start || !end || !/^\d{2}:\d{2}$/.test(start) || !/^\d{2}:\d{2}$/.test(end) || !timeZone) return undefined;
  const days = (hours.daysOfWeek ?? []).map((d) => DAY_NAMES.indexOf(d.toLowerCase() as (typeof DAY_NAMES)[number]) + 1).filter((d) => d > 0);
  return { daysOfWeek: [...new Set(days)].sort(), start, end, timeZone };
}

function asAuthType(value: string | null | undefined): VerifiedDomain['authenticationType'] {
  return value === 'Managed' || value === 'Federated' ? value : undefined;
}

/** Maps anything the SDK or the network throws to GraphError, without response bodies or tokens. */
export function toGraphError(error: unknown): GraphError {
  if (error instanceof GraphError) return error;
  if (error instanceof SdkGraphError) {
    const status = error.statusCode > 0 ? error.statusCode : 0;
    const code = error.code ?? (status === 0 ? 'NetworkError' : 'UnknownError');
    const seconds = Number(error.headers?.get('retry-after'));
    return new GraphError(status, code, `Graph request failed with ${status || 'no answer'} ${code}`, Number.isFinite(seconds) ? seconds : undefined);
  }
  const name = error instanceof Error ? error.name : 'Error';
  return new GraphError(0, 'NetworkError', `Graph could not be reached (${name})`);
}
