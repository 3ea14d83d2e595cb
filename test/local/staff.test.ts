import assert from 'node:assert/strict';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { TENANTS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { defaultSeed } from '../../local/tenant/seed';
import { STAFF_DOMAIN, staffCenters, staffUserId } from '../../local/tenant/staff';

describe('the local FastTrack staff tenant', () => {
  const centers = staffCenters();
  const staff = defaultSeed(new Date('2026-03-02T12:00:00Z')).tenants[TENANTS.fastTrack]!;

  it('is the pinned staff tenant f4571ac0-0000-4000-8000-000000000005, named FastTrack', () => {
    assert.equal(TENANTS.fastTrack, 'f4571ac0-0000-4000-8000-000000000005');
    assert.equal(staff.organization.displayName, 'FastTrack');
  });

  it('has an account for every person of centers.json, with the same name and e-mail, and nobody else', () => {
    assert.equal(staff.users.length, centers.people.length);
    assert.deepEqual(
      staff.users.map((u) => [u.id, u.displayName, u.userPrincipalName, u.mail]),
      centers.people.map((p) => [staffUserId(p.id), p.name, p.email, p.email]),
    );
    assert.ok(staff.users.every((u) => u.userPrincipalName.endsWith(`@${STAFF_DOMAIN}`)));
  });

  it('derives the account ids from the person ids: stable, distinct, GUIDs', () => {
    const ids = staff.users.map((u) => u.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(defaultSeed().tenants[TENANTS.fastTrack]!.users.map((u) => u.id), ids);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives each mailbox its center\'s time zone and working hours', () => {
    const conor = staff.users.find((u) => u.mail === 'conor.obrien@fasttrack.example.com')!;
    assert.deepEqual(conor.mailboxSettings?.timeZone, 'GMT Standard Time');
    assert.deepEqual(conor.mailboxSettings?.workingHours, {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '09:00:00.0000000',
      endTime: '17:30:00.0000000',
      timeZone: { name: 'GMT Standard Time' },
    });
    const wei = staff.users.find((u) => u.mail === 'wei.zhang@fasttrack.example.com')!;
    // Shanghai's lunch break splits its day: the mailbox's one range spans both halves.
    assert.deepEqual([wei.mailboxSettings?.timeZone, wei.mailboxSettings?.workingHours.startTime, wei.mailboxSettings?.workingHours.endTime], ['China Standard Time', '09:00:00.0000000', '18:00:00.0000000']);
    const arjun = staff.users.find((u) => u.mail === 'arjun.reddy@fasttrack.example.com')!;
    assert.equal(arjun.mailboxSettings?.timeZone, 'India Standard Time');
  });

  it('plays no part in eligibility: no licences, no admin roles, no customers', () => {
    assert.deepEqual(staff.skus, []);
    assert.deepEqual(staff.delegatedAdminCustomers, []);
    assert.ok(staff.users.every((u) => u.directoryRoleTemplateIds.length === 0));
  });

  describe('through Graph', function () {
    this.timeout(20000);
    const tenant = new LocalTenantServer();
    before(() => tenant.start(0));
    after(() => tenant.stop());

    it('answers a staff user\'s profile with their e-mail and their center\'s mailbox time zone', async () => {
      const directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000 });
      const siobhan = centers.people.find((p) => p.name === 'Siobhan Murphy')!;
      const profile = await directory.getUserProfile(TENANTS.fastTrack, staffUserId(siobhan.id));
      assert.deepEqual([profile.displayName, profile.userPrincipalName, profile.mail, profile.timeZone], ['Siobhan Murphy', siobhan.email, siobhan.email, 'GMT Standard Time']);
    });
  });
});
