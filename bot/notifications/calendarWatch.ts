/**
 * Follows each booked meeting on the admin's calendar through a Graph subscription: subscribes when
 * a meeting is booked, deletes the subscription when it is cancelled or has ended, renews it before
 * Graph's expiry (a `renewDue` message on the work queue, delayed until shortly before the expiry
 * Graph granted), and handles what `/api/notifications` queued: the event is read again and compared
 * with the request's record, so a change the bot made itself (already recorded) says nothing, and a
 * redelivered notification does nothing twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BookingService, MeetingChange, MeetingObserver } from '../booking/bookingService';
import { errorFields } from '../dialogs/errors';
import { calendarTenantOf, type Meeting, type OnboardingRequest } from '../domain/journey';
import { occurrencesOf } from '../domain/meetings';
import type { SubscriptionGateway } from '../graph/subscriptions';
import { GraphError, type TenantDirectory } from '../graph/tenantDirectory';
import type { Logger } from '../logger';
import type { DocumentStore } from '../storage/documentStore';
import type { RequestRepository } from '../storage/requestRepository';
import { MAX_VISIBILITY_SECONDS, type WorkQueue } from '../storage/workQueue';
import { calendarChangeNoticeFor } from './calendarNotices';
import type { CalendarChangeMessage, WorkMessage } from './notice';
import type { Outbox } from './outbox';

/** One subscription, stored as the ETag document `subscriptions/{subscriptionId}`. */
export interface SubscriptionRecord {
  subscriptionId: string;
  /** The secret Graph echoes in each notification (compared in constant time; never logged). */
  clientState: string;
  /** As Graph granted it. */
  expirationDateTime: string;
  /** The request's tenant (the customer's when a partner asks). */
  tenantId: string;
  /** The organizer's tenant when it is not the request's (a partner's own calendar). */
  calendarTenantId?: string;
  requestId: string;
  eventId: string;
  /** The organizer's mailbox (the admin). */
  userId: string;
  createdAt: string;
}

export const subscriptionKey = (subscriptionId: string): string => `subscriptions/${subscriptionId}`;
/** The subscription of one event (`subscriptionEvents/{tenantId}/{sha256 of the event id}`). */
const eventKey = (tenantId: string, eventId: string): string => `subscriptionEvents/${tenantId}/${createHash('sha256').update(eventId).digest('base64url')}`;

export interface CalendarWatchDeps {
  gateway: SubscriptionGateway;
  directory: Pick<TenantDirectory, 'getEvent'>;
  documents: DocumentStore;
  requests: RequestRepository;
  booking: Pick<BookingService, 'movedOutside' | 'cancelledOutside'>;
  outbox: Pick<Outbox, 'enqueue'>;
  queue: WorkQueue;
  /** The bot's `/api/notifications` (known once the server listens); no subscriptions without it. */
  notificationUrl: () => string | undefined;
  logger: Logger;
  clock?: () => Date;
  /** Renew when the subscription expires within this many hours (default 24). */
  renewWithinHours?: number;
}

export class CalendarWatch implements MeetingObserver {
  private readonly clock: () => Date;
  private readonly renewWithinMs: number;

  constructor(private readonly deps: CalendarWatchDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.renewWithinMs = (deps.renewWithinHours ?? 24) * 3_600_000;
  }

