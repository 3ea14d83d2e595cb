import { errorFields } from '../dialogs/errors';
import type { Logger } from '../logger';
import { statusOf, type DocumentStore, type StoredDocument } from '../storage/documentStore';
import type { WorkItem, WorkQueue } from '../storage/workQueue';
import type { ConversationReferenceStore } from './conversationReferences';
import { InvalidNoticeError, outboxMessageSchema, targetOfNotice, type CalendarChangeMessage, type ConsentCheckMessage, type Notice, type NoticeKinds, type NoticeMessage } from './notice';
import { delayUntil, FINAL_STATES, noticeKey, type NoticeRecord } from './outbox';
import type { ProactiveSender } from './sender';
import type { BookingWorkMessage, TenantCheckWorkMessage } from './backgroundNotices';

export interface DispatcherOptions {
  queue: WorkQueue;
  poisonQueue: WorkQueue;
  documents: DocumentStore;
  references: ConversationReferenceStore;
  kinds: NoticeKinds;
  sender: ProactiveSender;
  logger: Logger;
  clock?: () => Date;
  /** Pause between polls of an empty queue (ms). */
  pollMs?: number;
  /** Messages received per poll (the queue gives at most 32). */
  batchSize?: number;
  /** Tries before a message goes to the poison queue (its dequeue count). */
  maxAttempts?: number;
  /** How long a received message stays invisible, and a claim is held, while it is sent (s). */
  leaseSeconds?: number;
  /** Wait before the next try after a failed send (s), by the attempt that failed (1, 2, …). */
  retryDelaySeconds?: (attempt: number) => number;
  /** Handles the queue's calendar work (bot/notifications/calendarWatch.ts); such messages are poisoned without it. */
  calendarChanges?: { handle(message: CalendarChangeMessage): Promise<void> };
  /** Finishes bookings that did not fit in their turn (bot/booking/backgroundBooking.ts); such messages are poisoned without it. */
  bookings?: BackgroundWorker<BookingWorkMessage>;
  /** Finishes tenant checks Graph could not answer in their turn (bot/dialogs/backgroundTenantCheck.ts). */
  tenantChecks?: BackgroundWorker<TenantCheckWorkMessage>;
  /** Handles the queue's consent re-checks for partners (bot/notifications/consentWatch.ts); such messages are poisoned without it. */
  consentChecks?: { handle(message: ConsentCheckMessage): Promise<void> };
}

/** Finishes one kind of background work, one try at a time. */
export interface BackgroundWorker<M> {
  handle(message: M, attempt: { dequeueCount: number; last: boolean }): Promise<BookingWorkResult>;
}

/** How a try of background work (a booking, a tenant check) ended: done, to be tried again after a delay it chose, or failed for good (poisoned, the user told). */
export type BookingWorkResult = { done: true } | { retryInSeconds: number } | { failed: string };

type Claim = { etag: string; attempts: number } | { busySeconds: number; sameMessage: boolean } | { final: NoticeRecord['state'] };

/**
 * Delivers the outbox: polls the queue (a short pause when it is empty), handles a batch at once,
 * and deletes a message only when its notice was sent, was found sent, cancelled or undeliverable,
 * or was moved to the poison queue — so a crash or a restart loses nothing.
 *
 * Exactly one message per notice id reaches the user, across redeliveries and instances: before
 * sending, the dispatcher claims `outbox/notices/{id}` (create-only, or If-Match on an expired or
 * failed claim) as `sending` with a lease, and marks it `sent` after. A claim whose lease expired
 * (its instance crashed) is taken over and the notice re-sent: if that instance crashed after the
 * channel took the message and before it was marked sent, the user sees it twice. That window is a
 * few milliseconds and is chosen over the alternative (treating it as sent, and maybe losing it).
 */
