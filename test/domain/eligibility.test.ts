import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError, evaluateEligibility, parseEligibilityRules, type EligibilityResult, type ExclusionReason } from '../../bot/domain/eligibility';
import type { SubscribedSku } from '../../bot/domain/tenant';
import { TENANTS } from '../../local/tenant/ids';
import { defaultSeed } from '../../local/tenant/seed';
import { fromSeed, seededSkus } from '../fixtures/seedSkus';

const shipped: unknown = JSON.parse(readFileSync(join(__dirname, '../../bot/data/eligibility.json'), 'utf8'));
const rules = parseEligibilityRules(shipped);

// Service plans of real SKUs (Microsoft's licensing reference), enough for the Exchange count.
const PLANS: Record<string, string[]> = {
  SPE_E3: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM'],
  SPE_E5: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM', 'AAD_PREMIUM_P2'],
  EMS: ['AAD_PREMIUM', 'MFA_PREMIUM', 'INTUNE_A', 'RMS_S_ENTERPRISE', 'RMS_S_PREMIUM'],
  ENTERPRISEPACK: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION'],
  EXCHANGESTANDARD: ['EXCHANGE_S_STANDARD'],
  ENTERPRISEPACK_GOV: ['EXCHANGE_S_ENTERPRISE_GOV', 'SHAREPOINTENTERPRISE_GOV', 'TEAMS_GOV', 'OFFICESUBSCRIPTION_GOV'],
  M365_G3_GOV: ['EXCHANGE_S_ENTERPRISE_GOV', 'SHAREPOINTENTERPRISE_GOV', 'TEAMS_GOV', 'OFFICESUBSCRIPTION_GOV', 'INTUNE_A'],
  FLOW_FREE: ['EXCHANGE_S_FOUNDATION', 'FLOW_P2_VIRAL'],
  POWER_BI_STANDARD: ['EXCHANGE_S_FOUNDATION', 'BI_AZURE_P0'],
  EXCHANGEARCHIVE_ADDON: ['EXCHANGE_S_ARCHIVE_ADDON'],
};

/** A subscribed SKU: `units` enabled, current, paid, unless told otherwise. */
function sku(partNumber: string, units: number, o: Partial<SubscribedSku> = {}): SubscribedSku {
  return {
    skuId: `id-${partNumber}`,
    skuPartNumber: partNumber,
    capabilityStatus: 'Enabled',
    enabledUnits: units,
    warningUnits: 0,
    suspendedUnits: 0,
    consumedUnits: 0,
    isTrial: false,
    servicePlans: PLANS[partNumber] ?? [],
    ...o,
  };
}


const seeded = seededSkus;
const excludedAs = (r: EligibilityResult) => r.excluded.map((x) => `${x.partNumber}:${x.seats}:${x.reason}`);
const countedAs = (r: EligibilityResult) => r.counted.map((c) => `${c.partNumber}:${c.seats}`);
const rule = (r: EligibilityResult, id: string) => r.rules.find((x) => x.id === id);

