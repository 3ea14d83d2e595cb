/**
 * Bookings that cannot finish inside the turn budget go on in the background, through the durable
 * work queue, and their result comes to the admin's chat through the outbox.
 *
 * In a turn (`bookInTurn`): the booking service books as usual, raced against most of the turn
 * budget. When Graph answers 429 with a Retry-After past the budget, 5xx or not at all, or its
 * circuit is open, or the booking is still running when the budget is nearly spent, a `booking`
 * message is queued and the turn answers "still working on it — I'll message you here" at once.
 * A booking still running when the turn answered goes on in this process; when it succeeds, its
 * result is sent at once (the queued job then finds the meeting and sends the same notice id).
 *
 * From the queue (`handle`): the same slot is booked again through the booking service, so the
 * request's claim (`pendingBookings`, ETag) and the create's transactionId keep it one meeting
 * whatever happens: a redelivered message, two instances, a click while the job runs (which is told
 * "still working" instead of booking: `pending`). Retried after Graph's Retry-After or a backoff that
 * starts at the turn budget and doubles; at the last try the admin is told what happened and how
 * to try again, and the message goes to the poison queue.
 */
import type { CardRenderer } from '../cards/cardRenderer';
import { meetingText } from '../cards/meetingCards';
import { errorFields } from '../dialogs/errors';
import type { Meeting, OnboardingRequest } from '../domain/journey';
import { activeMeeting, type MeetingKind } from '../domain/meetings';
import type { Slot } from '../domain/slots';
import type { Logger } from '../logger';
import { BOOKING_RESULT_KIND, type BookingResultParams, type BookingWorkMessage } from '../notifications/backgroundNotices';
import type { BookingWorkResult } from '../notifications/dispatcher';
import type { Outbox } from '../notifications/outbox';
import { updateDocument, type DocumentStore } from '../storage/documentStore';
import type { RequestRepository } from '../storage/requestRepository';
import type { WorkQueue } from '../storage/workQueue';
import { afterTurnBudgetSeconds, backoffSeconds, retryDelaySeconds, timeLeftInTurn } from '../turnBudget';
import { failureClass } from '../turnErrorHandler';
import type { BookingOutcome, BookingService } from './bookingService';

export interface BackgroundBookingDeps {
  booking: Pick<BookingService, 'book' | 'personOf'>;
  requests: RequestRepository;
  documents: DocumentStore;
  queue: WorkQueue;
  outbox: Pick<Outbox, 'enqueue'>;
  renderer: CardRenderer;
  logger: Logger;
  clock: () => Date;
  /** The turn budget (TURN_BUDGET_MS): a turn answers within it; background retries start one budget apart. */
  turnBudgetMs: number;
  /** Tries of a job (OUTBOX_MAX_ATTEMPTS), the last one telling the admin it failed. */
  maxAttempts: number;
}

/** What a turn asks to book. */
export interface BookingAsked {
  request: OnboardingRequest;
  slot: Slot;
  kind: MeetingKind;
  recurrence?: Meeting['recurrence'];
  /** Who is told of a background result (the admin's personal chat), and the chat's language. */
  notify: { tenantId: string; userId: string };
  locale?: string | undefined;
  /** When the turn started (bot/turnBudget.ts): the booking gets what is left of its share of the budget. */
  turnStartedAt?: number | undefined;
}

export type InTurnBooking = { outcome: BookingOutcome } | { deferred: true };

/** `background/bookings/{tenantId}/{requestId}/{kind}`: a job of the kind being finished in the background. */
interface JobRecord {
  jobId: string;
  state: 'working' | 'done';
  /** After this the job counts as gone (its instance died, its message was poisoned unseen): clicks book again. */
  until: string;
  at: string;
}

const jobKey = (tenantId: string, requestId: string, kind: MeetingKind): string => `background/bookings/${tenantId}/${requestId}/${kind}`;

/** The share of the turn budget (from the turn's start) a booking may use in its turn; the rest answers the user. */
const IN_TURN_SHARE = 0.75;

export class BackgroundBooking {
  constructor(private readonly deps: BackgroundBookingDeps) {}