export class Dispatcher {
  private readonly o: Required<Omit<DispatcherOptions, 'clock' | 'calendarChanges' | 'bookings' | 'tenantChecks' | 'consentChecks'>> & Pick<DispatcherOptions, 'calendarChanges' | 'bookings' | 'tenantChecks' | 'consentChecks'> & { clock: () => Date };
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(options: DispatcherOptions) {
    this.o = {
      clock: () => new Date(),
      pollMs: 1000,
      batchSize: 32,
      maxAttempts: 5,
      leaseSeconds: 60,
      retryDelaySeconds: (attempt) => Math.min(600, 15 * 2 ** (attempt - 1)),
      ...options,
    };
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling; resolves when the batch being handled is done (nothing is cut off mid-send). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** One poll: receives up to a batch and handles every message of it; resolves to how many were received. */
  async poll(): Promise<number> {
    const items = await this.o.queue.receive(this.o.batchSize, this.o.leaseSeconds);
    await Promise.all(
      items.map((item) =>
        this.handle(item).catch((error: unknown) => {
          // Storage unreachable, say: the message stays in the queue and comes back after its lease.
          this.o.logger.warn({ messageId: item.messageId, dequeueCount: item.dequeueCount, err: errorFields(error) }, 'outbox message not handled; it will be retried');
        }),
      ),
    );
    return items.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let received = 0;
      try {
        received = await this.poll();
      } catch (error) {
        this.o.logger.warn({ err: errorFields(error) }, 'outbox poll failed');
      }
      if (received === 0 && this.running) await this.pause(this.o.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async handle(item: WorkItem<unknown>): Promise<void> {
    const parsed = outboxMessageSchema.safeParse(item.body);
    if (!parsed.success) return this.poison(item, 'malformed', undefined, parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', '));
    if (parsed.data.type === 'calendarChange') return this.calendarWork(item, parsed.data);
    if (parsed.data.type === 'booking') return this.backgroundWork(item, parsed.data, this.o.bookings);
    if (parsed.data.type === 'tenantCheck') return this.backgroundWork(item, parsed.data, this.o.tenantChecks);
    if (parsed.data.type === 'consentCheck') return this.consentWork(item, parsed.data);
    const notice = parsed.data.notice;
    try {
      this.o.kinds.check(notice);
    } catch (error) {
      if (error instanceof InvalidNoticeError) return this.poison(item, 'malformed', notice, error.message);
      throw error;
    }
    const log = { noticeId: notice.id, kind: notice.kind, tenantId: notice.tenantId, messageId: item.messageId, dequeueCount: item.dequeueCount };
    const key = noticeKey(notice.id);
    const record = await this.o.documents.get<NoticeRecord>(key);
    if (record && FINAL_STATES.has(record.value.state)) {
      this.o.logger.debug({ ...log, state: record.value.state }, 'outbox notice already handled; duplicate removed');
      return this.o.queue.complete(item);
    }

    const now = this.o.clock();
    const wait = delayUntil(notice.notBefore, now);
    if (wait > 0) {
      // Received early: it waited the queue's longest delay (7 days) and has more to wait. Queued
      // again for the rest, then this copy is deleted (a crash between leaves two; the id dedupes).
      await this.o.queue.enqueue(parsed.data satisfies NoticeMessage, { delaySeconds: wait });
      await this.o.queue.complete(item);
      this.o.logger.info({ ...log, delaySeconds: wait }, 'outbox notice not due yet; queued again for the rest of its delay');
      return;
    }

    if (item.dequeueCount > this.o.maxAttempts) return this.poison(item, 'tooManyAttempts', notice);

    const claim = await this.claim(key, record, now, item.messageId);
    if ('final' in claim) return this.o.queue.complete(item);
    if ('busySeconds' in claim) {
      if (claim.sameMessage) {
        // This very message is still being sent by a slow try whose lease ran out: look again after it.
        await this.o.queue.release(item, claim.busySeconds + 1);
        return;
      }
      // Another copy of this notice is being sent right now (another instance, or the same batch).
      // That copy stays in the queue until it is sent (or poisoned), so this one is not needed.
      this.o.logger.debug(log, 'outbox notice being sent from another copy; duplicate removed');
      return this.o.queue.complete(item);
    }

    if (!(await this.o.kinds.stillWanted(notice))) {
      await this.mark(key, claim.etag, { state: 'cancelled', at: now.toISOString() });
      this.o.logger.info(log, 'outbox notice no longer wanted (its kind says so: a reminder of a moved or cancelled meeting); not sent');
      return this.o.queue.complete(item);
    }

    const target = targetOfNotice(notice);
    const stored = await this.o.references.get(target);
    if (!stored) {
      await this.mark(key, claim.etag, { state: 'dropped', reason: 'noReference', at: now.toISOString() });
      this.o.logger.warn(log, 'outbox notice dropped: no conversation reference (the app is not installed for this user or conversation)');
      return this.o.queue.complete(item);
    }

    if (stored.blockedAt) {
      await this.mark(key, claim.etag, { state: 'dropped', reason: 'blocked', at: now.toISOString() });
      this.o.logger.warn({ ...log, blockedAt: stored.blockedAt }, 'outbox notice dropped: the conversation is blocked (the channel answered 403) until the user writes again');
      return this.o.queue.complete(item);
    }

    const activity = this.o.kinds.render(notice, notice.locale ?? stored.locale);
    let activityId: string | void;
    try {
      activityId = await this.o.sender.send(stored.reference, activity);
    } catch (error) {
      return this.failed(item, notice, key, claim, error, activity.id !== undefined);
    }
    await this.mark(key, claim.etag, { state: 'sent', attempts: claim.attempts, at: this.o.clock().toISOString() });
    this.o.logger.info({ ...log, attempts: claim.attempts }, 'outbox notice delivered');
    // The kind may keep the sent message's id (a card to update later); a failure there never re-sends it.
    await this.o.kinds.sent(notice, activityId ?? undefined).catch((error: unknown) => this.o.logger.warn({ ...log, err: errorFields(error) }, 'outbox notice sent; its kind could not keep the message id'));
    await this.o.queue.complete(item);
  }

  /**
   * Calendar work (a change Graph told of, a renewal due) and consent re-checks: idempotent, so a
   * redelivered copy does no harm (a check only reads, and its notice id dedupes). A failure is retried
   * later, then poisoned like a notice that keeps failing.
   */
  private calendarWork(item: WorkItem<unknown>, message: CalendarChangeMessage): Promise<void> {
    const log = { subscriptionId: message.subscriptionId, what: message.what, messageId: item.messageId, dequeueCount: item.dequeueCount };
    const handler = this.o.calendarChanges;
    return this.retriedWork(item, 'calendar work', log, handler && (() => handler.handle(message)));
  }

  private consentWork(item: WorkItem<unknown>, message: ConsentCheckMessage): Promise<void> {
    const log = { tenantId: message.partnerTenantId, customerTenantId: message.customerTenantId, attempt: message.attempt, messageId: item.messageId, dequeueCount: item.dequeueCount };
    const handler = this.o.consentChecks;
    return this.retriedWork(item, 'consent check', log, handler && (() => handler.handle(message)));
  }

  /** One try of idempotent work named `what` (undefined `run`: no handler wired for it). */
  private async retriedWork(item: WorkItem<unknown>, what: string, log: Record<string, unknown>, run: (() => Promise<unknown>) | undefined): Promise<void> {
    if (!run) return this.poison(item, 'malformed', undefined, `${what} without its handler`);
    if (item.dequeueCount > this.o.maxAttempts) return this.poison(item, 'tooManyAttempts', undefined);
    try {
      await run();
    } catch (error) {
      if (item.dequeueCount >= this.o.maxAttempts) return this.poison(item, 'sendFailed', undefined, `${what} failed (${errorFields(error).class})`);
      const delaySeconds = this.o.retryDelaySeconds(item.dequeueCount);
      this.o.logger.warn({ ...log, err: errorFields(error), delaySeconds }, `${what} failed; it will be retried`);
      await this.o.queue.release(item, delaySeconds);
      return;
    }
    this.o.logger.debug(log, `${what} done`);
    await this.o.queue.complete(item);
  }

  /**
   * Work finished in the background (a booking: idempotent by its claim and transactionId, so a
   * redelivered copy books nothing twice; a tenant check). The worker picks the delay of a retry
   * (Graph's Retry-After, its backoff); a throw (storage down) leaves the message for after its
   * lease; at the last try the worker tells the user, and the message is poisoned.
   */
  private async backgroundWork<M extends BookingWorkMessage | TenantCheckWorkMessage>(item: WorkItem<unknown>, message: M, handler: BackgroundWorker<M> | undefined): Promise<void> {
    const log = { type: message.type, tenantId: message.tenantId, jobId: message.jobId, messageId: item.messageId, dequeueCount: item.dequeueCount };
    if (!handler) return this.poison(item, 'malformed', undefined, `${message.type} work without its worker`);
    if (item.dequeueCount > this.o.maxAttempts) return this.poison(item, 'tooManyAttempts', undefined);
    const result = await handler.handle(message, { dequeueCount: item.dequeueCount, last: item.dequeueCount >= this.o.maxAttempts });
    if ('retryInSeconds' in result) {
      this.o.logger.warn({ ...log, delaySeconds: result.retryInSeconds }, 'background work not finished; it will be retried');
      await this.o.queue.release(item, result.retryInSeconds);
      return;
    }
    if ('failed' in result) return this.poison(item, 'tooManyAttempts', undefined, result.failed);
    this.o.logger.debug(log, 'background work done');
    await this.o.queue.complete(item);
  }

  /** Claims a notice id for sending: create-only when new, If-Match over an expired or failed claim. */
  private async claim(key: string, current: StoredDocument<NoticeRecord> | undefined, now: Date, messageId: string): Promise<Claim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const value = current?.value;
      if (value && FINAL_STATES.has(value.state)) return { final: value.state };
      if (value?.state === 'sending') {
        const left = Date.parse(value.leaseUntil) - now.getTime();
        if (left > 0) return { busySeconds: Math.ceil(left / 1000), sameMessage: value.messageId === messageId };
      }
      const attempts = (value && 'attempts' in value ? value.attempts : 0) + 1;
      const leaseUntil = new Date(now.getTime() + this.o.leaseSeconds * 1000).toISOString();
      const next: NoticeRecord = { state: 'sending', leaseUntil, attempts, at: now.toISOString(), messageId };
      const etag = await this.o.documents.put(key, next, current ? { etag: current.etag } : { absent: true });
      if (etag) return { etag, attempts };
      current = await this.o.documents.get<NoticeRecord>(key);
    }
    // Three writers in a row came first: leave this copy for later.
    return { busySeconds: 1, sameMessage: true };
  }

