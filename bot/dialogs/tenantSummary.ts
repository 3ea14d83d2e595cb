import type { Attachment } from 'botbuilder';
import type { CardRenderer, Strings } from '../cards/cardRenderer';
import { countPaidSeats, type TenantProfile } from '../domain/tenant';
import { GraphError } from '../graph/tenantDirectory';

/** FastTrack's usual seat threshold, shown as a first indication before the full eligibility check. */
const SEAT_THRESHOLD = 150;

/** The short facts of a tenant that a request keeps. */
export function summarizeTenant(tenant: TenantProfile): { displayName: string; verifiedDomains: string[]; paidSeats: number } {
  return {
    displayName: tenant.displayName,
    verifiedDomains: tenant.verifiedDomains.map((d) => d.name),
    paidSeats: countPaidSeats(tenant.skus),
  };
}

/** The tenant summary card: organization, domains, identity, paid seats and a first verdict. */
export function tenantSummaryCard(renderer: CardRenderer, locale: string | undefined, tenant: TenantProfile): Attachment {
  const s = renderer.strings(locale);
  const summary = summarizeTenant(tenant);
  const hybrid = tenant.onPremisesSyncEnabled || tenant.verifiedDomains.some((d) => d.authenticationType === 'Federated');
  const eligible = summary.paidSeats >= SEAT_THRESHOLD;
  return renderer.card('tenantSummary', locale, {
    organization: summary.displayName,
    tenantId: tenant.tenantId,
    domains: summary.verifiedDomains.join(', '),
    identity: hybrid ? s.tenantSummary.identityHybrid : s.tenantSummary.identityCloud,
    paidSeats: String(summary.paidSeats),
    verdict: renderer.text(locale, (t) => (eligible ? t.tenantSummary.seatsLikelyEligible : t.tenantSummary.seatsLikelyNotEligible), { seats: summary.paidSeats }),
    verdictColor: eligible ? 'Good' : 'Warning',
  });
}

/** What to tell the user when Graph fails: no access (consent missing) or try again later. */
export function graphFailureText(error: unknown): (s: Strings) => string {
  if (error instanceof GraphError && (error.status === 401 || error.status === 403)) return (s) => s.messages.graphNoAccess;
  return (s) => s.messages.graphUnavailable;
}
