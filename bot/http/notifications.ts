/**
 * `POST /api/notifications`: Microsoft Graph's change and lifecycle notifications of the meetings'
 * calendar subscriptions. The validation handshake (`?validationToken=`) is echoed in text/plain;
 * otherwise the body (JSON, size-limited, checked with zod) is a batch of notifications, each
 * compared in constant time with its subscription's stored clientState: a wrong or unknown one is
 * logged (never its value) and dropped. The work is only queued (the dispatcher does it), so the
 * answer, 202, comes at once, as Graph asks (within 3 s).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../logger';
import { SUBSCRIPTION_ID, type WorkMessage } from '../notifications/notice';
import type { WorkQueue } from '../storage/workQueue';
import { readJsonBody } from './body';
import { refusal, type Reply } from './reply';

/** Graph batches notifications; a batch of a few hundred fits well under this. */
export const MAX_NOTIFICATION_BYTES = 1024 * 1024;
/** Graph's tokens are short; anything longer is not a handshake. */
const MAX_VALIDATION_TOKEN = 1024;
/** The work waits this long in the queue, so a change the bot made itself is recorded before it is compared. */
const SETTLE_SECONDS = 2;

const notificationSchema = z.looseObject({
  subscriptionId: z.string().max(128),
  clientState: z.string().max(256).nullish(),
  changeType: z.enum(['created', 'updated', 'deleted']).optional(),
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).optional(),
  tenantId: z.string().max(64).optional(),
  resource: z.string().max(2048).optional(),
  resourceData: z.looseObject({ id: z.string().max(1024).optional() }).nullish(),
});
const batchSchema = z.looseObject({ value: z.array(notificationSchema).min(1).max(1000) });

/** An answer in text (the handshake) or a Reply (JSON). */
export type NotificationReply = { status: 200; text: string } | Reply;

export interface NotificationEndpointDeps {
  queue: WorkQueue;
  /** The stored clientState of a subscription; undefined when it is not one of the bot's. */
  clientStateOf: (subscriptionId: string) => Promise<string | undefined>;
  logger: Logger;
  maxBodyBytes?: number;
  settleSeconds?: number;
}

export class NotificationEndpoint {
  constructor(private readonly deps: NotificationEndpointDeps) {}

  async handle(req: IncomingMessage, requestId: string): Promise<NotificationReply> {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if (query.has('validationToken')) {
      const token = query.get('validationToken') ?? '';
      if (token.length === 0 || token.length > MAX_VALIDATION_TOKEN) return this.refuse(requestId, 400, 'invalidValidationToken');
      this.deps.logger.info({ requestId }, 'notification URL validated');
      return { status: 200, text: token };
    }
    const body = await readJsonBody(req, this.deps.maxBodyBytes ?? MAX_NOTIFICATION_BYTES);
    if (!body.ok) {
      const unread = body.refusal.status === 413 || body.refusal.status === 415;
      return this.refuse(requestId, body.refusal.status, body.refusal.reason, unread ? { connection: 'close' } : undefined);
    }
    const parsed = batchSchema.safeParse(body.value);
    if (!parsed.success) return this.refuse(requestId, 400, 'invalidNotifications');

    let queued = 0;
    let dropped = 0;
    for (const n of parsed.data.value) {
      const what = n.lifecycleEvent ?? n.changeType;
      const known = what && SUBSCRIPTION_ID.test(n.subscriptionId) ? await this.deps.clientStateOf(n.subscriptionId) : undefined;
      if (!what || known === undefined || !sameSecret(known, n.clientState ?? '')) {
        dropped++;
        // The subscription id is not a secret; the clientState sent is never logged.
        this.deps.logger.warn({ requestId, subscriptionId: SUBSCRIPTION_ID.test(n.subscriptionId) ? n.subscriptionId : undefined, reason: known === undefined ? 'unknownSubscription' : 'clientStateMismatch' }, 'change notification dropped');
        continue;
      }
      const eventId = n.resourceData?.id;
      const message: WorkMessage = { type: 'calendarChange', subscriptionId: n.subscriptionId, what, ...(eventId ? { eventId } : {}) };
      await this.deps.queue.enqueue(message, { delaySeconds: this.deps.settleSeconds ?? SETTLE_SECONDS });
      queued++;
    }
    this.deps.logger.info({ requestId, queued, dropped }, 'change notifications received');
    return { status: 202 };
  }

  private refuse(requestId: string, status: number, reason: string, headers?: Record<string, string>): Reply {
    this.deps.logger.warn({ requestId, status, reason }, 'notification request refused');
    return refusal(status, headers);
  }
}

/** Compares two secrets in constant time (their digests, so the lengths never tell). */
function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}
