import { updateDocument, type DocumentStore } from '../storage/documentStore';
import { MAX_VISIBILITY_SECONDS, type WorkQueue } from '../storage/workQueue';
import { noticeSchema, type NoticeInput, type NoticeKinds, type OutboxMessage } from './notice';

/**
 * What is known about one notice id (`outbox/notices/{id}`, an ETag document): the dispatcher claims
 * it before sending (`sending`, with a lease), and marks it `sent`; `cancel` marks it `cancelled`.
 * `sent`, `cancelled` and `dropped` are final: a notice with that id is never sent (again).
 */
export type NoticeRecord =
  | { state: 'sending'; leaseUntil: string; attempts: number; at: string; messageId: string }
  | { state: 'failed'; attempts: number; at: string }
  | { state: 'sent'; attempts: number; at: string }
  | { state: 'cancelled'; at: string }
  | { state: 'dropped'; reason: 'noReference' | 'forbidden' | 'blocked' | 'messageGone'; at: string };

export const FINAL_STATES: ReadonlySet<NoticeRecord['state']> = new Set(['sent', 'cancelled', 'dropped']);

/** The storage key of a notice's record. */
export function noticeKey(id: string): string {
  return `outbox/notices/${encodeURIComponent(id)}`;
}

/**
 * The one way the bot says something unasked: a notice is queued here and delivered by the
 * dispatcher, at least once on the queue and at most once to the user (the id is the dedupe key).
 */
export class Outbox {
  constructor(
    private readonly deps: { queue: WorkQueue; documents: DocumentStore; kinds: NoticeKinds; clock?: () => Date },
  ) {}

  /**
   * Queues a notice, sent as soon as possible or not before `notBefore`. Throws when the notice is
   * malformed or its kind unknown (a bug of the caller, told at once rather than in the poison queue).
   * A delay beyond the queue's 7-day limit waits 7 days, then is queued again for the rest.
   */
  async enqueue(input: NoticeInput, options: { notBefore?: Date } = {}): Promise<void> {
    const notice = noticeSchema.parse({ ...input, ...(options.notBefore ? { notBefore: options.notBefore.toISOString() } : {}) });
    this.deps.kinds.check(notice);
    const message: OutboxMessage = { type: 'notice', notice };
    await this.deps.queue.enqueue(message, { delaySeconds: delayUntil(notice.notBefore, this.now()) });
  }

  /**
   * Cancels a notice by id (a reminder of a meeting that moved): a queued copy is then dropped
   * instead of sent. False when it was already sent, or is being sent at this moment. Ids are
   * single-use: a notice with a cancelled id is never sent, so a new schedule takes a new id.
   */
  async cancel(id: string): Promise<boolean> {
    let cancelled = false;
    await updateDocument<NoticeRecord>(this.deps.documents, noticeKey(id), (current) => {
      cancelled = current?.state !== 'sent' && current?.state !== 'sending';
      if (current && FINAL_STATES.has(current.state)) return undefined;
      return { state: 'cancelled', at: this.now().toISOString() };
    });
    return cancelled;
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }
}

/** Seconds from now until `notBefore` (0 when due), at most the queue's visibility limit. */
export function delayUntil(notBefore: string | undefined, now: Date): number {
  if (!notBefore) return 0;
  const seconds = Math.ceil((Date.parse(notBefore) - now.getTime()) / 1000);
  return Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, seconds));
}