  private async failed(item: WorkItem<unknown>, notice: Notice, key: string, claim: { etag: string; attempts: number }, error: unknown, replaces = false): Promise<void> {
    const status = statusOf(error);
    const log = { noticeId: notice.id, kind: notice.kind, tenantId: notice.tenantId, messageId: item.messageId, dequeueCount: item.dequeueCount, status };
    const at = this.o.clock().toISOString();
    if (status === 404 && replaces) {
      // The message to update is gone (deleted in the channel): the conversation itself is still there.
      await this.mark(key, claim.etag, { state: 'dropped', reason: 'messageGone', at });
      this.o.logger.warn(log, 'outbox notice dropped: the message it updates is gone (404); the conversation is kept');
      return this.o.queue.complete(item);
    }
    if (status === 403) {
      // Writes blocked (MessageWritesBlocked), or the bot removed: nothing more goes there until the user writes again.
      await this.o.references.block(targetOfNotice(notice));
      await this.mark(key, claim.etag, { state: 'dropped', reason: 'blocked', at });
      this.o.logger.warn({ ...log, code: codeOf(error) }, 'outbox notice dropped: the channel refused the conversation (403); it is marked blocked');
      return this.o.queue.complete(item);
    }
    if (status === 404) {
      // The conversation is gone: retrying cannot help.
      await this.o.references.remove(targetOfNotice(notice));
      await this.mark(key, claim.etag, { state: 'dropped', reason: 'forbidden', at });
      this.o.logger.warn(log, 'outbox notice dropped: the channel does not know the conversation (404); its conversation reference is removed');
      return this.o.queue.complete(item);
    }
    // Give the claim back, so the next try (here or on another instance) does not wait for its lease.
    await this.mark(key, claim.etag, { state: 'failed', attempts: claim.attempts, at });
    if (item.dequeueCount >= this.o.maxAttempts) return this.poison(item, 'sendFailed', notice, `status ${status ?? 'none'}`);
    const delaySeconds = this.o.retryDelaySeconds(item.dequeueCount);
    this.o.logger.warn({ ...log, err: errorFields(error), delaySeconds }, 'outbox notice not delivered; it will be retried');
    await this.o.queue.release(item, delaySeconds);
  }

