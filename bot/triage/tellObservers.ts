import { errorFields } from '../dialogs/errors';
import type { Logger } from '../logger';
import type { TriageChange, TriageObserver } from './observer';

/**
 * Tells every triage observer of an accepted, stored change, in order. A failing observer is logged
 * (ids and the error's class only) and the next one is still told: the change stands.
 */
export async function tellObservers(observers: readonly TriageObserver[], change: TriageChange, logger: Logger): Promise<void> {
  for (const observer of observers) {
    try {
      await observer.triageChanged(change);
    } catch (error) {
      logger.warn({ tenantId: change.after.tenantId, requestId: change.after.id, event: change.entry.event, observer: observer.constructor.name, err: errorFields(error) }, 'triage observer failed');
    }
  }
}
