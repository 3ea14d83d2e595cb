import { CardFactory, type Attachment } from 'botbuilder';
import type { CenterModel, FastTrackPerson } from '../domain/centers';
import type { OnboardingRequest } from '../domain/journey';
import { activeMeeting, type MeetingKind } from '../domain/meetings';
import { describeSlot } from '../domain/slots';
import { actionsFor, canWork, CANCEL_REASONS, roleNeeded, TRIAGE_TEXT_LIMIT, triageVersion, type TriageActionName, type TriageRefusal } from '../domain/triage';
import type { CardRenderer, Strings } from './cardRenderer';

/** The inputs of the triage card (their ids on the card). */
export const TRIAGE_FIELDS = ['reassignTo', 'holdReason', 'question', 'cancelReason', 'cancelNote'] as const;
export type TriageField = (typeof TRIAGE_FIELDS)[number];
export type TriageFieldError = 'textMissing' | 'textTooLong' | 'choosePerson' | 'chooseReason';

/** Teams shows a card's automatic refresh to at most 60 listed users. */
export const REFRESH_USER_LIMIT = 60;

/** Whose copy of the triage card this is, and what it says besides the request. */
export interface TriageView {
  /** The FastTrack person viewing it (their own actions); undefined for the channel's copy, which anyone sees. */
  viewer?: FastTrackPerson;
  /**
   * A line above the facts: why an action was refused, or that the request changed meanwhile (`stale`);
   * or a reassignment refused because the new person is busy at a meeting's time, or the meetings could not be moved.
   */
  notice?: TriageRefusal | TriageMeetingNotice;
  /** What was typed, kept when an action is answered with an error. */
  values?: Partial<Record<TriageField, string>>;
  errors?: Partial<Record<TriageField, TriageFieldError>>;
}

/** A reassignment refused before it was accepted: the meetings stay with the assignee. */
export type TriageMeetingNotice = { busy: string; kind: MeetingKind } | { notMoved: string };

type Json = Record<string, unknown>;

/**
 * The triage card of a request as Adaptive Card JSON: the tenant, the eligibility verdict, services,
 * migration tier, language, region, the role it needs, the meeting's person and the booked kickoff
 * (the admin's zone and the center's, each named), the state, the assignee, the last action (who,
 * when), the question and its answer. The viewer's own actions (`actionsFor`) are on it; every
 * action carries the request's tenant, id and triage version. `refresh.userIds` lists the people
 * who acted (the assignee first), so Teams shows each of them their own copy.
 */
