import Bottleneck from 'bottleneck';
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { ExponentialBackoff, handleWhen, retry, type FailureReason, type IBackoff, type IBackoffFactory, type IRetryBackoffContext, type RetryPolicy } from 'cockatiel';
import { statusOf } from '../storage/documentStore';
import type { ProactiveReference } from './conversationReferences';

/**
 * Writes one message into a stored conversation, or replaces one in place when the activity has an
 * `id` (updateActivity: a card that changed); resolves to the message's id when the channel gave one.
 * Rejects with the channel's error (its `statusCode`).
 */
export interface ProactiveSender {
  send(reference: ProactiveReference, activity: Partial<Activity>): Promise<string | void>;
}

/**
 * The proactive sender on the bot's CloudAdapter: `continueConversationAsync(appId, reference, logic)`.
 * A send error is caught inside the turn and rethrown outside it, so the adapter's turn error handler
 * (which would write "something went wrong" into the same conversation) never sees it.
 *
 * The connector client's own retry policy is taken out of its pipeline: a retry it made would reach
 * Teams without passing the rate limiter. Retries are `LimitedSender`'s, each through the limiter.
 */
export class AdapterSender implements ProactiveSender {
  constructor(
    private readonly adapter: Pick<CloudAdapter, 'continueConversationAsync'>,
    private readonly appId: string,
  ) {}

  async send(reference: ProactiveReference, activity: Partial<Activity>): Promise<string | void> {
    const type = reference.conversation.conversationType;
    const full: Partial<ConversationReference> = {
      ...reference,
      conversation: { ...reference.conversation, isGroup: type === 'channel' || type === 'groupChat', conversationType: type ?? 'personal', name: '' },
      ...(reference.user ? { user: { ...reference.user } } : {}),
    };
    let failure: { error: unknown } | undefined;
    let id: string | undefined;
    await this.adapter.continueConversationAsync(this.appId, full, async (context) => {
      withoutClientRetries(context);
      try {
        if (activity.id) {
          await context.updateActivity(activity);
          id = activity.id;
        } else {
          id = (await context.sendActivity(activity))?.id;
        }
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
    return id;
  }
}

/** Removes the retry phase (exponential and throttling retries) from this turn's connector client pipeline. */
function withoutClientRetries(context: TurnContext): void {
  const client: unknown = context.turnState.get(context.adapter.ConnectorClientKey);
  const pipeline = (client as { client?: { pipeline?: { removePolicy?: (o: { phase: string }) => unknown } } } | undefined)?.client?.pipeline;
  pipeline?.removePolicy?.({ phase: 'Retry' });
}

/** At most `count` messages in any `windowMs`. */
export interface LimitWindow {
  count: number;
  windowMs: number;
}

/** Teams' per-conversation limits for a bot's messages, every window at once. */
export const TEAMS_CONVERSATION_LIMITS: readonly LimitWindow[] = [
  { count: 7, windowMs: 1000 },
  { count: 8, windowMs: 2000 },
  { count: 60, windowMs: 30_000 },
  { count: 1800, windowMs: 3_600_000 },
];

/** Answers worth another try (throttled, precondition raced, gateway errors); every other 4xx is final. */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 412, 502, 504]);

export interface LimitedSenderOptions {
  /** Per-conversation windows (default: Teams' limits). Tests pass short ones. */
  conversationLimits?: readonly LimitWindow[];
  /** Messages per second to one tenant, across its conversations (default 50). */
  tenantPerSecond?: number;
  /** Length of the tenant window (default 1000 ms). */
  tenantWindowMs?: number;
  /** Tries of one message, the first included (default 4). */
  maxAttempts?: number;
  /** First backoff without a Retry-After (ms; jittered, doubling; default 500). */
  initialDelayMs?: number;
  /** How long an idle conversation's limiters are kept (ms); at least twice the longest window (the default adds a minute). */
  idleMs?: number;
  /**
   * Longest wait before a retry: a longer Retry-After is not waited for, the error is thrown and the
   * outbox retries the notice later (default 15 s, so the tries of one send stay within the dispatcher's 60 s lease).
   */
  maxWaitMs?: number;
}

/** A message not sent because the conversation answered 403 while it waited; carries the 403. */
export class ConversationBlockedError extends Error {
  readonly statusCode = 403;
  readonly code = 'ConversationBlocked';
  constructor() {
    super('the conversation refused messages (403) while this one waited; not sent');
    this.name = 'ConversationBlockedError';
  }
}

/**
 * The one outbound sender for proactive traffic. Every HTTP request (retries included) passes,
 * in order, one limiter per per-conversation window (a bottleneck Group keyed by conversation for
 * the first, the rest held with it), then its tenant's limiter (a Group keyed by tenant).
 *
 * Each window is a sliding window: a limiter's reservoir starts at the window's count, a request
 * takes one when it starts, and it is given back `windowMs` after the request finished. So no
 * window ever holds more requests than its count, as Teams counts them, bursts included.
 *
 * Idle limiters are dropped by the Groups' `timeout` (twice the longest window plus a minute for a
 * conversation, so no give-back is still due; a minute for a tenant), so 10,000 conversations
 * reached once do not stay in memory.
 *
 * 429/412/502/504 are retried (cockatiel) after the Retry-After (seconds or an HTTP date) or a
 * jittered exponential backoff; other errors are thrown at once. A 403 stops every message of that
 * conversation still waiting here (ConversationBlockedError); keeping it blocked is the caller's.
 */
export class LimitedSender implements ProactiveSender {
  private readonly windows: readonly LimitWindow[];
  private readonly conversations: Bottleneck.Group;
  private readonly tenants: Bottleneck.Group;
  private readonly chains = new Map<Bottleneck, Bottleneck[]>();
  /** Conversations with messages waiting here: how many, and when a 403 was last answered. */
  private readonly pending = new Map<string, { count: number; blockedAt?: number }>();
  private readonly policy: RetryPolicy;

