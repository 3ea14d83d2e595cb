import { TurnContext, type ConversationReference } from 'botbuilder';
import { keys } from '../domain/request';
import { updateDocument, type DocumentStore } from '../storage/documentStore';

/** A stored conversation reference: where proactive messages to one user go. */
interface StoredReference {
  reference: Partial<ConversationReference>;
  firstSeenAt: string;
  savedAt: string;
}

/** Where proactive messages go: one conversation reference per tenant and user. */
export class ConversationReferenceStore {
  constructor(
    private readonly documents: DocumentStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Saves the reference of the turn's conversation; false when the turn has no tenant or user id. */
  async save(context: TurnContext): Promise<boolean> {
    const tenantId = tenantOf(context);
    const userId = context.activity.from?.aadObjectId;
    if (!tenantId || !userId) return false;
    const reference = TurnContext.getConversationReference(context.activity);
    const at = this.clock().toISOString();
    // Read-modify-write with the ETag: two instances saving at once keep one consistent record.
    await updateDocument<StoredReference>(this.documents, keys.conversation(tenantId, userId), (current) => ({
      reference,
      firstSeenAt: current?.firstSeenAt ?? at,
      savedAt: at,
    }));
    return true;
  }

  async get(tenantId: string, userId: string): Promise<Partial<ConversationReference> | undefined> {
    return (await this.documents.get<StoredReference>(keys.conversation(tenantId, userId)))?.value.reference;
  }
}

/** The tenant of a Teams turn: `conversation.tenantId`, else `channelData.tenant.id`. */
export function tenantOf(context: TurnContext): string | undefined {
  const activity = context.activity;
  const fromChannel = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const id = activity.conversation?.tenantId ?? (typeof fromChannel === 'string' ? fromChannel : undefined);
  return id && /^[0-9a-f-]{36}$/i.test(id) ? id.toLowerCase() : undefined;
}
