import assert from 'node:assert/strict';
import { SERVICE_PLANS, SKUS } from '../../bot/localTenant/catalog';
import { TENANTS, USERS } from '../../bot/localTenant/ids';
import { defaultSeed, deterministicGuid } from '../../bot/localTenant/seed';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the built-in local tenant seed', () => {
  const seed = defaultSeed(new Date('2025-06-01T12:00:00Z'));
  const allUsers = Object.values(seed.tenants).flatMap((t) => t.users);

  it('serves exactly the tenants and users that ids.ts names', () => {
    assert.deepEqual(Object.keys(seed.tenants).sort(), Object.values(TENANTS).sort());
    assert.deepEqual(allUsers.map((u) => u.id).sort(), Object.values(USERS).sort());
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
