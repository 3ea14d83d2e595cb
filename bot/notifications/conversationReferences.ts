import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { keys } from '../domain/request';
import { RecentReferences } from '../recentReferences';
import { updateDocument, type DocumentStore } from '../storage/documentStore';
import { tenantOf } from '../turnIdentity';

/** Whom a proactive message goes to: a user's personal chat, or a team channel / group chat the bot is in. */
export type ConversationTarget = { tenantId: string; userId: string } | { tenantId: string; conversationId: string };

/** What is needed to write to a conversation later: only what sending needs, no names, no activity id. */
export interface ProactiveReference {
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; tenantId: string; conversationType?: string };
  bot: { id: string; name: string };
  user?: { id: string; name: string; aadObjectId?: string };
}

/** A stored conversation reference: where proactive messages to one user or conversation go, and in which language. */
interface StoredReference {
  reference: ProactiveReference;
  /** The locale of the user's Teams client at their last activity (untrusted wire tag, resolved when rendering). */
  locale?: string;
  firstSeenAt: string;
  /** When the reference last changed (not when it was last seen: an unchanged reference is not rewritten). */
  savedAt: string;
  /** When the channel last refused a message here (403: writes blocked, or the bot removed); cleared by the user's next activity. */
  blockedAt?: string;
}

/** What `refresh` did: wrote a new or changed reference, found it as stored, or had nothing to key it by. */
export type RefreshOutcome = 'saved' | 'unchanged' | 'skipped';

/**
 * Conversation references, refreshed on every activity (Teams may move a conversation to another
 * service URL) but written only when something that matters for sending changed. Personal chats are
 * keyed by tenant and user, team channels and group chats by tenant and conversation.
 */
export class ConversationReferenceStore {
  /**
   * References this instance wrote or found unchanged lately: a conversation's every turn does not cost a
   * storage read. Whatever changes a stored reference here (block, remove) forgets its entry, so the
   * user's next activity reaches the store and unblocks it; a change made by another instance is seen
   * once the entry's TTL (5 minutes) is over.
   */
  private readonly recent: RecentReferences;

  constructor(
    private readonly documents: DocumentStore,
    private readonly clock: () => Date = () => new Date(),
    recent?: RecentReferences,
  ) {
    this.recent = recent ?? new RecentReferences();
  }

  /**
   * Keeps the reference of this activity's conversation current; one read, and a write only when it
   * changed. No read at all when this instance saw the same reference within the memo's TTL, unless
   * `force` (an install: another instance may have removed it).
   */
  async refresh(activity: Partial<Activity>, options: { force?: boolean } = {}): Promise<RefreshOutcome> {
    const target = targetOf(activity);
    const reference = proactiveReference(activity);
    if (!target || !reference) return 'skipped';
    const key = keyOf(target);
    if (!options.force && this.recent.fresh(key, activity)) return 'unchanged';
    const locale = typeof activity.locale === 'string' && activity.locale.length <= 35 ? activity.locale : undefined;
    const at = this.clock().toISOString();
    let outcome: RefreshOutcome = 'unchanged';
    // Read-modify-write with the ETag: two instances refreshing at once keep one consistent record.
    await updateDocument<StoredReference>(this.documents, key, (current) => {
      // A blocked conversation is unblocked by any new activity from it: the user is back.
      if (current && sameJson(current.reference, reference) && current.locale === locale && !current.blockedAt) {
        outcome = 'unchanged';
        return undefined;
      }
      outcome = 'saved';
      return { reference, ...(locale ? { locale } : {}), firstSeenAt: current?.firstSeenAt ?? at, savedAt: at };
    });
    this.recent.remember(key, activity);
    return outcome;
  }

  /** Forgets the reference of this activity's conversation (the app was uninstalled); false when none was stored. */
  async forget(activity: Partial<Activity>): Promise<boolean> {
    const target = targetOf(activity);
    return target ? this.remove(target) : false;
  }

  /** Forgets a target's reference (uninstalled, or the channel said the bot may no longer write there). */
  async remove(target: ConversationTarget): Promise<boolean> {
    this.recent.forget(keyOf(target));
    return this.documents.delete(keyOf(target));
  }

  /**
   * Marks a target's conversation blocked (the channel answered 403): nothing more is sent there
   * until the user's next activity refreshes the reference. False when no reference is stored.
   */
  async block(target: ConversationTarget): Promise<boolean> {
    const at = this.clock().toISOString();
    let found = false;
    // Forgotten first: the user's next activity in this instance must reach the store and unblock.
    this.recent.forget(keyOf(target));
    await updateDocument<StoredReference>(this.documents, keyOf(target), (current) => {
      found = current !== undefined;
      return current && !current.blockedAt ? { ...current, blockedAt: at } : undefined;
    });
    return found;
  }

  async get(target: ConversationTarget): Promise<{ reference: ProactiveReference; locale?: string; blockedAt?: string } | undefined> {
    const stored = (await this.documents.get<StoredReference>(keyOf(target)))?.value;
    return stored ? { reference: stored.reference, ...(stored.locale ? { locale: stored.locale } : {}), ...(stored.blockedAt ? { blockedAt: stored.blockedAt } : {}) } : undefined;
  }
}

/** The storage key of a target's reference. */
export function keyOf(target: ConversationTarget): string {
  return 'userId' in target ? keys.conversation(target.tenantId, target.userId) : keys.teamConversation(target.tenantId, target.conversationId);
}

/**
 * Whom this activity's conversation reaches: the user in a personal chat, the conversation in a team
 * channel or group chat (a channel thread's `;messageid=` is dropped, so a notice starts a new post).
 */
export function targetOf(activity: Partial<Activity>): ConversationTarget | undefined {
  const tenantId = tenantOf({ activity });
  if (!tenantId) return undefined;
  const type = activity.conversation?.conversationType;
  if (type === 'channel' || type === 'groupChat') {
    const conversationId = baseConversationId(activity.conversation?.id);
    return conversationId ? { tenantId, conversationId } : undefined;
  }
  const userId = activity.from?.aadObjectId;
  return userId && GUID.test(userId) ? { tenantId, userId: userId.toLowerCase() } : undefined;
}

function proactiveReference(activity: Partial<Activity>): ProactiveReference | undefined {
  const full: Partial<ConversationReference> = TurnContext.getConversationReference(activity);
  const tenantId = tenantOf({ activity });
  const conversationId = full.conversation?.conversationType === 'channel' ? baseConversationId(full.conversation.id) : full.conversation?.id;
  if (!full.channelId || !full.serviceUrl || !conversationId || !full.bot?.id || !tenantId) return undefined;
  const user = full.user?.id ? { id: full.user.id, name: '', ...(full.user.aadObjectId ? { aadObjectId: full.user.aadObjectId } : {}) } : undefined;
  return {
    channelId: full.channelId,
    serviceUrl: full.serviceUrl,
    conversation: { id: conversationId, tenantId, ...(full.conversation?.conversationType ? { conversationType: full.conversation.conversationType } : {}) },
    bot: { id: full.bot.id, name: full.bot.name ?? '' },
    ...(user && full.conversation?.conversationType !== 'channel' ? { user } : {}),
  };
}

function baseConversationId(id: string | undefined): string | undefined {
  const base = id?.split(';')[0];
  return base && base.length <= 512 ? base : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
