/**
 * The FastTrack eligibility engine: which subscribed SKUs count, how many seats the tenant has,
 * and each rule's verdict with the numbers behind it.
 *
 * The rules are data (`bot/data/eligibility.json`), edited by the operator and validated at
 * start-up by `parseEligibilityRules`; the judgement (`evaluateEligibility`) is pure and
 * deterministic: the same SKUs and rules always give the same result, rows in SKU order.
 *
 * How one SKU is judged, first match wins:
 * 1. a trial (`isTrial`, from the SKU's subscriptions) never counts, even on the eligible list;
 * 2. a part number on `eligibleSkus` is eligible; on `excludedSkus`, excluded with its reason;
 *    matching an `excludedPatterns` entry (tried in order, case-insensitive), excluded with its
 *    reason; on no list, excluded as `unknown` (never counted: the operator should classify it);
 * 3. an eligible SKU counts only while current: `Enabled` counts its enabled units (its
 *    grace-period and suspended units, if any, are listed apart as `warning` / `suspended`);
 *    `Warning` (the whole SKU in its grace period after expiry) counts nothing and is listed as
 *    `warning`: FastTrack serves customers while the subscription is current, and a lapsed
 *    subscription is disabled unless renewed, so renewing is what brings the seats back;
 *    `Suspended` is listed as `suspended`; `Deleted`, `LockedOut` and any status Graph may add
 *    are listed as `expired`.
 *
 * Government: each eligible SKU says whether it is a government plan. A tenant is judged on the
 * government threshold (50) when it has counted seats and every one of them is on a government
 * plan (a GCC tenant); any commercial seat puts the whole tenant on the commercial threshold (150).
 * The migration tier uses the same seat count for both: below the applied minimum `none`, from it
 * up to `migrationPerformedSeats - 1` `guidance`, from `migrationPerformedSeats` `performed`.
 */
import { z } from 'zod';
import type { SubscribedSku } from './tenant';

// ---------------------------------------------------------------------------------------------
// Data files: validation with errors that name the file, the JSON path and the problem.
// ---------------------------------------------------------------------------------------------

/** A problem in one of the bot's data files, at a JSON path such as `eligibleSkus[3].partNumber`. */
export interface DataFileProblem {
  path: string;
  message: string;
}

/** Thrown when a data file is invalid; the message lists every problem, one a line. */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly DataFileProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.path ? `${p.path} ` : 'the file '}${p.message}`).join('\n'));
  }
}

/** `['eligibleSkus', 3, 'partNumber']` → `eligibleSkus[3].partNumber`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

/** Plain-English messages for zod's issues (schemas with their own message keep it). */
const englishIssue = (issue: z.core.$ZodRawIssue): string | undefined => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)}`;
      if (issue.origin === 'string') return 'must not be empty';
      return undefined;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      return undefined;
    default:
      return undefined;
  }
};

/**
 * Validates `json` against `schema`, then runs `crossCheck` on the result; throws a
 * `DataFileError` naming `file` and every problem found.
 */
export function validateDataFile<T>(file: string, schema: z.ZodType<T>, json: unknown, crossCheck: (value: T) => DataFileProblem[] = () => []): T {
  const parsed = schema.safeParse(json, { error: englishIssue });
  if (!parsed.success) throw new DataFileError(file, parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })));
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new DataFileError(file, problems);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/** Why a SKU on an exclusion list (or matching an exclusion pattern) never counts. */
export const LISTED_EXCLUSION_REASONS = ['trial', 'free', 'noCost', 'archiveOnly', 'internalUse', 'notEligible'] as const;
export type ListedExclusionReason = (typeof LISTED_EXCLUSION_REASONS)[number];

/**
 * Why seats did not count (locale keys `tenantCheck.reasons.<reason>`):
 * - `trial`: a trial subscription (or a trial-only part number);
 * - `free`: a free or self-service SKU (Power Automate Free, Fabric Free, developer sandboxes...);
 * - `noCost`: a no-cost plan granted under a programme (Office 365 A1, student use benefits);
 * - `archiveOnly`: standalone Exchange Online Archiving;
 * - `internalUse`: Microsoft partner internal-use-rights licences;
 * - `notEligible`: a known product that FastTrack does not cover (Visio, Project, Copilot...);
 * - `unknown`: a part number on no list (never counted; the operator should classify it);
 * - `suspended`: units of a suspended subscription;
 * - `expired`: a deleted or locked-out subscription;
 * - `warning`: units in their grace period after expiry (not current, so not counted).
 */
