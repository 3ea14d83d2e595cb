import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import { todayIn } from '../domain/forms';
import { validateAdoption, withEvent, type AdoptionAnswers } from '../domain/journey';
import { CardStep } from './cardStep';
import type { JourneyDeps } from './journeyDeps';
import { phaseOptions, updateRequest } from './phase';
import { statusCard } from '../cards/requestCards';

/**
 * Phase 3, user adoption: a parallel track. It can be started or continued at any point after the
 * request exists, whatever the onboarding progress; when it ends, the journey below it resumes.
 */
export class UserAdoptionDialog extends ComponentDialog {
  static readonly id = 'userAdoption';

  constructor(private readonly deps: JourneyDeps) {
    super(UserAdoptionDialog.id);
    this.addDialog(new WaterfallDialog('adoption.steps', [this.ask.bind(this), this.save.bind(this)]));
    this.addDialog(
      new CardStep<AdoptionAnswers>('adoption.card', deps, {
        card: 'adoption',
        verb: 'adoption.submit',
        data: (_s, options) => ({ today: todayIn(options.context?.timeZone as string | undefined, deps.clock()) }),
        validate: (value, options) => validateAdoption(value, todayIn(options.context?.timeZone as string | undefined, deps.clock())),
      }),
    );
    this.initialDialogId = 'adoption.steps';
  }

  private async ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const now = this.deps.clock();
    const request = await updateRequest(this.deps, phaseOptions(step), (r) =>
      r.phases.adoption === 'notStarted' ? withEvent({ ...r, phases: { ...r.phases, adoption: 'inProgress' } }, 'adoptionStarted', now) : undefined,
    );
    const a = request.adoption;
    return step.beginDialog('adoption.card', {
      values: {
        launchDate: a?.launchDate ?? request.form?.launchDate ?? '',
        successOwnerName: a?.successOwnerName ?? request.form?.successOwnerName ?? '',
        successOwnerRole: a?.successOwnerRole ?? request.form?.successOwnerRole ?? '',
        champions: a?.champions ?? '',
        championCount: a === undefined ? '' : String(a.championCount),
      },
      context: { timeZone: request.form?.timeZone },
    });
  }

  private async save(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const adoption = step.result as AdoptionAnswers;
    const now = this.deps.clock();
    const updated = await updateRequest(this.deps, phaseOptions(step), (r) => withEvent({ ...r, adoption, phases: { ...r.phases, adoption: 'done' } }, 'adoptionPlanned', now));
    const locale = step.context.activity.locale;
    await step.context.sendActivity(this.deps.renderer.text(locale, (s) => s.adoption.saved));
    await step.context.sendActivity({ attachments: [statusCard(this.deps.renderer, locale, updated)] });
    return step.endDialog();
  }
}
