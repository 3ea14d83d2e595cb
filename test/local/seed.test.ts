import assert from 'node:assert/strict';
import { SERVICE_PLANS, SKUS } from '../../local/tenant/catalog';
import { ROLE_TEMPLATES, SERVICE_PRINCIPALS, TENANTS, USERS } from '../../local/tenant/ids';
import { PARTNER_TENANTS, PARTNER_USERS } from '../../local/tenant/partners';
import { defaultSeed, deterministicGuid, type SeedSku } from '../../local/tenant/seed';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the built-in local tenant seed', () => {
  const seed = defaultSeed(new Date('2025-06-01T12:00:00Z'));
  const allUsers = Object.values(seed.tenants).flatMap((t) => t.users);

  it('serves exactly the tenants and users that ids.ts names', () => {
    assert.deepEqual(Object.keys(seed.tenants).sort(), [...Object.values(TENANTS), ...Object.values(PARTNER_TENANTS)].sort());
    // The staff tenant's accounts are derived from centers.json instead (test/local/staff.test.ts).
    const named = Object.entries(seed.tenants).flatMap(([id, t]) => (id === TENANTS.fastTrack ? [] : t.users));
    assert.deepEqual(named.map((u) => u.id).sort(), [...Object.values(USERS), ...Object.values(PARTNER_USERS)].sort());
  });

  it('gives every user a Windows time zone name, never an IANA one, as Graph does by default', () => {
    for (const user of allUsers) {
      const tz = user.mailboxSettings?.timeZone ?? '';
      assert.match(tz, /Standard Time$/, `${user.userPrincipalName}: ${tz}`);
      assert.equal(user.mailboxSettings?.workingHours.timeZone.name, tz);
      assert.match(user.mailboxSettings?.workingHours.startTime ?? '', /^\d{2}:\d{2}:\d{2}\.0{7}$/);
    }
  });

  it('keeps user principal names unique and within a domain the user\'s tenant has verified', () => {
    for (const tenant of Object.values(seed.tenants)) {
      const domains = new Set(tenant.domains.filter((d) => d.isVerified).map((d) => d.id));
      for (const user of tenant.users) assert.ok(domains.has(user.userPrincipalName.split('@')[1]!), user.userPrincipalName);
    }
    assert.equal(new Set(allUsers.map((u) => u.userPrincipalName)).size, allUsers.length);
  });

  it('gives each tenant exactly one default and one initial domain', () => {
    for (const tenant of Object.values(seed.tenants)) {
      assert.equal(tenant.domains.filter((d) => d.isDefault).length, 1);
      assert.equal(tenant.domains.filter((d) => d.isInitial).length, 1);
    }
  });

  it('takes every SKU and service plan id from the licensing catalog', () => {
    const planIds = new Set<string>(Object.values(SERVICE_PLANS));
    for (const tenant of Object.values(seed.tenants)) {
      for (const sku of tenant.skus) {
        assert.equal(SKUS[sku.skuPartNumber as keyof typeof SKUS]?.skuId, sku.skuId, sku.skuPartNumber);
        for (const plan of sku.servicePlans) assert.ok(planIds.has(plan.servicePlanId), plan.servicePlanName);
      }
    }
  });

  it('gives every SKU the service plans the real product carries', () => {
    const plansOf = (sku: SeedSku): Set<string> => new Set(sku.servicePlans.map((p) => p.servicePlanName));
    // What the bot derives its offer from: mail, sites and files, Teams, Office apps, device management, identity.
    const expected: Record<string, { has: string[]; lacks: string[] }> = {
      SPE_E3: { has: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'MCOSTANDARD', 'OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM'], lacks: ['AAD_PREMIUM_P2'] },
      SPE_E5: { has: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM', 'AAD_PREMIUM_P2', 'MCOEV'], lacks: [] },
      EMS: { has: ['INTUNE_A', 'AAD_PREMIUM', 'MFA_PREMIUM'], lacks: ['EXCHANGE_S_ENTERPRISE', 'EXCHANGE_S_STANDARD', 'TEAMS1', 'OFFICESUBSCRIPTION'] },
      ENTERPRISEPACK: { has: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION'], lacks: ['INTUNE_A', 'AAD_PREMIUM'] },
      STANDARDPACK: { has: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'TEAMS1', 'OFFICEMOBILE_SUBSCRIPTION'], lacks: ['OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM'] },
      O365_BUSINESS_PREMIUM: { has: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'TEAMS1', 'OFFICE_BUSINESS'], lacks: ['INTUNE_A', 'AAD_PREMIUM'] },
      SPB: { has: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'TEAMS1', 'OFFICE_BUSINESS', 'INTUNE_A', 'AAD_PREMIUM'], lacks: ['AAD_PREMIUM_P2'] },
      DEVELOPERPACK_E5: { has: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM_P2'], lacks: [] },
      FLOW_FREE: { has: ['FLOW_P2_VIRAL'], lacks: ['EXCHANGE_S_ENTERPRISE', 'EXCHANGE_S_STANDARD', 'TEAMS1'] },
      POWER_BI_STANDARD: { has: ['BI_AZURE_P0'], lacks: ['EXCHANGE_S_ENTERPRISE', 'EXCHANGE_S_STANDARD', 'TEAMS1'] },
    };
    for (const tenant of Object.values(seed.tenants)) {
      for (const sku of tenant.skus) {
        const rule = expected[sku.skuPartNumber];
        assert.ok(rule, `no expectation for ${sku.skuPartNumber}`);
        const plans = plansOf(sku);
        for (const name of rule.has) assert.ok(plans.has(name), `${sku.skuPartNumber} carries ${name}`);
        for (const name of rule.lacks) assert.ok(!plans.has(name), `${sku.skuPartNumber} does not carry ${name}`);
        assert.ok(sku.servicePlans.every((p) => p.provisioningStatus === 'Success'));
      }
    }
    // Northwind's business plan: Exchange, SharePoint and Teams, but no Intune anywhere in the tenant.
    const northwind = seed.tenants[TENANTS.northwind]!.skus.find((s) => !s.subscriptions.some((x) => x.isTrial))!;
    assert.equal(northwind.skuPartNumber, 'O365_BUSINESS_PREMIUM');
  });

  it('seeds Tailspin Toys with exactly 150 paid, enabled, non-trial seats and the seats that must not count', () => {
    const tailspin = seed.tenants[TENANTS.tailspin]!;
    assert.equal(tailspin.organization.displayName, 'Tailspin Toys');
    assert.equal(tailspin.organization.countryLetterCode, 'GB');
    assert.notEqual(tailspin.organization.onPremisesSyncEnabled, true);
    assert.deepEqual(
      tailspin.domains.map((d) => [d.id, d.isInitial, d.isDefault, d.authenticationType]),
      [
        ['tailspintoys.onmicrosoft.com', true, false, 'Managed'],
        ['tailspintoys.com', false, true, 'Managed'],
      ],
    );
    const trial = (s: SeedSku): boolean => s.subscriptions.some((x) => x.isTrial);
    const paid = tailspin.skus.filter((s) => s.capabilityStatus === 'Enabled' && !trial(s));
    assert.deepEqual(paid.map((s) => [s.skuPartNumber, s.prepaidUnits.enabled]), [['SPB', 100], ['STANDARDPACK', 50]]);
    assert.equal(paid.reduce((n, s) => n + s.prepaidUnits.enabled, 0), 150);

    const others = tailspin.skus.filter((s) => !paid.includes(s));
    assert.deepEqual(
      others.map((s) => [s.skuPartNumber, s.capabilityStatus, s.prepaidUnits, trial(s)]),
      [
        ['SPE_E5', 'Enabled', { enabled: 25, suspended: 0, warning: 0, lockedOut: 0 }, true],
        ['ENTERPRISEPACK', 'Suspended', { enabled: 0, suspended: 30, warning: 0, lockedOut: 0 }, false],
        ['O365_BUSINESS_PREMIUM', 'Warning', { enabled: 0, suspended: 0, warning: 20, lockedOut: 0 }, false],
      ],
    );
    // A naive count of enabled units on Enabled SKUs by part number alone would say 175.
    assert.equal(tailspin.skus.filter((s) => s.capabilityStatus === 'Enabled').reduce((n, s) => n + s.prepaidUnits.enabled, 0), 175);
    for (const sku of tailspin.skus) assert.equal(sku.subscriptions[0]?.status, sku.capabilityStatus);
    assert.equal(tailspin.skus.find((s) => s.skuPartNumber === 'SPE_E5')?.subscriptions[0]?.nextLifecycleDateTime, '2025-06-11T12:00:00Z');

    const [kim, lee] = tailspin.users;
    assert.deepEqual([kim?.id, kim?.displayName, kim?.preferredLanguage, kim?.mailboxSettings?.timeZone, kim?.directoryRoleTemplateIds], [
      USERS.kim, 'Kim Abercrombie', 'en-US', 'Central Standard Time', [ROLE_TEMPLATES.globalAdministrator],
    ]);
    assert.deepEqual([lee?.id, lee?.displayName, lee?.directoryRoleTemplateIds], [USERS.lee, 'Lee Gu', []]);
  });

  it('spreads Contoso\'s admin roles: Megan and 李伟 Global, Alex Exchange only, an app Exchange too, the rest none', () => {
    const contoso = seed.tenants[TENANTS.contoso]!;
    const roles = Object.fromEntries(contoso.users.map((u) => [u.id, u.directoryRoleTemplateIds]));
    assert.deepEqual(roles, {
      [USERS.megan]: [ROLE_TEMPLATES.globalAdministrator],
      [USERS.liwei]: [ROLE_TEMPLATES.globalAdministrator],
      [USERS.adele]: [],
      [USERS.alex]: [ROLE_TEMPLATES.exchangeAdministrator],
      [USERS.priya]: [],
      [USERS.sita]: [],
    });
    assert.deepEqual(contoso.servicePrincipals?.map((sp) => [sp.id, sp.directoryRoleTemplateIds]), [
      [SERVICE_PRINCIPALS.contosoMailMigration, [ROLE_TEMPLATES.exchangeAdministrator]],
    ]);
  });

  it('anchors the Northwind trial to the given date', () => {
    const trial = seed.tenants[TENANTS.northwind]!.skus.find((s) => s.skuPartNumber === 'DEVELOPERPACK_E5')!;
    assert.equal(trial.subscriptions[0]?.isTrial, true);
    assert.equal(trial.subscriptions[0]?.createdDateTime, '2025-05-22T12:00:00Z');
  });

  it('returns a fresh copy on every call', () => {
    const a = defaultSeed();
    a.tenants[TENANTS.contoso]!.users.pop();
    assert.equal(defaultSeed().tenants[TENANTS.contoso]!.users.length, 6);
  });

  it('derives stable GUIDs from their parts', () => {
    const id = deterministicGuid('directoryRole', TENANTS.contoso, 'x');
    assert.match(id, GUID);
    assert.equal(deterministicGuid('directoryRole', TENANTS.contoso, 'x'), id);
    assert.notEqual(deterministicGuid('directoryRole', TENANTS.northwind, 'x'), id);
  });
});