export type ExclusionReason = ListedExclusionReason | 'unknown' | 'suspended' | 'expired' | 'warning';

export interface EligibilityThresholds {
  /** Eligible seats a commercial tenant needs (150). */
  minimumSeats: number;
  /** Eligible seats a government tenant needs (50). */
  governmentMinimumSeats: number;
  /** From this many eligible seats FastTrack performs the data migration (500); below, guidance only. */
  migrationPerformedSeats: number;
  /** Exchange Online seats that open the FastTrack Center's additional services (20,000). */
  exchangeExtraServicesSeats: number;
}

export interface EligibleSkuRule {
  partNumber: string;
  /** The plan family as FastTrack's eligibility list names it, e.g. "Microsoft 365 E3". */
  family: string;
  government: boolean;
}

export interface ExcludedSkuRule {
  partNumber: string;
  reason: ListedExclusionReason;
  /** The product's name, for the operator reading the file. */
  product?: string | undefined;
}

export interface ExcludedPatternRule {
  /** Compiled case-insensitive from the file's `pattern` string. */
  pattern: RegExp;
  reason: ListedExclusionReason;
}

export interface EligibilityRules {
  thresholds: EligibilityThresholds;
  eligibleSkus: readonly EligibleSkuRule[];
  excludedSkus: readonly ExcludedSkuRule[];
  excludedPatterns: readonly ExcludedPatternRule[];
  /** Service plan names that are an Exchange Online mailbox (not Exchange Foundation, not archiving). */
  exchangeServicePlans: readonly string[];
}

const FILE = 'eligibility.json';
// Real part numbers and plan names: letters, digits, _ . - and parentheses (Microsoft_365_E3_(no_Teams)).
const IDENTIFIER = /^[\w().-]+$/;
const identifier = (what: string) => z.string().trim().min(1).max(100).regex(IDENTIFIER, { error: `must be a ${what} (letters, digits, _ . - ( ) only)` });
const POSITIVE = 'must be a positive whole number';
const seats = z.int({ error: (issue) => (issue.input === undefined ? 'is required' : POSITIVE) }).positive({ error: POSITIVE });
const reason = z.enum(LISTED_EXCLUSION_REASONS);
const comment = z.union([z.string(), z.array(z.string())]).optional();

