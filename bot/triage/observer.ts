import type { OnboardingRequest } from '../domain/journey';
import type { TriageHistoryEntry } from '../domain/triage';

/** One accepted triage action, after the request was written: the request before and after, and the history entry. */
export interface TriageChange {
  before: OnboardingRequest;
  after: OnboardingRequest;
  entry: TriageHistoryEntry;
}

/**
 * Told of every accepted triage action once its request is stored (the triage channel's actions and
 * the requester's answer alike): the requester's notices, the reassigned meeting, the channel's card.
 * Each observer queues or does its own work; a failing observer is logged and does not undo the action.
 */
export interface TriageObserver {
  triageChanged(change: TriageChange): Promise<void>;
}
