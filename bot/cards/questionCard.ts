import type { Attachment } from 'botbuilder';
import { CardFactory } from 'botbuilder';
import { TRIAGE_TEXT_LIMIT } from '../domain/triage';
import type { CardRenderer } from './cardRenderer';

/** The question a FastTrack person asked, as the requester's card names it. */
export interface QuestionCardData {
  tenantId: string;
  requestId: string;
  /** The triage version once the question was asked, and when it was asked: which question the card answers. */
  version: number;
  askedAt: string;
  question: string;
}

/**
 * The requester's "FastTrack has a question" card, in one of three looks: `open` (the answer box and
 * Send, with an error and what was typed when an answer was refused), `answered` ("Answered: …"),
 * `stale` (the question no longer applies). The invoke answer replaces the card with the next look.
 */
export type QuestionCardLook = { look: 'open'; answer?: string; error?: 'answerMissing' | 'answerTooLong' } | { look: 'answered'; answer: string } | { look: 'stale' };

export function questionCardJson(renderer: CardRenderer, locale: unknown, data: QuestionCardData, look: QuestionCardLook): Record<string, unknown> {
  const s = renderer.strings(locale).requesterSide;
  const error = look.look === 'open' && look.error ? renderer.text(locale, (t) => t.requesterSide[look.error!], { limit: TRIAGE_TEXT_LIMIT }) : '';
  const note = look.look === 'answered' ? s.answeredNote : look.look === 'stale' ? s.noLongerApplies : '';
  return renderer.expand('question', locale, {
    ...data,
    title: renderer.text(locale, (t) => t.requesterSide.questionTitle, { requestId: data.requestId }),
    hasQuestion: data.question !== '',
    open: look.look === 'open',
    answer: look.look === 'stale' ? '' : (look.answer ?? ''),
    hasError: error !== '',
    error,
    answered: look.look === 'answered',
    answeredText: look.look === 'answered' ? renderer.text(locale, (t) => t.requesterSide.answered, { answer: look.answer }) : '',
    hasNote: note !== '',
    note,
  });
}

/** The question card as a message attachment (the notice that asks). */
export function questionCard(renderer: CardRenderer, locale: unknown, data: QuestionCardData): Attachment {
  return CardFactory.adaptiveCard(questionCardJson(renderer, locale, data, { look: 'open' }));
}
