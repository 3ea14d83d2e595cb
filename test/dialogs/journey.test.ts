import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import { TENANTS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { cards, createTestBot, inputs, LIWEI, MEGAN, NANCY, ADELE, ALEX, renderer, visibleText, type TestUser } from '../helpers/botHarness';
import { ANSWERS, STEPS, step, walkTo } from '../helpers/journeySteps';

describe('the onboarding journey, turn by turn', function () {
  this.timeout(20000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => {
    tenant.reset();
  });

  it('walks a Contoso admin through every phase and stores every phase\'s answers', async () => {
    const bot = createTestBot({ graph: tenant });
    const done = await walkTo(bot, 'end');
    const text = visibleText(done);
    assert.match(text, /Request submitted/);
    assert.match(text, /Awaiting scheduling/);
    const requestId = /FT-[0-9A-Z]{8}/.exec(text)![0];
    const stored = await bot.requests.get(TENANTS.contoso, requestId);
    assert.ok(stored);
    assert.deepEqual(stored.phases, { core: 'done', services: 'done', form: 'done', adoption: 'notStarted' });
    assert.equal(stored.stage, 'awaitingScheduling');
    assert.equal(stored.state, 'Submitted');
    assert.deepEqual(stored.core, { identityPlan: 'federated', dnsReady: 'yes' });
    assert.deepEqual(stored.services, { services: ['exchange', 'teams', 'sharepoint'], migration: true });
    assert.equal(stored.migration?.mode, 'performed', 'Contoso has 2,000 seats: FastTrack performs the migration');
    assert.equal(stored.migration?.mailboxes, 1200);
    assert.equal(stored.form?.launchDate, '2099-03-01');
    assert.equal(stored.form?.timeZone, 'America/Los_Angeles');
    assert.equal(stored.tenantCheck.eligible, true);
    assert.equal(stored.tenantCheck.eligibleSeats, 2000);
    assert.equal(stored.requester.aadObjectId, MEGAN.aadObjectId);
  });

  it('checks the tenant in one Graph round trip and reaches the booking in four', async () => {
    const bot = createTestBot({ graph: tenant });
    await bot.click(MEGAN, { verb: 'request.start' });
    const batches = tenant.requests.filter((r) => !r.viaBatch && r.path === '/$batch');
    const inner = tenant.requests.filter((r) => r.viaBatch && r.batchId === batches[0]?.batchId).map((r) => r.path.split('?')[0]);
    assert.deepEqual(inner.sort(), ['/directory/subscriptions', '/domains', '/organization', '/subscribedSkus']);
    tenant.clearRequests();
    await walkTo(createTestBot({ graph: tenant }), 'end');
    assert.equal(tenant.roundTrips({ tenantId: TENANTS.contoso }), 5, 'admin roles, whether the tenant has GDAP customers, tenant check, user profile, the admin\'s free/busy');
  });

  it('shows each eligibility rule with the numbers behind it', async () => {
    const bot = createTestBot({ graph: tenant });
    const text = visibleText(await bot.click(MEGAN, { verb: 'request.start' }));
    assert.match(text, /Eligible for FastTrack: 2,000 eligible seats counted, 150 needed/);
    assert.match(text, /SPE_E3/);
    assert.match(text, /POWER_BI_STANDARD[\s\S]*free plan/);
    assert.match(text, /ENTERPRISEPACK[\s\S]*suspended/);
    assert.match(text, /FastTrack performs the migration \(500 or more seats\)/);
    assert.match(text, /contoso\.com \(default\): federated/);
  });

  it('prefills the identity answer from what Graph shows and the form from the admin\'s profile', async () => {
    const bot = createTestBot({ graph: tenant });
    const identity = step(await bot.click(MEGAN, { verb: 'request.start' }), 'core.identity');
    assert.equal(inputs(identity.card).identityPlan, 'federated');
    const form = step(await walkTo(createTestBot({ graph: tenant }), 'request form'), 'request.submit');
    const values = inputs(form.card);
    assert.equal(values.requesterEmail, 'megan@contoso.com');
    assert.equal(values.timeZone, 'America/Los_Angeles', 'Pacific Standard Time mapped to IANA');
    assert.equal(values.region, 'americas');
    assert.equal(values.products, 'exchange,teams,sharepoint', 'the services chosen earlier');
    assert.equal(values.dataMigration, 'true');
  });

  it('tells a Northwind admin exactly why the tenant is not eligible, and records nothing', async () => {
    const storage = new MemoryStorage();
    const bot = createTestBot({ graph: tenant, storage });
    const text = visibleText(await bot.click(NANCY, { verb: 'request.start' }));
    assert.match(text, /Not eligible for FastTrack yet: 40 eligible seats counted, 150 needed/);
    assert.match(text, /DEVELOPERPACK_E5[\s\S]*trial/);
    assert.match(text, /Trials, free plans and suspended subscriptions do not count/);
    assert.equal(await bot.requests.findOpen(TENANTS.northwind), undefined);
    assert.doesNotMatch(text, /Core onboarding: identity/);
  });

  const refusals: { who: TestUser; roles?: string[]; refused: boolean }[] = [
    { who: ADELE, refused: true },
    { who: ALEX, refused: true },
    { who: ALEX, roles: ['62e90394-69f5-4237-9190-012177145e10', '29232cdf-9323-42fd-ade2-1d097af3e4de'], refused: false },
    { who: MEGAN, refused: false },
  ];
  for (const { who, roles, refused } of refusals) {
    it(`${refused ? 'refuses' : 'accepts'} ${who.name}${roles ? ' when Exchange Administrators are accepted too' : ''}`, async () => {
      const bot = createTestBot({ graph: tenant, ...(roles ? { adminRoleTemplateIds: roles } : {}) });
      const text = visibleText(await bot.click(who, { verb: 'request.start' }));
      if (refused) {
        assert.match(text, /Only admins can request FastTrack help/);
        assert.match(text, /Megan Bowen[\s\S]*megan@contoso\.com/);
        assert.match(text, /李伟/);
        assert.equal(await bot.requests.findOpen(TENANTS.contoso), undefined, 'nothing recorded');
      } else {
        assert.match(text, /Tenant check/);
      }
    });
  }

  it('offers the existing request instead of a second one for the same tenant', async () => {
    const bot = createTestBot({ graph: tenant });
    await walkTo(bot, 'services');
    const other = visibleText(await bot.click(LIWEI, { verb: 'request.start' }));
    assert.match(other, /Megan Bowen opened request FT-/);
    assert.doesNotMatch(other, /Continue my request/);
    const own = await bot.click(MEGAN, { verb: 'request.start' });
    assert.match(visibleText(own), /You started request FT-/);
    const resumed = await bot.click(MEGAN, step(own, 'journey.continue').data);
    step(resumed, 'services.submit');
  });

  describe('interruptions work at every step', () => {
    for (const s of STEPS) {
      it(`shows help at the ${s.name} step and the step still takes its answers`, async () => {
        const bot = createTestBot({ graph: tenant });
        const shown = await walkTo(bot, s.name);
        assert.match(visibleText(await bot.say(MEGAN, 'help')), /How I can help/);
        const next = await bot.click(MEGAN, { ...step(shown, s.verb).data, ...s.answers });
        assert.doesNotMatch(visibleText(next), /earlier step|Please answer/);
      });

      it(`shows the status timeline at the ${s.name} step`, async () => {
        const bot = createTestBot({ graph: tenant });
        await walkTo(bot, s.name);
        const text = visibleText(await bot.say(MEGAN, 'status'));
        assert.match(text, /Request status/);
        assert.match(text, /1\. Core onboarding[\s\S]*(Done|In progress)/);
        assert.match(text, /No meeting booked yet/);
      });

      it(`asks before cancelling at the ${s.name} step, and "no" carries on at the same step`, async () => {
        const bot = createTestBot({ graph: tenant });
        await walkTo(bot, s.name);
        const question = await bot.say(MEGAN, 'cancel');
        const no = await bot.click(MEGAN, { ...step(question, 'confirm.answer').data, answer: 'no' });
        assert.match(visibleText(no), /let's continue/);
        const again = step(no, s.verb);
        assert.doesNotMatch(visibleText(await bot.click(MEGAN, { ...again.data, ...s.answers })), /earlier step/);
      });

      it(`cancels the request at the ${s.name} step after "yes"`, async () => {
        const bot = createTestBot({ graph: tenant });
        await walkTo(bot, s.name);
        const question = await bot.say(MEGAN, 'cancel');
        assert.match(visibleText(question), /Cancel request FT-[0-9A-Z]{8}\?/);
        const yes = await bot.click(MEGAN, { ...step(question, 'confirm.answer').data, answer: 'yes' });
        const requestId = /FT-[0-9A-Z]{8}/.exec(visibleText(yes))![0];
        assert.match(visibleText(yes), /is cancelled/);
        assert.equal((await bot.requests.get(TENANTS.contoso, requestId))?.state, 'Cancelled');
        assert.equal(await bot.requests.findOpen(TENANTS.contoso), undefined, 'the tenant can request again');
      });

      it(`starts over from the ${s.name} step with the earlier answers prefilled`, async () => {
        const bot = createTestBot({ graph: tenant });
        await walkTo(bot, s.name);
        const question = await bot.say(MEGAN, 'start over');
        const restarted = await bot.click(MEGAN, { ...step(question, 'confirm.answer').data, answer: 'yes' });
        const identity = step(restarted, 'core.identity');
        if (s.name !== 'identity') assert.equal(inputs(identity.card).dnsReady, 'yes', 'answer kept');
        assert.ok(await bot.requests.findOpen(TENANTS.contoso), 'the same request stays open');
      });

      it(`understands the interruptions typed in Chinese at the ${s.name} step`, async () => {
        const zh = renderer.strings('zh-CN').commands;
        const bot = createTestBot({ graph: tenant });
        await walkTo(bot, s.name, LIWEI, 'zh-CN');
        assert.ok(cards(await bot.say(LIWEI, zh.help, 'zh-CN')).length > 0);
        assert.match(visibleText(await bot.say(LIWEI, zh.status, 'zh-CN')), /FT-[0-9A-Z]{8}/);
        const question = await bot.say(LIWEI, zh.cancel, 'zh-CN');
        step(question, 'confirm.answer');
      });
    }
  });

  const invalid: { step: (typeof STEPS)[number]['name']; answers: Record<string, string>; expect: RegExp; kept: [string, string] }[] = [
    { step: 'identity', answers: { identityPlan: 'federated', dnsReady: '' }, expect: /This answer is required/, kept: ['identityPlan', 'federated'] },
    { step: 'identity', answers: { identityPlan: 'magic', dnsReady: 'yes' }, expect: /Choose from the list/, kept: ['dnsReady', 'yes'] },
    { step: 'services', answers: { services: '', migration: 'true' }, expect: /This answer is required/, kept: ['migration', 'true'] },
    { step: 'services', answers: { services: 'exchange,minecraft', migration: 'false' }, expect: /Choose from the list/, kept: ['services', 'exchange,minecraft'] },
    { step: 'migration', answers: { ...ANSWERS.migration, emailSource: 'otherTenant' }, expect: /does not offer tenant-to-tenant migration/, kept: ['mailboxes', '1200'] },
    { step: 'migration', answers: { ...ANSWERS.migration, mailboxes: 'lots' }, expect: /Enter a number/, kept: ['fileSizeTb', '2.5'] },
    { step: 'request form', answers: { ...ANSWERS.form, launchDate: '2001-01-01' }, expect: /not in the past/, kept: ['businessReason', ANSWERS.form.businessReason] },
    { step: 'request form', answers: { ...ANSWERS.form, requesterEmail: 'megan@contoso' }, expect: /Enter an email address/, kept: ['requesterEmail', 'megan@contoso'] },
    { step: 'request form', answers: { ...ANSWERS.form, requesterPhone: 'call me' }, expect: /Enter a phone number/, kept: ['requesterPhone', 'call me'] },
    { step: 'request form', answers: { ...ANSWERS.form, timeZone: 'Mars/Olympus' }, expect: /Choose from the list/, kept: ['successOwnerRole', 'CIO'] },
  ];
  for (const c of invalid) {
    it(`re-shows the ${c.step} card with "${c.expect.source}" and keeps ${c.kept[0]}`, async () => {
      const bot = createTestBot({ graph: tenant });
      const shown = await walkTo(bot, c.step);
      const verb = STEPS.find((s) => s.name === c.step)!.verb;
      const replies = await bot.click(MEGAN, { ...step(shown, verb).data, ...c.answers });
      assert.match(visibleText(replies), c.expect);
      assert.equal(inputs(step(replies, verb).card)[c.kept[0]], c.kept[1]);
    });
  }

  it('shows validation errors in Chinese to a Chinese user', async () => {
    const bot = createTestBot({ graph: tenant });
    const shown = await walkTo(bot, 'identity', LIWEI, 'zh-CN');
    const replies = await bot.click(LIWEI, { ...step(shown, 'core.identity').data, identityPlan: '', dnsReady: '' }, 'zh-CN');
    const zh = renderer.strings('zh-CN');
    assert.ok(visibleText(replies).includes(zh.form.errors.required));
    assert.notEqual(zh.form.errors.required, renderer.strings('en-US').form.errors.required);
  });

  it('offers the exact step again after the bot restarts, from stored state', async () => {
    const storage = new MemoryStorage();
    const first = createTestBot({ graph: tenant, storage });
    const shown = await walkTo(first, 'migration');
    const second = createTestBot({ graph: tenant, storage });
    const back = await second.install(MEGAN);
    assert.match(visibleText(back), /Welcome back/);
    assert.deepEqual(step(back, 'migration.submit').data, step(shown, 'migration.submit').data, 'the same card, the same step');
    const next = await second.click(MEGAN, { ...step(shown, 'migration.submit').data, ...ANSWERS.migration });
    step(next, 'request.submit');
  });

  it('offers to continue a request whose conversation state was lost', async () => {
    const bot = createTestBot({ graph: tenant });
    await walkTo(bot, 'services');
    // Dialog state expired or was removed: the stored request is still offered.
    await bot.storage.delete([`msteams/conversations/a:${MEGAN.aadObjectId}/`]);
    const welcome = await bot.install(MEGAN);
    assert.match(visibleText(welcome), /You have a request in progress/);
    const resumed = await bot.click(MEGAN, step(welcome, 'journey.continue').data);
    step(resumed, 'services.submit');
  });

  it('runs user adoption in parallel and returns to the onboarding step', async () => {
    const bot = createTestBot({ graph: tenant });
    const services = await walkTo(bot, 'services');
    const adoption = await bot.click(MEGAN, { verb: 'adoption.start' });
    const saved = await bot.click(MEGAN, { ...step(adoption, 'adoption.submit').data, ...ANSWERS.adoption });
    assert.match(visibleText(saved), /user adoption plan is saved/);
    step(saved, 'services.submit');
    const stored = await bot.requests.findOpen(TENANTS.contoso);
    assert.equal(stored?.phases.adoption, 'done');
    assert.equal(stored?.phases.services, 'inProgress');
    assert.equal(stored?.adoption?.championCount, 12);
    const next = await bot.click(MEGAN, { ...step(services, 'services.submit').data, ...ANSWERS.services });
    step(next, 'migration.submit');
  });

  it('keeps the request\'s history bounded when the adoption plan is saved again and again', async () => {
    const bot = createTestBot({ graph: tenant });
    await walkTo(bot, 'services');
    for (let i = 0; i < 4; i++) {
      const adoption = await bot.click(MEGAN, { verb: 'adoption.start' });
      await bot.click(MEGAN, { ...step(adoption, 'adoption.submit').data, ...ANSWERS.adoption, championCount: String(10 + i) });
    }
    const stored = (await bot.requests.findOpen(TENANTS.contoso))!;
    assert.equal(stored.adoption?.championCount, 13, 'the latest plan is kept');
    const planned = stored.history.filter((h) => h.event === 'adoptionPlanned');
    assert.equal(planned.length, 1, 'one entry for the repeated saves');
    assert.equal(planned[0]!.count, 4, 'which says how often');
  });

  it('says user adoption needs a request first', async () => {
    const bot = createTestBot({ graph: tenant });
    assert.match(visibleText(await bot.click(MEGAN, { verb: 'adoption.start' })), /starts once your request exists/);
  });

  it('answers a click on an earlier step\'s card with the current step', async () => {
    const bot = createTestBot({ graph: tenant });
    const identity = await walkTo(bot, 'identity');
    await bot.click(MEGAN, { ...step(identity, 'core.identity').data, ...ANSWERS.identity });
    const again = await bot.click(MEGAN, { ...step(identity, 'core.identity').data, ...ANSWERS.identity });
    assert.match(visibleText(again), /earlier step/);
    step(again, 'services.submit');
  });

  it('records a double-clicked form once', async () => {
    const bot = createTestBot({ graph: tenant });
    const form = await walkTo(bot, 'request form');
    const submit = { ...step(form, 'request.submit').data, ...ANSWERS.form };
    await bot.click(MEGAN, submit);
    const again = await bot.click(MEGAN, submit);
    assert.doesNotMatch(visibleText(again), /Request submitted/);
    const history = (await bot.requests.findOpen(TENANTS.contoso))!.history.filter((h) => h.event === 'formSubmitted');
    assert.equal(history.length, 1);
    assert.equal(history[0]!.count ?? 1, 1, 'recorded once, not once per click');
  });

  it('tells the user to try later when Graph is down, without an error', async () => {
    tenant.injectFault({ path: '/$batch', status: 503, times: Infinity });
    tenant.injectFault({ path: /transitiveMemberOf/, status: 503, times: Infinity });
    const bot = createTestBot({ graph: tenant });
    const text = visibleText(await bot.click(MEGAN, { verb: 'request.start' }));
    assert.match(text, /could not read your tenant/);
    assert.doesNotMatch(text, /something went wrong/);
  });

  it('answers untrusted card values without failing the turn', async () => {
    const bot = createTestBot({ graph: tenant });
    await walkTo(bot, 'services');
    for (const value of [{ verb: 'services.submit', token: 'x'.repeat(40) }, { verb: 'journey.continue', requestId: '../../x' }, { verb: 42 }, 'text', [1, 2], { verb: 'confirm.answer', token: 'nope', answer: 'yes' }]) {
      const text = visibleText(await bot.click(MEGAN, value as Record<string, unknown>));
      assert.doesNotMatch(text, /something went wrong/, JSON.stringify(value));
      assert.ok(text.length > 0);
    }
    assert.ok(await bot.requests.findOpen(TENANTS.contoso), 'nothing was cancelled');
  });

  it('answers a turn that fails with a message in the user\'s language and no details', async () => {
    const storage = new MemoryStorage();
    const bot = createTestBot({ graph: tenant, storage });
    const shown = await walkTo(bot, 'identity', LIWEI, 'zh-CN');
    bot.requests.update = async () => {
      throw new Error('disk on fire at /srv/secret');
    };
    const text = visibleText(await bot.click(LIWEI, { ...step(shown, 'core.identity').data, ...ANSWERS.identity }, 'zh-CN'));
    assert.ok(text.includes(renderer.strings('zh-CN').messages.error));
    assert.doesNotMatch(text, /disk on fire|secret|Error/);
  });
});
