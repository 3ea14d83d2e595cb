import type { Attachment } from 'botbuilder';
import type { EligibilityResult } from '../domain/eligibility';
import type { TenantCheck } from '../domain/journey';
import type { SupportedLocale } from '../domain/locale';
import { productName, type ProductNames } from '../domain/products';
import type { TenantProfile } from '../domain/tenant';
import type { CardRenderer } from './cardRenderer';

/** A tenant read from Graph and judged by the eligibility rules. */
export interface TenantAssessment {
  profile: TenantProfile;
  eligibility: EligibilityResult;
  check: TenantCheck;
  /** Services the tenant's SKUs include, in catalog order. */
  offeredServices: string[];
  /** Product names by part number, to show licences as admins know them. */
  products: ProductNames;
}

const number = (locale: SupportedLocale, n: number) => new Intl.NumberFormat(locale).format(n);

/**
 * The tenant-check card: each rule's verdict with the numbers behind it, what counted and what did not.
 * `forCustomer`: the tenant checked is a partner's customer (a check finished in the background), so
 * "Request help" goes on for that customer (checked again on the server) instead of starting over.
 */
export function tenantCheckCard(renderer: CardRenderer, locale: string | undefined, assessment: TenantAssessment, offerRequest: boolean, forCustomer?: string): Attachment {
  const s = renderer.strings(locale);
  const tag = renderer.resolve(locale);
  const { profile, eligibility, check } = assessment;
  const t = s.tenantCheck;
  const licence = (partNumber: string) => {
    const name = productName(assessment.products, partNumber);
    return name === undefined ? partNumber : renderer.text(locale, (x) => x.tenantCheck.product, { name, partNumber });
  };
  const domainText = (d: TenantCheck['domains'][number]) =>
    `${d.name}${d.isDefault ? ` (${t.defaultDomain})` : ''}: ${d.authenticationType === 'Federated' ? t.federated : t.managed}`;
  return renderer.card('tenantCheck', locale, {
    organization: profile.displayName,
    tenantId: profile.tenantId,
    domains: check.domains.map(domainText).join('\n\n'),
    identity: t.identity[check.detectedIdentity],
    verdict: renderer.text(locale, (x) => (eligibility.eligible ? x.tenantCheck.eligible : x.tenantCheck.notEligible), {
      seats: number(tag, check.eligibleSeats),
      required: number(tag, check.requiredSeats),
    }),
    verdictColor: eligibility.eligible ? 'Good' : 'Attention',
    rules: eligibility.rules.map((r) => ({
      title: t.rules[r.id as keyof typeof t.rules] ?? r.id,
      value: renderer.text(locale, (x) => (r.passed ? x.tenantCheck.rulePassed : x.tenantCheck.ruleFailed), { actual: number(tag, r.actual), required: number(tag, r.required) }),
    })),
    counted: eligibility.counted.map((c) => ({ title: licence(c.partNumber), value: number(tag, c.seats) })),
    hasCounted: eligibility.counted.length > 0,
    excluded: eligibility.excluded.map((x) => ({ title: licence(x.partNumber), value: `${number(tag, x.seats)} · ${t.reasons[x.reason as keyof typeof t.reasons] ?? x.reason}` })),
    hasExcluded: eligibility.excluded.length > 0,
    migration: t.migrationTier[check.migrationTier],
    exchangeExtra: check.exchangeExtraServices ? t.exchangeExtraYes : t.exchangeExtraNo,
    nextSteps: eligibility.eligible ? t.nextEligible : t.nextNotEligible,
    offerRequest,
    requestVerb: forCustomer ? 'journey.continue' : 'request.start',
    customerTenantId: forCustomer ?? '',
  });
}

