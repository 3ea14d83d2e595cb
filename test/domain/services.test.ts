import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError } from '../../bot/domain/eligibility';
import { evaluateMigration, type MigrationDecision, type MigrationRequest } from '../../bot/domain/migration';
import { migrationKindsFor, parseServiceCatalog, PREREQUISITE_IDS, prerequisitesFor, SERVICE_IDS, servicesForTenant } from '../../bot/domain/services';
import type { SubscribedSku } from '../../bot/domain/tenant';
import { TENANTS } from '../../local/tenant/ids';
import { seededSkus } from '../fixtures/seedSkus';

const shipped = JSON.parse(readFileSync(join(__dirname, '../../bot/data/services.json'), 'utf8')) as { services: Record<string, unknown>[] };
const catalog = parseServiceCatalog(shipped);

function sku(partNumber: string, servicePlans: string[], o: Partial<SubscribedSku> = {}): SubscribedSku {
  return {
    skuId: `id-${partNumber}`,
    skuPartNumber: partNumber,
    capabilityStatus: 'Enabled',
    enabledUnits: 10,
    warningUnits: 0,
    suspendedUnits: 0,
    consumedUnits: 0,
    isTrial: false,
    servicePlans,
    ...o,
  };
}

const seeded = seededSkus;

describe('service catalog file', () => {
  it('the shipped services.json parses, with every service once, in order', () => {
    assert.deepEqual(catalog.services.map((s) => s.id), ['exchange', 'sharepoint', 'onedrive', 'teams', 'apps', 'intune', 'entra']);
    assert.deepEqual([...SERVICE_IDS].sort(), catalog.services.map((s) => s.id).sort());
  });

  it('says which services take an email or a file migration', () => {
    assert.deepEqual(catalog.services.filter((s) => s.migration).map((s) => `${s.id}:${s.migration}`), ['exchange:email', 'sharepoint:files', 'onedrive:files']);
  });

  it('brings OneDrive with every SharePoint plan', () => {
    const plans = (id: string) => catalog.services.find((s) => s.id === id)!.servicePlans;
    for (const plan of plans('sharepoint')) assert.ok(plans('onedrive').includes(plan), plan);
  });

  it('uses every prerequisite it defines', () => {
    const used = new Set(catalog.services.flatMap((s) => s.prerequisites));
    assert.deepEqual(PREREQUISITE_IDS.filter((p) => !used.has(p)), []);
  });

  const service = (i: number, change: Record<string, unknown>) => ({ ...shipped, services: shipped.services.map((s, j) => (i === j ? { ...s, ...change } : s)) });
  const broken: [string, unknown, RegExp][] = [
    ['a service listed twice', service(1, { id: 'exchange' }), /^services\.json: services\[1\]\.id "exchange" is listed twice \(also at services\[0\]\.id\)/m],
    ['an unknown service id', service(2, { id: 'minecraft' }), /services\[2\]\.id must be one of "exchange", "sharepoint"/],
    ['an unknown prerequisite', service(0, { prerequisites: ['mxRecord', 'mxRecrod'] }), /services\[0\]\.prerequisites\[1\] must be one of "mxRecord"/],
    ['a prerequisite listed twice', service(0, { prerequisites: ['mxRecord', 'mxRecord'] }), /services\[0\]\.prerequisites\[1\] "mxRecord" is listed twice/],
    ['a service plan listed twice', service(3, { servicePlans: ['TEAMS1', 'teams1'] }), /services\[3\]\.servicePlans\[1\] "teams1" is listed twice/],
    ['a service without plans', service(4, { servicePlans: [] }), /services\[4\]\.servicePlans must list at least 1/],
    ['a service without its plans field', service(4, { servicePlans: undefined }), /services\[4\]\.servicePlans is required/],
    ['an unknown migration kind', service(0, { migration: 'pst' }), /services\[0\]\.migration must be one of "email", "files"/],
    ['a misspelt key', service(5, { prerequisite: [] }), /services\[5\] has unknown key "prerequisite"/],
    ['a file without services', {}, /^services\.json: services is required$/],
  ];
  for (const [what, json, message] of broken) {
    it(`rejects ${what}, naming the path`, () => {
      assert.throws(() => parseServiceCatalog(json), (e: unknown) => e instanceof DataFileError && message.test(e.message));
    });
  }
});