  /** A failure here is logged, never thrown: the booking stands, only the watch on it is missing. */
  async meetingChanged(change: MeetingChange): Promise<void> {
    const log = { tenantId: change.request.tenantId, requestId: change.request.id, change: change.type };
    try {
      if (change.type === 'booked') await this.subscribe(change.request, change.meeting);
      if (change.type === 'cancelled') await this.unsubscribe(change.request.tenantId, change.meeting.eventId);
      if (change.type === 'moved') await this.checkAtEnd(change.request.tenantId, change.meeting);
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'calendar subscription not updated');
    }
  }

  /** The stored subscription (for `/api/notifications`). */
  async record(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    return (await this.deps.documents.get<SubscriptionRecord>(subscriptionKey(subscriptionId)))?.value;
  }

  /** Subscribes to the meeting's event on the admin's calendar and schedules its renewal. */
  async subscribe(request: OnboardingRequest, meeting: Meeting): Promise<SubscriptionRecord | undefined> {
    const notificationUrl = this.deps.notificationUrl();
    const admin = request.admin;
    if (!notificationUrl || !admin) {
      this.deps.logger.warn({ tenantId: request.tenantId, requestId: request.id }, 'no notification URL: the meeting is not watched for changes in Outlook');
      return undefined;
    }
    const clientState = randomBytes(32).toString('base64url');
    const now = this.clock();
    const granted = await this.deps.gateway.createSubscription(calendarTenantOf(request), { userId: admin.userId, eventId: meeting.eventId, notificationUrl, clientState, now });
    const record: SubscriptionRecord = {
      subscriptionId: granted.id,
      clientState,
      expirationDateTime: granted.expirationDateTime,
      tenantId: request.tenantId,
      ...(calendarTenantOf(request) !== request.tenantId ? { calendarTenantId: calendarTenantOf(request) } : {}),
      requestId: request.id,
      eventId: meeting.eventId,
      userId: admin.userId,
      createdAt: now.toISOString(),
    };
    await this.deps.documents.put(subscriptionKey(granted.id), record, { absent: true });
    // The event's previous subscription (one removed by Graph and recreated) is replaced.
    const index = await this.deps.documents.get<{ subscriptionId: string }>(eventKey(request.tenantId, meeting.eventId));
    await this.deps.documents.put(eventKey(request.tenantId, meeting.eventId), { subscriptionId: granted.id }, index ? { etag: index.etag } : { absent: true });
    await this.scheduleRenewal(record);
    await this.checkAtEnd(request.tenantId, meeting);
    this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, subscriptionId: granted.id, expires: granted.expirationDateTime }, 'meeting watched for changes in Outlook');
    return record;
  }

  /** Deletes the event's subscription (in Graph and here); nothing when there is none. */
  async unsubscribe(tenantId: string, eventId: string): Promise<void> {
    const index = await this.deps.documents.get<{ subscriptionId: string }>(eventKey(tenantId, eventId));
    if (!index) return;
    const record = await this.record(index.value.subscriptionId);
    if (record) await this.remove(record);
    await this.deps.documents.delete(eventKey(tenantId, eventId), index.etag);
  }

  /** Work from the queue (see the class comment). Throws to be retried later. */
  async handle(message: CalendarChangeMessage): Promise<void> {
    const record = await this.record(message.subscriptionId);
    const log = { subscriptionId: message.subscriptionId, what: message.what };
    if (!record) {
      this.deps.logger.info(log, 'calendar work for a subscription no longer stored; nothing to do');
      return;
    }
    const request = await this.deps.requests.get(record.tenantId, record.requestId);
    const meeting = request?.meetings?.find((m) => m.eventId === record.eventId);
    const watched = request && meeting?.status === 'booked' && !this.ended(meeting);
    const fields = { ...log, tenantId: record.tenantId, requestId: record.requestId };
    switch (message.what) {
      case 'renewDue':
      case 'reauthorizationRequired':
        if (!watched) return this.remove(record);
        if (message.what === 'renewDue' && Date.parse(record.expirationDateTime) - this.clock().getTime() > this.renewWithinMs) return; // renewed meanwhile
        return this.renew(record, request, meeting);
      case 'subscriptionRemoved':
        await this.deps.documents.delete(subscriptionKey(record.subscriptionId));
        if (watched) await this.subscribe(request, meeting);
        this.deps.logger.info(fields, 'subscription removed by Graph; created again');
        return;
      default:
        // The subscription covers the admin's calendar: another event's change is not this meeting's.
        if (message.eventId !== undefined && message.eventId !== record.eventId) return;
        if (request && meeting?.status === 'booked') await this.check(request, meeting);
    }
  }

  /** Reads the event again: gone → cancelled in Outlook; other times → moved in Outlook; the same → nothing. */
  private async check(request: OnboardingRequest, meeting: Meeting): Promise<void> {
    const event = await this.deps.directory.getEvent(calendarTenantOf(request), request.admin!.userId, meeting.eventId);
    const fields = { tenantId: request.tenantId, requestId: request.id };
    if (!event) {
      const done = await this.deps.booking.cancelledOutside(request, meeting);
      if (!done) return;
      await this.deps.outbox.enqueue(calendarChangeNoticeFor(done.request, done.meeting, 'cancelled'));
      this.deps.logger.info(fields, 'meeting cancelled in Outlook; the ledger is freed and the admin told');
      return;
    }
    if (Date.parse(event.start) === Date.parse(meeting.start) && Date.parse(event.end) === Date.parse(meeting.end)) return;
    const moved = await this.deps.booking.movedOutside(request, meeting, event);
    if (!moved) return;
    await this.deps.outbox.enqueue(calendarChangeNoticeFor(moved.request, moved.meeting, 'moved'));
    this.deps.logger.info({ ...fields, held: moved.held }, 'meeting moved in Outlook; recorded and the admin told');
  }

  private async renew(record: SubscriptionRecord, request: OnboardingRequest, meeting: Meeting): Promise<void> {
    let granted;
    try {
      granted = await this.deps.gateway.renewSubscription(record.calendarTenantId ?? record.tenantId, record.subscriptionId, this.clock());
    } catch (error) {
      if (!(error instanceof GraphError && error.status === 404)) throw error;
      // Graph no longer has it: a new one.
      await this.deps.documents.delete(subscriptionKey(record.subscriptionId));
      await this.subscribe(request, meeting);
      return;
    }
    const stored = await this.deps.documents.get<SubscriptionRecord>(subscriptionKey(record.subscriptionId));
    if (!stored) return;
    const next = { ...stored.value, expirationDateTime: granted.expirationDateTime };
    await this.deps.documents.put(subscriptionKey(record.subscriptionId), next, { etag: stored.etag });
    await this.scheduleRenewal(next);
    this.deps.logger.info({ tenantId: record.tenantId, requestId: record.requestId, subscriptionId: record.subscriptionId, expires: granted.expirationDateTime }, 'calendar subscription renewed');
  }

  private async remove(record: SubscriptionRecord): Promise<void> {
    await this.deps.gateway.deleteSubscription(record.calendarTenantId ?? record.tenantId, record.subscriptionId);
    await this.deps.documents.delete(subscriptionKey(record.subscriptionId));
    this.deps.logger.info({ tenantId: record.tenantId, requestId: record.requestId, subscriptionId: record.subscriptionId }, 'calendar subscription deleted');
  }

  /** A `renewDue` message for shortly before the granted expiry. */
  private async scheduleRenewal(record: SubscriptionRecord): Promise<void> {
    const left = Date.parse(record.expirationDateTime) - this.clock().getTime();
    // A short grant (Graph may give less than asked) is renewed halfway, never in a tight loop.
    const due = left - Math.min(this.renewWithinMs, left / 2);
    const message: WorkMessage = { type: 'calendarChange', subscriptionId: record.subscriptionId, what: 'renewDue' };
    await this.deps.queue.enqueue(message, { delaySeconds: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(due / 1000))) });
  }

  /**
   * A check just after the meeting's last occurrence ends (when that comes before the next renewal,
   * within the queue's 7 days), which deletes the subscription of a meeting that is over.
   */
  private async checkAtEnd(tenantId: string, meeting: Meeting): Promise<void> {
    const index = await this.deps.documents.get<{ subscriptionId: string }>(eventKey(tenantId, meeting.eventId));
    if (!index) return;
    const last = occurrencesOf(meeting, meeting.adminTimeZone).at(-1);
    const seconds = Math.ceil((Date.parse(last?.end ?? meeting.end) - this.clock().getTime()) / 1000) + 60;
    if (seconds > MAX_VISIBILITY_SECONDS) return;
    const message: WorkMessage = { type: 'calendarChange', subscriptionId: index.value.subscriptionId, what: 'renewDue' };
    await this.deps.queue.enqueue(message, { delaySeconds: Math.max(0, seconds) });
  }

  /** True once the meeting's last occurrence has ended. */
  private ended(meeting: Meeting): boolean {
    const last = occurrencesOf(meeting, meeting.adminTimeZone).at(-1);
    return Date.parse(last?.end ?? meeting.end) <= this.clock().getTime();
  }
}
