import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import { readValues, todayIn } from '../domain/forms';
import { MAIL_SYSTEMS, validatePartnerRequestForm, validateRequestForm, withEvent, type OnboardingRequest, type RequestForm } from '../domain/journey';
import { SUPPORTED_LOCALES } from '../domain/locale';
import { REGIONS, regionOfTimeZone, toIanaTimeZone, zoneShortList } from '../domain/timeZones';
import type { UserProfile } from '../domain/tenant';
import { CardStep } from './cardStep';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { loadRequest, phaseOptions, updateRequest, type PhaseResult } from './phase';
import { zoneChoice } from './timeZoneSearch';

/**
 * The "Request assistance for Microsoft 365" form, prefilled from Graph (name, email, phone,
 * mailbox time zone, language) and from the earlier phases; every field validated.
 */
export class RequestFormDialog extends ComponentDialog {
  static readonly id = 'requestForm';

  constructor(private readonly deps: JourneyDeps) {
    super(RequestFormDialog.id);
    this.addDialog(new WaterfallDialog('form.steps', [this.ask.bind(this), this.save.bind(this)]));
    this.addDialog(
      new CardStep<RequestForm>('form.card', deps, {
        card: 'requestForm',
        verb: 'request.submit',
        data: (s, options, locale) => {
          const now = deps.clock();
          const region = REGIONS.find((r) => r === options.values.region);
          return {
            productChoices: ((options.context?.offered as string[]) ?? []).map((id) => ({ title: s.services[id as keyof typeof s.services] ?? id, value: id })),
            mailChoices: MAIL_SYSTEMS.map((id) => ({ title: s.form.mailSystems[id], value: id })),
            languageChoices: SUPPORTED_LOCALES.map((tag) => ({ title: s.languages[tag], value: tag })),
            regionChoices: REGIONS.map((id) => ({ title: s.form.regions[id], value: id })),
            // A short list (the zone given first, then the region's common zones); the typeahead
            // (Data.Query "timeZones", answered by timeZoneSearch.ts) finds every other zone.
            zoneChoices: zoneShortList(options.values.timeZone, region, deps.renderer.resolve(locale), now).map((label) => zoneChoice(s, label)),
            today: todayIn(options.values.timeZone, now),
            isPartner: options.context?.partner === true,
          };
        },
        validate: (value, options) =>
          (options.context?.partner === true ? validatePartnerRequestForm : validateRequestForm)(
            value,
            (options.context?.offered as string[]) ?? [],
            todayIn(readValues(value, ['timeZone']).timeZone, deps.clock()),
          ),
      }),
    );
    this.initialDialogId = 'form.steps';
  }

  private async ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = phaseOptions(step);
    const request = await loadRequest(this.deps, options);
    const { context } = step;
    let user: UserProfile | undefined;
    try {
      // The requester's own tenant: a partner's user lives in the partner's tenant, not the customer's.
      user = await this.deps.directory.getUserProfile(options.requester.tenantId || options.tenantId, options.requester.aadObjectId);
    } catch (error) {
      // Prefilling is a convenience: without Graph the admin types the answers.
      this.deps.logger.warn({ tenantId: options.tenantId, requestId: request.id, err: errorFields(error) }, 'user profile unavailable; form not prefilled');
    }
    const previous = request.form;
    // Kept for booking, so scheduling needs no extra Graph call for the admin's mailbox.
    const hoursZone = toIanaTimeZone(user?.workingHours?.timeZone);
    (step.values as { admin?: OnboardingRequest['admin'] }).admin = {
      userId: options.requester.aadObjectId,
      email: user?.mail ?? user?.userPrincipalName ?? '',
      timeZone: '',
      ...(user?.workingHours && hoursZone ? { workingHours: { daysOfWeek: user.workingHours.daysOfWeek, start: user.workingHours.start, end: user.workingHours.end, timeZone: hoursZone } } : {}),
    };
    const zone = previous?.timeZone ?? toIanaTimeZone(user?.timeZone) ?? '';
    const name = user?.displayName ?? context.activity.from?.name ?? '';
    const partner = options.partner;
    // A partner fills in the customer's contact (invited to the kickoff) and the partner's own fields.
    const partnerValues = partner
      ? {
          customerName: previous?.customerName ?? '',
          customerEmail: previous?.customerEmail ?? '',
          partnerName: previous?.partner?.partnerName ?? '',
          partnerContact: previous?.partner?.partnerContact ?? user?.mail ?? '',
          partnerId: previous?.partner?.partnerId ?? '',
        }
      : {};
    return step.beginDialog('form.card', {
      values: {
        products: (previous?.products ?? request.services?.services ?? []).join(','),
        launchDate: previous?.launchDate ?? '',
        mailSystem: previous?.mailSystem ?? '',
        businessReason: previous?.businessReason ?? '',
        successOwnerName: previous?.successOwnerName ?? '',
        successOwnerRole: previous?.successOwnerRole ?? '',
        dataMigration: String(previous?.dataMigration ?? request.services?.migration ?? false),
        requesterName: previous?.requesterName ?? name,
        requesterEmail: previous?.requesterEmail ?? user?.mail ?? '',
        requesterPhone: previous?.requesterPhone ?? user?.phone ?? '',
        customerName: previous?.customerName ?? name,
        customerEmail: previous?.customerEmail ?? user?.mail ?? '',
        preferredLanguage: previous?.preferredLanguage ?? this.deps.renderer.resolve(user?.preferredLanguage ?? context.activity.locale),
        region: previous?.region ?? regionOfTimeZone(zone) ?? '',
        timeZone: zone,
        ...partnerValues,
      },
      context: { offered: request.tenantCheck.offeredServices, ...(partner ? { partner: true } : {}) },
    });
  }

  private async save(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = phaseOptions(step);
    const form = step.result as RequestForm;
    const kept = (step.values as { admin?: OnboardingRequest['admin'] }).admin;
    // The zone the admin confirmed on the form is the one times are shown in.
    const admin = kept ? { ...kept, email: kept.email || form.requesterEmail, timeZone: form.timeZone } : { userId: options.requester.aadObjectId, email: form.requesterEmail, timeZone: form.timeZone };
    const now = this.deps.clock();
    const request = await updateRequest(this.deps, options, (r) =>
      // A request already booked or closed keeps its stage; a resubmitted form only changes the answers.
      withEvent(
        {
          ...r,
          form,
          admin,
          ...(r.partner && form.partner ? { partner: { ...r.partner, organization: form.partner.partnerName } } : {}),
          phases: { ...r.phases, form: 'done' },
          stage: r.stage === 'onboarding' ? 'awaitingScheduling' : r.stage,
        },
        'formSubmitted',
        now,
      ),
    );
    this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id }, 'request form submitted; awaiting scheduling');
    // FastTrack's side sees it: one triage card per request (the notice id dedupes a resubmitted form).
    await this.deps.triageChannel?.requestSubmitted(request).catch((error: unknown) => {
      this.deps.logger.warn({ tenantId: request.tenantId, requestId: request.id, err: errorFields(error) }, 'triage card not queued');
    });
    return step.endDialog({ requestId: request.id } satisfies PhaseResult);
  }
}
