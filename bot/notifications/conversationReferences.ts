import { TurnContext, type ConversationReference, type Storage } from 'botbuilder';
import { keys } from '../domain/request';

/** Where proactive messages go: one conversation reference per tenant and user. */
export class ConversationReferenceStore {
  constructor(private readonly storage: Storage) {}

  /** Saves the reference of the turn's conversation; false when the turn has no tenant or user id. */
  async save(context: TurnContext): Promise<boolean> {
    const tenantId = tenantOf(context);
    const userId = context.activity.from?.aadObjectId;
    if (!tenantId || !userId) return false;
    const reference = TurnContext.getConversationReference(context.activity);
    await this.storage.write({ [keys.conversation(tenantId, userId)]: { reference, savedAt: new Date().toISOString(), eTag: '*' } });
    return true;
  }

  async get(tenantId: string, userId: string): Promise<Partial<ConversationReference> | undefined> {
    const key = keys.conversation(tenantId, userId);
    const found = (await this.storage.read([key]))[key] as { reference?: Partial<ConversationReference> } | undefined;
    return found?.reference;
  }
}

/** The tenant of a Teams turn: `conversation.tenantId`, else `channelData.tenant.id`. */
export function tenantOf(context: TurnContext): string | undefined {
  const activity = context.activity;
  const fromChannel = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const id = activity.conversation?.tenantId ?? (typeof fromChannel === 'string' ? fromChannel : undefined);
  return id && /^[0-9a-f-]{36}$/i.test(id) ? id.toLowerCase() : undefined;
}
