import type { BotState } from 'botbuilder';
import type { JourneyDeps } from '../dialogs/journeyDeps';
import type { OnboardingRequest } from '../domain/journey';
import type { ConversationReferenceStore } from '../notifications/conversationReferences';
import type { TriageObserver } from '../triage/observer';
import { tenantOf, userOf } from '../turnIdentity';
import type { StaffDeps } from './staff';
import type { TriageDeps } from './triage';

/** What the bot and its handlers need, injected by the composition root (or a test). */
export interface FastTrackBotDeps extends JourneyDeps {
  conversationState: BotState;
  references: ConversationReferenceStore;
  /** Told of every accepted triage action taken in the bot's turns (the requester's answer too). */
  triageObservers?: TriageObserver[];
  /** The FastTrack people's own chats in the staff tenant (absent: every chat is a customer's). */
  staff?: StaffDeps;
  /** The FastTrack side: the triage team and channel, its people and observers (none: every team is "personal use only"). */
  triage?: TriageDeps;
}

/**
 * The tenant's open request when the acting user is its requester; for a partner without one, the
 * latest open request it manages for a customer, while the delegated-admin relationship is in force.
 */
export async function myOpenRequest(
  deps: Pick<JourneyDeps, 'requests'> & Partial<Pick<JourneyDeps, 'partners' | 'directory'>>,
  context: Parameters<typeof tenantOf>[0],
): Promise<OnboardingRequest | undefined> {
  return (await myOpenRequestOrStopped(deps, context)).request;
}

/**
 * As `myOpenRequest`, and for a partner whose latest managed request is open but whose relationship
 * with that customer is no longer in force, that customer (`stoppedFor`): the caller says why
 * (`authorizeCustomer` names the ended or expired relationship) instead of "no request".
 */
export async function myOpenRequestOrStopped(
  deps: Pick<JourneyDeps, 'requests'> & Partial<Pick<JourneyDeps, 'partners' | 'directory'>>,
  context: Parameters<typeof tenantOf>[0],
): Promise<{ request?: OnboardingRequest; stoppedFor?: { partnerTenantId: string; userId: string; customerTenantId: string; customerName: string } }> {
  const tenantId = tenantOf(context);
  const userId = userOf(context);
  if (!tenantId || !userId) return {};
  const open = await deps.requests.findOpen(tenantId);
  if (open) return open.requester.aadObjectId === userId ? { request: open } : {};
  return managedOpenRequest(deps, tenantId, userId);
}

/** A partner user's latest open request for a customer, only while the relationship with that customer is active. */
async function managedOpenRequest(
  deps: Pick<JourneyDeps, 'requests'> & Partial<Pick<JourneyDeps, 'partners' | 'directory'>>,
  tenantId: string,
  userId: string,
): Promise<{ request?: OnboardingRequest; stoppedFor?: { partnerTenantId: string; userId: string; customerTenantId: string; customerName: string } }> {
  if (!deps.partners || !deps.directory) return {};
  const entries = await deps.partners.index.list(tenantId, userId);
  for (const entry of [...entries].reverse().slice(0, 5)) {
    const request = await deps.requests.findOpen(entry.customerTenantId);
    if (request?.id !== entry.requestId || request.requester.aadObjectId !== userId || request.partner?.tenantId !== tenantId) continue;
    const relationship = await deps.directory.customerRelationship(tenantId, entry.customerTenantId);
    return relationship.status === 'active' ? { request } : { stoppedFor: { partnerTenantId: tenantId, userId, customerTenantId: entry.customerTenantId, customerName: entry.customerName } };
  }
  return {};
}

/** MainDialog options that continue a request: a partner's names its customer (checked again there). */
export function continueOptions(request: OnboardingRequest): { requestId: string; customerTenantId?: string } {
  return { requestId: request.id, ...(request.partner ? { customerTenantId: request.tenantId } : {}) };
}
