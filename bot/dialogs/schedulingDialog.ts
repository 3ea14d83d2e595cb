import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Attachment } from 'botbuilder';
import type { MeetingText } from '../booking/bookingService';
import type { CardRenderer, Strings } from '../cards/cardRenderer';
import { Checker, readValues } from '../domain/forms';
import { withEvent, type Meeting, type OnboardingRequest } from '../domain/journey';
import { describeSlot, type Slot } from '../domain/slots';
import { CardStep } from './cardStep';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { loadRequest, updateRequest, type PhaseOptions } from './phase';
import { graphFailureText } from './tenantCheck';

/** What the scheduling dialog does: book the kickoff, move a meeting, or add checkpoints. */
export interface SchedulingOptions extends PhaseOptions {
  mode: 'book' | 'reschedule' | 'checkpoints';
  /** For reschedule: the event to move. */
  eventId?: string;
}

interface SchedulingValues {
  slots: Slot[];
  personId: string;
}

const CHECKPOINT_OCCURRENCES = 6;

/**
 * Books the remote onboarding meeting: 3–5 slots inside FastTrack Center hours for the region and
 * language, the admin's working hours and free time, and a free FastTrack person; the admin picks
 * one; the person is reserved in the ledger, then the Teams meeting is created on the admin's
 * calendar. Also moves a meeting (same rules) and adds 30-minute weekly or biweekly checkpoints.
 */
export class SchedulingDialog extends ComponentDialog {
  static readonly id = 'scheduling';

  constructor(private readonly deps: JourneyDeps) {
    super(SchedulingDialog.id);
    this.addDialog(new WaterfallDialog('scheduling.steps', [this.propose.bind(this), this.book.bind(this)]));
    this.addDialog(
      new CardStep<{ index: number; intervalWeeks: 1 | 2 }>('scheduling.pick', deps.renderer, {
        card: 'slots',
        verb: 'slot.pick',
        data: (_s, options) => options.context ?? {},
        validate: (value, options) => {
          const c = new Checker(readValues(value, ['slot', 'interval']));
          const count = ((options.context?.slotChoices as unknown[]) ?? []).length;
          const index = c.integer('slot', 0, count - 1);
          const isCheckpoint = options.context?.isCheckpoint === true;
          const interval = isCheckpoint ? c.oneOf('interval', ['1', '2'] as const) : '1';
          return c.done(() => ({ index: index!, intervalWeeks: interval === '2' ? 2 : 1 }));
        },
      }),
    );
    this.initialDialogId = 'scheduling.steps';
  }

