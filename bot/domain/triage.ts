import type { FastTrackPerson, FastTrackRole } from './centers';
import { HISTORY_LIMIT, type HistoryEntry, type OnboardingRequest, type RequestState } from './journey';
import { roleForRequest } from './routing';

/**
 * FastTrack's side of a request: the states FastTrack uses (Submitted, Approved, On Hold, On Hold
 * Pending Requester Response, Cancelled) and the actions the triage channel and the requester take.
 * Pure: `applyTriage` answers the next version of the request, or why the action is refused.
 *
 * | state \ action                 | assign | reassign | approve | hold | ask | answer | cancel |
 * |--------------------------------|--------|----------|---------|------|-----|--------|--------|
 * | Submitted                      | ✓      | ✓        | ✓ → A   | ✓ → H| ✓ → P | –    | ✓ → C  |
 * | Approved                       | ✓      | ✓        | –       | ✓ → H| ✓ → P | –    | ✓ → C  |
 * | OnHold                         | ✓      | ✓        | ✓ → A   | –    | ✓ → P | –    | ✓ → C  |
 * | OnHoldPendingRequesterResponse | ✓      | ✓        | ✓ → A   | ✓ → H| –   | ✓ → before | ✓ → C |
 * | Cancelled                      | –      | –        | –       | –    | –   | –      | –      |
 *
 * - **assign** ("Assign to me") only while nobody is assigned; **reassign** by the assignee, to another
 *   person. Either way the person must have the request's role (a migration request needs a FastTrack
 *   Specialist) and speak its language.
 * - **approve, hold, ask, cancel** only by the assignee (so a request is assigned before it is worked).
 * - **answer** only by the requester, while a question is open: the state goes back to what it was
 *   before the question.
 * - Every accepted action raises `triage.version` by one; an action carries the version its card showed
 *   and a different version is refused as `stale`, so an old copy of a card never applies.
 */

export const TRIAGE_ACTIONS = ['assign', 'reassign', 'approve', 'hold', 'ask', 'answer', 'cancel'] as const;
export type TriageActionName = (typeof TRIAGE_ACTIONS)[number];

