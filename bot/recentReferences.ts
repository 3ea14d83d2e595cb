import type { Activity } from 'botbuilder';

/**
 * The conversation references this instance stored or found unchanged lately, so that a conversation's
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

  /** True when this activity's reference was stored or checked by this instance within the TTL. */
  fresh(activity: Partial<Activity>): boolean {
    const key = keyOf(activity);
    const entry = key ? this.seen.get(key) : undefined;
    return !!entry && entry.fingerprint === fingerprintOf(activity) && this.now() - entry.at < this.ttlMs;
  }

  remember(activity: Partial<Activity>): void {
    const key = keyOf(activity);
    if (!key) return;
    this.seen.delete(key);
    this.seen.set(key, { fingerprint: fingerprintOf(activity), at: this.now() });
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }

  forget(activity: Partial<Activity>): void {
    const key = keyOf(activity);
    if (key) this.seen.delete(key);
  }
}

function keyOf(activity: Partial<Activity>): string | undefined {
  const conversation = activity.conversation?.id;
  return conversation ? JSON.stringify([activity.channelId, conversation, activity.from?.aadObjectId ?? activity.from?.id]) : undefined;
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
