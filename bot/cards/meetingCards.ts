import type { Attachment } from 'botbuilder';
import type { MeetingText } from '../booking/bookingService';
import type { Meeting, OnboardingRequest } from '../domain/journey';
import { describeSlot } from '../domain/slots';
import type { CardRenderer, Strings } from './cardRenderer';

/** The meeting's subject and agenda in the request's language (not the chat's). */
export function meetingText(renderer: CardRenderer, request: OnboardingRequest, kind: Meeting['kind']): MeetingText {
  const language = request.form?.preferredLanguage;
  const s = renderer.strings(language);
  const pick = (t: Strings) => (kind === 'kickoff' ? t.meeting.subject : t.meeting.checkpointSubject);
  // Graph takes a subject of at most 255 characters: a long organisation name (up to 256) is shortened to fit.
  const name = request.tenantCheck.organization;
  const room = 255 - renderer.text(language, pick, { organization: '' }).length;
  const organization = name.length <= room ? name : `${name.slice(0, Math.max(room - 1, 0)).replace(/[\uD800-\uDBFF]$/, '')}…`;
  const subject = renderer.text(language, pick, { organization });
  const items = [s.meeting.agenda1, s.meeting.agenda2, s.meeting.agenda3, s.meeting.agenda4].map((x) => `<li>${escapeHtml(x)}</li>`).join('');
  const bodyHtml = `<p>${escapeHtml(renderer.text(language, (t) => t.meeting.requestLine, { requestId: request.id }))}</p><h3>${escapeHtml(s.meeting.agendaTitle)}</h3><ol>${items}</ol>`;
  return { subject, bodyHtml };
}

/** The card of a booked (or moved) meeting: both time zones, the join link, the person. */
export function meetingCard(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest, meeting: Meeting, what: 'booked' | 'moved' | 'checkpoints'): Attachment {
  const canAddCheckpoints = meeting.kind === 'kickoff' && !request.meetings?.some((m) => m.kind === 'checkpoint' && m.status === 'booked');
  return meetingCardFor(renderer, locale, { requestId: request.id, canAddCheckpoints }, meeting, what);
}

/** The same card from what a notice carries (the request's id, whether checkpoints may be added), not the whole request. */
export function meetingCardFor(
  renderer: CardRenderer,
  locale: string | undefined,
  request: { requestId: string; canAddCheckpoints: boolean },
  meeting: Pick<Meeting, 'kind' | 'eventId' | 'start' | 'end' | 'adminTimeZone' | 'centerTimeZone'> & { joinUrl?: string | undefined; recurrence?: Meeting['recurrence'] | undefined; person: Pick<Meeting['person'], 'name' | 'role'> },
  what: 'booked' | 'moved' | 'checkpoints',
): Attachment {
  const s = renderer.strings(locale);
  const d = describeSlot(meeting, meeting.adminTimeZone, meeting.centerTimeZone, renderer.resolve(locale));
  const repeats = repeatsText(renderer, locale, meeting);
  const title = what === 'moved' ? s.meeting.movedTitle : what === 'checkpoints' ? s.meeting.checkpointsTitle : s.meeting.bookedTitle;
  return renderer.card('meeting', locale, {
    title,
    body: s.meeting.body,
    adminTime: d.adminTime,
    centerTime: d.centerTime,
    sameZone: d.sameZone,
    person: `${meeting.person.name} (${s.scheduling.roles[meeting.person.role]})`,
    repeats,
    requestId: request.requestId,
    joinUrl: meeting.joinUrl ?? '',
    eventId: meeting.eventId,
    canAddCheckpoints: request.canAddCheckpoints,
  });
}

/** One line per meeting for the status card, each time with its zone. */
export function meetingLines(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest): string[] {
  const s: Strings = renderer.strings(locale);
  return (request.meetings ?? []).map((m) => {
    const kind = s.meeting.kinds[m.kind];
    if (m.status === 'cancelled') {
      // Stored as `reasonId` or `reasonId: what the admin wrote`; the id is shown in the reader's language.
      const [id = '', ...rest] = (m.cancelledReason ?? '').split(': ');
      const named = id === 'cancelledInOutlook' ? s.calendarChanges.cancelledReason : (s.meetingCancel.reasons as Record<string, string>)[id];
      return renderer.text(locale, (t) => t.meeting.statusCancelled, { kind, reason: named ? [named, ...rest].join(': ') : (m.cancelledReason ?? '') });
    }
    const d = describeSlot(m, m.adminTimeZone, m.centerTimeZone, renderer.resolve(locale));
    return renderer.text(locale, (t) => t.meeting.statusLine, { kind, when: d.adminTime, person: m.person.name });
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}


/** How a meeting repeats, e.g. "Every two weeks, 6 times", or "Once". */
export function repeatsText(renderer: CardRenderer, locale: string | undefined, meeting: { recurrence?: Meeting['recurrence'] | undefined }): string {
  return meeting.recurrence
    ? renderer.text(locale, (t) => (meeting.recurrence!.intervalWeeks === 2 ? t.meeting.biweekly : t.meeting.weekly), { count: meeting.recurrence.occurrences })
    : renderer.strings(locale).meeting.once;
}