export const CANCEL_REASONS = ['duplicate', 'notEligible', 'requesterAsked', 'other'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** Longest free text on a triage action (a hold reason, a question, an answer, a cancel note). */
export const TRIAGE_TEXT_LIMIT = 1000;

export type TriageAction =
  | { action: 'assign' }
  | { action: 'reassign'; to: FastTrackPerson }
  | { action: 'approve' }
  | { action: 'hold'; reason: string }
  | { action: 'ask'; question: string }
  | { action: 'answer'; answer: string }
  | { action: 'cancel'; reason: CancelReason; note?: string };

/** Who acts: a FastTrack person (from the triage channel) or the request's requester (from their chat). */
export type TriageActor = { kind: 'staff'; person: FastTrackPerson } | { kind: 'requester'; aadObjectId: string };

/** FastTrack's working record of a request, kept on the request (`request.triage`). */
export interface TriageRecord {
  /** Raised by every accepted action: the version a card shows. */
  version: number;
  approved?: { at: string; by: string };
  hold?: { reason: string; at: string; by: string };
  /** The last question to the requester; `answer` once they answered. */
  question?: { text: string; askedAt: string; by: string; resumeState: RequestState; answer?: string; answeredAt?: string };
  cancelled?: { reason: CancelReason; note?: string; at: string; by: string };
  /**
   * The Teams user id (e.g. `29:…`) of each FastTrack person (by id) who acted from the triage channel:
   * the card's `refresh.userIds`, so each of them sees their own copy. Kept by the triage handler.
   */
  viewers?: Record<string, string>;
  /** The id of the triage card's message in the channel, once it was posted: the copy updated when the requester answers. */
  channelMessageId?: string;
}

/** One entry of the request's history written by a triage action: who (a person id or `requester`) and when. */
export interface TriageHistoryEntry extends HistoryEntry {
  event: `triage.${TriageActionName}`;
  by: string;
}

export type TriageRefusal =
  | 'stale'
  | 'final'
  | 'notAllowedInState'
  | 'alreadyAssigned'
  | 'notAssigned'
  | 'notAssignee'
  | 'notRequester'
  | 'staffOnly'
  | 'samePerson'
  | 'wrongRole'
  | 'wrongLanguage'
  | 'noQuestion'
  | 'questionOpen'
  | 'textMissing'
  | 'textTooLong';

export type TriageResult = { ok: true; request: OnboardingRequest; entry: TriageHistoryEntry } | { ok: false; refusal: TriageRefusal };

const NEXT_STATE: Record<RequestState, Partial<Record<TriageActionName, RequestState | 'same' | 'resume'>>> = {
  Submitted: { assign: 'same', reassign: 'same', approve: 'Approved', hold: 'OnHold', ask: 'OnHoldPendingRequesterResponse', cancel: 'Cancelled' },
  Approved: { assign: 'same', reassign: 'same', hold: 'OnHold', ask: 'OnHoldPendingRequesterResponse', cancel: 'Cancelled' },
  OnHold: { assign: 'same', reassign: 'same', approve: 'Approved', ask: 'OnHoldPendingRequesterResponse', cancel: 'Cancelled' },
  OnHoldPendingRequesterResponse: { assign: 'same', reassign: 'same', approve: 'Approved', hold: 'OnHold', answer: 'resume', cancel: 'Cancelled' },
  Cancelled: {},
};

/** The version a request's card shows (0 before any triage action). */
export function triageVersion(request: OnboardingRequest): number {
  return request.triage?.version ?? 0;
}

/** The role a request needs: a FastTrack Specialist for data migration, else the FastTrack Center. */
export function roleNeeded(request: OnboardingRequest): FastTrackRole {
  return roleForRequest(request.form?.dataMigration === true);
}

/** Whether `person` may work `request`: its role, and its language (the form's preferred language). */
export function canWork(request: OnboardingRequest, person: FastTrackPerson): TriageRefusal | undefined {
  if (person.role !== roleNeeded(request)) return 'wrongRole';
  const language = request.form?.preferredLanguage;
  if (language && !person.languages.includes(language)) return 'wrongLanguage';
  return undefined;
}

function checkText(text: string): { text: string } | { refusal: TriageRefusal } {
  const trimmed = text.trim();
  if (!trimmed) return { refusal: 'textMissing' };
  if (trimmed.length > TRIAGE_TEXT_LIMIT) return { refusal: 'textTooLong' };
  return { text: trimmed };
}

/**
 * Applies one triage action to a request, as of `expectedVersion` (the version the actor's card showed).
 * Refusals come before any change: a refused action leaves the request as it was.
 */
export function applyTriage(request: OnboardingRequest, action: TriageAction, actor: TriageActor, expectedVersion: number, now: Date): TriageResult {
  const refuse = (refusal: TriageRefusal): TriageResult => ({ ok: false, refusal });
  if (expectedVersion !== triageVersion(request)) return refuse('stale');
  if (request.state === 'Cancelled') return refuse('final');
  const next = NEXT_STATE[request.state][action.action];
  if (!next) {
    if (action.action === 'answer') return refuse('noQuestion');
    if (action.action === 'ask') return refuse('questionOpen');
    return refuse('notAllowedInState');
  }

  const at = now.toISOString();
  const triage: TriageRecord = { ...(request.triage ?? { version: 0 }), version: triageVersion(request) + 1 };
  let assignee = request.assignee;
  let by: string;
  let to: string | undefined;

  if (action.action === 'answer') {
    if (actor.kind !== 'requester') return refuse('notRequester');
    if (actor.aadObjectId !== request.requester.aadObjectId) return refuse('notRequester');
    const question = request.triage?.question;
    if (!question || question.answer !== undefined) return refuse('noQuestion');
    const text = checkText(action.answer);
    if ('refusal' in text) return refuse(text.refusal);
    triage.question = { ...question, answer: text.text, answeredAt: at };
    by = 'requester';
  } else {
    if (actor.kind !== 'staff') return refuse('staffOnly');
    const me = actor.person;
    by = me.id;
    switch (action.action) {
      case 'assign': {
        if (request.assignee) return refuse('alreadyAssigned');
        const unfit = canWork(request, me);
        if (unfit) return refuse(unfit);
        assignee = { personId: me.id, assignedAt: at, byPersonId: me.id };
        break;
      }
      case 'reassign': {
        if (!request.assignee) return refuse('notAssigned');
        if (request.assignee.personId !== me.id) return refuse('notAssignee');
        if (action.to.id === me.id) return refuse('samePerson');
        const unfit = canWork(request, action.to);
        if (unfit) return refuse(unfit);
        assignee = { personId: action.to.id, assignedAt: at, byPersonId: me.id };
        to = action.to.id;
        break;
      }
      default: {
        if (!request.assignee) return refuse('notAssigned');
        if (request.assignee.personId !== me.id) return refuse('notAssignee');
        if (action.action === 'approve') {
          triage.approved = { at, by };
          delete triage.hold;
        } else if (action.action === 'hold') {
          const text = checkText(action.reason);
          if ('refusal' in text) return refuse(text.refusal);
          triage.hold = { reason: text.text, at, by };
        } else if (action.action === 'ask') {
          const text = checkText(action.question);
          if ('refusal' in text) return refuse(text.refusal);
          triage.question = { text: text.text, askedAt: at, by, resumeState: request.state };
        } else {
          let note: string | undefined;
          if (action.note !== undefined && action.note.trim()) {
            const text = checkText(action.note);
            if ('refusal' in text) return refuse(text.refusal);
            note = text.text;
          } else if (action.reason === 'other') {
            return refuse('textMissing');
          }
          triage.cancelled = { reason: action.reason, ...(note ? { note } : {}), at, by };
        }
      }
    }
  }

  const state: RequestState = next === 'same' ? request.state : next === 'resume' ? (request.triage?.question?.resumeState ?? 'Submitted') : next;
  const entry: TriageHistoryEntry = { at, event: `triage.${action.action}`, by, ...(to ? { to } : {}), ...(state !== request.state ? { state } : {}) };
  let history: HistoryEntry[] = [...request.history, entry];
  if (history.length > HISTORY_LIMIT) history = [history[0]!, ...history.slice(history.length - HISTORY_LIMIT + 1)];
  return {
    ok: true,
    request: {
      ...request,
      state,
      ...(state === 'Cancelled' ? { stage: 'closed' as const } : {}),
      ...(assignee ? { assignee } : {}),
      triage,
      updatedAt: at,
      history,
    },
    entry,
  };
}

/** The actions a viewer of the triage card may take now: what their own copy of the card offers. */
export function actionsFor(request: OnboardingRequest, viewer: FastTrackPerson | undefined): TriageActionName[] {
  if (!viewer || request.state === 'Cancelled') return [];
  const allowed = NEXT_STATE[request.state];
  if (!request.assignee) return allowed.assign && !canWork(request, viewer) ? ['assign'] : [];
  if (request.assignee.personId !== viewer.id) return [];
  return (['reassign', 'approve', 'hold', 'ask', 'cancel'] as const).filter((a) => allowed[a] !== undefined);
}
