import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import type { TurnContext } from 'botbuilder';
import type { Proposal } from '../booking/bookingService';
import { meetingCard, meetingText, repeatsText } from '../cards/meetingCards';
import { Checker, readValues } from '../domain/forms';
import type { Meeting, OnboardingRequest } from '../domain/journey';
import { activeMeeting, CHECKPOINT_OCCURRENCES, staleSlot, type MeetingKind } from '../domain/meetings';
import { describeSlot, type Slot } from '../domain/slots';
import { CardStep, type CardStepOptions } from './cardStep';
import { turnStartedAt } from '../turnBudget';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { loadRequest, type PhaseOptions } from './phase';
import { graphCallFailureText, graphFailureText } from './tenantCheck';

/** What the scheduling dialog does: book the kickoff, move a meeting, or add checkpoints. */
export interface SchedulingOptions extends PhaseOptions {
  mode: 'book' | 'reschedule' | 'checkpoints';
  /** For reschedule: the event to move. */
  eventId?: string;
  /** A line to show before the slots (why they are fresh ones). */
  notice?: 'slotsRefreshed' | 'slotTaken';
  /** The card to show again as it was (a booking that failed for a moment: the same times, the same card, may be tried again). */
  offer?: SlotOffer;
  token?: string;
  /** Wait on the card shown before without sending it again (the booking goes on in the background). */
  quiet?: boolean;
}

/** What a slots card offers: kept in its step's state, so a click is checked against it. */
interface SlotOffer extends Record<string, unknown> {
  slots: Slot[];
  offeredAt: string;
  /** What the dialog was started for: a card shown again is refreshed for the same. */
  phase: SchedulingOptions;
}

interface Picked {
  slot: Slot;
  intervalWeeks: 1 | 2;
  offeredAt: string;
  offer: SlotOffer;
  token: string | undefined;
}

type Offered = { ok: true; offer: SlotOffer } | { ok: false; message: string };

/**
 * Books the remote onboarding meeting: 3–5 slots inside FastTrack Center hours for the region and
 * language, the admin's working hours and free time, and a free FastTrack person; the admin picks
 * one, and the booking service claims, holds, creates and records it (one kickoff and one series at
 * most). Also moves a meeting (its kind, length, recurrence and person kept) and adds 30-minute weekly
 * or biweekly checkpoints after the kickoff. A card's times are good for 30 minutes and only while in
 * the future: an older card gets fresh times, with a line saying why.
 */
export class SchedulingDialog extends ComponentDialog {
  static readonly id = 'scheduling';

  constructor(private readonly deps: JourneyDeps) {
    super(SchedulingDialog.id);
    this.addDialog(new WaterfallDialog('scheduling.steps', [this.propose.bind(this), this.book.bind(this)]));
    this.addDialog(
      new CardStep<Picked>('scheduling.pick', deps, {
        card: 'slots',
        verb: 'slot.pick',
        data: (_s, options) => options.context ?? {},
        validate: (value, options) => {
          const c = new Checker(readValues(value, ['slot', 'interval']));
          const offer = options.context as SlotOffer;
          const index = c.integer('slot', 0, offer.slots.length - 1);
          const isCheckpoint = offer.isCheckpoint === true;
          const interval = isCheckpoint ? c.oneOf('interval', ['1', '2'] as const) : '1';
          return c.done(() => ({ slot: offer.slots[index!]!, intervalWeeks: interval === '2' ? 2 : 1, offeredAt: offer.offeredAt, offer, token: options.token }));
        },
        refresh: (options, context) => this.refresh(options, context),
      }),
    );
    this.initialDialogId = 'scheduling.steps';
  }

  private async propose(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SchedulingOptions;
    const { renderer } = this.deps;
    const locale = step.context.activity.locale;
    const request = await loadRequest(this.deps, options);
    const kind: MeetingKind = options.mode === 'checkpoints' ? 'checkpoint' : 'kickoff';
    if (options.mode !== 'reschedule') {
      // One kickoff and one series: offer the one booked (with its Reschedule) instead of a second.
      const existing = activeMeeting(request, kind);
      if (existing) {
        await this.sendExisting(step.context, request, existing);
        return step.endDialog();
      }
    }
    if (options.mode === 'reschedule' && !this.moving(request, options)) {
      await step.context.sendActivity(renderer.text(locale, (t) => t.scheduling.noMeeting));
      return step.endDialog();
    }
    if (options.notice) await step.context.sendActivity(renderer.text(locale, (t) => (options.notice === 'slotTaken' ? t.scheduling.slotTaken : t.scheduling.slotsRefreshed)));
    const offered = options.offer && !staleSlot(options.offer.slots[0]!, options.offer.offeredAt, this.deps.clock()) ? ({ ok: true, offer: options.offer } as const) : await this.offer(step.context, request, options);
    if (!offered.ok) {
      await step.context.sendActivity(offered.message);
      return step.endDialog();
    }
    const token = offered.offer === options.offer ? options.token : undefined;
    return step.beginDialog('scheduling.pick', { values: { slot: '', interval: '' }, context: offered.offer, ...(token ? { token } : {}), ...(token && options.quiet ? { quiet: true } : {}) } satisfies CardStepOptions);
  }

