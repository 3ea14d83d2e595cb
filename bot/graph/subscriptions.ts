/** Graph change-notification subscriptions on a user's calendar events (`/subscriptions`), one per followed event. */
import { z } from 'zod';
import { GraphError, type CallOptions } from './tenantDirectory';
import { parse, type GraphTransport } from './transport';

/**
 * Outlook resources (events) allow subscriptions of under 7 days (10,080 minutes). The bot asks for
 * a little less and keeps whatever Graph grants (it may grant less).
 */
export const MAX_OUTLOOK_SUBSCRIPTION_MINUTES = 10_080;
const ASK_MINUTES = MAX_OUTLOOK_SUBSCRIPTION_MINUTES - 60;
const SUBSCRIPTION_ID = /^[A-Za-z0-9-]{1,128}$/;
const USER_ID = /^[^\s/\\]{1,256}$/;
const EVENT_ID = /^[A-Za-z0-9+/=_-]{1,1024}$/;

const subscriptionSchema = z.object({
  id: z.string().regex(SUBSCRIPTION_ID),
  resource: z.string(),
  expirationDateTime: z.string(),
});

/** A subscription as Graph holds it: its id and the expiry Graph granted (ISO instant). */
export interface GraphSubscription {
  id: string;
  resource: string;
  expirationDateTime: string;
}

export interface NewEventSubscription {
  userId: string;
  /** The event followed (checked; the subscription covers the user's events, as Graph allows for Outlook). */
  eventId: string;
  /** The bot's `/api/notifications`: change notifications, and lifecycle ones (reauthorizationRequired, subscriptionRemoved, missed). */
  notificationUrl: string;
  /** The secret Graph echoes in every notification (at most 128 characters). */
  clientState: string;
  /** Now, to compute the expiry asked for. */
  now: Date;
}

/** What the bot asks of Graph about subscriptions. Only bot/graph/ implements it. */
export interface SubscriptionGateway {
  createSubscription(tenantId: string, subscription: NewEventSubscription, options?: CallOptions): Promise<GraphSubscription>;
  /** Extends a subscription (also answers a reauthorizationRequired); resolves to the expiry granted. */
  renewSubscription(tenantId: string, subscriptionId: string, now: Date, options?: CallOptions): Promise<GraphSubscription>;
  /** Deletes a subscription; one already gone counts as deleted. */
  deleteSubscription(tenantId: string, subscriptionId: string, options?: CallOptions): Promise<void>;
}

/** The latest expiry the bot asks for: just under Graph's maximum for Outlook resources. */
export function askedExpiry(now: Date): string {
  return new Date(now.getTime() + ASK_MINUTES * 60_000).toISOString();
}

export class GraphSubscriptions implements SubscriptionGateway {
  constructor(private readonly transport: GraphTransport) {}

  async createSubscription(tenantId: string, s: NewEventSubscription, options?: CallOptions): Promise<GraphSubscription> {
    if (typeof s.userId !== 'string' || !USER_ID.test(s.userId) || s.userId === '.' || s.userId === '..') throw new GraphError(400, 'InvalidUserId', 'The user id is not an object id or a user principal name');
    if (typeof s.eventId !== 'string' || !EVENT_ID.test(s.eventId)) throw new GraphError(400, 'InvalidEventId', 'The event id is not a Graph event id');
    if (typeof s.clientState !== 'string' || s.clientState.length === 0 || s.clientState.length > 128) throw new GraphError(400, 'InvalidClientState', 'The clientState must be 1 to 128 characters');
    if (!/^https?:\/\//.test(s.notificationUrl)) throw new GraphError(400, 'InvalidNotificationUrl', 'The notification URL must be absolute');
    const body = {
      changeType: 'updated,deleted',
      notificationUrl: s.notificationUrl,
      lifecycleNotificationUrl: s.notificationUrl,
      // Graph takes no single event for Outlook (only /users/{id}/events): the caller keeps to its own event by id.
      resource: `users/${encodeURIComponent(s.userId)}/events`,
      expirationDateTime: askedExpiry(s.now),
      clientState: s.clientState,
      latestSupportedTlsVersion: 'v1_2',
    };
    // Immutable ids in the notifications, as the calendar gateway stores them.
    const raw = await this.transport.request(tenantId, { method: 'POST', path: '/subscriptions', headers: { Prefer: 'IdType="ImmutableId"' }, body }, options);
    return granted(raw);
  }

  async renewSubscription(tenantId: string, subscriptionId: string, now: Date, options?: CallOptions): Promise<GraphSubscription> {
    const raw = await this.transport.request(tenantId, { method: 'PATCH', path: subscriptionPath(subscriptionId), body: { expirationDateTime: askedExpiry(now) } }, options);
    return granted(raw);
  }

  async deleteSubscription(tenantId: string, subscriptionId: string, options?: CallOptions): Promise<void> {
    try {
      await this.transport.request(tenantId, { method: 'DELETE', path: subscriptionPath(subscriptionId) }, options);
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return;
      throw error;
    }
  }
}

function subscriptionPath(id: string): string {
  if (typeof id !== 'string' || !SUBSCRIPTION_ID.test(id)) throw new GraphError(400, 'InvalidSubscriptionId', 'The subscription id is not a Graph subscription id');
  return `/subscriptions/${id}`;
}

/** The subscription Graph answered with; its expiry as an ISO instant (Graph writes seven fractional digits). */
function granted(raw: unknown): GraphSubscription {
  const s = parse(subscriptionSchema, raw);
  const ms = Date.parse(s.expirationDateTime.replace(/(\.\d{3})\d+/, '$1'));
  if (!Number.isFinite(ms)) throw new GraphError(502, 'UnexpectedResponse', "Graph's subscription has no valid expirationDateTime");
  return { id: s.id, resource: s.resource, expirationDateTime: new Date(ms).toISOString() };
}
