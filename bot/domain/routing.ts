/**
 * Routing a FastTrack request to the people who will run it.
 *
 * 1. **Role.** A request that includes data migration goes to a FastTrack Specialist (`specialist`:
 *    they deliver migration and give email and data migration guidance); any other request goes to
 *    the FastTrack Center (`center`: core and service onboarding guidance, adoption planning).
 * 2. **Language.** The person must speak the request's language (one of the 12 supported locales).
 * 3. **Home region.** The admin's region (`region`, which the caller derives from the admin's
 *    mailbox time zone with `regionOfTimeZone`); when absent, the tenant's country
 *    (`countryLetterCode`, ISO 3166-1 alpha-2) through `regionOfCountry`, a table of the countries
 *    FastTrack customers are commonly in. Neither known: there is no home region.
 * 4. **Centers.** In the chosen region the first center (file order = the operator's preference)
 *    that has a matching person is chosen; its matching people are returned sorted by id, and every
 *    center of the region with matching people is listed in `candidates`.
 *
 * **Fallback to another region** happens ONLY when the home region does not serve the language at
 * all (no center there lists it, or the region has no center, or there is no home region): the
 * other regions are tried in `FALLBACK_ORDER` (nearest working hours first) and the decision says
 * which region was used (`fallback: true`, `homeRegion`). When the home region does serve the
 * language but nobody there speaks it in the needed role, the request is NOT sent abroad (the
 * customer's region has the language, so the gap is an operator staffing problem to fix, not a
 * routing choice); the decision fails with:
 * - `noLanguageCoverage`: people of the role exist in the region, none speaks the language (the
 *   shipped data has one such gap: th-TH FastTrack Specialists in the Americas); also when the
 *   language is served in no region at all in that role;
 * - `noRegionCoverage`: the home region has nobody in that role at all.
 * A failure lists in `servedIn` the regions where someone of the role does speak the language, so
 * the caller can tell the admin or escalate.
 */
import type { CenterModel, FastTrackCenter, FastTrackPerson, FastTrackRole } from './centers';
import type { SupportedLocale } from './locale';
import { REGIONS, type Region } from './timeZones';

export interface RoutingRequest {
  /** The request includes data migration (email or files): a FastTrack Specialist runs it. */
  dataMigration: boolean;
  language: SupportedLocale;
  /** The admin's region, from their mailbox time zone (`regionOfTimeZone`). */
  region?: Region;
  /** The tenant's country (`organization.countryLetterCode`), used when `region` is absent. */
  countryLetterCode?: string;
}

/** Where the home region came from. */
export type RegionSource = 'timeZone' | 'country' | 'none';

/** A center of the chosen region and its people who match (role and language), sorted by id. */
export interface RoutingCandidate {
  center: FastTrackCenter;
  people: FastTrackPerson[];
}

export interface RoutingSuccess {
  ok: true;
  role: FastTrackRole;
  language: SupportedLocale;
  /** The region whose center runs the request (the home region unless `fallback`). */
  region: Region;
  /** The admin's region, undefined when neither the time zone nor the country told it. */
  homeRegion: Region | undefined;
  regionSource: RegionSource;
  /** True when the request was sent to another region because the home region does not serve the language. */
  fallback: boolean;
  /** The chosen center: the first center of `region` (file order) with a matching person. */
  center: FastTrackCenter;
  /** Its matching people, sorted by id (never empty). */
  people: FastTrackPerson[];
  /** Every center of `region` with matching people, in file order (the first is `center`). */
  candidates: RoutingCandidate[];
}

export type RoutingFailureReason = 'noLanguageCoverage' | 'noRegionCoverage';

export interface RoutingFailure {
  ok: false;
  reason: RoutingFailureReason;
  role: FastTrackRole;
  language: SupportedLocale;
  /** The home region (undefined when unknown). */
  region: Region | undefined;
  regionSource: RegionSource;
  /** Regions where someone of `role` speaks `language` (empty when nowhere). */
  servedIn: Region[];
}

export type RoutingDecision = RoutingSuccess | RoutingFailure;

/** Regions tried after the home region, nearest working hours first. With no home region: `REGIONS` order. */
export const FALLBACK_ORDER: Readonly<Record<Region, readonly Region[]>> = {
  americas: ['emea', 'apac'],
  emea: ['americas', 'apac'],
  apac: ['emea', 'americas'],
};