  private async propose(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SchedulingOptions;
    const { renderer, booking } = this.deps;
    const locale = step.context.activity.locale;
    const request = await loadRequest(this.deps, options);
    const s = renderer.strings(locale);
    await step.context.sendActivity({ type: 'typing' });
    // A move keeps the same FastTrack person; a new booking may take anyone who matches.
    const moving = options.mode === 'reschedule' ? request.meetings?.find((m) => m.eventId === options.eventId && m.status === 'booked') : undefined;
    let proposal;
    try {
      proposal = await booking.propose(request, { durationMinutes: options.mode === 'checkpoints' ? 30 : 60, ...(moving ? { personId: moving.person.id } : {}) });
    } catch (error) {
      this.deps.logger.warn({ tenantId: request.tenantId, requestId: request.id, err: errorFields(error) }, 'slot finding failed');
      await step.context.sendActivity(renderer.text(locale, graphFailureText(error)));
      return step.endDialog();
    }
    if (!proposal.ok) {
      this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, reason: proposal.reason, language: proposal.language, region: proposal.region }, 'no FastTrack coverage');
      await step.context.sendActivity(
        renderer.text(locale, (t) => t.scheduling.noCoverage, {
          role: s.scheduling.roles[request.form?.dataMigration ? 'specialist' : 'center'],
          language: s.languages[proposal.language as keyof typeof s.languages] ?? proposal.language,
          region: proposal.region ? s.scheduling.regions[proposal.region as keyof typeof s.scheduling.regions] : '—',
          requestId: request.id,
        }),
      );
      return step.endDialog();
    }
    const slots = proposal.slots;
    if (slots.length === 0) {
      await step.context.sendActivity(renderer.text(locale, (t) => t.scheduling.noSlots));
      return step.endDialog();
    }
    const values = step.values as SchedulingValues;
    values.slots = slots;
    const adminZone = request.admin!.timeZone;
    const first = describeSlot(slots[0]!, adminZone, proposal.center.timeZone, renderer.resolve(locale));
    const person = booking.personOf(slots[0]!.personId).person;
    const title = options.mode === 'checkpoints' ? s.scheduling.checkpointsTitle : options.mode === 'reschedule' ? s.scheduling.rescheduleTitle : s.scheduling.title;
    return step.beginDialog('scheduling.pick', {
      values: { slot: '', interval: '' },
      context: {
        title,
        intro: renderer.text(locale, (t) => (options.mode === 'checkpoints' ? t.scheduling.checkpointsIntro : t.scheduling.intro), { person: person.name }),
        adminZone: first.adminZoneName,
        centerZone: first.centerZoneName,
        sameZone: first.sameZone,
        isCheckpoint: options.mode === 'checkpoints',
        intervalChoices: [
          { title: s.scheduling.weekly, value: '1' },
          { title: s.scheduling.biweekly, value: '2' },
        ],
        slotChoices: slots.map((slot, i) => {
          const d = describeSlot(slot, adminZone, proposal.center.timeZone, renderer.resolve(locale));
          return { title: d.sameZone ? d.adminTime : renderer.text(locale, (t) => t.scheduling.slotLabel, { adminTime: d.adminTime, centerTime: d.centerTime }), value: String(i) };
        }),
      },
    });
  }

  private async book(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SchedulingOptions;
    const { renderer, booking } = this.deps;
    const locale = step.context.activity.locale;
    const picked = step.result as { index: number; intervalWeeks: 1 | 2 };
    const slot = (step.values as SchedulingValues).slots[picked.index]!;
    let request = await loadRequest(this.deps, options);
    const now = this.deps.clock();
    if (options.mode === 'reschedule') {
      const meeting = request.meetings?.find((m) => m.eventId === options.eventId && m.status === 'booked');
      if (!meeting) {
        await step.context.sendActivity(renderer.text(locale, (t) => t.scheduling.noMeeting));
        return step.endDialog();
      }
      const moved = await booking.move(request, meeting, slot);
      if (moved.outcome === 'taken') return this.retry(step, options);
      request = await updateRequest(this.deps, options, (r) => withEvent({ ...r, meetings: (r.meetings ?? []).map((m) => (m.eventId === meeting.eventId ? moved.meeting : m)) }, 'meetingMoved', now));
      await step.context.sendActivity({ attachments: [meetingCard(renderer, locale, request, moved.meeting, 'moved')] });
      return step.endDialog();
    }
    const kind = options.mode === 'checkpoints' ? 'checkpoint' : 'kickoff';
    const recurrence = kind === 'checkpoint' ? { intervalWeeks: picked.intervalWeeks, occurrences: CHECKPOINT_OCCURRENCES } : undefined;
    const booked = await booking.book(request, slot, kind, meetingText(renderer, request, kind), recurrence);
    if (booked.outcome === 'taken') return this.retry(step, options);
    // Applied to the stored version: a double click may have booked the same event a moment ago (same transactionId).
    let added = false;
    request = await updateRequest(this.deps, options, (r) => {
      added = !r.meetings?.some((m) => m.eventId === booked.meeting.eventId);
      if (!added) return undefined;
      return withEvent(
        { ...r, meetings: [...(r.meetings ?? []), booked.meeting], bookingCount: (r.bookingCount ?? 0) + 1, stage: kind === 'kickoff' ? 'scheduled' : r.stage },
        kind === 'kickoff' ? 'kickoffBooked' : 'checkpointsBooked',
        now,
      );
    });
    if (added) {
      this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, eventId: booked.meeting.eventId, personId: booked.meeting.person.id }, 'meeting booked');
    }
    await step.context.sendActivity({ attachments: [meetingCard(renderer, locale, request, booked.meeting, kind === 'kickoff' ? 'booked' : 'checkpoints')] });
    return step.endDialog();
  }

  private async retry(step: WaterfallStepContext, options: SchedulingOptions): Promise<DialogTurnResult> {
    await step.context.sendActivity(this.deps.renderer.text(step.context.activity.locale, (t) => t.scheduling.slotTaken));
    return step.replaceDialog(SchedulingDialog.id, options);
  }
}

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
  const s = renderer.strings(locale);
  const d = describeSlot(meeting, meeting.adminTimeZone, meeting.centerTimeZone, renderer.resolve(locale));
  const repeats = meeting.recurrence
    ? renderer.text(locale, (t) => (meeting.recurrence!.intervalWeeks === 2 ? t.meeting.biweekly : t.meeting.weekly), { count: meeting.recurrence.occurrences })
    : s.meeting.once;
  const title = what === 'moved' ? s.meeting.movedTitle : what === 'checkpoints' ? s.meeting.checkpointsTitle : s.meeting.bookedTitle;
  return renderer.card('meeting', locale, {
    title,
    body: s.meeting.body,
    adminTime: d.adminTime,
    centerTime: d.centerTime,
    sameZone: d.sameZone,
    person: `${meeting.person.name} (${s.scheduling.roles[meeting.person.role]})`,
    repeats,
    requestId: request.id,
    joinUrl: meeting.joinUrl ?? '',
    eventId: meeting.eventId,
    canAddCheckpoints: meeting.kind === 'kickoff' && !request.meetings?.some((m) => m.kind === 'checkpoint' && m.status === 'booked'),
  });
}

/** One line per meeting for the status card, each time with its zone. */
export function meetingLines(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest): string[] {
  const s: Strings = renderer.strings(locale);
  return (request.meetings ?? []).map((m) => {
    const kind = s.meeting.kinds[m.kind];
    if (m.status === 'cancelled') return renderer.text(locale, (t) => t.meeting.statusCancelled, { kind, reason: m.cancelledReason ?? '' });
    const d = describeSlot(m, m.adminTimeZone, m.centerTimeZone, renderer.resolve(locale));
    return renderer.text(locale, (t) => t.meeting.statusLine, { kind, when: d.adminTime, person: m.person.name });
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

