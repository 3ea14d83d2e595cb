import { z } from 'zod';
import { triageCard } from '../cards/triageCards';
import type { CenterModel } from '../domain/centers';
import type { OnboardingRequest } from '../domain/journey';
import { isRequestId } from '../domain/request';
import type { Logger } from '../logger';
import type { NoticeKind } from '../notifications/notice';
import type { Outbox } from '../notifications/outbox';
import type { RequestRepository } from '../storage/requestRepository';

/** The notice kind of a request's triage card, posted to the triage channel. */
export const TRIAGE_CARD_KIND = 'triageCard';

const triageCardParams = z.object({
  requestTenantId: z.string().regex(/^[0-9a-f-]{36}$/i),
  requestId: z.string().refine(isRequestId, 'not a request id'),
});
export type TriageCardParams = z.output<typeof triageCardParams>;

/** The notice id of a request's triage card: one card per request, however often the form is submitted. */
export function triageNoticeId(request: Pick<OnboardingRequest, 'tenantId' | 'id'>): string {
  return `triage:${request.tenantId}:${request.id}`;
}

/**
 * The `triageCard` notice kind: the triage card, rendered at send time from the stored request (so it
 * shows the kickoff booked meanwhile, and today's state), in the channel's language. The request is
 * read just before sending (`stillWanted`, which the dispatcher asks right before it renders): a
 * request that is gone is not posted. Once posted, the message's id is kept on the request
 * (`triage.channelMessageId`), so the channel's copy can be updated in place later.
 */
export function triageCardKind(deps: { requests: Pick<RequestRepository, 'get' | 'update'>; centers: CenterModel }): NoticeKind<TriageCardParams> {
  // The request read by `stillWanted`, for the `render` that follows it (render is synchronous).
  const loaded = new Map<string, OnboardingRequest>();
  const keyOf = (p: TriageCardParams) => `${p.requestTenantId.toLowerCase()}/${p.requestId}`;
  return {
    params: triageCardParams,
    async stillWanted(params) {
      const request = await deps.requests.get(params.requestTenantId.toLowerCase(), params.requestId);
      if (!request) return false;
      if (loaded.size > 256) loaded.clear();
      loaded.set(keyOf(params), request);
      return true;
    },
    render(renderer, locale, params) {
      const request = loaded.get(keyOf(params));
      if (!request) throw new Error('the triage card is rendered from the request read just before sending');
      return { type: 'message', attachments: [triageCard(renderer, locale, request, deps.centers)] };
    },
    // The posted message's id is kept on the request: the channel's copy is updated in place later (bot/triage/channelCard.ts).
    async sent(params, _notice, activityId) {
      loaded.delete(keyOf(params));
      if (!activityId) return;
      await deps.requests.update(params.requestTenantId.toLowerCase(), params.requestId, (current) =>
        current.triage?.channelMessageId === activityId ? undefined : { ...current, triage: { ...(current.triage ?? { version: 0 }), channelMessageId: activityId } },
      );
    },
  };
}

/** What the request form tells when a request is submitted. */
export interface TriageChannelPoster {
  requestSubmitted(request: OnboardingRequest): Promise<void>;
}

/**
 * Queues a submitted request's triage card for the triage channel: in the staff tenant, addressed by
 * conversation id to the triage team's General channel (whose id is the team's id, the conversation
 * the bot is installed in). The notice id names the request, so a resubmitted form posts no second card.
 */
export class TriagePoster implements TriageChannelPoster {
  constructor(private readonly deps: { outbox: Pick<Outbox, 'enqueue'>; staffTenantId: string; centerTeamId: string; logger: Logger }) {}

  async requestSubmitted(request: OnboardingRequest): Promise<void> {
    await this.deps.outbox.enqueue({
      id: triageNoticeId(request),
      tenantId: this.deps.staffTenantId,
      conversationId: this.deps.centerTeamId,
      kind: TRIAGE_CARD_KIND,
      params: { requestTenantId: request.tenantId, requestId: request.id } satisfies TriageCardParams,
    });
    this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, staffTenantId: this.deps.staffTenantId }, 'triage card queued for the triage channel');
  }
}
