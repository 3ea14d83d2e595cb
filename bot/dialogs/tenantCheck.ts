import type { Strings } from '../cards/cardRenderer';
import type { TenantAssessment } from '../cards/tenantCheckCard';
import { evaluateEligibility } from '../domain/eligibility';
import type { TenantCheck } from '../domain/journey';
import { servicesForTenant } from '../domain/services';
import type { TenantProfile } from '../domain/tenant';
import { failureClass, failureText } from '../turnErrorHandler';
import type { JourneyDeps } from './journeyDeps';

/** Reads the tenant (one Graph round trip) and judges it. */
export async function assessTenant(deps: Pick<JourneyDeps, 'directory' | 'rules' | 'catalog' | 'clock' | 'products'>, tenantId: string): Promise<TenantAssessment> {
  return judgeTenant(deps, await deps.directory.getTenantProfile(tenantId));
}

/** Judges a tenant profile read before (pure: the eligibility rules and the service catalog). */
export function judgeTenant(deps: Pick<JourneyDeps, 'rules' | 'catalog' | 'clock' | 'products'>, profile: TenantProfile): TenantAssessment {
  const eligibility = evaluateEligibility(profile.skus, deps.rules);
  const federated = profile.verifiedDomains.some((d) => d.authenticationType === 'Federated');
  const check: TenantCheck = {
    organization: profile.displayName,
    domains: profile.verifiedDomains.map((d) => ({ name: d.name, authenticationType: d.authenticationType, isDefault: d.isDefault })),
    detectedIdentity: federated ? 'federated' : profile.onPremisesSyncEnabled ? 'synchronized' : 'cloudOnly',
    eligible: eligibility.eligible,
    eligibleSeats: eligibility.seats.eligible,
    requiredSeats: eligibility.government ? deps.rules.thresholds.governmentMinimumSeats : deps.rules.thresholds.minimumSeats,
    migrationTier: eligibility.migrationTier,
    exchangeExtraServices: eligibility.exchangeExtraServices,
    offeredServices: servicesForTenant(profile.skus, deps.catalog),
    checkedAt: deps.clock().toISOString(),
  };
  return { profile, eligibility, check, offeredServices: check.offeredServices, products: deps.products };
}

/** What to tell the user when Graph fails: no access (consent missing), or try again later. */
export function graphFailureText(error: unknown): (s: Strings) => string {
  const failure = failureClass(error);
  // Storage failed rather than Graph: say so (nothing entered is lost).
  if (failure === 'storage' || failure === 'graphNoAccess') return failureText(failure);
  return (s) => s.messages.graphUnavailable;
}

/** What to tell the user when a Graph call other than reading the tenant fails (a booking, the admin check). */
export function graphCallFailureText(error: unknown): (s: Strings) => string {
  const failure = failureClass(error);
  return failure === 'other' ? (s) => s.messages.graphUnavailable : failureText(failure);
}
