import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import { validateServices, withEvent, type MigrationAnswers, type ServiceAnswers } from '../domain/journey';
import { CardStep } from './cardStep';
import { DataMigrationDialog, type DataMigrationOptions } from './dataMigrationDialog';
import type { JourneyDeps } from './journeyDeps';
import { loadRequest, phaseOptions, updateRequest, type PhaseResult } from './phase';

/**
 * Phase 2, service onboarding and migration: only the services the tenant's SKUs include are
 * offered, each with its prerequisites; data migration, when wanted, is its child dialog.
 */
export class ServiceOnboardingDialog extends ComponentDialog {
  static readonly id = 'serviceOnboarding';

  constructor(private readonly deps: JourneyDeps) {
    super(ServiceOnboardingDialog.id);
    this.addDialog(new WaterfallDialog('services.steps', [this.choose.bind(this), this.migration.bind(this), this.save.bind(this)]));
    this.addDialog(
      new CardStep<ServiceAnswers>('services.card', deps, {
        card: 'services',
        verb: 'services.submit',
        data: (s, options) => {
          const offered = (options.context?.offered as string[]) ?? [];
          return {
            serviceChoices: offered.map((id) => ({ title: s.services[id as keyof typeof s.services] ?? id, value: id })),
            prerequisites: offered.map((id) => ({
              title: s.services[id as keyof typeof s.services] ?? id,
              value: (deps.catalog.services.find((x) => x.id === id)?.prerequisites ?? [])
                .map((p) => s.prerequisites[p as keyof typeof s.prerequisites] ?? p)
                .join(' · '),
            })),
            hasServices: offered.length > 0,
          };
        },
        validate: (value, options) => validateServices(value, (options.context?.offered as string[]) ?? []),
      }),
    );
    this.addDialog(new DataMigrationDialog(deps));
    this.initialDialogId = 'services.steps';
  }

  private async choose(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const request = await loadRequest(this.deps, phaseOptions(step));
    return step.beginDialog('services.card', {
      values: { services: request.services?.services.join(',') ?? '', migration: String(request.services?.migration ?? false) },
      context: { offered: request.tenantCheck.offeredServices },
    });
  }

  private async migration(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answers = step.result as ServiceAnswers;
    (step.values as { services?: ServiceAnswers }).services = answers;
    if (!answers.migration) return step.next();
    const request = await loadRequest(this.deps, phaseOptions(step));
    return step.beginDialog(DataMigrationDialog.id, { tier: request.tenantCheck.migrationTier, previous: request.migration } satisfies DataMigrationOptions);
  }

  private async save(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const services = (step.values as { services: ServiceAnswers }).services;
    const migration = services.migration ? (step.result as MigrationAnswers) : undefined;
    const now = this.deps.clock();
    const request = await updateRequest(this.deps, phaseOptions(step), (r) => {
      const { migration: _old, ...rest } = r;
      const phases = { ...r.phases, services: 'done' as const, form: r.phases.form === 'done' ? ('done' as const) : ('inProgress' as const) };
      return withEvent({ ...rest, services, ...(migration ? { migration } : {}), phases }, 'serviceOnboardingDone', now);
    });
    return step.endDialog({ requestId: request.id } satisfies PhaseResult);
  }
}
