import type { WaterfallStepContext } from 'botbuilder-dialogs';
import type { OnboardingRequest } from '../domain/journey';
import type { PartnerContext } from '../domain/partners';
import type { RequestChange } from '../storage/requestRepository';
import type { JourneyDeps } from './journeyDeps';

/** What each phase dialog is started with. */
export interface PhaseOptions {
  tenantId: string;
  requestId?: string;
  requester: OnboardingRequest['requester'];
  /** A partner asking on behalf of the customer whose tenant is `tenantId`. */
  partner?: PartnerContext;
}

/** What a phase dialog ends with: the request id when the journey may go on. */
export interface PhaseResult {
  requestId?: string;
}

/** Loads the phase's request; throws when it vanished (a bug or a manual deletion, not user input). */
export async function loadRequest(deps: Pick<JourneyDeps, 'requests'>, options: PhaseOptions): Promise<OnboardingRequest> {
  const request = options.requestId ? await deps.requests.get(options.tenantId, options.requestId) : undefined;
  if (!request) throw new Error('The request of this phase is not stored');
  return request;
}

/**
 * Changes the phase's request with the ETag it was read with, re-applying `change` to a fresher
 * version when another turn or instance wrote first; throws when the request vanished.
 */
export async function updateRequest(deps: Pick<JourneyDeps, 'requests'>, options: PhaseOptions, change: RequestChange): Promise<OnboardingRequest> {
  const request = options.requestId ? await deps.requests.update(options.tenantId, options.requestId, change) : undefined;
  if (!request) throw new Error('The request of this phase is not stored');
  return request;
}

export function phaseOptions(step: WaterfallStepContext): PhaseOptions {
  return step.options as PhaseOptions;
}
