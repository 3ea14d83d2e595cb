import type { Attachment } from 'botbuilder';
import type { CardRenderer, Strings } from '../cards/cardRenderer';
import { evaluateEligibility, type EligibilityResult } from '../domain/eligibility';
import type { TenantCheck } from '../domain/journey';
import { servicesForTenant } from '../domain/services';
import type { TenantProfile } from '../domain/tenant';
import { GraphError } from '../graph/tenantDirectory';
import type { JourneyDeps } from './journeyDeps';

/** A tenant read from Graph and judged by the eligibility rules. */
export interface TenantAssessment {
  profile: TenantProfile;
  eligibility: EligibilityResult;
  check: TenantCheck;
  /** Services the tenant's SKUs include, in catalog order. */
  offeredServices: string[];
}

/** Reads the tenant (one Graph round trip) and judges it. */
export async function assessTenant(deps: Pick<JourneyDeps, 'directory' | 'rules' | 'catalog' | 'clock'>, tenantId: string): Promise<TenantAssessment> {
  const profile = await deps.directory.getTenantProfile(tenantId);
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
  return { profile, eligibility, check, offeredServices: check.offeredServices };
}

const number = (locale: string | undefined, n: number) => new Intl.NumberFormat(locale ?? 'en-US').format(n);

/** The tenant-check card: each rule's verdict with the numbers behind it, what counted and what did not. */
export function tenantCheckCard(renderer: CardRenderer, locale: string | undefined, assessment: TenantAssessment, offerRequest: boolean): Attachment {
  const s = renderer.strings(locale);
  const { profile, eligibility, check } = assessment;
  const t = s.tenantCheck;
  const domainText = (d: TenantCheck['domains'][number]) =>
    `${d.name}${d.isDefault ? ` (${t.defaultDomain})` : ''}: ${d.authenticationType === 'Federated' ? t.federated : t.managed}`;
  return renderer.card('tenantCheck', locale, {
    organization: profile.displayName,
    tenantId: profile.tenantId,
    domains: check.domains.map(domainText).join('\n\n'),
    identity: t.identity[check.detectedIdentity],
    verdict: renderer.text(locale, (x) => (eligibility.eligible ? x.tenantCheck.eligible : x.tenantCheck.notEligible), {
      seats: number(locale, check.eligibleSeats),
      required: number(locale, check.requiredSeats),
    }),
    verdictColor: eligibility.eligible ? 'Good' : 'Attention',
    rules: eligibility.rules.map((r) => ({
      title: t.rules[r.id as keyof typeof t.rules] ?? r.id,
      value: renderer.text(locale, (x) => (r.passed ? x.tenantCheck.rulePassed : x.tenantCheck.ruleFailed), { actual: number(locale, r.actual), required: number(locale, r.required) }),
    })),
    counted: eligibility.counted.map((c) => ({ title: c.partNumber, value: number(locale, c.seats) })),
    hasCounted: eligibility.counted.length > 0,
    excluded: eligibility.excluded.map((x) => ({ title: x.partNumber, value: `${number(locale, x.seats)} · ${t.reasons[x.reason as keyof typeof t.reasons] ?? x.reason}` })),
    hasExcluded: eligibility.excluded.length > 0,
    migration: t.migrationTier[check.migrationTier],
    exchangeExtra: check.exchangeExtraServices ? t.exchangeExtraYes : t.exchangeExtraNo,
    nextSteps: eligibility.eligible ? t.nextEligible : t.nextNotEligible,
    offerRequest,
  });
}

/** What to tell the user when Graph fails: no access (consent missing), or try again later. */
export function graphFailureText(error: unknown): (s: Strings) => string {
  if (error instanceof GraphError && (error.status === 401 || error.status === 403)) return (s) => s.messages.graphNoAccess;
  return (s) => s.messages.graphUnavailable;
}
