import { z } from 'zod';
import { questionCard } from '../cards/questionCard';
import { errorFields } from '../dialogs/errors';
import type { OnboardingRequest } from '../domain/journey';
import { CANCEL_REASONS, TRIAGE_TEXT_LIMIT, triageVersion, type TriageHistoryEntry } from '../domain/triage';
import type { Logger } from '../logger';
import type { NoticeInput, NoticeKind } from '../notifications/notice';
import type { Outbox } from '../notifications/outbox';
import type { RequestRepository } from '../storage/requestRepository';
import type { TriageChange, TriageObserver } from './observer';

/** The notice kind of FastTrack's changes told to the requester. */
export const TRIAGE_NOTICE_KIND = 'triageUpdate';

const TEXT = z.string().min(1).max(TRIAGE_TEXT_LIMIT);

/** What a triage notice carries: the change, the request, and the texts FastTrack typed. */
const params = z.discriminatedUnion('change', [
  z.object({ change: z.literal('approved'), requestId: z.string().max(32) }),
  z.object({ change: z.literal('onHold'), requestId: z.string().max(32), reason: TEXT }),
  z.object({ change: z.literal('cancelled'), requestId: z.string().max(32), reason: z.enum(CANCEL_REASONS), note: TEXT.optional() }),
  z.object({
    change: z.literal('question'),
    requestTenantId: z.string().min(1).max(64),
    requestId: z.string().max(32),
    version: z.number().int().min(0),
    askedAt: z.iso.datetime({ offset: true }),
    question: TEXT,
  }),
]);
export type TriageNoticeParams = z.output<typeof params>;

/**
 * The `triageUpdate` notice kind: approved, on hold and why, cancelled and why (the reason localized,
 * FastTrack's note as typed), or the question card the requester answers in place. A question no
 * longer open when its turn to be sent comes (answered, or the request moved on) is not sent.
 */
export function triageNoticeKind(deps: { requests: Pick<RequestRepository, 'get'> }): NoticeKind<TriageNoticeParams> {
  return {
    params,
    async stillWanted(p) {
      if (p.change !== 'question') return true;
      const request = await deps.requests.get(p.requestTenantId, p.requestId);
      const question = request?.triage?.question;
      return request?.state === 'OnHoldPendingRequesterResponse' && question?.answer === undefined && question?.askedAt === p.askedAt;
    },
    render: (r, locale, p) => {
      switch (p.change) {
        case 'approved':
          return { type: 'message', text: r.text(locale, (s) => s.requesterSide.approved, { requestId: p.requestId }) };
        case 'onHold':
          return { type: 'message', text: r.text(locale, (s) => s.requesterSide.onHold, { requestId: p.requestId, reason: p.reason }) };
        case 'cancelled': {
          const reason = r.strings(locale).requesterSide.cancelReasons[p.reason];
          const values = { requestId: p.requestId, reason, note: p.note ?? '' };
          return { type: 'message', text: r.text(locale, (s) => (p.note ? s.requesterSide.cancelledWithNote : s.requesterSide.cancelled), values) };
        }
        case 'question':
          return {
            type: 'message',
            attachments: [questionCard(r, locale, { tenantId: p.requestTenantId, requestId: p.requestId, version: p.version, askedAt: p.askedAt, question: p.question })],
          };
      }
    },
  };
}

/**
 * The notice of one triage change for the requester, or undefined when the change is not theirs to
 * hear (an assignment, a reassignment, their own answer). Its id names the request and the version
 * the change made, so queuing it again (a retried observer, a second instance) never shows it twice.
 */
export function triageNoticeFor(request: OnboardingRequest, entry: TriageHistoryEntry): NoticeInput | undefined {
  const triage = request.triage;
  let p: z.input<typeof params> | undefined;
  switch (entry.event) {
    case 'triage.approve':
      p = { change: 'approved', requestId: request.id };
      break;
    case 'triage.hold':
      if (triage?.hold) p = { change: 'onHold', requestId: request.id, reason: triage.hold.reason };
      break;
    case 'triage.cancel':
      if (triage?.cancelled) p = { change: 'cancelled', requestId: request.id, reason: triage.cancelled.reason, ...(triage.cancelled.note ? { note: triage.cancelled.note } : {}) };
      break;
    case 'triage.ask':
      if (triage?.question) {
        p = { change: 'question', requestTenantId: request.tenantId, requestId: request.id, version: triageVersion(request), askedAt: triage.question.askedAt, question: triage.question.text };
      }
      break;
    default:
      break;
  }
  if (!p) return undefined;
  const locale = request.form?.preferredLanguage;
  return {
    id: `triage:${request.tenantId}:${request.id}:v${triageVersion(request)}`,
    tenantId: request.requester.tenantId,
    userId: request.requester.aadObjectId,
    kind: TRIAGE_NOTICE_KIND,
    params: p,
    ...(locale ? { locale } : {}),
  };
}

/**
 * Tells the requester, in their personal chat and the request's language, of every state change
 * FastTrack makes (approved, on hold, cancelled, a question), through the outbox. A notice that
 * could not be queued is logged; the change itself stands.
 */
export class RequesterNotices implements TriageObserver {
  constructor(private readonly deps: { outbox: Pick<Outbox, 'enqueue'>; logger: Logger }) {}

  async triageChanged(change: TriageChange): Promise<void> {
    const notice = triageNoticeFor(change.after, change.entry);
    if (!notice) return;
    const log = { tenantId: change.after.tenantId, requestId: change.after.id, event: change.entry.event, noticeId: notice.id };
    try {
      await this.deps.outbox.enqueue(notice);
      this.deps.logger.info(log, 'requester notice queued');
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'requester notice not queued');
    }
  }
}
