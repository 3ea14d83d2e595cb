import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ProactiveReference } from './conversationReferences';

/** Writes one message into a stored conversation; rejects with the channel's error (its `statusCode`). */
export interface ProactiveSender {
  send(reference: ProactiveReference, activity: Partial<Activity>): Promise<void>;
}

/**
 * The proactive sender on the bot's CloudAdapter: `continueConversationAsync(appId, reference, logic)`.
 * A send error is caught inside the turn and rethrown outside it, so the adapter's turn error handler
 * (which would write "something went wrong" into the same conversation) never sees it.
 */
export class AdapterSender implements ProactiveSender {
  constructor(
    private readonly adapter: Pick<CloudAdapter, 'continueConversationAsync'>,
    private readonly appId: string,
  ) {}

  async send(reference: ProactiveReference, activity: Partial<Activity>): Promise<void> {
    const type = reference.conversation.conversationType;
    const full: Partial<ConversationReference> = {
      ...reference,
      conversation: { ...reference.conversation, isGroup: type === 'channel' || type === 'groupChat', conversationType: type ?? 'personal', name: '' },
      ...(reference.user ? { user: { ...reference.user } } : {}),
    };
    let failure: { error: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.appId, full, async (context) => {
      try {
        await context.sendActivity(activity);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
  }
}