  constructor(
    private readonly inner: ProactiveSender,
    options: LimitedSenderOptions = {},
  ) {
    this.windows = options.conversationLimits ?? TEAMS_CONVERSATION_LIMITS;
    if (this.windows.length === 0) throw new Error('at least one conversation window is needed');
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    const [first, ...rest] = this.windows;
    this.conversations = new Bottleneck.Group({ reservoir: first!.count, timeout: Math.max(2 * longest, options.idleMs ?? 2 * longest + 60_000) });
    this.conversations.on('created', (head: Bottleneck) => {
      giveBackAfter(head, first!.windowMs);
      const links = rest.map((w) => giveBackAfter(new Bottleneck({ reservoir: w.count }), w.windowMs));
      this.chains.set(head, links);
      // The chain lives as long as its head: when the Group drops an idle head, the links go with it.
      head.on('error', () => undefined);
      const disconnect = head.disconnect.bind(head);
      head.disconnect = (flush?: boolean) => {
        this.chains.delete(head);
        for (const link of links) void link.disconnect(flush);
        return disconnect(flush);
      };
    });
    const tenantWindowMs = options.tenantWindowMs ?? 1000;
    this.tenants = new Bottleneck.Group({ reservoir: options.tenantPerSecond ?? 50, timeout: Math.max(60_000, 4 * tenantWindowMs) });
    this.tenants.on('created', (limiter: Bottleneck) => {
      giveBackAfter(limiter, tenantWindowMs);
      limiter.on('error', () => undefined);
    });

    const maxWaitMs = options.maxWaitMs ?? 15_000;
    this.policy = retry(
      handleWhen((error) => RETRIED_STATUSES.has(statusOf(error) ?? 0) && (retryAfterMs(error) ?? 0) <= maxWaitMs),
      { maxAttempts: (options.maxAttempts ?? 4) - 1, backoff: new RetryAfterBackoff(new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 500, maxDelay: maxWaitMs })) },
    );
  }

  async send(reference: ProactiveReference, activity: Partial<Activity>): Promise<string | void> {
    const conversationId = reference.conversation.id;
    const queuedAt = Date.now();
    const state = this.pending.get(conversationId) ?? { count: 0 };
    state.count++;
    this.pending.set(conversationId, state);
    try {
      return await this.policy.execute(() => this.throughLimits(reference, () => {
        if (state.blockedAt !== undefined && state.blockedAt >= queuedAt) throw new ConversationBlockedError();
        return this.inner.send(reference, activity);
      }));
    } catch (error) {
      if (statusOf(error) === 403) state.blockedAt = Date.now();
      throw error;
    } finally {
      if (--state.count === 0) this.pending.delete(conversationId);
    }
  }

  /** Limiters (per-conversation windows, then the tenant's) currently held; for tests of idle clean-up. */
  limiterCount(): { conversations: number; tenants: number } {
    return { conversations: this.conversations.keys().length, tenants: this.tenants.keys().length };
  }

  private throughLimits(reference: ProactiveReference, request: () => Promise<string | void>): Promise<string | void> {
    const head = this.conversations.key(reference.conversation.id);
    const links = this.chains.get(head) ?? [];
    const tenantId = reference.conversation.tenantId;
    const last = () => this.tenants.key(tenantId).schedule(request);
    const run = links.reduceRight<() => Promise<string | void>>((next, link) => () => link.schedule(next), last);
    return head.schedule(run);
  }
}

/** A request takes one of the reservoir when it starts and gives it back `windowMs` after it ended. */
function giveBackAfter(limiter: Bottleneck, windowMs: number): Bottleneck {
  limiter.on('done', () => {
    setTimeout(() => void limiter.incrementReservoir(1), windowMs).unref();
  });
  return limiter;
}

/** Waits at least what Retry-After asks (plus jitter); without one, a jittered exponential backoff. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly fallback: IBackoffFactory<unknown>) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const fallback = this.fallback.next(context);
    const asked = 'error' in context.result ? retryAfterMs((context.result as Extract<FailureReason<unknown>, { error: unknown }>).error) : undefined;
    const duration = asked !== undefined ? asked + Math.random() * 250 : fallback.duration;
    return { duration, next: (c) => new RetryAfterBackoff(fallback).next(c) };
  }
}

/** The Retry-After of a channel error in ms: delta seconds or an HTTP date; undefined without one. */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const headers = typeof error === 'object' && error !== null && 'response' in error ? (error as { response?: { headers?: unknown } }).response?.headers : undefined;
  const get = (headers as { get?: (name: string) => string | undefined } | undefined)?.get;
  const value = typeof get === 'function' ? get.call(headers, 'retry-after') : undefined;
  return parseRetryAfter(value, now);
}

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
