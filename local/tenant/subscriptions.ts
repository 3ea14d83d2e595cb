/**
 * `/subscriptions` of the local tenant, as Graph v1.0 answers it for Outlook events: POST (after
 * the validation handshake with the notification URL, as Graph does), GET (one or all), PATCH (a
 * new expiry), DELETE. When a subscribed event changes or is deleted through the tenant's own Graph
 * API, a change notification with the subscription's clientState is POSTed to its notificationUrl;
 * `lifecycle()` sends a lifecycle notification (reauthorizationRequired, subscriptionRemoved, missed).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { graphError, type GraphResult } from './graphRoutes';
import type { SeedTenant } from './seed';

/** Graph's limit for Outlook resources: under 7 days. */
export const MAX_SUBSCRIPTION_MINUTES = 10_080;
const VALIDATION_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 10_000;
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);
const RESOURCE = /^\/?(?:users)\/([^/]+)\/(?:calendar\/)?events(?:\/([^/]+))?$/i;

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface LocalSubscription {
  id: string;
  tenantId: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: string;
  /** The subscribed mailbox (object id) and, for one event, its id. */
  userId: string;
  eventId?: string;
}

/** A notification the tenant POSTed, with the status it got (0: no answer). */
export interface Delivery {
  subscriptionId: string;
  kind: 'change' | 'lifecycle';
  what: string;
  status: number;
}

type Json = Record<string, unknown>;

export class LocalSubscriptions {
  private readonly subscriptions = new Map<string, LocalSubscription>();
  private readonly pending = new Set<Promise<void>>();
  readonly deliveries: Delivery[] = [];

  constructor(private readonly log?: (msg: string, fields: object) => void) {}

  reset(): void {
    this.subscriptions.clear();
    this.deliveries.splice(0);
  }

  list(tenantId?: string): LocalSubscription[] {
    return [...this.subscriptions.values()].filter((s) => !tenantId || s.tenantId.toLowerCase() === tenantId.toLowerCase()).map((s) => ({ ...s }));
  }

  /** Resolves when every notification sent so far has been answered (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** `/subscriptions[/{id}]` of one tenant. */
  async handle(tenantId: string, tenant: SeedTenant, method: string, segments: string[], body: unknown, serviceRoot: string): Promise<GraphResult> {
    const id = segments[1];
    if (segments.length > 2) return graphError(400, 'BadRequest', `Resource not found for the segment '${segments[2]!}'.`);
    const context = `${serviceRoot}/$metadata#subscriptions`;
    if (!id) {
      if (method === 'GET') return { status: 200, body: { '@odata.context': context, value: this.list(tenantId).map(json) } };
      if (method === 'POST') return this.create(tenantId, tenant, body, context);
      return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', { Allow: 'GET, POST' });
    }
    const found = this.subscriptions.get(id);
    if (!found || found.tenantId.toLowerCase() !== tenantId.toLowerCase()) return graphError(404, 'ResourceNotFound', `The object was not found.`);
    if (method === 'GET') return { status: 200, body: { '@odata.context': `${context}/$entity`, ...json(found) } };
    if (method === 'DELETE') {
      this.subscriptions.delete(id);
      return { status: 204 };
    }
    if (method === 'PATCH') {
      const b = asObject(body);
      const expiry = expiryOf(b?.expirationDateTime);
      if (typeof expiry !== 'string') return expiry;
      found.expirationDateTime = expiry;
      return { status: 200, body: { '@odata.context': `${context}/$entity`, ...json(found) } };
    }
    return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', { Allow: 'GET, PATCH, DELETE' });
  }

