import assert from 'node:assert/strict';
import { readValues, todayIn } from '../../bot/domain/forms';
import { HISTORY_LIMIT, nextPhase, newRequest, validateAdoption, withEvent, validateCore, validateMigration, validateRequestForm, validateServices, type TenantCheck } from '../../bot/domain/journey';
import { regionOfTimeZone, toIanaTimeZone, utcOffset } from '../../bot/domain/timeZones';

const FORM = {
  products: 'exchange,teams', launchDate: '2027-03-01', mailSystem: 'gmail', businessReason: 'Move off Gmail', successOwnerName: 'Megan Bowen',
  successOwnerRole: 'CIO', dataMigration: 'true', requesterName: 'Megan Bowen', requesterEmail: 'megan@contoso.com', requesterPhone: '+1 (425) 555-0100',
  customerName: 'Megan Bowen', customerEmail: 'megan@contoso.com', preferredLanguage: 'en-US', region: 'americas', timeZone: 'America/Los_Angeles',
};
const OFFERED = ['exchange', 'sharepoint', 'teams'];
const errorsOf = (r: { ok: boolean; errors?: Record<string, string> }) => (r.ok ? {} : r.errors);

describe('the request form', () => {
  it('accepts a complete form', () => {
    const r = validateRequestForm(FORM, OFFERED, '2026-11-24');
    assert.ok(r.ok);
    assert.deepEqual(r.result.products, ['exchange', 'teams']);
    assert.equal(r.result.dataMigration, true);
  });

  const cases: [string, Record<string, string>, Record<string, string>][] = [
    ['a launch date in the past', { launchDate: '2026-11-23' }, { launchDate: 'pastDate' }],
    ['today as the launch date is fine', { launchDate: '2026-11-24' }, {}],
    ['an impossible date', { launchDate: '2027-02-30' }, { launchDate: 'date' }],
    ['a date in another format', { launchDate: '03/01/2027' }, { launchDate: 'date' }],
    ['an email without a domain', { requesterEmail: 'megan@' }, { requesterEmail: 'email' }],
    ['a phone number with letters', { requesterPhone: '555-CALL-NOW' }, { requesterPhone: 'phone' }],
    ['a phone number too short', { requesterPhone: '12345' }, { requesterPhone: 'phone' }],
    ['a product the tenant is not licensed for', { products: 'exchange,intune' }, { products: 'choice' }],
    ['an unknown mail system', { mailSystem: 'lotus' }, { mailSystem: 'choice' }],
    ['a language FastTrack does not serve', { preferredLanguage: 'nl-NL' }, { preferredLanguage: 'choice' }],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, { timeZone: 'choice' }],
    ['a business reason over 1,000 characters', { businessReason: 'x'.repeat(1001) }, { businessReason: 'tooLong' }],
    ['missing answers', { successOwnerName: '', customerName: '  ' }, { successOwnerName: 'required', customerName: 'required' }],
  ];
  for (const [name, change, expected] of cases) {
    it(`judges ${name}`, () => assert.deepEqual(errorsOf(validateRequestForm({ ...FORM, ...change }, OFFERED, '2026-11-24')), expected));
  }

  it('keeps every entered value next to the errors', () => {
    const r = validateRequestForm({ ...FORM, requesterEmail: 'nope' }, OFFERED, '2026-11-24');
    assert.ok(!r.ok);
    assert.equal(r.values.businessReason, 'Move off Gmail');
    assert.equal(r.values.requesterEmail, 'nope');
  });

  it('treats hostile input as missing answers without throwing', () => {
    for (const input of [null, 42, 'text', [1], { products: { $gt: '' }, launchDate: ['2027-01-01'] }]) {
      const r = validateRequestForm(input, OFFERED, '2026-11-24');
      assert.ok(!r.ok);
      assert.equal(r.errors.products, 'required');
    }
  });
});

describe('the phase answers', () => {
  it('needs an identity plan and DNS readiness from the lists', () => {
    assert.ok(validateCore({ identityPlan: 'synchronized', dnsReady: 'unsure' }).ok);
    assert.deepEqual(errorsOf(validateCore({ identityPlan: 'ldap' })), { identityPlan: 'choice', dnsReady: 'required' });
  });

  it('offers only licensed services and reads the migration toggle', () => {
    const r = validateServices({ services: 'teams,exchange', migration: 'true' }, OFFERED);
    assert.ok(r.ok);
    assert.deepEqual(r.result, { services: ['teams', 'exchange'], migration: true });
    assert.deepEqual(errorsOf(validateServices({ services: 'intune' }, OFFERED)), { services: 'choice' });
  });

  it('refuses tenant-to-tenant migration on the field that asked for it', () => {
    assert.deepEqual(errorsOf(validateMigration({ emailSource: 'otherTenant', mailboxes: '10', emailSizeGb: '1', fileSource: 'otherTenant', fileSizeTb: '1' }, 'performed')), {
      emailSource: 'tenantToTenant',
      fileSource: 'tenantToTenant',
    });
  });

  it('lets the tier decide who performs the migration', () => {
    const answers = { emailSource: 'gmail', mailboxes: '300', emailSizeGb: '900', fileSource: 'none' };
    const performed = validateMigration(answers, 'performed');
    const guided = validateMigration(answers, 'guidance');
    assert.ok(performed.ok && guided.ok);
    assert.equal(performed.result.mode, 'performed');
    assert.equal(guided.result.mode, 'guidance');
    assert.equal(performed.result.fileSizeTb, undefined, 'no file size without a file source');
  });

  it('asks for sizes only for the sources chosen', () => {
    assert.deepEqual(errorsOf(validateMigration({ emailSource: 'imap', fileSource: 'box', fileSizeTb: '-1' }, 'guidance')), {
      mailboxes: 'required',
      emailSizeGb: 'required',
      fileSizeTb: 'range',
    });
  });

  it('needs an adoption launch date not in the past and a champion count', () => {
    assert.ok(validateAdoption({ launchDate: '2027-01-01', successOwnerName: 'A', successOwnerRole: 'B', championCount: '0' }, '2026-11-24').ok);
    assert.deepEqual(errorsOf(validateAdoption({ launchDate: '2020-01-01', successOwnerName: 'A', successOwnerRole: 'B', championCount: '-3' }, '2026-11-24')), {
      launchDate: 'pastDate',
      championCount: 'range',
    });
  });

  it('walks the phases in order, adoption aside', () => {
    const check = { eligible: true } as TenantCheck;
    const r = newRequest('FT-0000000A', { aadObjectId: 'u', name: 'n', tenantId: 't' }, 't', check, new Date('2026-11-24T10:00:00Z'));
    assert.equal(nextPhase(r), 'core');
    assert.equal(nextPhase({ ...r, phases: { core: 'done', services: 'done', form: 'notStarted', adoption: 'done' } }), 'form');
    assert.equal(nextPhase({ ...r, phases: { core: 'done', services: 'done', form: 'done', adoption: 'notStarted' } }), undefined);
  });
});

