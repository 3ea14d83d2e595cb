import assert from 'node:assert/strict';
import type { FastTrackPerson } from '../../bot/domain/centers';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { TRIAGE_TEXT_LIMIT } from '../../bot/domain/triage';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { contosoRequest } from '../fixtures/requests';
import { ADELE, centers, MEGAN, renderer, visibleText } from '../helpers/botHarness';
import type { SentActivity } from '../helpers/connector';
import { startRequesterWorld, type RequesterWorld } from '../helpers/requesterWorld';

type Card = { [key: string]: unknown };
const ADMIN = { userId: USERS.megan, email: 'megan@contoso.com', timeZone: 'Europe/Paris' };
/** A FastTrack Center engineer who speaks French: may work a French core-onboarding request. */
const EMILIE = centers.people.find((p) => p.id === 'ft-emea-007') as FastTrackPerson;
const fr = (pick: Parameters<typeof renderer.text>[1], values: Record<string, string | number> = {}) => renderer.text('fr-FR', pick, values);

describe("the requester is told of FastTrack's triage in their chat, and answers FastTrack's question in place (HTTP, Azurite)", function () {
  this.timeout(120000);
  let env: Awaited<ReturnType<typeof startRequesterWorld>>;
  let world: RequesterWorld;
  let counter = 0;
  before(async () => {
    env = await startRequesterWorld();
  });
  after(() => env.stop());
  beforeEach(async () => {
    world = await env.fresh();
    // Megan's chat is reachable; her last activity was in English, the request is in French.
    await world.installFor(MEGAN, 'en-US');
    env.connector.sent.splice(0);
  });

  /** A Contoso request in French, submitted by Megan, assigned to Émilie (Contoso's open request). */
  async function frenchRequest(): Promise<OnboardingRequest> {
    const id = `FT-REQS${String(++counter).padStart(4, '0')}`;
    const created = await world.requests.create(contosoRequest(id, ADMIN, { preferredLanguage: 'fr-FR', region: 'emea' }));
    assert.equal(created.outcome, 'created');
    return world.staff(created.request, { action: 'assign' }, EMILIE);
  }

  /** Waits for `count` messages in Megan's chat, then a moment more: exactly that many came. */
  async function exactly(count: number): Promise<SentActivity[]> {
    await env.connector.waitFor(count, 15000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const sent = env.connector.sent.filter((s) => s.activity.type !== 'typing');
    assert.equal(sent.length, count, `exactly ${count}: ${JSON.stringify(sent.map((s) => s.activity.text ?? 'card'))}`);
    assert.ok(sent.every((s) => s.conversationId === `a:${USERS.megan}`), "all in the admin's personal chat");
    env.connector.sent.splice(0);
    return sent;
  }

  const questionCardOf = (sent: SentActivity): Card => {
    const attachment = sent.activity.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
    assert.ok(attachment, 'the question comes as a card');
    return attachment.content as Card;
  };
  const executeOf = (card: Card) => ((card.actions ?? []) as Card[]).find((a) => a.type === 'Action.Execute') as { verb: string; data: Record<string, unknown> } | undefined;
  const answerInvoke = (data: Record<string, unknown>, answer: string) => ({
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb: 'question.answer', data: { ...data, answer } }, trigger: 'manual' },
  });
  const cardText = (card: unknown) => visibleText([{ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }]);

  it("sends each state change once, in the request's language, with FastTrack's reason", async () => {
    const request = await frenchRequest();
    await world.staff(request, { action: 'hold', reason: 'Contrat en cours de signature' }, EMILIE);
    const [hold] = await exactly(1);
    assert.equal(hold!.activity.text, fr((s) => s.requesterSide.onHold, { requestId: request.id, reason: 'Contrat en cours de signature' }));

    await world.staff(request, { action: 'approve' }, EMILIE);
    const [approved] = await exactly(1);
    assert.equal(approved!.activity.text, fr((s) => s.requesterSide.approved, { requestId: request.id }));

    await world.staff(request, { action: 'cancel', reason: 'duplicate', note: 'Voir FT-AAAA0001' }, EMILIE);
    const [cancelled] = await exactly(1);
    assert.equal(cancelled!.activity.text, `FastTrack a annulé votre demande ${request.id}. Motif : elle fait doublon avec une autre demande. Note de FastTrack : Voir FT-AAAA0001`);
  });

  it('says why a request was cancelled without a note, in words of the reason', async () => {
    const request = await frenchRequest();
    await world.staff(request, { action: 'cancel', reason: 'notEligible' }, EMILIE);
    const [cancelled] = await exactly(1);
    assert.equal(cancelled!.activity.text, fr((s) => s.requesterSide.cancelled, { requestId: request.id, reason: fr((s) => s.requesterSide.cancelReasons.notEligible) }));
  });

  it('sends a retried notice only once', async () => {
    const request = await frenchRequest();
    const approved = await world.staff(request, { action: 'approve' }, EMILIE);
    // The observer told again (a retried action, a second instance): the same notice id.
    const entry = approved.history.at(-1) as Parameters<typeof world.notices.triageChanged>[0]['entry'];
    await world.notices.triageChanged({ before: request, after: approved, entry });
    await world.notices.triageChanged({ before: request, after: approved, entry });
    await exactly(1);
  });

  it("round-trips FastTrack's question: the card in the admin's chat, the answer recorded by the requester, the state back to what it was", async () => {
    const request = await frenchRequest();
    await world.staff(request, { action: 'hold', reason: 'Vérification des licences' }, EMILIE);
    await exactly(1);
    const asked = await world.staff(request, { action: 'ask', question: 'Combien de boîtes aux lettres migrer ?' }, EMILIE);
    assert.equal(asked.state, 'OnHoldPendingRequesterResponse');
    const [sent] = await exactly(1);
    const card = questionCardOf(sent!);
    assert.match(cardText(card), /Combien de boîtes aux lettres migrer \?/);
    assert.match(cardText(card), new RegExp(fr((s) => s.requesterSide.questionTitle, { requestId: request.id })));
    const execute = executeOf(card);
    assert.equal(execute?.verb, 'question.answer');
    assert.deepEqual({ tenantId: execute!.data.tenantId, requestId: execute!.data.requestId, version: execute!.data.version }, { tenantId: TENANTS.contoso, requestId: request.id, version: 3 });
    assert.ok(((card.body ?? []) as Card[]).some((e) => e.type === 'Input.Text' && e.id === 'answer'), 'an answer box on the card');

    // Megan's status shows the open question.
    const status = await world.post(MEGAN, 'fr-FR', { type: 'message', text: 'status' });
    assert.equal(status.status, 200);
    const [statusCard] = await exactly(1);
    assert.match(visibleText([statusCard!.activity]), /Combien de boîtes aux lettres migrer \?/);
    assert.match(visibleText([statusCard!.activity]), new RegExp(fr((s) => s.requesterSide.openQuestionHint).replace(/[.?]/g, '.')));

    world.told.splice(0);
    const answer = await world.post(MEGAN, 'fr-FR', answerInvoke(execute!.data, '  Environ 1 200  '));
    assert.equal(answer.status, 200);
    const body = answer.body as { statusCode: number; type: string; value: Card };
    assert.equal(body.statusCode, 200);
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(cardText(body.value), new RegExp(fr((s) => s.requesterSide.answered, { answer: 'Environ 1 200' })));
    assert.equal(executeOf(body.value), undefined, 'the answered card has no Send any more');

    const stored = await world.requests.get(request.tenantId, request.id);
    assert.equal(stored?.state, 'OnHold', 'back to the state before the question');
    assert.deepEqual(
      stored?.history.filter((h) => h.event === 'triage.answer').map((h) => ({ by: h.by, state: h.state })),
      [{ by: 'requester', state: 'OnHold' }],
    );
    assert.equal(stored?.triage?.question?.answer, 'Environ 1 200');
    assert.deepEqual(world.told.map((c) => c.entry.event), ['triage.answer'], 'the triage observers learn the answer');
    await exactly(0);

    // The same card clicked again (a double click, another copy of it): the question is answered, the card shows the answer FastTrack has.
    const again = await world.post(MEGAN, 'fr-FR', answerInvoke(execute!.data, 'Plutôt 1 300'));
    const againBody = again.body as { statusCode: number; type: string; value: Card };
    assert.equal(againBody.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(cardText(againBody.value), new RegExp(fr((s) => s.requesterSide.answered, { answer: 'Environ 1 200' })));
    assert.doesNotMatch(cardText(againBody.value), new RegExp(fr((s) => s.requesterSide.noLongerApplies).replace(/[.?]/g, '.')));
    assert.equal((await world.requests.get(request.tenantId, request.id))?.triage?.question?.answer, 'Environ 1 200');
  });

  it('shows the card again with the error and what was typed when the answer is empty or too long', async () => {
    const request = await frenchRequest();
    await world.staff(request, { action: 'ask', question: 'Quelle date de bascule ?' }, EMILIE);
    const data = executeOf(questionCardOf((await exactly(1))[0]!))!.data;
    const long = 'x'.repeat(TRIAGE_TEXT_LIMIT + 1);
    const tooLong = (await world.post(MEGAN, 'fr-FR', answerInvoke(data, long))).body as { value: Card };
    assert.match(cardText(tooLong.value), new RegExp(fr((s) => s.requesterSide.answerTooLong, { limit: TRIAGE_TEXT_LIMIT })));
    const input = ((tooLong.value.body ?? []) as Card[]).find((e) => e.id === 'answer');
    assert.equal(input?.value, long, 'what was typed is kept');
    assert.ok(executeOf(tooLong.value), 'Send is still there');
    const empty = (await world.post(MEGAN, 'fr-FR', answerInvoke(data, '   '))).body as { value: Card };
    assert.match(cardText(empty.value), new RegExp(fr((s) => s.requesterSide.answerMissing)));
    assert.equal((await world.requests.get(request.tenantId, request.id))?.state, 'OnHoldPendingRequesterResponse', 'nothing recorded');
  });

  it("refuses an answer from anyone but the requester in their personal chat, and logs it", async () => {
    const request = await frenchRequest();
    await world.staff(request, { action: 'ask', question: 'Quel est votre système de messagerie ?' }, EMILIE);
    const data = executeOf(questionCardOf((await exactly(1))[0]!))!.data;
    const attempts = [
      // Another admin of the tenant, in their own chat.
      world.post(ADELE, 'fr-FR', answerInvoke(data, 'Exchange 2013')),
      // The card's data replayed from another tenant (the same object id there).
      world.post({ ...MEGAN, tenantId: TENANTS.northwind }, 'fr-FR', answerInvoke(data, 'Exchange 2013')),
      // Megan herself, but from a group chat.
      world.post(MEGAN, 'fr-FR', { ...answerInvoke(data, 'Exchange 2013'), conversation: { id: '19:contoso-admins@thread.v2', tenantId: TENANTS.contoso, conversationType: 'groupChat', isGroup: true } }),
    ];
    for (const attempt of await Promise.all(attempts)) {
      assert.equal(attempt.status, 200);
      assert.deepEqual(attempt.body, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: fr((s) => s.requesterSide.notYours) });
    }
    const stored = await world.requests.get(request.tenantId, request.id);
    assert.equal(stored?.state, 'OnHoldPendingRequesterResponse');
    assert.equal(stored?.triage?.question?.answer, undefined);
    const refusals = world.logs.filter((l) => l.msg === 'question card action refused').map((l) => l.reason);
    assert.deepEqual(refusals.sort(), ['notPersonal', 'otherTenant', 'otherUser']);
    assert.ok(!JSON.stringify(world.logs).includes('Exchange 2013'), 'never the answer text in a log');
  });

  it('refuses an answer to a question the request has moved on from (FastTrack approved meanwhile)', async () => {
    const request = await frenchRequest();
    await world.staff(request, { action: 'ask', question: 'Avez-vous un partenaire ?' }, EMILIE);
    const data = executeOf(questionCardOf((await exactly(1))[0]!))!.data;
    await world.staff(request, { action: 'approve' }, EMILIE);
    await exactly(1);
    const stale = (await world.post(MEGAN, 'fr-FR', answerInvoke(data, 'Non'))).body as { type: string; value: Card };
    assert.equal(stale.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(cardText(stale.value), new RegExp(fr((s) => s.requesterSide.noLongerApplies).replace(/[.?]/g, '.')));
    const stored = await world.requests.get(request.tenantId, request.id);
    assert.equal(stored?.state, 'Approved');
    assert.ok(!stored?.history.some((h) => h.event === 'triage.answer'), 'no answer recorded');
  });
});