  /** Moves a message to the poison queue (the original text kept), then deletes it: never dropped silently. */
  private async poison(item: WorkItem<unknown>, reason: 'malformed' | 'tooManyAttempts' | 'sendFailed', notice: Notice | undefined, detail?: string): Promise<void> {
    const at = this.o.clock().toISOString();
    await this.o.poisonQueue.enqueue({ reason, ...(detail ? { detail } : {}), messageId: item.messageId, dequeueCount: item.dequeueCount, poisonedAt: at, original: item.raw });
    await this.o.queue.complete(item);
    this.o.logger.error(
      { reason, messageId: item.messageId, dequeueCount: item.dequeueCount, ...(notice ? { noticeId: notice.id, kind: notice.kind, tenantId: notice.tenantId } : {}) },
      'outbox message moved to the poison queue',
    );
  }

  /** Writes a claim's outcome; a lost race (cancelled meanwhile) or a storage error is logged, never thrown. */
  private async mark(key: string, etag: string, record: NoticeRecord): Promise<void> {
    try {
      if (!(await this.o.documents.put(key, record, { etag }))) this.o.logger.info({ key, state: record.state }, 'outbox notice record changed meanwhile (cancelled while sending)');
    } catch (error) {
      this.o.logger.warn({ key, state: record.state, err: errorFields(error) }, 'outbox notice record not written');
    }
  }
}

/** The channel's error code (e.g. MessageWritesBlocked), when it is a short word; never its message. */
function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^\w{1,64}$/.test(code) ? code : undefined;
}
