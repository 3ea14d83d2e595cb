import { z } from 'zod';
import { triageCard } from '../cards/triageCards';
import type { CenterModel } from '../domain/centers';
import type { OnboardingRequest } from '../domain/journey';
import { isRequestId } from '../domain/request';
import { triageVersion } from '../domain/triage';
import { errorFields } from '../dialogs/errors';
import type { Logger } from '../logger';
import type { NoticeInput, NoticeKind } from '../notifications/notice';
import type { Outbox } from '../notifications/outbox';
import type { RequestRepository } from '../storage/requestRepository';
import type { TriageChange, TriageObserver } from './observer';

/** The notice kind that updates a request's triage card in the channel in place (the posted message, by its id). */
export const TRIAGE_CARD_UPDATE_KIND = 'triageCardUpdate';

const params = z.object({
  requestTenantId: z.string().regex(/^[0-9a-f-]{36}$/i),
  requestId: z.string().refine(isRequestId, 'not a request id'),
});
export type TriageCardUpdateParams = z.output<typeof params>;

/**
 * The `triageCardUpdate` notice kind: the channel's copy of a request's triage card, rendered at send
 * time from the stored request (today's state, the requester's answer), replacing the message the
 * card was posted as (`triage.channelMessageId`, kept when it was posted). A request that is gone, or
 * whose card was never posted (or its id not kept), is not updated.
 */
export function triageCardUpdateKind(deps: { requests: Pick<RequestRepository, 'get'>; centers: CenterModel }): NoticeKind<TriageCardUpdateParams> {
  // The request read by `stillWanted`, for the `render` that follows it (render is synchronous).
  const loaded = new Map<string, OnboardingRequest & { triage: { channelMessageId: string } }>();
  const keyOf = (p: TriageCardUpdateParams) => `${p.requestTenantId.toLowerCase()}/${p.requestId}`;
  return {
    params,
    async stillWanted(p) {
      const request = await deps.requests.get(p.requestTenantId.toLowerCase(), p.requestId);
      const messageId = request?.triage?.channelMessageId;
      if (!request || !messageId) return false;
      if (loaded.size > 256) loaded.clear();
      loaded.set(keyOf(p), { ...request, triage: { ...request.triage!, channelMessageId: messageId } });
      return true;
    },
    render(renderer, locale, p) {
      const request = loaded.get(keyOf(p));
      if (!request) throw new Error('the triage card is rendered from the request read just before sending');
      loaded.delete(keyOf(p));
      return { type: 'message', id: request.triage.channelMessageId, attachments: [triageCard(renderer, locale, request, deps.centers)] };
    },
  };
}

/**
 * Brings the requester's answer back to the triage channel: on every `triage.answer` it queues an
 * update of the channel's copy of the card (through the outbox, its one outbound path and limiter).
 * The notice id names the request and the version the answer made, so it is sent once. Staff actions
 * need none: their invoke updates the card they acted on.
 */
export class ChannelCardUpdates implements TriageObserver {
  constructor(private readonly deps: { outbox: Pick<Outbox, 'enqueue'>; staffTenantId: string; centerTeamId: string; logger: Logger }) {}

  async triageChanged(change: TriageChange): Promise<void> {
    if (change.entry.event !== 'triage.answer') return;
    const request = change.after;
    const notice: NoticeInput = {
      id: `triage:${request.tenantId}:${request.id}:card:v${triageVersion(request)}`,
      tenantId: this.deps.staffTenantId,
      conversationId: this.deps.centerTeamId,
      kind: TRIAGE_CARD_UPDATE_KIND,
      params: { requestTenantId: request.tenantId, requestId: request.id } satisfies TriageCardUpdateParams,
    };
    const log = { tenantId: request.tenantId, requestId: request.id, noticeId: notice.id };
    try {
      await this.deps.outbox.enqueue(notice);
      this.deps.logger.info(log, 'triage card update queued for the triage channel');
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'triage card update not queued');
    }
  }
}
