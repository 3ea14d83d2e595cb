import type { Activity } from 'botbuilder';

/**
 * The conversation references this instance stored or found unchanged lately (kept by
 * ConversationReferenceStore, keyed by the reference's storage key), so that a conversation's
 * every turn does not cost a storage read to learn that its reference has not changed. An entry holds
 * the activity fields a reference is made of (the fingerprint) and is trusted for `ttlMs`; any change
 * (another service URL, locale, bot or user) misses it. Bounded: the oldest entries go first.
 */
export class RecentReferences {
  private readonly seen = new Map<string, { fingerprint: string; at: number }>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(options: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.max = options.max ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** True when the reference stored under `key` was written or found unchanged for this activity by this instance within the TTL. */
  fresh(key: string, activity: Partial<Activity>): boolean {
    const entry = this.seen.get(key);
    return !!entry && entry.fingerprint === fingerprintOf(activity) && this.now() - entry.at < this.ttlMs;
  }

  remember(key: string, activity: Partial<Activity>): void {
    this.seen.delete(key);
    this.seen.set(key, { fingerprint: fingerprintOf(activity), at: this.now() });
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }

  /** The stored reference under `key` changed behind the memo (blocked, removed): the next activity reads it again. */
  forget(key: string): void {
    this.seen.delete(key);
  }
}

function fingerprintOf(activity: Partial<Activity>): string {
  const { channelId, serviceUrl, conversation, recipient, from, locale, channelData } = activity;
  return JSON.stringify([
    channelId,
    serviceUrl,
    conversation?.id,
    conversation?.tenantId,
    conversation?.conversationType,
    (channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id,
    recipient?.id,
    recipient?.name,
    from?.id,
    from?.aadObjectId,
    locale,
  ]);
}