  /** Fresh slots for the card: the proposal, described in the admin's zone (and the center's). */
  private async offer(context: TurnContext, request: OnboardingRequest, options: SchedulingOptions): Promise<Offered> {
    const { renderer, booking } = this.deps;
    const locale = context.activity.locale;
    const s = renderer.strings(locale);
    const moving = this.moving(request, options);
    const kind: MeetingKind = moving?.kind ?? (options.mode === 'checkpoints' ? 'checkpoint' : 'kickoff');
    await context.sendActivity({ type: 'typing' });
    let proposal: Proposal;
    try {
      // A move keeps the meeting's kind, length and person (another who speaks the language only when they have no time);
      // a new kickoff or series is with the person FastTrack assigned the request to, when there is one.
      const assignee = request.assignee ? { personId: request.assignee.personId } : {};
      proposal = await booking.propose(request, { kind, ...(moving ? { personId: moving.person.id, durationMinutes: (Date.parse(moving.end) - Date.parse(moving.start)) / 60_000 } : assignee) });
    } catch (error) {
      this.deps.logger.warn({ tenantId: request.tenantId, requestId: request.id, err: errorFields(error) }, 'slot finding failed');
      return { ok: false, message: renderer.text(locale, graphFailureText(error)) };
    }
    if (!proposal.ok) {
      this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, reason: proposal.reason, language: proposal.language, region: proposal.region }, 'no FastTrack coverage');
      return {
        ok: false,
        message: renderer.text(locale, (t) => t.scheduling.noCoverage, {
          role: s.scheduling.roles[request.form?.dataMigration ? 'specialist' : 'center'],
          language: s.languages[proposal.language as keyof typeof s.languages] ?? proposal.language,
          region: proposal.region ? s.scheduling.regions[proposal.region as keyof typeof s.scheduling.regions] : '—',
          requestId: request.id,
        }),
      };
    }
    const slots = proposal.slots;
    if (slots.length === 0) return { ok: false, message: renderer.text(locale, (t) => t.scheduling.noSlots) };
    const adminZone = request.admin!.timeZone;
    const first = describeSlot(slots[0]!, adminZone, proposal.center.timeZone, renderer.resolve(locale));
    const person = booking.personOf(slots[0]!.personId).person;
    if (moving && proposal.personChanged) {
      const language = request.form?.preferredLanguage ?? '';
      await context.sendActivity(renderer.text(locale, (t) => t.scheduling.personChanged, { person: moving.person.name, other: person.name, language: s.languages[language as keyof typeof s.languages] ?? language }));
    }
    const isCheckpoint = !moving && options.mode === 'checkpoints';
    const title = moving ? s.scheduling.rescheduleTitle : isCheckpoint ? s.scheduling.checkpointsTitle : s.scheduling.title;
    const intro = moving?.recurrence
      ? renderer.text(locale, (t) => t.scheduling.rescheduleCheckpointsIntro, { person: person.name, repeats: repeatsText(renderer, locale, moving) })
      : renderer.text(locale, (t) => (isCheckpoint ? t.scheduling.checkpointsIntro : t.scheduling.intro), { person: person.name });
    return {
      ok: true,
      offer: {
        slots,
        offeredAt: this.deps.clock().toISOString(),
        phase: strip(options),
        title,
        intro,
        adminZone: first.adminZoneName,
        centerZone: first.centerZoneName,
        sameZone: first.sameZone,
        isCheckpoint,
        intervalChoices: [
          { title: s.scheduling.weekly, value: '1' },
          { title: s.scheduling.biweekly, value: '2' },
        ],
        slotChoices: slots.map((slot, i) => {
          const d = describeSlot(slot, adminZone, proposal.center.timeZone, renderer.resolve(locale));
          return { title: d.sameZone ? d.adminTime : renderer.text(locale, (t) => t.scheduling.slotLabel, { adminTime: d.adminTime, centerTime: d.centerTime }), value: String(i) };
        }),
      },
    };
  }

  /** A slots card shown again (welcome back days later): fresh slots when its own went stale. */
  private async refresh(options: CardStepOptions, context: TurnContext): Promise<Record<string, unknown> | undefined> {
    const offer = options.context as SlotOffer | undefined;
    const phase = offer?.phase;
    if (!offer?.slots?.length || !phase || !offer.slots.some((slot) => staleSlot(slot, offer.offeredAt, this.deps.clock()))) return undefined;
    const request = await loadRequest(this.deps, phase);
    const offered = await this.offer(context, request, phase);
    if (!offered.ok) return undefined;
    await context.sendActivity(this.deps.renderer.text(context.activity.locale, (t) => t.scheduling.slotsRefreshed));
    return offered.offer;
  }

  private async book(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SchedulingOptions;
    const { renderer, booking } = this.deps;
    const locale = step.context.activity.locale;
    const picked = step.result as Picked;
    const slot = picked.slot;
    const request = await loadRequest(this.deps, options);
    // Times offered long ago, or now past, are never booked: fresh ones instead.
    if (staleSlot(slot, picked.offeredAt, this.deps.clock())) return step.replaceDialog(SchedulingDialog.id, { ...strip(options), notice: 'slotsRefreshed' });
    try {
      if (options.mode === 'reschedule') {
        const meeting = this.moving(request, options);
        if (!meeting) {
          await step.context.sendActivity(renderer.text(locale, (t) => t.scheduling.noMeeting));
          return step.endDialog();
        }
        const moved = await booking.move(request, meeting, slot);
        if (moved.outcome === 'taken') return step.replaceDialog(SchedulingDialog.id, { ...strip(options), notice: 'slotTaken' });
        if (moved.outcome === 'gone') {
          await step.context.sendActivity(renderer.text(locale, (t) => t.scheduling.noMeeting));
          return step.endDialog();
        }
        this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, eventId: meeting.eventId, personId: moved.meeting.person.id }, 'meeting moved');
        await step.context.sendActivity({ attachments: [meetingCard(renderer, locale, moved.request, moved.meeting, 'moved')] });
        return step.endDialog();
      }
      const kind: MeetingKind = options.mode === 'checkpoints' ? 'checkpoint' : 'kickoff';
      const recurrence = kind === 'checkpoint' ? { intervalWeeks: picked.intervalWeeks, occurrences: CHECKPOINT_OCCURRENCES } : undefined;
      // Work that cannot finish in the turn goes on in the background; the same card stays valid meanwhile.
      const background = this.deps.background;
      const waiting = { ...strip(options), offer: picked.offer, ...(picked.token ? { token: picked.token } : {}), quiet: true };
      if (background && (await background.pending(request, kind))) {
        await step.context.sendActivity(renderer.text(locale, (t) => t.background.stillWorking));
        return step.replaceDialog(SchedulingDialog.id, waiting);
      }
      const result = background
        ? await background.bookInTurn({ request, slot, kind, ...(recurrence ? { recurrence } : {}), notify: { tenantId: options.requester.tenantId, userId: options.requester.aadObjectId }, locale, turnStartedAt: turnStartedAt(step.context) })
        : { outcome: await booking.book(request, slot, kind, meetingText(renderer, request, kind), recurrence) };
      if ('deferred' in result) {
        await step.context.sendActivity(renderer.text(locale, (t) => t.background.stillWorking));
        return step.replaceDialog(SchedulingDialog.id, waiting);
      }
      const booked = result.outcome;
      switch (booked.outcome) {
        case 'taken':
          return step.replaceDialog(SchedulingDialog.id, { ...strip(options), notice: 'slotTaken' });
        case 'inProgress':
          await step.context.sendActivity(renderer.text(locale, (t) => t.scheduling.bookingInProgress, { status: renderer.strings(locale).commands.status }));
          return step.endDialog();
        case 'exists':
          await this.sendExisting(step.context, booked.request, booked.meeting);
          return step.endDialog();
        case 'booked':
          this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, eventId: booked.meeting.eventId, personId: booked.meeting.person.id }, 'meeting booked');
          await step.context.sendActivity({ attachments: [meetingCard(renderer, locale, booked.request, booked.meeting, kind === 'kickoff' ? 'booked' : 'checkpoints')] });
          return step.endDialog();
      }
    } catch (error) {
      // Microsoft 365 failed for a moment: nothing is lost; the same times may be tried again (a retried
      // create has the same transactionId, so it can never make a second meeting).
      this.deps.logger.warn({ tenantId: request.tenantId, requestId: request.id, err: errorFields(error) }, 'booking failed');
      await step.context.sendActivity(renderer.text(locale, graphCallFailureText(error)));
      return step.replaceDialog(SchedulingDialog.id, { ...strip(options), offer: picked.offer, ...(picked.token ? { token: picked.token } : {}) });
    }
  }

  private async sendExisting(context: TurnContext, request: OnboardingRequest, meeting: Meeting): Promise<void> {
    const { renderer } = this.deps;
    const locale = context.activity.locale;
    const d = describeSlot(meeting, meeting.adminTimeZone, meeting.centerTimeZone, renderer.resolve(locale));
    await context.sendActivity(renderer.text(locale, (t) => t.scheduling.alreadyBooked, { kind: renderer.strings(locale).meeting.kinds[meeting.kind], when: d.adminTime, reschedule: renderer.strings(locale).meeting.reschedule }));
    await context.sendActivity({ attachments: [meetingCard(renderer, locale, request, meeting, meeting.kind === 'kickoff' ? 'booked' : 'checkpoints')] });
  }

  private moving(request: OnboardingRequest, options: SchedulingOptions): Meeting | undefined {
    return options.mode === 'reschedule' ? request.meetings?.find((m) => m.eventId === options.eventId && m.status === 'booked') : undefined;
  }
}

function strip(options: SchedulingOptions): SchedulingOptions {
  const { notice: _notice, offer: _offer, token: _token, quiet: _quiet, ...rest } = options;
  return rest;
}
