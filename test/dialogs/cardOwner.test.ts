import assert from 'node:assert/strict';
import { TENANTS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { ADELE, cards, createTestBot, MEGAN, renderer, visibleText, type TestUser } from '../helpers/botHarness';
import { ANSWERS, step } from '../helpers/journeySteps';

/**
 * Megan's personal chat, reached by another user's turn too: a forged or replayed activity (the bot is for
 * personal use; team channels and group chats never run the journey). Both turns share one dialog stack.
 */
const GROUP = { id: 'a:contoso-megan-personal', tenantId: TENANTS.contoso, conversationType: 'personal', isGroup: false, name: '' };

describe("a card acts only for the user it was sent to (the admin's own cards, clicked by someone else in their conversation)", function () {
  this.timeout(20000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  function groupBot() {
    const bot = createTestBot({ graph: tenant });
    const click = (user: TestUser, value: Record<string, unknown>, locale = 'en-US') => bot.send(user, locale, { type: 'message', value, conversation: GROUP });
    const say = (user: TestUser, text: string, locale = 'en-US') => bot.send(user, locale, { type: 'message', text, conversation: GROUP });
    return { ...bot, click, say };
  }

  it("refuses another member's submission of a journey card in their language, and the step still waits for its own admin", async () => {
    const bot = groupBot();
    const identity = await bot.click(MEGAN, { verb: 'request.start' });
    const submit = { ...step(identity, 'core.identity').data, ...ANSWERS.identity };
    const requestId = (await bot.requests.findOpen(TENANTS.contoso))?.id;
    assert.ok(requestId, 'the request exists once the tenant check passed');

    const refused = await bot.click(ADELE, submit, 'fr-FR');
    assert.equal(visibleText(refused), renderer.text('fr-FR', (s) => s.requesterSide.cardNotYours));
    assert.equal(cards(refused).length, 0, 'no card shown to the other member');
    const stored = await bot.requests.get(TENANTS.contoso, requestId);
    assert.equal(stored?.phases.core, 'inProgress', 'the step did not take the answer');
    assert.equal(stored?.core, undefined);

    // The card still works for Megan: her click goes on to the services step.
    const next = await bot.click(MEGAN, submit);
    step(next, 'services.submit');
    assert.equal((await bot.requests.get(TENANTS.contoso, requestId))?.phases.core, 'done');
  });

  it("refuses another member's Yes on the admin's cancel question: the request stays open", async () => {
    const bot = groupBot();
    const identity = await bot.click(MEGAN, { verb: 'request.start' });
    step(identity, 'core.identity');
    const requestId = (await bot.requests.findOpen(TENANTS.contoso))!.id;
    const question = await bot.say(MEGAN, 'cancel');
    const yes = { ...step(question, 'confirm.answer').data, answer: 'yes' };

    const refused = await bot.click(ADELE, yes, 'de-DE');
    assert.equal(visibleText(refused), renderer.text('de-DE', (s) => s.requesterSide.cardNotYours));
    assert.notEqual((await bot.requests.get(TENANTS.contoso, requestId))?.state, 'Cancelled');

    // Megan's own Yes still counts.
    await bot.click(MEGAN, yes);
    assert.equal((await bot.requests.get(TENANTS.contoso, requestId))?.state, 'Cancelled');
  });
});
