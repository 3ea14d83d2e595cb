/** The partner cards: for whom, My customers, consent needed, consent granted. */
import { CardFactory, type Attachment } from 'botbuilder';
import type { CustomerPage } from '../graph/tenantDirectory';
import type { CardRenderer } from './cardRenderer';

export type PartnerCardName = 'partnerChoice' | 'partnerCustomers' | 'partnerConsent' | 'partnerConsentGranted';

function card(renderer: CardRenderer, name: PartnerCardName, locale: string | undefined, data: Record<string, unknown>): Attachment {
  return CardFactory.adaptiveCard(renderer.expand(name, locale, data));
}

/** "For my organization" or "for a customer". */
export function partnerChoiceCard(renderer: CardRenderer, locale: string | undefined, token: string): Attachment {
  return card(renderer, 'partnerChoice', locale, { token });
}

/** My customers: the search box, one page of customers, paging. `notice` is a line above the list (no result, pick one). */
export function customersCard(renderer: CardRenderer, locale: string | undefined, o: { token: string; search: string; page: CustomerPage; notice?: string }): Attachment {
  const { page } = o;
  return card(renderer, 'partnerCustomers', locale, {
    token: o.token,
    search: o.search,
    notice: o.notice ?? '',
    customers: page.customers.map((c) => ({ title: c.displayName, value: c.tenantId })),
    selected: '',
    hasCustomers: page.customers.length > 0,
    pageText: pageText(renderer, locale, page),
    hasPrevious: page.page > 0,
    previousPage: String(page.page - 1),
    hasNext: page.page + 1 < page.pageCount,
    nextPage: String(page.page + 1),
  });
}

/** The customer's admin must consent: why, the text to forward with the admin-consent link, and "check again". */
export function consentCard(renderer: CardRenderer, locale: string | undefined, o: { customerName: string; customerTenantId: string; consentUrl: string }): Attachment {
  return card(renderer, 'partnerConsent', locale, {
    title: renderer.text(locale, (s) => s.partners.consentTitle, { customer: o.customerName }),
    body: renderer.text(locale, (s) => s.partners.consentBody, { customer: o.customerName }),
    forward: renderer.text(locale, (s) => s.partners.consentForward, { url: o.consentUrl }),
    consentUrl: o.consentUrl,
    customerTenantId: o.customerTenantId,
  });
}

/** Consent is there: continue the request for the customer. */
export function consentGrantedCard(renderer: CardRenderer, locale: string | undefined, o: { customerName: string; customerTenantId: string }): Attachment {
  return card(renderer, 'partnerConsentGranted', locale, {
    body: renderer.text(locale, (s) => s.partners.consentGrantedBody, { customer: o.customerName }),
    customerTenantId: o.customerTenantId,
  });
}

/** "Page 1 of 1 · 1 customer": the count in the reader's plural form (Intl.PluralRules) and number format. */
function pageText(renderer: CardRenderer, locale: string | undefined, page: CustomerPage): string {
  const tag = renderer.resolve(locale);
  const form = new Intl.PluralRules(tag).select(page.total) === 'one' ? 'one' : 'other';
  const number = new Intl.NumberFormat(tag);
  return renderer.text(locale, (s) => s.nextStep.partners.pageOf[form], { page: number.format(page.page + 1), pages: number.format(page.pageCount), total: number.format(page.total) });
}
