import type { TurnContext } from 'botbuilder';
import type { CardRenderer } from './cards/cardRenderer';
import { errorFields } from './dialogs/errors';
import type { Logger } from './logger';
import { ids } from './turnIdentity';

/**
 * The adapter's onTurnError: logs the failure with the turn's ids and the error's name/status/code
 * only (no message, which may hold user text, and no stack) and tells the user, in their language,
 * that something went wrong. State is kept, so the user can carry on where they were.
 */
export function createTurnErrorHandler(renderer: CardRenderer, logger: Logger) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    logger.error({ ...ids(context), err: errorFields(error) }, 'turn failed');
    // Invokes expect an invoke response, not a message; Teams shows its own error for those.
    if (context.activity.type === 'invoke') return;
    try {
      await context.sendActivity(renderer.text(context.activity.locale, (s) => s.messages.error));
    } catch (sendError) {
      logger.error({ ...ids(context), err: errorFields(sendError) }, 'could not tell the user about the failure');
    }
  };
}