describe('card values and dates', () => {
  it('reads only the named fields, as bounded strings', () => {
    assert.deepEqual(readValues({ a: ' x ', b: 3, c: true, d: { e: 1 }, z: 'ignored' }, ['a', 'b', 'c', 'd', 'missing']), { a: 'x', b: '3', c: 'true', d: '', missing: '' });
    assert.equal(readValues({ a: 'y'.repeat(10000) }, ['a']).a!.length, 4000);
  });

  it('knows the date in the user\'s own time zone', () => {
    const instant = new Date('2026-11-24T20:30:00Z');
    assert.equal(todayIn('Asia/Shanghai', instant), '2026-11-25');
    assert.equal(todayIn('America/Los_Angeles', instant), '2026-11-24');
    assert.equal(todayIn('Not/AZone', instant), '2026-11-24', 'falls back to UTC');
  });
});

describe('time zones', () => {
  const windows: [string, string][] = [
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['China Standard Time', 'Asia/Shanghai'],
    ['India Standard Time', 'Asia/Calcutta'],
    ['Nepal Standard Time', 'Asia/Katmandu'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['Europe/Paris', 'Europe/Paris'],
  ];
  for (const [name, iana] of windows) {
    it(`maps the mailbox zone "${name}" to ${iana}`, () => assert.equal(toIanaTimeZone(name), iana));
  }

  it('returns nothing for a zone it does not know', () => assert.equal(toIanaTimeZone('Atlantis Standard Time'), undefined));

  it('puts zones in FastTrack regions', () => {
    assert.equal(regionOfTimeZone('America/Sao_Paulo'), 'americas');
    assert.equal(regionOfTimeZone('Europe/Berlin'), 'emea');
    assert.equal(regionOfTimeZone('Asia/Katmandu'), 'apac');
    assert.equal(regionOfTimeZone('UTC'), undefined);
  });

  it('shows half- and quarter-hour offsets, with daylight saving', () => {
    assert.equal(utcOffset('Asia/Calcutta', new Date('2026-06-01T00:00:00Z')), '+05:30');
    assert.equal(utcOffset('Asia/Katmandu', new Date('2026-06-01T00:00:00Z')), '+05:45');
    assert.equal(utcOffset('America/Los_Angeles', new Date('2026-07-01T00:00:00Z')), '-07:00');
    assert.equal(utcOffset('America/Los_Angeles', new Date('2026-12-01T00:00:00Z')), '-08:00');
  });
});

describe('a request\'s history', () => {
  const check = { organization: 'Contoso', domains: [], detectedIdentity: 'federated', eligible: true, eligibleSeats: 2000, requiredSeats: 150, migrationTier: 'performed', exchangeExtraServices: false, offeredServices: [], checkedAt: '2026-12-01T00:00:00Z' } as TenantCheck;
  const fresh = () => newRequest('FT-HIST0001', { aadObjectId: 'u', name: 'U', tenantId: 't' }, 't', check, new Date('2026-12-01T00:00:00Z'));

  it('counts the same event repeated in a row as one entry with the latest time', () => {
    let r = fresh();
    for (let i = 0; i < 5; i++) r = withEvent(r, 'adoptionPlanned', new Date(Date.UTC(2026, 11, 1, 10, i)));
    assert.equal(r.history.length, 2);
    assert.deepEqual(r.history[1], { at: '2026-12-01T10:04:00.000Z', event: 'adoptionPlanned', count: 5 });
  });

  it('keeps a state change as its own entry even when the event repeats', () => {
    let r = withEvent(fresh(), 'triaged', new Date());
    r = withEvent(r, 'triaged', new Date(), 'Approved');
    assert.deepEqual(r.history.map((h) => [h.event, h.state]), [['created', 'Submitted'], ['triaged', undefined], ['triaged', 'Approved']]);
  });

  it('never grows beyond its limit, keeping the creation and the most recent events', () => {
    let r = fresh();
    for (let i = 0; i < 3 * HISTORY_LIMIT; i++) r = withEvent(r, `event${i % 2 ? 'A' : 'B'}`, new Date());
    assert.equal(r.history.length, HISTORY_LIMIT);
    assert.equal(r.history[0]!.event, 'created');
    assert.equal(r.history.at(-1)!.event, 'eventA');
  });
});