describe('services for a tenant', () => {
  it("Contoso's SKUs give every service, in catalog order", () => {
    assert.deepEqual(servicesForTenant(seeded(TENANTS.contoso), catalog), ['exchange', 'sharepoint', 'onedrive', 'teams', 'apps', 'intune', 'entra']);
  });

  it("Contoso's free SKUs alone give nothing (Exchange Foundation is not a mailbox)", () => {
    const free = seeded(TENANTS.contoso).filter((s) => s.skuPartNumber === 'FLOW_FREE' || s.skuPartNumber === 'POWER_BI_STANDARD');
    assert.equal(free.length, 2);
    assert.deepEqual(servicesForTenant(free, catalog), []);
  });

  it('a trial-only tenant gets no service from its trial', () => {
    const trial = seeded(TENANTS.northwind).filter((s) => s.isTrial);
    assert.equal(trial.length, 1);
    assert.deepEqual(servicesForTenant(trial, catalog), []);
  });

  const E3 = ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION'];
  const table: [string, SubscribedSku[], string[]][] = [
    ['Office 365 E3 gives Exchange, SharePoint, OneDrive, Teams and the apps', [sku('ENTERPRISEPACK', E3)], ['exchange', 'sharepoint', 'onedrive', 'teams', 'apps']],
    ['a standalone OneDrive SKU gives OneDrive only', [sku('WACONEDRIVESTANDARD', ['ONEDRIVESTANDARD', 'SHAREPOINTWAC'])], ['onedrive']],
    ['EMS E3 gives Intune and Entra', [sku('EMS', ['AAD_PREMIUM', 'MFA_PREMIUM', 'INTUNE_A'])], ['intune', 'entra']],
    ['a SKU in its grace period still gives its services', [sku('EXCHANGESTANDARD', ['EXCHANGE_S_STANDARD'], { capabilityStatus: 'Warning', enabledUnits: 0, warningUnits: 10 })], ['exchange']],
    ['a suspended SKU gives nothing', [sku('ENTERPRISEPACK', E3, { capabilityStatus: 'Suspended', enabledUnits: 0, suspendedUnits: 10 })], []],
    ['a deleted SKU gives nothing', [sku('ENTERPRISEPACK', E3, { capabilityStatus: 'Deleted' })], []],
    ['a SKU with no units gives nothing', [sku('ENTERPRISEPACK', E3, { enabledUnits: 0 })], []],
    ['a trial of a paid part number gives nothing', [sku('SPE_E5', E3, { isTrial: true })], []],
    ['plan names match whatever their case', [sku('X', ['teams1'])], ['teams']],
    ['no SKUs give nothing', [], []],
  ];
  for (const [name, skus, expected] of table) {
    it(name, () => assert.deepEqual(servicesForTenant(skus, catalog), expected));
  }

  it('lists the prerequisites and migrations of the chosen services, each once', () => {
    assert.deepEqual(prerequisitesFor(['teams', 'exchange'], catalog), ['mxRecord', 'autodiscoverRecord', 'spfRecord', 'licensesAssigned', 'network', 'exchangeForCalendar', 'sharepointForFiles']);
    assert.deepEqual(migrationKindsFor(['onedrive', 'teams', 'sharepoint'], catalog), ['files']);
    assert.deepEqual(migrationKindsFor(['apps'], catalog), []);
  });
});

describe('data migration', () => {
  const decision = (allowed: boolean, mode: MigrationDecision['mode'], refused: MigrationDecision['refused'] = []): MigrationDecision => ({
    allowed,
    refused,
    mode,
    showDataLocationNotice: mode === 'performed',
  });
  const table: [string, MigrationRequest, 'none' | 'guidance' | 'performed', MigrationDecision][] = [
    ['Gmail at 500+ seats is performed by FastTrack, with the data-location notice', { emailSource: 'gmail', mailboxes: 600, emailSizeGb: 900 }, 'performed', decision(true, 'performed')],
    ['file shares at 150–499 seats get guidance, without the notice', { fileSource: 'fileShares', fileSizeTb: 2 }, 'guidance', decision(true, 'guidance')],
    ['email and files together follow the tier', { emailSource: 'exchangeOnPremises', fileSource: 'box' }, 'guidance', decision(true, 'guidance')],
    ['tenant-to-tenant email is refused', { emailSource: 'otherTenant', mailboxes: 800 }, 'performed', decision(false, 'notAvailable', ['tenantToTenant'])],
    ['tenant-to-tenant files are refused', { fileSource: 'otherTenant' }, 'guidance', decision(false, 'notAvailable', ['tenantToTenant'])],
    ['tenant-to-tenant is refused once even for both sides', { emailSource: 'otherTenant', fileSource: 'otherTenant' }, 'performed', decision(false, 'notAvailable', ['tenantToTenant'])],
    ['the rest of a request is allowed when tenant-to-tenant is refused', { emailSource: 'imap', fileSource: 'otherTenant' }, 'performed', decision(true, 'performed', ['tenantToTenant'])],
    ['nothing is available below the minimum', { emailSource: 'gmail', fileSource: 'dropbox' }, 'none', decision(false, 'notAvailable')],
    ['nothing asked, nothing to migrate', { emailSource: 'none', fileSource: 'none' }, 'performed', decision(false, 'notAvailable')],
    ['an empty request migrates nothing', {}, 'guidance', decision(false, 'notAvailable')],
  ];
  for (const [name, request, tier, expected] of table) {
    it(name, () => assert.deepEqual(evaluateMigration(request, tier), expected));
  }
});
