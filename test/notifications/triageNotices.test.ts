import assert from 'node:assert/strict';
import type { FastTrackPerson } from '../../bot/domain/centers';
import { applyTriage, triageVersion, type TriageAction } from '../../bot/domain/triage';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { noticeSchema } from '../../bot/notifications/notice';
import { triageNoticeFor, triageNoticeKind } from '../../bot/triage/requesterNotices';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { contosoRequest } from '../fixtures/requests';
import { centers } from '../helpers/botHarness';

const EMILIE = centers.people.find((p) => p.id === 'ft-emea-007') as FastTrackPerson;
const PARTNER_TENANT = TENANTS.northwind;

/** A French Contoso request asked for by a partner's admin (their own tenant), assigned to Émilie. */
function partnerRequest(): OnboardingRequest {
  const base = contosoRequest('FT-NOTE0001', { userId: USERS.nancy, email: 'nancy@northwind.com', timeZone: 'Europe/Paris' }, { preferredLanguage: 'fr-FR', region: 'emea' });
  const request = { ...base, requester: { ...base.requester, tenantId: PARTNER_TENANT } };
  const assigned = applyTriage(request, { action: 'assign' }, { kind: 'staff', person: EMILIE }, 0, new Date());
  assert.ok(assigned.ok);
  return assigned.request;
}

function act(request: OnboardingRequest, action: TriageAction) {
  const result = applyTriage(request, action, { kind: 'staff', person: EMILIE }, triageVersion(request), new Date());
  assert.ok(result.ok, `${action.action} accepted`);
  return result;
}

describe("the requester's triage notices", () => {
  it("go to the requester's own tenant and chat in the request's language, one id per request and version", () => {
    const held = act(partnerRequest(), { action: 'hold', reason: 'Contrat' });
    const notice = triageNoticeFor(held.request, held.entry);
    assert.ok(notice);
    assert.equal(notice.tenantId, PARTNER_TENANT, "the requester's tenant, not the onboarded one");
    assert.equal(notice.userId, USERS.nancy);
    assert.equal(notice.locale, 'fr-FR');
    assert.equal(notice.id, `triage:${TENANTS.contoso}:FT-NOTE0001:v2`);
    assert.deepEqual(triageNoticeFor(held.request, held.entry), notice, 'the same notice when told again');
    const approved = act(held.request, { action: 'approve' });
    assert.notEqual(triageNoticeFor(approved.request, approved.entry)?.id, notice.id, 'the next change is another notice');
  });

  it('say nothing of an assignment or a reassignment', () => {
    const request = partnerRequest();
    assert.equal(triageNoticeFor(request, request.history.at(-1) as Parameters<typeof triageNoticeFor>[1]), undefined);
    const colleague = centers.people.find((p) => p.id !== EMILIE.id && p.role === 'center' && p.languages.includes('fr-FR'))!;
    const reassigned = act(request, { action: 'reassign', to: colleague });
    assert.equal(triageNoticeFor(reassigned.request, reassigned.entry), undefined);
  });

  it('do not send a question that is no longer open when its turn comes', async () => {
    const asked = act(partnerRequest(), { action: 'ask', question: 'Combien de boîtes ?' });
    const notice = noticeSchema.parse(triageNoticeFor(asked.request, asked.entry));
    let stored = asked.request;
    const kind = triageNoticeKind({ requests: { get: async () => stored } });
    const params = kind.params.parse(notice.params);
    assert.equal(await kind.stillWanted!(params, notice), true, 'still open: sent');
    const answered = applyTriage(asked.request, { action: 'answer', answer: '1200' }, { kind: 'requester', aadObjectId: USERS.nancy }, triageVersion(asked.request), new Date());
    assert.ok(answered.ok);
    stored = answered.request;
    assert.equal(await kind.stillWanted!(params, notice), false, 'answered meanwhile: not sent');
    stored = act(asked.request, { action: 'approve' }).request;
    assert.equal(await kind.stillWanted!(params, notice), false, 'approved meanwhile: not sent');
  });
});
