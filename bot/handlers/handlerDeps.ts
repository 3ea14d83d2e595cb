import type { BotState } from 'botbuilder';
import type { JourneyDeps } from '../dialogs/journeyDeps';
import type { OnboardingRequest } from '../domain/journey';
import type { ConversationReferenceStore } from '../notifications/conversationReferences';
import { tenantOf, userOf } from '../turnIdentity';
import type { StaffDeps } from './staff';
import type { TriageDeps } from './triage';

/** What the bot and its handlers need, injected by the composition root (or a test). */
export interface FastTrackBotDeps extends JourneyDeps {
  conversationState: BotState;
  references: ConversationReferenceStore;
  /** The FastTrack people's own chats in the staff tenant (absent: every chat is a customer's). */
  staff?: StaffDeps;
  /** The FastTrack side: the triage team and channel, its people and observers (none: every team is "personal use only"). */
  triage?: TriageDeps;
}

/** The tenant's open request when the acting user is its requester. */
export async function myOpenRequest(deps: Pick<JourneyDeps, 'requests'>, context: Parameters<typeof tenantOf>[0]): Promise<OnboardingRequest | undefined> {
  const tenantId = tenantOf(context);
  const userId = userOf(context);
  if (!tenantId || !userId) return undefined;
  const open = await deps.requests.findOpen(tenantId);
  return open?.requester.aadObjectId === userId ? open : undefined;
}