describe('eligibility rules file', () => {
  it('the shipped eligibility.json parses', () => {
    assert.equal(rules.thresholds.minimumSeats, 150);
    assert.equal(rules.thresholds.governmentMinimumSeats, 50);
    assert.ok(rules.eligibleSkus.some((s) => s.partNumber === 'SPE_E3' && !s.government));
    assert.ok(rules.eligibleSkus.some((s) => s.partNumber === 'M365_G5_GCC' && s.government));
    assert.ok(rules.excludedSkus.some((s) => s.partNumber === 'EXCHANGEARCHIVE_ADDON' && s.reason === 'archiveOnly'));
  });

  it('the shipped file lists every SKU the local tenant seeds, so none of them is judged unknown', () => {
    const seed = defaultSeed(new Date('2025-06-01T00:00:00Z'));
    for (const tenant of Object.values(seed.tenants)) {
      const result = evaluateEligibility(tenant.skus.map(fromSeed), rules);
      assert.deepEqual(result.excluded.filter((x) => x.reason === 'unknown'), []);
    }
  });

  const valid = shipped as Record<string, unknown> & { thresholds: Record<string, number>; eligibleSkus: unknown[]; excludedSkus: unknown[] };
  const broken: [string, unknown, RegExp][] = [
    ['a negative threshold', { ...valid, thresholds: { ...valid.thresholds, minimumSeats: -1 } }, /^eligibility\.json: thresholds\.minimumSeats must be a positive whole number$/m],
    ['a fractional threshold', { ...valid, thresholds: { ...valid.thresholds, governmentMinimumSeats: 49.5 } }, /thresholds\.governmentMinimumSeats must be a positive whole number/],
    ['a threshold given as text', { ...valid, thresholds: { ...valid.thresholds, migrationPerformedSeats: '500' } }, /thresholds\.migrationPerformedSeats must be a positive whole number/],
    ['a missing threshold', { ...valid, thresholds: { minimumSeats: 150, governmentMinimumSeats: 50, migrationPerformedSeats: 500 } }, /thresholds\.exchangeExtraServicesSeats is required/],
    ['a missing field', { ...valid, exchangeServicePlans: undefined }, /^eligibility\.json: exchangeServicePlans is required$/m],
    ['a misspelt key', { ...valid, thresholds: { ...valid.thresholds, minimumSeat: 150 } }, /thresholds has unknown key "minimumSeat"/],
    ['an eligible SKU without its family', { ...valid, eligibleSkus: [{ partNumber: 'SPE_E3', government: false }] }, /eligibleSkus\[0\]\.family is required/],
    ['an unknown reason', { ...valid, excludedSkus: [{ partNumber: 'FLOW_FREE', reason: 'cheap' }] }, /excludedSkus\[0\]\.reason must be one of "trial", "free"/],
    ['a part number with spaces', { ...valid, excludedSkus: [{ partNumber: 'FLOW FREE', reason: 'free' }] }, /excludedSkus\[0\]\.partNumber must be a part number/],
    ['an invalid pattern', { ...valid, excludedPatterns: [{ pattern: '(FREE', reason: 'free' }] }, /excludedPatterns\[0\]\.pattern is not a valid regular expression/],
    ['an empty eligible list', { ...valid, eligibleSkus: [] }, /eligibleSkus must list at least 1/],
    [
      'a duplicate part number',
      { ...valid, eligibleSkus: [...valid.eligibleSkus, { partNumber: 'spe_e3', family: 'Microsoft 365 E3', government: false }] },
      new RegExp(`eligibleSkus\\[${valid.eligibleSkus.length}\\]\\.partNumber "spe_e3" is listed twice \\(also at eligibleSkus\\[0\\]\\.partNumber\\)`),
    ],
    [
      'a SKU both eligible and excluded',
      { ...valid, excludedSkus: [...valid.excludedSkus, { partNumber: 'SPE_E5', reason: 'notEligible' }] },
      new RegExp(`excludedSkus\\[${valid.excludedSkus.length}\\]\\.partNumber "SPE_E5" is also eligible \\(eligibleSkus\\[2\\]\\)`),
    ],
    ['a pattern that catches an eligible SKU', { ...valid, excludedPatterns: [{ pattern: '^SPE_', reason: 'notEligible' }] }, /excludedPatterns\[0\]\.pattern \/\^SPE_\/ matches eligible part numbers \(SPE_E3, SPE_E5/],
    ['a government minimum above the minimum', { ...valid, thresholds: { ...valid.thresholds, governmentMinimumSeats: 151 } }, /thresholds\.governmentMinimumSeats \(151\) must not exceed thresholds\.minimumSeats \(150\)/],
    ['a migration threshold at the minimum', { ...valid, thresholds: { ...valid.thresholds, migrationPerformedSeats: 150 } }, /thresholds\.migrationPerformedSeats \(150\) must be greater than thresholds\.minimumSeats \(150\)/],
    ['an Exchange threshold below the migration one', { ...valid, thresholds: { ...valid.thresholds, exchangeExtraServicesSeats: 400 } }, /thresholds\.exchangeExtraServicesSeats \(400\) must be greater than/],
    ['a file that is not an object', [], /^eligibility\.json: the file must be an object$/],
  ];
  for (const [what, json, message] of broken) {
    it(`rejects ${what}, naming the path`, () => {
      assert.throws(() => parseEligibilityRules(json), (e: unknown) => e instanceof DataFileError && message.test(e.message));
    });
  }

  it('reports every problem of a file at once, one a line', () => {
    const error = (() => {
      try {
        parseEligibilityRules({ ...valid, thresholds: { ...valid.thresholds, minimumSeats: 0 }, eligibleSkus: 'SPE_E3' });
      } catch (e) {
        return e as DataFileError;
      }
      return undefined;
    })();
    assert.ok(error instanceof DataFileError);
    assert.deepEqual(error.problems.map((p) => p.path), ['thresholds.minimumSeats', 'eligibleSkus']);
    assert.equal(error.message.split('\n').length, 2);
  });
});

describe('eligibility evaluation', () => {
  const table: { name: string; skus: SubscribedSku[]; eligible: boolean; seats: number; tier: string; excluded?: string[] }[] = [
    { name: 'exactly 150 eligible seats are eligible, with migration guidance', skus: [sku('SPE_E3', 150)], eligible: true, seats: 150, tier: 'guidance' },
    { name: '149 eligible seats are not', skus: [sku('SPE_E3', 149)], eligible: false, seats: 149, tier: 'none' },
    {
      name: '149 seats and a trial of 50 are not eligible: the trial never counts, even of an eligible part number',
      skus: [sku('SPE_E3', 149), sku('SPE_E5', 50, { isTrial: true })],
      eligible: false,
      seats: 149,
      tier: 'none',
      excluded: ['SPE_E5:50:trial'],
    },
    {
      name: 'E3, E5 and EMS seats add up',
      skus: [sku('SPE_E3', 100), sku('SPE_E5', 30), sku('EMS', 20)],
      eligible: true,
      seats: 150,
      tier: 'guidance',
    },
    { name: '499 seats get guidance', skus: [sku('SPE_E3', 499)], eligible: true, seats: 499, tier: 'guidance' },
    { name: '500 seats get the migration performed', skus: [sku('SPE_E3', 500)], eligible: true, seats: 500, tier: 'performed' },
    {
      name: 'a suspended SKU never counts',
      skus: [sku('SPE_E3', 100), sku('ENTERPRISEPACK', 0, { capabilityStatus: 'Suspended', suspendedUnits: 100 })],
      eligible: false,
      seats: 100,
      tier: 'none',
      excluded: ['ENTERPRISEPACK:100:suspended'],
    },
    {
      name: 'a SKU in its grace period (Warning) does not count',
      skus: [sku('SPE_E3', 100), sku('SPE_E5', 0, { capabilityStatus: 'Warning', warningUnits: 60 })],
      eligible: false,
      seats: 100,
      tier: 'none',
      excluded: ['SPE_E5:60:warning'],
    },
    {
      name: 'an enabled SKU counts its enabled units only; its grace-period and suspended units are listed apart',
      skus: [sku('SPE_E3', 150, { warningUnits: 20, suspendedUnits: 5 })],
      eligible: true,
      seats: 150,
      tier: 'guidance',
      excluded: ['SPE_E3:20:warning', 'SPE_E3:5:suspended'],
    },
    {
      name: 'deleted and locked-out SKUs are expired',
      skus: [sku('SPE_E3', 200, { capabilityStatus: 'Deleted' }), sku('SPE_E5', 300, { capabilityStatus: 'LockedOut' })],
      eligible: false,
      seats: 0,
      tier: 'none',
      excluded: ['SPE_E3:200:expired', 'SPE_E5:300:expired'],
    },
    {
      name: 'a capability status Graph may add later is treated as not current',
      skus: [sku('SPE_E3', 200, { capabilityStatus: 'Frozen' })],
      eligible: false,
      seats: 0,
      tier: 'none',
      excluded: ['SPE_E3:200:expired'],
    },
    {
      name: 'free SKUs with huge unit counts never count',
      skus: [sku('SPE_E3', 10), sku('FLOW_FREE', 10_000), sku('POWER_BI_STANDARD', 1_000_000), sku('TEAMS_EXPLORATORY', 5000)],
      eligible: false,
      seats: 10,
      tier: 'none',
      excluded: ['FLOW_FREE:10000:free', 'POWER_BI_STANDARD:1000000:free', 'TEAMS_EXPLORATORY:5000:free'],
    },
    {
      name: 'unknown SKUs are listed as unknown and never counted',
      skus: [sku('SPE_E3', 100), sku('CONTOSO_CUSTOM_BUNDLE', 5000)],
      eligible: false,
      seats: 100,
      tier: 'none',
      excluded: ['CONTOSO_CUSTOM_BUNDLE:5000:unknown'],
    },
    {
      name: 'archiving, no-cost, not-eligible and developer SKUs are listed with their reasons',
      skus: [
        sku('EXCHANGEARCHIVE_ADDON', 500),
        sku('STANDARDWOFFPACK_STUDENT', 5000),
        sku('VISIOCLIENT', 300),
        sku('DEVELOPERPACK_E5', 25),
        sku('M365EDU_A5_NOPSTNCONF_STUUSEBNFT', 800),
        sku('SOMETHING_TRIAL', 1000),
        sku('O365_BUSINESS_IUR', 200),
      ],
      eligible: false,
      seats: 0,
      tier: 'none',
      excluded: [
        'EXCHANGEARCHIVE_ADDON:500:archiveOnly',
        'STANDARDWOFFPACK_STUDENT:5000:noCost',
        'VISIOCLIENT:300:notEligible',
        'DEVELOPERPACK_E5:25:free',
        'M365EDU_A5_NOPSTNCONF_STUUSEBNFT:800:noCost',
        'SOMETHING_TRIAL:1000:trial',
        'O365_BUSINESS_IUR:200:internalUse',
      ],
    },
    { name: 'part numbers match whatever their case', skus: [sku('spe_e3', 150)], eligible: true, seats: 150, tier: 'guidance' },
    { name: 'a tenant with no SKUs is not eligible', skus: [], eligible: false, seats: 0, tier: 'none' },
  ];
  for (const t of table) {
    it(t.name, () => {
      const result = evaluateEligibility(t.skus, rules);
      assert.equal(result.eligible, t.eligible);
      assert.equal(result.seats.eligible, t.seats);
      assert.equal(result.migrationTier, t.tier);
      assert.deepEqual(excludedAs(result), t.excluded ?? []);
    });
  }

  const boundaries: [number, boolean, string, boolean][] = [
    [149, false, 'none', false],
    [150, true, 'guidance', false],
    [499, true, 'guidance', false],
    [500, true, 'performed', true],
  ];
  for (const [seats, eligible, tier, performed] of boundaries) {
    it(`${seats} seats: ${eligible ? 'eligible' : 'not eligible'}, migration tier ${tier}, with the numbers of every rule`, () => {
      const result = evaluateEligibility([sku('SPE_E3', seats)], rules);
      assert.equal(result.migrationTier, tier);
      assert.deepEqual(result.rules, [
        { id: 'minimumSeats', passed: eligible, actual: seats, required: 150 },
        { id: 'migrationPerformedSeats', passed: performed, actual: seats, required: 500 },
        { id: 'exchangeExtraServicesSeats', passed: false, actual: seats, required: 20000 },
      ]);
    });
  }

  const government: [string, SubscribedSku[], boolean, boolean, string][] = [
    ['50 government seats are eligible on the government threshold', [sku('ENTERPRISEPACK_GOV', 50)], true, true, 'guidance'],
    ['49 government seats are not', [sku('ENTERPRISEPACK_GOV', 49)], true, false, 'none'],
    ['government seats of several plans add up', [sku('ENTERPRISEPACK_GOV', 30), sku('M365_G3_GOV', 20)], true, true, 'guidance'],
    ['government seats with any commercial seat are judged on the commercial threshold', [sku('ENTERPRISEPACK_GOV', 60), sku('SPE_E3', 10)], false, false, 'none'],
    ['500 government seats get the migration performed', [sku('M365_G3_GOV', 500)], true, true, 'performed'],
  ];
  for (const [name, skus, isGovernment, eligible, tier] of government) {
    it(name, () => {
      const result = evaluateEligibility(skus, rules);
      assert.equal(result.government, isGovernment);
      assert.equal(result.eligible, eligible);
      assert.equal(result.migrationTier, tier);
      assert.equal(result.rules[0]!.id, isGovernment ? 'governmentMinimumSeats' : 'minimumSeats');
      assert.equal(result.rules[0]!.required, isGovernment ? 50 : 150);
    });
  }

  it('counts government seats apart from the others', () => {
    const result = evaluateEligibility([sku('ENTERPRISEPACK_GOV', 60), sku('SPE_E3', 100)], rules);
    assert.deepEqual(result.seats, { eligible: 160, government: 60 });
    assert.equal(result.government, false);
    assert.equal(result.eligible, true);
  });

  const exchange: [number, boolean][] = [
    [19_999, false],
    [20_000, true],
  ];
  for (const [seats, extra] of exchange) {
    it(`${seats.toLocaleString('en-US')} Exchange Online seats ${extra ? 'open' : 'do not open'} the additional FastTrack Center services`, () => {
      const result = evaluateEligibility([sku('SPE_E3', seats - 100), sku('EXCHANGESTANDARD', 100), sku('EMS', 5000)], rules);
      assert.equal(result.exchangeSeats, seats);
      assert.equal(result.exchangeExtraServices, extra);
      assert.deepEqual(rule(result, 'exchangeExtraServicesSeats'), { id: 'exchangeExtraServicesSeats', passed: extra, actual: seats, required: 20000 });
    });
  }

  it('counts Exchange seats only from counted SKUs with a mailbox plan (not Exchange Foundation, not archiving)', () => {
    const result = evaluateEligibility(
      [sku('SPE_E3', 300), sku('EMS', 200), sku('FLOW_FREE', 10_000), sku('EXCHANGEARCHIVE_ADDON', 300), sku('EXCHANGESTANDARD', 50, { isTrial: true })],
      rules,
    );
    assert.equal(result.exchangeSeats, 300);
    assert.deepEqual(result.counted.map((c) => [c.partNumber, c.exchange]), [['SPE_E3', true], ['EMS', false]]);
  });

  it('is deterministic: rows follow the SKU order and the same input gives the same result', () => {
    const skus = [sku('EMS', 20), sku('FLOW_FREE', 10_000), sku('SPE_E3', 100), sku('SPE_E5', 30)];
    const first = evaluateEligibility(skus, rules);
    assert.deepEqual(countedAs(first), ['EMS:20', 'SPE_E3:100', 'SPE_E5:30']);
    assert.deepEqual(evaluateEligibility(skus, rules), first);
  });

  it('gives the family of each counted SKU', () => {
    const result = evaluateEligibility([sku('SPE_E3', 1), sku('EMSPREMIUM', 1), sku('WIN10_VDA_E5', 1)], rules);
    assert.deepEqual(result.counted.map((c) => c.family), ['Microsoft 365 E3', 'Enterprise Mobility + Security E5', 'Windows Enterprise E5']);
  });

  it('treats negative or non-numeric unit counts as zero', () => {
    const result = evaluateEligibility([sku('SPE_E3', -5), sku('SPE_E5', Number.NaN), sku('EMS', 150.7)], rules);
    assert.equal(result.seats.eligible, 150);
  });

  it('follows rules other than the shipped ones', () => {
    const strict = parseEligibilityRules({
      ...(shipped as object),
      thresholds: { minimumSeats: 300, governmentMinimumSeats: 100, migrationPerformedSeats: 1000, exchangeExtraServicesSeats: 50_000 },
    });
    const result = evaluateEligibility([sku('SPE_E3', 299)], strict);
    assert.equal(result.eligible, false);
    assert.deepEqual(result.rules[0], { id: 'minimumSeats', passed: false, actual: 299, required: 300 });
  });
});

describe('eligibility of the seeded tenants', () => {
  it('Contoso: 2,000 seats of E3, E5 and EMS are eligible with the migration performed; free and suspended SKUs do not count', () => {
    const result = evaluateEligibility(seeded(TENANTS.contoso), rules);
    assert.equal(result.eligible, true);
    assert.equal(result.government, false);
    assert.deepEqual(countedAs(result), ['SPE_E3:1500', 'SPE_E5:300', 'EMS:200']);
    assert.deepEqual(result.seats, { eligible: 2000, government: 0 });
    assert.deepEqual(excludedAs(result), ['FLOW_FREE:10000:free', 'POWER_BI_STANDARD:1000000:free', 'ENTERPRISEPACK:100:suspended']);
    assert.equal(result.migrationTier, 'performed');
    assert.equal(result.exchangeSeats, 1800);
    assert.equal(result.exchangeExtraServices, false);
  });

  it('Northwind: 40 paid seats are not eligible; the E5 Developer trial is listed as a trial', () => {
    const result = evaluateEligibility(seeded(TENANTS.northwind), rules);
    assert.equal(result.eligible, false);
    // The paid SKU is whichever business plan the seed gives Northwind; its 40 seats are what matter.
    assert.equal(result.seats.eligible, 40);
    assert.deepEqual(excludedAs(result), ['DEVELOPERPACK_E5:25:trial']);
    assert.equal(result.migrationTier, 'none');
    assert.deepEqual(rule(result, 'minimumSeats'), { id: 'minimumSeats', passed: false, actual: 40, required: 150 });
  });

  it('Tailspin: exactly 150 seats are eligible for guidance; its trial, suspended and grace-period seats do not count', () => {
    const result = evaluateEligibility(seeded(TENANTS.tailspin), rules);
    assert.equal(result.eligible, true);
    assert.equal(result.seats.eligible, 150);
    assert.equal(result.migrationTier, 'guidance');
    const reasons = new Set<ExclusionReason>(result.excluded.map((x) => x.reason));
    assert.deepEqual([...reasons].sort(), ['suspended', 'trial', 'warning']);
  });
});