  /**
   * Books within the turn, or hands the booking to the queue when it cannot finish in time or Graph
   * is throttling, down or slow: `deferred` then, and the caller says "still working on it". Other
   * failures (storage down, a bug) are thrown, as without this.
   */
  async bookInTurn(asked: BookingAsked): Promise<InTurnBooking> {
    const { request, slot, kind, recurrence } = asked;
    const work = this.deps.booking.book(request, slot, kind, meetingText(this.deps.renderer, request, kind), recurrence);
    const settled = work.then(
      (outcome) => ({ ok: true as const, outcome }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), timeLeftInTurn(asked.turnStartedAt, this.deps.turnBudgetMs, IN_TURN_SHARE))));
    const first = await Promise.race([settled, deadline]);
    clearTimeout(timer);
    const log = { tenantId: request.tenantId, requestId: request.id, kind };
    if (first === 'deadline') {
      const message = this.message(asked);
      // The booking in flight goes on here; the job starts once its Graph call has timed out at the latest.
      await this.defer(message, afterTurnBudgetSeconds(this.deps.turnBudgetMs));
      this.deps.logger.warn({ ...log, jobId: message.jobId }, 'booking did not finish within the turn budget; it goes on in the background');
      void settled.then((late) => this.finishedLate(message, late));
      return { deferred: true };
    }
    if (first.ok) return { outcome: first.outcome };
    if (failureClass(first.error) !== 'graph') throw first.error;
    const message = this.message(asked);
    await this.defer(message, retryDelaySeconds(first.error, this.deps.turnBudgetMs, 1));
    this.deps.logger.warn({ ...log, jobId: message.jobId, err: errorFields(first.error) }, 'booking failed for a moment; it goes on in the background');
    return { deferred: true };
  }

  /** Whether a booking of the kind is being finished in the background: a click meanwhile is told so, not booked. */
  async pending(request: Pick<OnboardingRequest, 'tenantId' | 'id'>, kind: MeetingKind): Promise<boolean> {
    const job = await this.deps.documents.get<JobRecord>(jobKey(request.tenantId, request.id, kind));
    return job?.value.state === 'working' && Date.parse(job.value.until) > this.deps.clock().getTime();
  }

  /** One try of a queued booking (the dispatcher's `bookings` handler). */
  async handle(message: BookingWorkMessage, attempt: { dequeueCount: number; last: boolean }): Promise<BookingWorkResult> {
    const log = { tenantId: message.tenantId, requestId: message.requestId, kind: message.kind, jobId: message.jobId, dequeueCount: attempt.dequeueCount };
    const request = await this.deps.requests.get(message.tenantId, message.requestId);
    if (!request || request.state === 'Cancelled' || request.stage === 'closed') {
      // Nothing to book any more (the request was cancelled meanwhile): nothing to tell either.
      await this.finish(message);
      this.deps.logger.info(log, 'background booking dropped: the request is no longer open');
      return { done: true };
    }
    const existing = activeMeeting(request, message.kind);
    if (existing) {
      await this.tellBooked(message, request, existing);
      return { done: true };
    }
    if (Date.parse(message.slot.start) <= this.deps.clock().getTime()) {
      await this.tellFailed(message, request, 'taken');
      return { done: true };
    }
    let outcome: BookingOutcome;
    try {
      outcome = await this.deps.booking.book(request, message.slot, message.kind, meetingText(this.deps.renderer, request, message.kind), message.recurrence);
    } catch (error) {
      const failure = failureClass(error);
      const passing = failure === 'graph' || failure === 'storage';
      if (passing && !attempt.last) {
        const delay = retryDelaySeconds(error, this.deps.turnBudgetMs, attempt.dequeueCount);
        await this.markWorking(message, delay).catch(() => undefined);
        this.deps.logger.warn({ ...log, err: errorFields(error) }, 'background booking failed; it will be tried again');
        return { retryInSeconds: delay };
      }
      this.deps.logger.error({ ...log, err: errorFields(error), failure }, 'background booking failed for good; the admin is told');
      await this.tellFailed(message, request, failure === 'graph' ? 'failedGraph' : failure === 'storage' ? 'failedStorage' : 'failedOther');
      return passing ? { failed: `booking failed after ${attempt.dequeueCount} tries (${errorFields(error).class})` } : { done: true };
    }
    switch (outcome.outcome) {
      case 'booked':
      case 'exists':
        await this.tellBooked(message, outcome.request, outcome.meeting);
        return { done: true };
      case 'taken':
        await this.tellFailed(message, request, 'taken');
        return { done: true };
      case 'inProgress': {
        // Another slot of the kind is being booked this moment (another instance): look again after it.
        if (attempt.last) {
          await this.tellFailed(message, request, 'failedOther');
          return { failed: 'another booking of the kind stayed in progress' };
        }
        const delay = backoffSeconds(this.deps.turnBudgetMs, attempt.dequeueCount);
        await this.markWorking(message, delay);
        return { retryInSeconds: delay };
      }
    }
  }

  /** Retries start one turn budget apart and double, at most 10 minutes. */
  private message(asked: BookingAsked): BookingWorkMessage {
    const { request, slot, kind, recurrence } = asked;
    const at = this.deps.clock();
    return {
      type: 'booking',
      tenantId: request.tenantId,
      requestId: request.id,
      notify: asked.notify,
      kind,
      slot: { start: slot.start, end: slot.end, personId: slot.personId },
      ...(recurrence ? { recurrence } : {}),
      ...(asked.locale ? { locale: asked.locale.slice(0, 35) } : {}),
      jobId: `${request.id}-${kind}-${at.getTime().toString(36)}`,
    };
  }

  /** Queues the job (it is then `pending`); throws when the queue cannot take it, so the turn names that failure instead. */
  private async defer(message: BookingWorkMessage, delaySeconds: number): Promise<void> {
    await this.deps.queue.enqueue(message, { delaySeconds });
    await this.markWorking(message, delaySeconds);
  }

  /** Pending until the next try has had its time (the turn budget twice over), then no longer. */
  private async markWorking(message: BookingWorkMessage, delaySeconds: number): Promise<void> {
    const now = this.deps.clock();
    const until = new Date(now.getTime() + delaySeconds * 1000 + 2 * this.deps.turnBudgetMs + 60_000).toISOString();
    await updateDocument<JobRecord>(this.deps.documents, jobKey(message.tenantId, message.requestId, message.kind), () => ({ jobId: message.jobId, state: 'working', until, at: now.toISOString() }));
  }

  private async finish(message: BookingWorkMessage): Promise<void> {
    await updateDocument<JobRecord>(this.deps.documents, jobKey(message.tenantId, message.requestId, message.kind), (current) =>
      current && current.jobId !== message.jobId ? undefined : { jobId: message.jobId, state: 'done', until: this.deps.clock().toISOString(), at: this.deps.clock().toISOString() },
    );
  }

  /** The booking the turn stopped waiting for has ended: booked → the result now; anything else is the queued job's. */
  private async finishedLate(message: BookingWorkMessage, late: { ok: true; outcome: BookingOutcome } | { ok: false; error: unknown }): Promise<void> {
    const log = { tenantId: message.tenantId, requestId: message.requestId, kind: message.kind, jobId: message.jobId };
    try {
      if (late.ok && (late.outcome.outcome === 'booked' || late.outcome.outcome === 'exists')) await this.tellBooked(message, late.outcome.request, late.outcome.meeting);
      else this.deps.logger.info({ ...log, ...(late.ok ? { outcome: late.outcome.outcome } : { err: errorFields(late.error) }) }, 'booking in flight ended without a meeting; the queued job goes on');
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'booking in flight booked, but its result was not queued; the queued job will send it');
    }
  }

  private async tellBooked(message: BookingWorkMessage, request: OnboardingRequest, meeting: Meeting): Promise<void> {
    const params: BookingResultParams = {
      outcome: 'booked',
      requestId: request.id,
      canAddCheckpoints: meeting.kind === 'kickoff' && !request.meetings?.some((m) => m.kind === 'checkpoint' && m.status === 'booked'),
      meeting: {
        kind: meeting.kind,
        eventId: meeting.eventId,
        start: meeting.start,
        end: meeting.end,
        ...(meeting.joinUrl ? { joinUrl: meeting.joinUrl } : {}),
        person: { name: meeting.person.name, role: meeting.person.role },
        adminTimeZone: meeting.adminTimeZone,
        centerTimeZone: meeting.centerTimeZone,
        ...(meeting.recurrence ? { recurrence: meeting.recurrence } : {}),
      },
    };
    await this.tell(message, params);
    this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, kind: meeting.kind, jobId: message.jobId, eventId: meeting.eventId }, 'background booking done; the admin is told');
  }

  private async tellFailed(message: BookingWorkMessage, request: OnboardingRequest, outcome: 'taken' | 'failedGraph' | 'failedStorage' | 'failedOther'): Promise<void> {
    const adminTimeZone = request.admin?.timeZone ?? 'UTC';
    await this.tell(message, { outcome, start: message.slot.start, end: message.slot.end, adminTimeZone, centerTimeZone: this.centerZoneOf(message.slot.personId, adminTimeZone) });
  }

  /** One result per job (its id is the notice id), in the language the slot was picked in. */
  private async tell(message: BookingWorkMessage, params: BookingResultParams): Promise<void> {
    await this.deps.outbox.enqueue({ id: `booking:${message.jobId}`, tenantId: message.notify.tenantId, userId: message.notify.userId, kind: BOOKING_RESULT_KIND, ...(message.locale ? { locale: message.locale } : {}), params });
    await this.finish(message);
  }

  /** The zone of the center the slot's person works from (both zones are named, as on the slots card). */
  private centerZoneOf(personId: string, fallback: string): string {
    try {
      return this.deps.booking.personOf(personId).center.timeZone;
    } catch {
      return fallback;
    }
  }
}
