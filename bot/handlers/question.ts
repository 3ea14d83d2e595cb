import type { InvokeResponse, TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { CardRenderer } from '../cards/cardRenderer';
import { questionCardJson, type QuestionCardData, type QuestionCardLook } from '../cards/questionCard';
import type { OnboardingRequest } from '../domain/journey';
import { isRequestId } from '../domain/request';
import { applyTriage, triageVersion, type TriageResult } from '../domain/triage';
import type { Logger } from '../logger';
import type { RequestRepository } from '../storage/requestRepository';
import type { TriageObserver } from '../triage/observer';
import { tellObservers } from '../triage/tellObservers';
import { ids, tenantOf, userOf } from '../turnIdentity';

/** The Universal Action of the requester's question card. */
export const QUESTION_VERB = 'question.answer';
/** Verbs this handler answers (teamsBot routes `adaptiveCard/action` invokes with this prefix here). */
export const QUESTION_VERB_PREFIX = 'question.';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An `adaptiveCard/action` invoke's value (untrusted): the verb, the card's data merged with its inputs. */
const invokeSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(64),
    data: z.looseObject({
      tenantId: z.string().regex(GUID).transform((s) => s.toLowerCase()),
      requestId: z.string().refine(isRequestId),
      version: z.coerce.number().int().min(0),
      askedAt: z.string().max(40),
      answer: z.string().max(100_000).optional(),
    }),
  }),
});

/** The verb of an `adaptiveCard/action` invoke value, if it has one. */
export function invokeVerb(value: unknown): string | undefined {
  const verb = (value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
  return typeof verb === 'string' ? verb : undefined;
}

export interface QuestionHandlerDeps {
  requests: RequestRepository;
  renderer: CardRenderer;
  logger: Logger;
  clock: () => Date;
  /** Told of the recorded answer (the triage channel's card learns it). */
  triageObservers?: readonly TriageObserver[];
}

/**
 * The requester answers FastTrack's question on the card in place (`question.answer`). Only the
 * request's requester may, from their personal chat in their own tenant; anyone else is refused and
 * logged. The answer goes through the triage state machine inside the request's ETag update, the
 * observers are told, and the invoke answers with the card replaced: "Answered: …"; an empty or too
 * long answer shows the card again with the error and what was typed; a card whose question is no
 * longer open (answered, or the request moved on) says it no longer applies.
 */
export class QuestionHandler {
  constructor(private readonly deps: QuestionHandlerDeps) {}

  async answer(context: TurnContext): Promise<InvokeResponse> {
    const { renderer, logger } = this.deps;
    const parsed = invokeSchema.safeParse(context.activity.value);
    if (!parsed.success || parsed.data.action.verb !== QUESTION_VERB) {
      logger.warn({ ...ids(context), reason: 'malformed' }, 'question card action refused');
      return message(renderer.text(context.activity.locale, (s) => s.requesterSide.noLongerApplies));
    }
    const data = parsed.data.action.data;
    const request = await this.deps.requests.get(data.tenantId, data.requestId);
    const locale = request?.form?.preferredLanguage ?? context.activity.locale;
    const question = request?.triage?.question;
    const card: QuestionCardData = { tenantId: data.tenantId, requestId: data.requestId, version: data.version, askedAt: data.askedAt, question: question?.askedAt === data.askedAt ? question.text : '' };
    if (!request) return this.card(locale, { ...card, question: '' }, { look: 'stale' });

    const refusal = whyNotRequester(context, request);
    if (refusal) {
      logger.warn({ ...ids(context), requestId: request.id, reason: refusal }, 'question card action refused');
      return message(renderer.text(locale, (s) => s.requesterSide.notYours));
    }

    const typed = data.answer ?? '';
    let before: OnboardingRequest | undefined;
    let result: TriageResult | undefined;
    let already: string | undefined;
    const stored = await this.deps.requests.update(request.tenantId, request.id, (current) => {
      before = current;
      const open = current.triage?.question;
      // The card answers the question it showed: still open, the same one (a later question is another card).
      if (!open || open.answer !== undefined || open.askedAt !== data.askedAt) {
        // Sent twice (a double click, a retried invoke): the card shows the answer FastTrack has, not "no longer applies".
        if (open?.askedAt === data.askedAt && open.answer !== undefined) already = open.answer;
        result = { ok: false, refusal: 'noQuestion' };
        return undefined;
      }
      // FastTrack may have acted meanwhile (a reassignment): the version is the request's own, the question the same.
      result = applyTriage(current, { action: 'answer', answer: typed }, { kind: 'requester', aadObjectId: userOf(context) ?? '' }, triageVersion(current), this.deps.clock());
      return result.ok ? result.request : undefined;
    });
    const log = { ...ids(context), requestId: request.id };
    if (already !== undefined) return this.card(locale, card, { look: 'answered', answer: already });
    if (!result || !stored) return this.card(locale, card, { look: 'stale' });
    if (!result.ok) {
      if (result.refusal === 'textMissing' || result.refusal === 'textTooLong') {
        return this.card(locale, card, { look: 'open', answer: typed, error: result.refusal === 'textMissing' ? 'answerMissing' : 'answerTooLong' });
      }
      logger.info({ ...log, refusal: result.refusal }, 'question card no longer applies');
      return this.card(locale, card, { look: 'stale' });
    }
    logger.info({ ...log, version: triageVersion(stored) }, 'question answered by the requester');
    await tellObservers(this.deps.triageObservers ?? [], { before: before!, after: stored, entry: result.entry }, logger);
    return this.card(locale, card, { look: 'answered', answer: stored.triage?.question?.answer ?? typed.trim() });
  }

  private card(locale: unknown, data: QuestionCardData, look: QuestionCardLook): InvokeResponse {
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: questionCardJson(this.deps.renderer, locale, data, look) } };
  }
}

/** Why the turn may not answer for the request's requester: another user, another tenant, not their personal chat. */
function whyNotRequester(context: TurnContext, request: OnboardingRequest): 'otherUser' | 'otherTenant' | 'notPersonal' | undefined {
  if (userOf(context) !== request.requester.aadObjectId) return 'otherUser';
  if (tenantOf(context) !== request.requester.tenantId.toLowerCase()) return 'otherTenant';
  if (context.activity.conversation?.conversationType !== 'personal') return 'notPersonal';
  return undefined;
}

function message(text: string): InvokeResponse {
  return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } };
}
