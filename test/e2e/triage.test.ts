import assert from 'node:assert/strict';
import path from 'node:path';
import { LOCAL_CENTER_TEAM_ID } from '../../bot/config';
import { TENANTS } from '../../local/tenant/ids';
import { renderer } from '../helpers/botHarness';
import { ADAPTIVE_CARD, cardsOf, cardText, openChat, PlaygroundApi, PROJECT_ROOT, screenshotIfFailed, skipUnlessChromium, startPlayground, type ChatPage, type Playground, type PlaygroundMessage } from './harness';
import { answerCoreToForm, session } from './journeySession';

type Card = Record<string, unknown>;
const t = renderer.strings('en-US').triage;
type InvokeAnswer = { type: string; value: unknown };

/** The Action.Execute data a triage card carries (tenant, request, version). */
const dataOf = (card: unknown): Record<string, unknown> => {
  const c = card as Card;
  const refresh = (c.refresh as Card | undefined)?.action as Card | undefined;
  const action = ((c.actions ?? []) as Card[]).find((a) => a.verb === 'triage.refresh') ?? refresh;
  return action!.data as Record<string, unknown>;
};
const fact = (card: unknown, title: string): string | undefined => {
  const set = ((card as Card).body as Card[]).find((e) => e.type === 'FactSet');
  return (set?.facts as { title: string; value: string }[] | undefined)?.find((f) => f.title === title)?.value;
};

/**
 * Both sides of the FastTrack triage with the real bot process, Azurite and the local tenant: Megan
 * (Contoso's admin, en-US) in the Playground's UI (headless Chromium), and Conor O'Brien (FastTrack
 * Center, Dublin, en-US; a member of the triage team) in a second Playground (`npm run dev -- --as center`'s
 * config): once through its HTTP/WebSocket API (each update of the posted message checked), once in its
 * UI (a second page, as a person watching both sides would). Megan's request asks for no data
 * migration, so it is the FastTrack Center's: Conor may take it.
 */
