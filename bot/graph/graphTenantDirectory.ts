import type { CalendarEvent, DirectoryPerson, NewEvent, TenantProfile, UserProfile } from '../domain/tenant';
import { GraphCalendar } from './calendar';
import { GraphDirectory } from './directory';
import { GraphPartners } from './partners';
import { GraphSubscriptions, type GraphSubscription, type NewEventSubscription, type SubscriptionGateway } from './subscriptions';
import type { CallOptions, CustomerListOptions, CustomerPage, CustomerRelationship, EventPatch, ScheduleResult, TenantDirectory } from './tenantDirectory';
import { GraphTransport, type GraphTransportOptions } from './transport';

export type GraphTenantDirectoryOptions = GraphTransportOptions;

/**
 * The Graph gateway: the directory and the calendars of customer tenants over one transport
 * (one SDK client and one timeout ⟶ retry ⟶ circuit breaker policy per tenant).
 */
export class GraphTenantDirectory implements TenantDirectory, SubscriptionGateway {
  private readonly transport: GraphTransport;
  private readonly directory: GraphDirectory;
  private readonly calendar: GraphCalendar;
  private readonly subscriptions: GraphSubscriptions;
  private readonly partners: GraphPartners;

  constructor(options: GraphTenantDirectoryOptions) {
    this.transport = new GraphTransport(options);
    this.directory = new GraphDirectory(this.transport);
    this.calendar = new GraphCalendar(this.transport);
    this.subscriptions = new GraphSubscriptions(this.transport);
    this.partners = new GraphPartners(this.transport);
  }

  getTenantProfile(tenantId: string): Promise<TenantProfile> {
    return this.directory.getTenantProfile(tenantId);
  }

  getUserProfile(tenantId: string, userId: string): Promise<UserProfile> {
    return this.directory.getUserProfile(tenantId, userId);
  }

  getDirectoryRoleTemplateIds(tenantId: string, userId: string): Promise<string[]> {
    return this.directory.getDirectoryRoleTemplateIds(tenantId, userId);
  }

  getRoleMembers(tenantId: string, roleTemplateId: string): Promise<DirectoryPerson[]> {
    return this.directory.getRoleMembers(tenantId, roleTemplateId);
  }

  getSchedule(tenantId: string, userId: string, schedules: string[], start: string, end: string, options?: CallOptions): Promise<ScheduleResult[]> {
    return this.calendar.getSchedule(tenantId, userId, schedules, start, end, options);
  }

  createEvent(tenantId: string, userId: string, event: NewEvent, options?: CallOptions): Promise<CalendarEvent> {
    return this.calendar.createEvent(tenantId, userId, event, options);
  }

  updateEvent(tenantId: string, userId: string, eventId: string, patch: EventPatch, options?: CallOptions): Promise<CalendarEvent> {
    return this.calendar.updateEvent(tenantId, userId, eventId, patch, options);
  }

  deleteEvent(tenantId: string, userId: string, eventId: string, options?: CallOptions): Promise<void> {
    return this.calendar.deleteEvent(tenantId, userId, eventId, options);
  }

  getEvent(tenantId: string, userId: string, eventId: string, options?: CallOptions): Promise<CalendarEvent | undefined> {
    return this.calendar.getEvent(tenantId, userId, eventId, options);
  }

  createSubscription(tenantId: string, subscription: NewEventSubscription, options?: CallOptions): Promise<GraphSubscription> {
    return this.subscriptions.createSubscription(tenantId, subscription, options);
  }

  renewSubscription(tenantId: string, subscriptionId: string, now: Date, options?: CallOptions): Promise<GraphSubscription> {
    return this.subscriptions.renewSubscription(tenantId, subscriptionId, now, options);
  }

  deleteSubscription(tenantId: string, subscriptionId: string, options?: CallOptions): Promise<void> {
    return this.subscriptions.deleteSubscription(tenantId, subscriptionId, options);
  }

  listCustomers(partnerTenantId: string, options?: CustomerListOptions): Promise<CustomerPage> {
    return this.partners.listCustomers(partnerTenantId, options);
  }

  customerRelationship(partnerTenantId: string, customerTenantId: string): Promise<CustomerRelationship> {
    return this.partners.customerRelationship(partnerTenantId, customerTenantId);
  }

  ping(signal?: AbortSignal): Promise<boolean> {
    return this.transport.ping(signal);
  }
}
