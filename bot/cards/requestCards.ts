import type { Attachment } from 'botbuilder';
import type { CardRenderer } from './cardRenderer';
import { PHASES, type OnboardingRequest } from '../domain/journey';
import type { MeetingKind } from '../domain/meetings';
import type { SupportedLocale } from '../domain/locale';
import { meetingLines } from './meetingCards';

const date = (locale: SupportedLocale, iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

/** The request handed to scheduling: what was recorded and what happens next. */
export function confirmationCard(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest): Attachment {
  const s = renderer.strings(locale);
  const form = request.form;
  return renderer.card('confirmation', locale, {
    body: renderer.text(locale, (t) => t.confirmation.body, { name: form?.requesterName ?? request.requester.name, organization: request.tenantCheck.organization }),
    requestId: request.id,
    organization: request.tenantCheck.organization,
    contact: form ? `${form.requesterName} <${form.requesterEmail}>` : request.requester.name,
    services: (form?.products ?? request.services?.services ?? []).map((id) => s.services[id as keyof typeof s.services] ?? id).join(', '),
    language: form ? s.languages[form.preferredLanguage] : '',
    state: `${s.states[request.state]} · ${s.stages[request.stage]}`,
    adoptionDone: request.phases.adoption === 'done',
  });
}

/** "Managed by the partner …" for a request a partner manages on the customer's behalf; '' otherwise. */
function managedBy(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest): string {
  const partner = request.partner;
  return partner ? renderer.text(locale, (s) => s.partners.managedBy, { partner: request.form?.partner?.partnerName ?? partner.organization, name: partner.name }) : '';
}

/**
 * The status timeline: each phase, the adoption track, the request state, meetings. `booking`: the
 * meeting kinds being booked in the background right now (said so, rather than "no meeting booked").
 */
export function statusCard(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest, options: { booking?: readonly MeetingKind[] } = {}): Attachment {
  const s = renderer.strings(locale);
  const booking = (options.booking ?? []).map((kind) => renderer.text(locale, (t) => t.nextStep.status.bookingInProgress, { kind: s.meeting.kinds[kind] }));
  const icon = { notStarted: '○', inProgress: '◐', done: '●' } as const;
  return renderer.card('status', locale, {
    requestId: request.id,
    organization: request.tenantCheck.organization,
    state: s.states[request.state],
    stage: s.stages[request.stage],
    phases: PHASES.map((p) => ({ title: `${icon[request.phases[p]]} ${s.status.phases[p]}`, value: s.status.phaseStatus[request.phases[p]] })),
    created: date(renderer.resolve(locale), request.createdAt),
    updated: date(renderer.resolve(locale), request.updatedAt),
    meetings: [...meetingLines(renderer, locale, request), ...booking].join('\n\n') || s.status.noMeetings,
    canContinue: request.stage === 'onboarding' && request.state !== 'Cancelled',
    managedBy: managedBy(renderer, locale, request),
    customerTenantId: request.partner ? request.tenantId : '',
    canAdopt: request.state !== 'Cancelled' && request.phases.adoption !== 'done',
    ...fastTrackFacts(renderer, locale, request),
  });
}

/** What FastTrack said about the request: why it is on hold or cancelled, its open question (or the last one and the answer). */
function fastTrackFacts(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest): { fastTrack: { title: string; value: string }[]; hasFastTrack: boolean; questionOpen: boolean } {
  const s = renderer.strings(locale).requesterSide;
  const triage = request.triage;
  const facts: { title: string; value: string }[] = [];
  if (request.state === 'OnHold' && triage?.hold) facts.push({ title: s.holdReason, value: triage.hold.reason });
  if (request.state === 'Cancelled' && triage?.cancelled) {
    const reason = s.cancelReasons[triage.cancelled.reason];
    facts.push({ title: s.cancelReason, value: triage.cancelled.note ? `${reason}: ${triage.cancelled.note}` : reason });
  }
  const question = triage?.question;
  const questionOpen = request.state === 'OnHoldPendingRequesterResponse' && question !== undefined && question.answer === undefined;
  if (question) facts.push({ title: s.openQuestion, value: question.text });
  if (question?.answer !== undefined) facts.push({ title: s.lastAnswer, value: question.answer });
  return { fastTrack: facts, hasFastTrack: facts.length > 0, questionOpen };
}

/**
 * The tenant already has an open request: continue it (the requester) or see it (another admin).
 * `viewerTenantId`: the viewer's own tenant; a partner asking for a customer (another tenant) reads
 * that the customer already has a request, not "your tenant".
 */
export function existingRequestCard(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest, userId: string, viewerTenantId?: string): Attachment {
  const s = renderer.strings(locale);
  const mine = request.requester.aadObjectId === userId;
  const forCustomer = viewerTenantId !== undefined && viewerTenantId.toLowerCase() !== request.tenantId.toLowerCase();
  return renderer.card('existingRequest', locale, {
    title: forCustomer ? renderer.text(locale, (t) => t.nextStep.existing.customerTitle, { customer: request.tenantCheck.organization }) : s.existing.title,
    requestId: request.id,
    body: renderer.text(locale, (t) => (mine ? t.existing.bodyMine : t.existing.bodyOther), { requestId: request.id, name: request.requester.name, date: date(renderer.resolve(locale), request.createdAt) }),
    state: `${s.states[request.state]} · ${s.stages[request.stage]}`,
    canContinue: mine && request.stage === 'onboarding',
    managedBy: managedBy(renderer, locale, request),
    customerTenantId: request.partner ? request.tenantId : '',
  });
}