export function triageCardJson(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest, centers: CenterModel, view: TriageView = {}): Json {
  const s = renderer.strings(locale);
  const t = s.triage;
  const resolved = renderer.resolve(locale);
  const nameOf = (id: string | undefined) => (id === 'requester' ? t.requester : (centers.people.find((p) => p.id === id)?.name ?? id ?? ''));
  const form = request.form;
  const check = request.tenantCheck;
  const facts: { title: string; value: string }[] = [];
  const fact = (title: string, value: string) => facts.push({ title, value: value || t.none });

  fact(t.facts.tenant, renderer.text(locale, (x) => x.triage.tenantValue, { organization: check.organization, tenantId: request.tenantId }));
  fact(t.facts.eligibility, renderer.text(locale, (x) => (check.eligible ? x.triage.eligible : x.triage.notEligible), { seats: number(resolved, check.eligibleSeats), required: number(resolved, check.requiredSeats) }));
  fact(t.facts.services, (form?.products ?? request.services?.services ?? []).map((id) => (s.services as Record<string, string>)[id] ?? id).join(', '));
  fact(t.facts.migrationTier, s.tenantCheck.migrationTier[check.migrationTier]);
  fact(t.facts.language, form ? s.languages[form.preferredLanguage] : '');
  fact(t.facts.region, form ? s.form.regions[form.region] : '');
  fact(t.facts.needs, s.scheduling.roles[roleNeeded(request)]);
  const kickoff = activeMeeting(request, 'kickoff');
  if (kickoff) {
    const d = describeSlot(kickoff, kickoff.adminTimeZone, kickoff.centerTimeZone, resolved);
    fact(t.facts.person, `${kickoff.person.name} (${s.scheduling.roles[kickoff.person.role]})`);
    fact(renderer.text(locale, (x) => x.triage.facts.kickoffAdmin, { zone: d.adminZoneName }), d.adminTime);
    fact(renderer.text(locale, (x) => x.triage.facts.kickoffCenter, { zone: d.centerZoneName }), d.centerTime);
  } else {
    fact(t.facts.kickoff, t.notBooked);
  }
  fact(t.facts.state, t.states[request.state]);
  fact(t.facts.assignee, request.assignee ? nameOf(request.assignee.personId) : t.nobody);
  const last = [...request.history].reverse().find((h) => h.event.startsWith('triage.'));
  const action = last?.event.slice('triage.'.length) as keyof Strings['triage']['did'] | undefined;
  fact(t.facts.lastAction, last && action && t.did[action] ? renderer.text(locale, (x) => x.triage.lastActionValue, { action: t.did[action], name: nameOf(last.by), when: when(resolved, last.at) }) : '');
  const triage = request.triage;
  if (request.state === 'OnHold' && triage?.hold) fact(t.facts.holdReason, triage.hold.reason);
  if (request.state === 'Cancelled' && triage?.cancelled) {
    fact(t.facts.cancelReason, [t.cancelReasons[triage.cancelled.reason], triage.cancelled.note].filter(Boolean).join(': '));
  }

  const allowed = new Set<TriageActionName>(view.viewer ? actionsFor(request, view.viewer) : !request.assignee && request.state !== 'Cancelled' ? ['assign'] : []);
  const can = Object.fromEntries((['assign', 'reassign', 'approve', 'hold', 'ask', 'cancel'] as const).map((a) => [a, allowed.has(a)]));
  const reassignChoices = allowed.has('reassign')
    ? centers.people
        .filter((p) => p.id !== request.assignee?.personId && !canWork(request, p))
        .map((p) => ({ title: `${p.name} (${centers.centers.find((c) => c.id === p.centerId)?.name ?? p.centerId})`, value: p.id }))
    : [];
  if (reassignChoices.length === 0) can.reassign = false;
  const values = Object.fromEntries(TRIAGE_FIELDS.map((f) => [f, view.values?.[f] ?? '']));
  const errors = Object.fromEntries(TRIAGE_FIELDS.map((f) => [f, fieldError(renderer, locale, view.errors?.[f])]));

  const card = renderer.expand('triage', locale, {
    title: renderer.text(locale, (x) => x.triage.title, { requestId: request.id, organization: check.organization }),
    tenantId: request.tenantId,
    requestId: request.id,
    version: triageVersion(request),
    notice: view.notice === undefined ? '' : typeof view.notice === 'string' ? refusalText(renderer, locale, request, view.notice) : meetingNoticeText(renderer, locale, view.notice),
    facts,
    hasQuestion: triage?.question !== undefined,
    questionText: triage?.question?.text ?? '',
    answerText: triage?.question?.answer !== undefined ? renderer.text(locale, (x) => x.triage.answerValue, { answer: triage.question.answer }) : t.noAnswer,
    working: can.reassign || can.hold || can.ask || can.cancel,
    can,
    reassignChoices,
    cancelChoices: CANCEL_REASONS.map((id) => ({ title: t.cancelReasons[id], value: id })),
    values,
    errors,
    refreshUserIds: refreshUserIds(request),
  });
  // No one to refresh for yet (nobody acted): the card has no automatic refresh, only its Refresh button.
  if (refreshUserIds(request).length === 0) delete card.refresh;
  return card;
}

/** The triage card as a message attachment. */
export function triageCard(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest, centers: CenterModel, view: TriageView = {}): Attachment {
  return CardFactory.adaptiveCard(triageCardJson(renderer, locale, request, centers, view));
}

/** The Teams user ids the card refreshes for: the assignee's first, then everyone who acted; at most 60. */
export function refreshUserIds(request: OnboardingRequest): string[] {
  const viewers = request.triage?.viewers ?? {};
  const assignee = request.assignee ? viewers[request.assignee.personId] : undefined;
  return [...new Set([...(assignee ? [assignee] : []), ...Object.values(viewers)])].slice(0, REFRESH_USER_LIMIT);
}

/** The localized line for a refused triage action (placeholders filled from the request). */
export function refusalText(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest, refusal: TriageRefusal): string {
  const s = renderer.strings(locale);
  const language = request.form ? s.languages[request.form.preferredLanguage] : '';
  return renderer.text(locale, (x) => x.triage.refusals[refusal], { state: s.triage.states[request.state], role: s.scheduling.roles[roleNeeded(request)], language, max: TRIAGE_TEXT_LIMIT });
}

function meetingNoticeText(renderer: CardRenderer, locale: string | undefined, notice: TriageMeetingNotice): string {
  if ('busy' in notice) return renderer.text(locale, (x) => (notice.kind === 'kickoff' ? x.nextStep.triage.reassignBusyKickoff : x.nextStep.triage.reassignBusyCheckpoints), { name: notice.busy });
  return renderer.text(locale, (x) => x.nextStep.triage.reassignNotMoved, { name: notice.notMoved });
}

function fieldError(renderer: CardRenderer, locale: string | undefined, error: TriageFieldError | undefined): string {
  return error ? renderer.text(locale, (x) => x.triage.errors[error], { max: TRIAGE_TEXT_LIMIT }) : '';
}

function number(locale: string, value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** An instant in the reader's language, in UTC with the zone named (people in every center read it). */
function when(locale: string, iso: string): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(new Date(iso));
}
