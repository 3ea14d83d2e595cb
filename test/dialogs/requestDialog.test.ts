import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import { keys, type OnboardingRequest } from '../../bot/domain/request';
import { TENANTS } from '../../bot/localTenant/ids';
import { LocalTenantServer } from '../../bot/localTenant/localTenantServer';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { actionData, cards, createTestBot, inputs, LIWEI, MEGAN, NANCY, visibleText } from '../helpers/botHarness';

const FORM = { contactName: 'Megan Bowen', contactEmail: 'megan@contoso.com', services: 'exchange,teams', preferredLanguage: 'en-US' };

describe('the thin request, turn by turn', () => {
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => {
    tenant.clearFaults();
    tenant.clearRequests();
  });

  /** Starts a request and returns the form card's submit data. */
  async function openForm(bot: ReturnType<typeof createTestBot>, user = MEGAN, locale = 'en-US') {
    const replies = await bot.click(user, { verb: 'request.start' }, locale);
    const form = cards(replies).find((c) => 'contactEmail' in inputs(c));
    assert.ok(form, `no form among: ${visibleText(replies)}`);
    return { replies, form, submit: actionData(form, 'request.submit') };
  }

  it('welcomes a new user with Request help, Check eligibility and Help', async () => {
    const bot = createTestBot({ graph: tenant });
    const replies = await bot.install(MEGAN);
    const text = visibleText(replies);
    for (const expected of ['Welcome to FastTrack onboarding', 'Request help', 'Check eligibility', 'Help']) assert.ok(text.includes(expected), expected);
  });

  it('welcomes a Chinese user in Chinese', async () => {
    const bot = createTestBot({ graph: tenant });
    const text = visibleText(await bot.install(LIWEI, 'zh-CN'));
    assert.match(text, /欢迎使用 FastTrack 载入服务/);
    assert.match(text, /请求帮助/);
  });

  it('keeps the conversation reference of an install for proactive messages', async () => {
    const storage = new MemoryStorage();
    const bot = createTestBot({ graph: tenant, storage });
    await bot.install(MEGAN);
    const key = keys.conversation(TENANTS.contoso, MEGAN.aadObjectId);
    const stored = (await storage.read([key]))[key] as { reference: { conversation: { id: string } } };
    assert.equal(stored.reference.conversation.id, `a:${MEGAN.aadObjectId}`);
  });

  it('shows the tenant summary and a form prefilled from Graph when Request help is clicked', async () => {
    const bot = createTestBot({ graph: tenant });
    const { replies, form } = await openForm(bot);
    const text = visibleText(replies);
    assert.match(text, /Contoso/);
    assert.match(text, /contoso\.com/);
    assert.match(text, /contoso\.cn/);
    assert.match(text, /Synchronised from on-premises/);
    assert.match(text, /looks eligible/);
    assert.deepEqual(inputs(form), { contactName: 'Megan Bowen', contactEmail: 'megan@contoso.com', services: '', preferredLanguage: 'en-US' });
  });

  it('reads the tenant in one Graph round trip and the user in another', async () => {
    const bot = createTestBot({ graph: tenant });
    await openForm(bot);
    assert.equal(tenant.roundTrips({ tenantId: TENANTS.contoso }), 2);
  });

  it('stores a valid request under the tenant and confirms it with its id', async () => {
    const bot = createTestBot({ graph: tenant });
    const { submit } = await openForm(bot);
    const replies = await bot.click(MEGAN, { ...submit, ...FORM });
    const text = visibleText(replies);
    assert.match(text, /Request received/);
    const requestId = String(submit.requestId);
    assert.ok(text.includes(requestId), 'the confirmation shows the request id');
    assert.match(text, /Exchange Online, Microsoft Teams/);
    const stored = await bot.requests.get(TENANTS.contoso, requestId);
    assert.ok(stored);
    assert.equal(stored.state, 'Submitted');
    assert.deepEqual(stored.form.services, ['exchange', 'teams']);
    assert.equal(stored.tenantSummary.paidSeats > 150, true);
    assert.equal(stored.requester.aadObjectId, MEGAN.aadObjectId);
  });

  it('re-shows the form with the errors and every entered value when answers are invalid', async () => {
    const bot = createTestBot({ graph: tenant });
    const { submit } = await openForm(bot);
    const replies = await bot.click(MEGAN, { ...submit, contactName: 'Megan B.', contactEmail: 'megan@contoso', services: 'teams', preferredLanguage: '' });
    const text = visibleText(replies);
    assert.match(text, /Enter an email address such as name@example.com/);
    assert.match(text, /This answer is required/);
    const form = cards(replies).find((c) => 'contactEmail' in inputs(c))!;
    assert.deepEqual(inputs(form), { contactName: 'Megan B.', contactEmail: 'megan@contoso', services: 'teams', preferredLanguage: '' });
    assert.equal(await bot.requests.get(TENANTS.contoso, String(submit.requestId)), undefined, 'nothing stored');

    const fixed = await bot.click(MEGAN, { ...submit, ...FORM });
    assert.match(visibleText(fixed), /Request received/);
  });

  it('shows validation errors in Chinese to a Chinese user', async () => {
    const bot = createTestBot({ graph: tenant });
    const { submit, form } = await openForm(bot, LIWEI, 'zh-CN');
    assert.equal(inputs(form).contactName, '李伟');
    assert.equal(inputs(form).preferredLanguage, 'zh-CN');
    const replies = await bot.click(LIWEI, { ...submit, contactName: '李伟', contactEmail: 'liwei', services: 'exchange', preferredLanguage: 'zh-CN' }, 'zh-CN');
    assert.match(visibleText(replies), /请输入电子邮件地址/);
  });

  it('records a double-clicked submit once and says so', async () => {
    const bot = createTestBot({ graph: tenant });
    const { submit } = await openForm(bot);
    await bot.click(MEGAN, { ...submit, ...FORM });
    const again = await bot.click(MEGAN, { ...submit, ...FORM });
    assert.match(visibleText(again), /already submitted/);
    assert.ok(visibleText(again).includes(String(submit.requestId)));
    const stored = await bot.storage.read([keys.request(TENANTS.contoso, String(submit.requestId))]);
    assert.equal(Object.keys(stored).length, 1);
  });

  it('reminds the user of the pending form when they type instead', async () => {
    const bot = createTestBot({ graph: tenant });
    await openForm(bot);
    assert.match(visibleText(await bot.say(MEGAN, 'what now?')), /Please complete the request form above/);
  });

  it('stops on cancel and records nothing', async () => {
    const bot = createTestBot({ graph: tenant });
    const { submit } = await openForm(bot);
    assert.match(visibleText(await bot.say(MEGAN, 'cancel')), /Stopped\. Nothing was recorded/);
    const late = await bot.click(MEGAN, { ...submit, ...FORM });
    assert.match(visibleText(late), /no longer waiting/);
    assert.equal(await bot.requests.get(TENANTS.contoso, String(submit.requestId)), undefined);
  });

  it('understands typed commands in the user\'s language', async () => {
    const bot = createTestBot({ graph: tenant });
    assert.match(visibleText(await bot.say(LIWEI, '帮助', 'zh-CN')), /我能提供的帮助/);
    assert.match(visibleText(await bot.say(MEGAN, '<at>FastTrack</at> HELP')), /How I can help/);
  });

  it('tells a Northwind admin their tenant does not look eligible', async () => {
    const bot = createTestBot({ graph: tenant });
    const text = visibleText(await bot.click(NANCY, { verb: 'eligibility.check' }));
    assert.match(text, /Northwind/);
    assert.match(text, /does not look eligible/);
  });

  it('tells the user to try later when Graph is down, without an error', async () => {
    tenant.injectFault({ path: '/$batch', status: 503, times: Infinity });
    const bot = createTestBot({ graph: tenant });
    const text = visibleText(await bot.click(MEGAN, { verb: 'request.start' }));
    assert.match(text, /could not read your tenant/);
    assert.doesNotMatch(text, /something went wrong/);
  });

  it('answers a turn that fails with a message in the user\'s language and no details', async () => {
    const storage = new MemoryStorage();
    const failing = new StorageRequestRepository(storage);
    failing.create = async () => {
      throw new Error('disk on fire at /srv/secret');
    };
    const bot = createTestBot({ graph: tenant, storage, requests: failing });
    const { submit } = await openForm(bot, LIWEI, 'zh-CN');
    const text = visibleText(await bot.click(LIWEI, { ...submit, ...FORM, preferredLanguage: 'zh-CN' }, 'zh-CN'));
    assert.match(text, /抱歉，我们这边出了问题/);
    assert.doesNotMatch(text, /disk on fire|secret|Error/);
  });

  it('answers untrusted card values without failing the turn', async () => {
    const bot = createTestBot({ graph: tenant });
    for (const value of [{ verb: 'request.submit', requestId: '../../x' }, { verb: 'x'.repeat(500) }, { verb: 42 }, 'text', [1, 2]]) {
      const text = visibleText(await bot.click(MEGAN, value as Record<string, unknown>));
      assert.doesNotMatch(text, /something went wrong/, JSON.stringify(value));
      assert.ok(text.length > 0);
    }
  });

  it('continues the form after the bot restarts, from stored state', async () => {
    const storage = new MemoryStorage();
    const first = createTestBot({ graph: tenant, storage });
    const { submit } = await openForm(first);
    const second = createTestBot({ graph: tenant, storage });
    const text = visibleText(await second.click(MEGAN, { ...submit, ...FORM }));
    assert.match(text, /Request received/);
    const stored = (await storage.read([keys.request(TENANTS.contoso, String(submit.requestId))]))[keys.request(TENANTS.contoso, String(submit.requestId))] as OnboardingRequest;
    assert.equal(stored.form.contactEmail, 'megan@contoso.com');
  });
});
