import type { BackgroundBooking } from '../booking/backgroundBooking';
import type { BookingService } from '../booking/bookingService';
import type { BackgroundTenantCheck } from './backgroundTenantCheck';
import type { CardRenderer } from '../cards/cardRenderer';
import type { EligibilityRules } from '../domain/eligibility';
import type { ProductNames } from '../domain/products';
import type { ServiceCatalog } from '../domain/services';
import type { TenantDirectory } from '../graph/tenantDirectory';
import type { Logger } from '../logger';
import type { ConsentWatch } from '../notifications/consentWatch';
import type { PartnerIndex } from '../storage/partnerIndex';
import type { RequestRepository } from '../storage/requestRepository';
import type { TriageChannelPoster } from '../triage/triageNotice';

/** What every phase dialog needs, injected by the composition root (or a test). */
export interface JourneyDeps {
  directory: TenantDirectory;
  requests: RequestRepository;
  renderer: CardRenderer;
  logger: Logger;
  rules: EligibilityRules;
  catalog: ServiceCatalog;
  /** Licence product names by part number (`products.json`). */
  products: ProductNames;
  /** Directory roles (by template id) whose holders may request FastTrack help. */
  adminRoleTemplateIds: readonly string[];
  /** Routing, slot finding, the ledger and the calendar: books FastTrack meetings. */
  booking: BookingService;
  /** Finishes a booking in the background when it cannot finish in the turn (absent: the turn reports the failure). */
  background?: Pick<BackgroundBooking, 'bookInTurn' | 'pending'>;
  /** Finishes the tenant check in the background when Graph cannot answer it in the turn (absent: the turn reports the failure). */
  backgroundTenantCheck?: Pick<BackgroundTenantCheck, 'assessInTurn'>;
  clock: () => Date;
  random: (size: number) => Uint8Array;
  /** Posts a submitted request's triage card to the FastTrack triage channel (none: no channel). */
  triageChannel?: TriageChannelPoster;
  /** Partners asking on behalf of customers (GDAP); without it, nobody is asked "for a customer". */
  partners?: PartnerServices;
}

/** What the partner journey needs besides Graph and the requests. */
export interface PartnerServices {
  /** The requests each partner user manages (under the partner's tenant). */
  index: Pick<PartnerIndex, 'remember' | 'list'>;
  /** The durable wait for a customer's consent. */
  consent: Pick<ConsentWatch, 'waitFor'>;
  /** The admin-consent link for a customer's tenant. */
  consentUrl(customerTenantId: string): string;
}