// ISO 3166-1 alpha-2 → FastTrack region. Americas: North, Central and South America and the
// Caribbean; EMEA: Europe, the Middle East, Africa; APAC: Asia and Oceania (India included).
const AMERICAS = 'US CA MX BR AR CL CO PE VE EC BO PY UY GT CR PA HN SV NI DO PR JM TT BS BB BZ GY SR HT CU';
const EMEA =
  'GB IE FR DE IT ES PT NL BE LU CH AT DK SE NO FI IS PL CZ SK HU RO BG GR HR SI RS BA ME MK AL EE LV LT UA MD BY CY MT MC LI AD SM ' +
  'TR IL AE SA QA KW BH OM JO LB EG MA DZ TN LY ZA NG KE GH ET TZ UG RW SN CI CM AO MZ ZM ZW BW NA MU GE AM AZ KZ UZ IQ IR PK';
const APAC = 'CN TW HK MO JP KR SG MY TH VN ID PH IN LK BD NP MM KH LA BN MN AU NZ FJ PG';
const COUNTRY_REGION: ReadonlyMap<string, Region> = new Map<string, Region>([
  ...AMERICAS.split(' ').map((c) => [c, 'americas'] as const),
  ...EMEA.split(' ').map((c) => [c, 'emea'] as const),
  ...APAC.split(' ').map((c) => [c, 'apac'] as const),
]);

/** The FastTrack region of a country (ISO 3166-1 alpha-2, any case); undefined when not in the table. */
export function regionOfCountry(countryLetterCode: string | undefined): Region | undefined {
  return countryLetterCode ? COUNTRY_REGION.get(countryLetterCode.trim().toUpperCase()) : undefined;
}

/** `specialist` when the request includes data migration, else `center`. */
export function roleForRequest(dataMigration: boolean): FastTrackRole {
  return dataMigration ? 'specialist' : 'center';
}

/** Centers of a region (file order) with their people of `role` speaking `language`. */
function candidatesIn(model: CenterModel, region: Region, role: FastTrackRole, language: SupportedLocale): RoutingCandidate[] {
  const out: RoutingCandidate[] = [];
  for (const center of model.centers) {
    if (center.region !== region) continue;
    const people = model.people
      .filter((p) => p.centerId === center.id && p.role === role && p.languages.includes(language))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (people.length > 0) out.push({ center, people });
  }
  return out;
}

/** Routes a request to a role, a region, a center and its matching people (see the file comment). */
export function routeRequest(request: RoutingRequest, model: CenterModel): RoutingDecision {
  const role = roleForRequest(request.dataMigration);
  const { language } = request;
  const fromCountry = request.region ? undefined : regionOfCountry(request.countryLetterCode);
  const homeRegion = request.region ?? fromCountry;
  const regionSource: RegionSource = request.region ? 'timeZone' : fromCountry ? 'country' : 'none';
  const base = { role, language, regionSource } as const;

  const success = (region: Region, candidates: RoutingCandidate[]): RoutingSuccess => ({
    ok: true,
    ...base,
    region,
    homeRegion,
    fallback: region !== homeRegion,
    center: candidates[0]!.center,
    people: candidates[0]!.people,
    candidates,
  });
  const servedIn = REGIONS.filter((r) => candidatesIn(model, r, role, language).length > 0);
  const failure = (reason: RoutingFailureReason): RoutingFailure => ({ ok: false, ...base, reason, region: homeRegion, servedIn });

  if (homeRegion) {
    const home = candidatesIn(model, homeRegion, role, language);
    if (home.length > 0) return success(homeRegion, home);
    const servedAtHome = model.centers.some((c) => c.region === homeRegion && c.languages.includes(language));
    if (servedAtHome) {
      const centersAtHome = new Set(model.centers.filter((c) => c.region === homeRegion).map((c) => c.id));
      const roleAtHome = model.people.some((p) => p.role === role && centersAtHome.has(p.centerId));
      return failure(roleAtHome ? 'noLanguageCoverage' : 'noRegionCoverage');
    }
  }
  for (const region of homeRegion ? FALLBACK_ORDER[homeRegion] : REGIONS) {
    const found = candidatesIn(model, region, role, language);
    if (found.length > 0) return success(region, found);
  }
  return failure('noLanguageCoverage');
}
