import type { TurnContext } from 'botbuilder';
import type { CardRenderer, Strings } from './cards/cardRenderer';
import { errorFields } from './dialogs/errors';
import { GraphError } from './graph/tenantDirectory';
import type { Logger } from './logger';
import { isStorageOutage } from './storage/storageBreaker';
import { ids } from './turnIdentity';

/**
 * What kind of failure an error is, for the user and the operator: storage down, Microsoft 365
 * (Graph) not answering, no access to the tenant, or anything else. The one mapping; dialogs that
 * catch failures themselves use it too (through `failureText`).
 */
export type FailureClass = 'storage' | 'graph' | 'graphNoAccess' | 'other';

export function failureClass(error: unknown): FailureClass {
  if (error instanceof GraphError) {
    if (error.status === 401 || error.status === 403) return 'graphNoAccess';
    // No answer, 5xx, a timeout after the retries, or the open circuit (503 CircuitOpen); and a
    // 429 whose Retry-After was too long to wait for.
    if (error.status === 0 || error.status >= 500 || error.status === 429) return error.code === 'Cancelled' ? 'other' : 'graph';
    return 'other';
  }
  if (isStorageOutage(error)) return 'storage';
  return 'other';
}

/** What the user is told for a failure of this class. */
export function failureText(failure: FailureClass): (s: Strings) => string {
  switch (failure) {
    case 'storage':
      return (s) => s.failures.storage;
    case 'graph':
      return (s) => s.failures.graph;
    case 'graphNoAccess':
      return (s) => s.messages.graphNoAccess;
    case 'other':
      return (s) => s.messages.error;
  }
}

/**
 * The adapter's onTurnError: logs one line with the turn's ids, the failure class and the error's
 * class/code/status only (no message, which may hold user text, and no stack) and tells the user,
 * in their language, what failed: storage, Microsoft 365, or something else. State is kept, so the
 * user can carry on where they were.
 */
export function createTurnErrorHandler(renderer: CardRenderer, logger: Logger) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const failure = failureClass(error);
    logger.error({ ...ids(context), failure, err: errorFields(error) }, 'turn failed');
    // Invokes expect an invoke response, not a message; Teams shows its own error for those.
    if (context.activity.type === 'invoke') return;
    try {
      await context.sendActivity(renderer.text(context.activity.locale, failureText(failure)));
    } catch (sendError) {
      logger.error({ ...ids(context), err: errorFields(sendError) }, 'could not tell the user about the failure');
    }
  };
}