  private async create(tenantId: string, tenant: SeedTenant, body: unknown, context: string): Promise<GraphResult> {
    const b = asObject(body);
    if (!b) return graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
    const changeType = typeof b.changeType === 'string' ? b.changeType : '';
    if (!changeType || !changeType.split(',').every((c) => CHANGE_TYPES.has(c.trim()))) return graphError(400, 'InvalidRequest', "Invalid 'changeType' attribute.");
    const notificationUrl = httpUrl(b.notificationUrl);
    if (!notificationUrl) return graphError(400, 'InvalidRequest', "Invalid 'notificationUrl' attribute.");
    const lifecycleNotificationUrl = b.lifecycleNotificationUrl === undefined ? undefined : httpUrl(b.lifecycleNotificationUrl);
    if (b.lifecycleNotificationUrl !== undefined && !lifecycleNotificationUrl) return graphError(400, 'InvalidRequest', "Invalid 'lifecycleNotificationUrl' attribute.");
    if (b.clientState !== undefined && (typeof b.clientState !== 'string' || b.clientState.length > 128)) return graphError(400, 'InvalidRequest', "Invalid 'clientState' attribute: at most 128 characters.");
    const expiry = expiryOf(b.expirationDateTime);
    if (typeof expiry !== 'string') return expiry;
    const resource = typeof b.resource === 'string' ? b.resource : '';
    const match = RESOURCE.exec(resource);
    if (!match) return graphError(400, 'ExtensionError', `The resource '${resource}' is not supported by the local tenant (users/{id}/events[/{eventId}]).`);
    const userKey = decodeURIComponent(match[1]!).toLowerCase();
    const user = tenant.users.find((u) => u.id.toLowerCase() === userKey || u.userPrincipalName.toLowerCase() === userKey);
    if (!user?.mailboxSettings) return graphError(404, 'ExtensionError', 'The mailbox of the resource was not found.');
    const eventId = match[2] ? decodeURIComponent(match[2]) : undefined;
    if (eventId && !(user.events ?? []).some((e) => e.id === eventId)) return graphError(404, 'ExtensionError', 'The event of the resource was not found.');
    // Graph validates each URL before it creates the subscription.
    for (const url of new Set([notificationUrl, ...(lifecycleNotificationUrl ? [lifecycleNotificationUrl] : [])])) {
      if (!(await validate(url))) {
        return graphError(400, 'ValidationError', 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
      }
    }
    const subscription: LocalSubscription = {
      id: randomUUID(),
      tenantId,
      resource,
      changeType,
      notificationUrl,
      ...(lifecycleNotificationUrl ? { lifecycleNotificationUrl } : {}),
      ...(typeof b.clientState === 'string' ? { clientState: b.clientState } : {}),
      expirationDateTime: expiry,
      userId: user.id,
      ...(eventId ? { eventId } : {}),
    };
    this.subscriptions.set(subscription.id, subscription);
    return { status: 201, body: { '@odata.context': `${context}/$entity`, ...json(subscription) } };
  }

  /** An event of the tenant was changed or deleted through its Graph API: notify every subscription on it. */
  eventChanged(tenantId: string, tenant: SeedTenant, userKey: string, eventId: string, changeType: 'updated' | 'deleted'): void {
    const key = userKey.toLowerCase();
    const user = tenant.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
    if (!user) return;
    const now = Date.now();
    for (const s of this.subscriptions.values()) {
      if (s.tenantId.toLowerCase() !== tenantId.toLowerCase() || s.userId !== user.id) continue;
      if (s.eventId !== undefined && s.eventId !== eventId) continue;
      if (!s.changeType.split(',').map((c) => c.trim()).includes(changeType)) continue;
      if (Date.parse(s.expirationDateTime) <= now) continue;
      const resource = `Users/${user.id}/Events/${eventId}`;
      this.post(s, 'change', changeType, s.notificationUrl, {
        value: [
          {
            subscriptionId: s.id,
            subscriptionExpirationDateTime: s.expirationDateTime,
            changeType,
            resource,
            resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': resource, '@odata.etag': `W/"${randomBytes(8).toString('base64')}"`, id: eventId },
            ...(s.clientState !== undefined ? { clientState: s.clientState } : {}),
            tenantId,
          },
        ],
      });
    }
  }

  /** Sends a lifecycle notification for a subscription (a removed one is forgotten, as Graph does); false when unknown. */
  lifecycle(subscriptionId: string, event: LifecycleEvent): boolean {
    const s = this.subscriptions.get(subscriptionId);
    if (!s) return false;
    if (event === 'subscriptionRemoved') this.subscriptions.delete(subscriptionId);
    this.post(s, 'lifecycle', event, s.lifecycleNotificationUrl ?? s.notificationUrl, {
      value: [
        {
          lifecycleEvent: event,
          subscriptionId: s.id,
          subscriptionExpirationDateTime: s.expirationDateTime,
          resource: s.resource,
          ...(s.clientState !== undefined ? { clientState: s.clientState } : {}),
          tenantId: s.tenantId,
        },
      ],
    });
    return true;
  }

  private post(s: LocalSubscription, kind: Delivery['kind'], what: string, url: string, body: Json): void {
    const sent = (async () => {
      let status = 0;
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      this.deliveries.push({ subscriptionId: s.id, kind, what, status });
      this.log?.('subscription notification', { subscriptionId: s.id, kind, what, status });
    })();
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }
}

/** Graph's handshake: POST `{url}?validationToken=…` (text/plain), expecting 200 and the token echoed within 10 s. */
async function validate(url: string): Promise<boolean> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = new URL(url);
  target.searchParams.set('validationToken', token);
  try {
    const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '', signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS) });
    const text = await response.text();
    return response.status === 200 && text === token;
  } catch {
    return false;
  }
}

function json(s: LocalSubscription): Json {
  return {
    id: s.id,
    resource: s.resource,
    applicationId: '00000000-0000-0000-0000-000000000000',
    changeType: s.changeType,
    clientState: s.clientState ?? null,
    notificationUrl: s.notificationUrl,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
    expirationDateTime: s.expirationDateTime,
    creatorId: null,
    latestSupportedTlsVersion: 'v1_2',
    notificationContentType: null,
    includeResourceData: false,
  };
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A requested expiry within Graph's limit for Outlook resources (ISO instant), or the error Graph answers. */
function expiryOf(value: unknown): string | GraphResult {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) return graphError(400, 'InvalidRequest', "Invalid 'expirationDateTime' attribute.");
  const now = Date.now();
  if (ms <= now) return graphError(400, 'InvalidRequest', 'Subscription expiration must be in the future.');
  if (ms > now + MAX_SUBSCRIPTION_MINUTES * 60_000) return graphError(400, 'InvalidRequest', `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`);
  return new Date(ms).toISOString();
}