const patternSource = z
  .string()
  .min(1)
  .max(200)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, 'i');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${e instanceof Error ? e.message : String(e)})` });
    }
  });

const rulesSchema = z.strictObject({
  $comment: comment,
  thresholds: z.strictObject({
    minimumSeats: seats,
    governmentMinimumSeats: seats,
    migrationPerformedSeats: seats,
    exchangeExtraServicesSeats: seats,
  }),
  eligibleSkus: z.array(z.strictObject({ partNumber: identifier('part number'), family: z.string().trim().min(1).max(100), government: z.boolean() })).min(1),
  excludedSkus: z.array(z.strictObject({ partNumber: identifier('part number'), reason, product: z.string().trim().min(1).max(200).optional() })),
  excludedPatterns: z.array(z.strictObject({ pattern: patternSource, reason, $comment: comment })),
  exchangeServicePlans: z.array(identifier('service plan name')).min(1),
});
type RulesFile = z.infer<typeof rulesSchema>;

const key = (partNumber: string) => partNumber.toUpperCase();

/** Entries listed twice (compared case-insensitively), reported at the later one. */
function duplicates(list: readonly string[], at: (i: number) => string, what: string): DataFileProblem[] {
  const first = new Map<string, number>();
  const problems: DataFileProblem[] = [];
  list.forEach((value, i) => {
    const seen = first.get(key(value));
    if (seen === undefined) first.set(key(value), i);
    else problems.push({ path: at(i), message: `${JSON.stringify(value)} is listed twice (also at ${at(seen)}): each ${what} may appear once` });
  });
  return problems;
}

function crossCheckRules(file: RulesFile): DataFileProblem[] {
  const t = file.thresholds;
  const problems: DataFileProblem[] = [];
  if (t.governmentMinimumSeats > t.minimumSeats) {
    problems.push({ path: 'thresholds.governmentMinimumSeats', message: `(${t.governmentMinimumSeats}) must not exceed thresholds.minimumSeats (${t.minimumSeats})` });
  }
  if (t.migrationPerformedSeats <= t.minimumSeats) {
    problems.push({ path: 'thresholds.migrationPerformedSeats', message: `(${t.migrationPerformedSeats}) must be greater than thresholds.minimumSeats (${t.minimumSeats})` });
  }
  if (t.exchangeExtraServicesSeats <= t.migrationPerformedSeats) {
    problems.push({
      path: 'thresholds.exchangeExtraServicesSeats',
      message: `(${t.exchangeExtraServicesSeats}) must be greater than thresholds.migrationPerformedSeats (${t.migrationPerformedSeats})`,
    });
  }
  const eligible = file.eligibleSkus.map((s) => s.partNumber);
  const excluded = file.excludedSkus.map((s) => s.partNumber);
  problems.push(...duplicates(eligible, (i) => `eligibleSkus[${i}].partNumber`, 'part number'));
  problems.push(...duplicates(excluded, (i) => `excludedSkus[${i}].partNumber`, 'part number'));
  problems.push(...duplicates(file.exchangeServicePlans, (i) => `exchangeServicePlans[${i}]`, 'service plan'));
  const eligibleAt = new Map<string, number>();
  eligible.forEach((p, i) => eligibleAt.has(key(p)) || eligibleAt.set(key(p), i));
  excluded.forEach((p, i) => {
    const at = eligibleAt.get(key(p));
    if (at !== undefined) {
      problems.push({ path: `excludedSkus[${i}].partNumber`, message: `${JSON.stringify(p)} is also eligible (eligibleSkus[${at}]): a SKU is either eligible or excluded` });
    }
  });
  // A pattern that catches an eligible part number is a contradiction too (the lists would hide it).
  file.excludedPatterns.forEach((entry, i) => {
    const pattern = new RegExp(entry.pattern, 'i');
    const hits = eligible.filter((p) => pattern.test(p));
    if (hits.length > 0) {
      problems.push({ path: `excludedPatterns[${i}].pattern`, message: `/${entry.pattern}/ matches eligible part numbers (${hits.join(', ')}): make it narrower` });
    }
  });
  return problems;
}

/**
 * Validates the eligibility rules (the parsed JSON of `eligibility.json`), with cross-checks:
 * no part number listed twice or both eligible and excluded, no pattern catching an eligible part
 * number, thresholds in order (government ≤ minimum < migration performed < Exchange extra services).
 * @throws DataFileError naming every problem, e.g. `eligibility.json: thresholds.minimumSeats must be a positive whole number`.
 */
export function parseEligibilityRules(json: unknown): EligibilityRules {
  const file = validateDataFile(FILE, rulesSchema, json, crossCheckRules);
  return {
    thresholds: { ...file.thresholds },
    eligibleSkus: file.eligibleSkus.map((s) => ({ partNumber: s.partNumber, family: s.family, government: s.government })),
    excludedSkus: file.excludedSkus.map((s) => ({ partNumber: s.partNumber, reason: s.reason, product: s.product })),
    excludedPatterns: file.excludedPatterns.map((p) => ({ pattern: new RegExp(p.pattern, 'i'), reason: p.reason })),
    exchangeServicePlans: [...file.exchangeServicePlans],
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

export type RuleId = 'minimumSeats' | 'governmentMinimumSeats' | 'migrationPerformedSeats' | 'exchangeExtraServicesSeats';

/** One rule's verdict: `passed` is `actual >= required`. */
export interface RuleVerdict {
  id: RuleId;
  passed: boolean;
  actual: number;
  required: number;
}

export type MigrationTier = 'none' | 'guidance' | 'performed';

/** Seats that counted: the enabled units of a current, paid, eligible SKU. */
export interface CountedSku {
  skuId: string;
  partNumber: string;
  family: string;
  seats: number;
  government: boolean;
  /** True when the SKU includes an Exchange Online mailbox plan (its seats count towards `exchangeSeats`). */
  exchange: boolean;
}

/** Seats that did not count, and why. */
export interface ExcludedSku {
  skuId: string;
  partNumber: string;
  seats: number;
  reason: ExclusionReason;
}

export interface EligibilityResult {
  /** Every SKU appears here or in `excluded` (an `Enabled` eligible SKU may appear in both, for its grace/suspended units). */
  counted: CountedSku[];
  excluded: ExcludedSku[];
  /** `eligible`: all counted seats; `government`: the part of them on government plans. */
  seats: { eligible: number; government: number };
  /** True when the tenant is judged on the government threshold (every counted seat is a government plan). */
  government: boolean;
  /** In order: the applied minimum (`minimumSeats` or `governmentMinimumSeats`), `migrationPerformedSeats`, `exchangeExtraServicesSeats`. */
  rules: RuleVerdict[];
  eligible: boolean;
  migrationTier: MigrationTier;
  /** Counted seats whose SKU includes an Exchange Online plan of the rules' list. */
  exchangeSeats: number;
  exchangeExtraServices: boolean;
}

/** A unit count from Graph as a whole, non-negative number. */
const units = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

type Classification = { eligible: EligibleSkuRule } | { reason: ListedExclusionReason | 'unknown' };

function classify(sku: SubscribedSku, eligible: ReadonlyMap<string, EligibleSkuRule>, excluded: ReadonlyMap<string, ExcludedSkuRule>, rules: EligibilityRules): Classification {
  if (sku.isTrial) return { reason: 'trial' };
  const k = key(sku.skuPartNumber);
  const hit = eligible.get(k);
  if (hit) return { eligible: hit };
  const out = excluded.get(k);
  if (out) return { reason: out.reason };
  const pattern = rules.excludedPatterns.find((p) => p.pattern.test(sku.skuPartNumber));
  return { reason: pattern ? pattern.reason : 'unknown' };
}

/** Judges a tenant's subscribed SKUs against the rules; see the top of this file for how. */
export function evaluateEligibility(skus: readonly SubscribedSku[], rules: EligibilityRules): EligibilityResult {
  const eligibleByKey = new Map(rules.eligibleSkus.map((s) => [key(s.partNumber), s] as const));
  const excludedByKey = new Map(rules.excludedSkus.map((s) => [key(s.partNumber), s] as const));
  const exchangePlans = new Set(rules.exchangeServicePlans.map(key));
  const counted: CountedSku[] = [];
  const excluded: ExcludedSku[] = [];

  for (const sku of skus) {
    const base = { skuId: sku.skuId, partNumber: sku.skuPartNumber };
    const enabled = units(sku.enabledUnits);
    const warning = units(sku.warningUnits);
    const suspended = units(sku.suspendedUnits);
    const all = enabled + warning + suspended;
    const c = classify(sku, eligibleByKey, excludedByKey, rules);
    if ('reason' in c) {
      excluded.push({ ...base, seats: all, reason: c.reason });
      continue;
    }
    switch (sku.capabilityStatus) {
      case 'Enabled':
        counted.push({
          ...base,
          family: c.eligible.family,
          seats: enabled,
          government: c.eligible.government,
          exchange: sku.servicePlans.some((p) => exchangePlans.has(key(p))),
        });
        if (warning > 0) excluded.push({ ...base, seats: warning, reason: 'warning' });
        if (suspended > 0) excluded.push({ ...base, seats: suspended, reason: 'suspended' });
        break;
      case 'Warning':
        excluded.push({ ...base, seats: all, reason: 'warning' });
        break;
      case 'Suspended':
        excluded.push({ ...base, seats: all, reason: 'suspended' });
        break;
      default: // Deleted, LockedOut, or a status this code does not know: not current.
        excluded.push({ ...base, seats: all, reason: 'expired' });
    }
  }

  const eligibleSeats = counted.reduce((sum, c) => sum + c.seats, 0);
  const governmentSeats = counted.filter((c) => c.government).reduce((sum, c) => sum + c.seats, 0);
  const exchangeSeats = counted.filter((c) => c.exchange).reduce((sum, c) => sum + c.seats, 0);
  const government = eligibleSeats > 0 && governmentSeats === eligibleSeats;
  const t = rules.thresholds;
  const verdict = (id: RuleId, actual: number, required: number): RuleVerdict => ({ id, passed: actual >= required, actual, required });
  const minimum = government ? verdict('governmentMinimumSeats', eligibleSeats, t.governmentMinimumSeats) : verdict('minimumSeats', eligibleSeats, t.minimumSeats);
  const performed = verdict('migrationPerformedSeats', eligibleSeats, t.migrationPerformedSeats);
  const extra = verdict('exchangeExtraServicesSeats', exchangeSeats, t.exchangeExtraServicesSeats);

  return {
    counted,
    excluded,
    seats: { eligible: eligibleSeats, government: governmentSeats },
    government,
    rules: [minimum, performed, extra],
    eligible: minimum.passed,
    migrationTier: !minimum.passed ? 'none' : performed.passed ? 'performed' : 'guidance',
    exchangeSeats,
    exchangeExtraServices: extra.passed,
  };
}
