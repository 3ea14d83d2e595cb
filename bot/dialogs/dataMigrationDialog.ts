import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import { EMAIL_SOURCES, FILE_SOURCES, validateMigration, type MigrationAnswers, type MigrationTier } from '../domain/journey';
import { CardStep, type CardStepOptions } from './cardStep';
import type { JourneyDeps } from './journeyDeps';

/** Started with the tier and any earlier answers; ends with the migration answers. */
export interface DataMigrationOptions {
  tier: MigrationTier;
  previous?: MigrationAnswers;
}

/**
 * The data-migration child of service onboarding: email and file sources and sizes. The tier
 * decides whether FastTrack performs the migration or guides it; the data-location notice is
 * shown; tenant-to-tenant is refused on the field with the reason.
 */
export class DataMigrationDialog extends ComponentDialog {
  static readonly id = 'dataMigration';

  constructor(deps: JourneyDeps) {
    super(DataMigrationDialog.id);
    this.addDialog(new WaterfallDialog('migration.steps', [this.ask.bind(this), this.done.bind(this)]));
    this.addDialog(
      new CardStep<MigrationAnswers>('migration.card', deps, {
        card: 'migration',
        verb: 'migration.submit',
        data: (s, options) => {
          const tier = (options.context?.tier as MigrationTier) ?? 'guidance';
          return {
            tierText: tier === 'performed' ? s.migration.tierPerformed : s.migration.tierGuidance,
            emailChoices: EMAIL_SOURCES.map((id) => ({ title: s.migration.emailSources[id], value: id })),
            fileChoices: FILE_SOURCES.map((id) => ({ title: s.migration.fileSources[id], value: id })),
          };
        },
        validate: (value, options: CardStepOptions) => validateMigration(value, (options.context?.tier as MigrationTier) ?? 'guidance'),
      }),
    );
    this.initialDialogId = 'migration.steps';
  }

  private async ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { tier, previous } = step.options as DataMigrationOptions;
    const text = (n: number | undefined) => (n === undefined ? '' : String(n));
    return step.beginDialog('migration.card', {
      values: {
        emailSource: previous?.emailSource ?? '',
        mailboxes: text(previous?.mailboxes),
        emailSizeGb: text(previous?.emailSizeGb),
        fileSource: previous?.fileSource ?? '',
        fileSizeTb: text(previous?.fileSizeTb),
      },
      context: { tier },
    });
  }

  private async done(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog(step.result as MigrationAnswers);
  }
}