describe('e2e: both sides of triage, the admin in the Playground and a FastTrack Center member in the triage channel', function () {
  this.timeout(150_000);
  let s: Awaited<ReturnType<typeof session>> | undefined;
  let center: Playground | undefined;
  let api: PlaygroundApi | undefined;
  let chat: ChatPage | undefined;
  let conor: ChatPage | undefined;

  before(function () {
    skipUnlessChromium(this);
  });
  afterEach(async function () {
    await screenshotIfFailed(this, chat);
    await screenshotIfFailed(this, conor, path.join(PROJECT_ROOT, 'test-results', 'center'));
    await chat?.close();
    await conor?.close();
    api?.close();
    await center?.stop();
    await s?.stop();
    chat = undefined;
    conor = undefined;
    api = undefined;
    center = undefined;
    s = undefined;
  });

  it("shows the admin's request in the channel, where the member assigns, approves and asks; the admin is told and answers, and the channel's card follows", async () => {
    s = await session();
    center = await startPlayground({ botEndpoint: s.bot.messagesUrl, configPath: 'local/playground/center.m365agentsplayground.yml' });
    api = await PlaygroundApi.connect(center.url);
    const teamId = api.config.teams[0]!.id;
    assert.equal(teamId, LOCAL_CENTER_TEAM_ID);
    const inChannel = (m: PlaygroundMessage) => m.conversationId === teamId;

    // The bot is added to the triage team: the channel is registered.
    await api.install(teamId);
    const registered = await api.nextBotMessage(inChannel, 30_000);
    assert.equal(registered.text, t.install.registered);

    // Megan submits a request in her Playground (no data migration: a FastTrack Center request).
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    await answerCoreToForm(chat, { migration: false });

    // Its triage card appears in the channel.
    const posted = await api.nextBotMessage((m) => inChannel(m) && cardsOf(m).length > 0, 30_000);
    const card = cardsOf(posted)[0]!;
    const request = await s.openRequest(TENANTS.contoso);
    assert.ok(request, 'the request is stored');
    assert.match(cardText(card), new RegExp(`FastTrack request ${request.id}: Contoso`));
    assert.equal(fact(card, t.facts.state), t.states.Submitted);
    assert.equal(fact(card, t.facts.needs), renderer.strings('en-US').scheduling.roles.center);

    const act = async (verb: string, extra: Record<string, unknown> = {}, version?: number) => {
      const answer = (await api!.execute(posted.messageId, verb, { ...dataOf(card), ...(version !== undefined ? { version } : {}), ...extra }, { conversationId: `${teamId};messageid=${posted.messageId}` })) as InvokeAnswer;
      // The Playground hands the invoke response's body on without its statusCode: the card is the answer.
      assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(answer.value).slice(0, 300));
      return answer.value;
    };
    /** The channel's copy of the card, updated in place (the same message), once it shows `what`. */
    const channelCopy = async (what: (card: unknown) => boolean) => {
      const update = await api!.nextBotMessage((m) => m.action === 'updateMessage' && m.messageId === posted.messageId && cardsOf(m).some(what), 30_000);
      return cardsOf(update).find(what)!;
    };

    // Conor assigns it to himself, then approves it: his card and the channel's copy follow.
    const assigned = await act('triage.assign');
    assert.equal(fact(assigned, t.facts.assignee), "Conor O'Brien");
    await channelCopy((c) => fact(c, t.facts.assignee) === "Conor O'Brien");
    const approved = await act('triage.approve', {}, 1);
    assert.equal(fact(approved, t.facts.state), t.states.Approved);
    const approvedCopy = await channelCopy((c) => fact(c, t.facts.state) === t.states.Approved);
    assert.match(fact(approvedCopy, t.facts.lastAction) ?? '', /^Approved by Conor O'Brien, /);

    // Megan's chat says it was approved.
    await chat.waitForText(`FastTrack approved your onboarding request ${request.id}.`, { timeout: 30_000 });

    // Conor asks her a question; it arrives in her chat as a card she answers in place.
    const asked = await act('triage.ask', { question: 'Which domain do you move first?' }, 2);
    assert.equal(fact(asked, t.facts.state), t.states.OnHoldPendingRequesterResponse);
    await chat.waitForCard('Which domain do you move first?', { timeout: 30_000 });
    await chat.fillInput('answer', 'contoso.com first, then fabrikam.com');
    await chat.clickButton('Send my answer');
    await chat.waitForText('Answered: contoso.com first, then fabrikam.com', { timeout: 30_000 });

    // The answer comes back to the channel: the posted card is updated in place, back to Approved.
    const answeredCopy = await channelCopy((c) => cardText(c).includes('Answer: contoso.com first, then fabrikam.com'));
    assert.equal(fact(answeredCopy, t.facts.state), t.states.Approved);
    assert.match(fact(answeredCopy, t.facts.lastAction) ?? '', /^Answered by /);
    // And Conor's own view (a refresh) shows it too.
    const refreshed = await act('triage.refresh', {}, 4);
    assert.ok(cardText(refreshed).includes('Answer: contoso.com first, then fabrikam.com'), cardText(refreshed));
  });

  it('lets both sides do it in the Playground UI: the member clicks on the card in the General channel, the admin answers in her chat', async () => {
    s = await session();
    center = await startPlayground({ botEndpoint: s.bot.messagesUrl, configPath: 'local/playground/center.m365agentsplayground.yml' });
    // Conor opens his Playground and the triage team's General channel: the bot is installed there.
    conor = await openChat(center.url);
    await conor.page.getByText('General', { exact: true }).first().click();
    await conor.page.getByText(t.install.registered).first().waitFor({ timeout: 30_000 });

    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    await answerCoreToForm(chat, { migration: false });
    const request = await s.openRequest(TENANTS.contoso);
    assert.ok(request, 'the request is stored');

    // The card in the channel, as Conor sees it, whatever copy of it is shown.
    const card = conor.page.locator(ADAPTIVE_CARD).filter({ hasText: `FastTrack request ${request.id}: Contoso` });
    const shows = (text: string) => card.filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
    const button = (title: string) => card.locator('.ac-actionSet button').filter({ hasText: new RegExp(`^\\s*${title}\\s*$`) });
    /**
     * Conor's own copy of the card, with `title` among its actions. The invoke answers with his copy and
     * the channel's message is updated with the bystander's; the Playground shows whichever came last and
     * (unlike Teams, for the card's refresh.userIds) does not always refresh it: then he clicks Refresh.
     */
    const ownCopy = async (title: string) => {
      await conor!.settle();
      if ((await button(title).count()) > 0) return;
      await conor!.clickButton(t.actions.refresh, { card });
      await button(title).first().waitFor({ timeout: 30_000 });
      await conor!.settle();
    };
    await shows(t.actions.assign);
    await conor.clickButton(t.actions.assign, { card });
    await shows("Assigned by Conor O'Brien");
    await ownCopy(t.actions.approve);
    await conor.clickButton(t.actions.approve, { card });
    await shows("Approved by Conor O'Brien");
    await chat.waitForText(`FastTrack approved your onboarding request ${request.id}.`, { timeout: 30_000 });

    await ownCopy(t.actions.ask);
    await conor.fillInput(t.inputs.question, 'Which domain do you move first?', { card });
    await conor.clickButton(t.actions.ask, { card });
    await shows("Asked the requester by Conor O'Brien");
    await chat.waitForCard('Which domain do you move first?', { timeout: 30_000 });
    await chat.fillInput('answer', 'contoso.com first, then fabrikam.com');
    await chat.clickButton('Send my answer');
    await chat.waitForText('Answered: contoso.com first, then fabrikam.com', { timeout: 30_000 });

    // Conor's channel shows her answer on the card, without him clicking anything.
    await shows('Answer: contoso.com first, then fabrikam.com');
    assert.match(await card.first().innerText(), new RegExp(`${t.facts.state}\\s+${t.states.Approved}`));
  });
});
