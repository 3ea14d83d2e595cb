import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { FastTrackPerson } from '../../bot/domain/centers';
import { REQUEST_STATES, type OnboardingRequest, type RequestState } from '../../bot/domain/journey';
import { actionsFor, applyTriage, TRIAGE_ACTIONS, triageVersion, type TriageAction, type TriageActionName, type TriageActor } from '../../bot/domain/triage';
import { contosoRequest } from '../fixtures/requests';

const person = (id: string, role: FastTrackPerson['role'], languages: FastTrackPerson['languages'] = ['en-US']): FastTrackPerson => ({
  id, name: id, email: `${id}@fasttrack.example`, role, languages, centerId: 'americas-redmond',
});
const ana = person('ana', 'center');
const ben = person('ben', 'center', ['en-US', 'fr-FR']);
const sam = person('sam', 'specialist');
const noEnglish = person('jun', 'center', ['ja-JP']);
const now = new Date('2026-12-02T15:00:00Z');
const ADMIN = { userId: 'c0a70500-0000-4000-8000-00000000a001', email: 'megan@contoso.com', timeZone: 'America/Los_Angeles' };

/** A request in `state`, assigned to ana (except where said), with an open question when pending. */
function requestIn(state: RequestState, assigned = true): OnboardingRequest {
  const base = contosoRequest('FT-TRIAGE01', ADMIN);
  return {
    ...base,
    state,
    ...(assigned ? { assignee: { personId: ana.id, assignedAt: now.toISOString(), byPersonId: ana.id } } : {}),
    triage: {
      version: 3,
      ...(state === 'OnHoldPendingRequesterResponse' ? { question: { text: 'Which domains?', askedAt: now.toISOString(), by: ana.id, resumeState: 'Approved' as const } } : {}),
    },
  };
}

const ACTION: Record<TriageActionName, TriageAction> = {
  assign: { action: 'assign' },
  reassign: { action: 'reassign', to: ben },
  approve: { action: 'approve' },
  hold: { action: 'hold', reason: 'Waiting for DNS' },
  ask: { action: 'ask', question: 'How many mailboxes?' },
  answer: { action: 'answer', answer: 'About 400' },
  cancel: { action: 'cancel', reason: 'duplicate' },
};
const staff = (p: FastTrackPerson): TriageActor => ({ kind: 'staff', person: p });
const requester: TriageActor = { kind: 'requester', aadObjectId: ADMIN.userId };

/** Who performs each action in the table: the assignee, or (assign) someone on an unassigned request, or the requester. */
function attempt(state: RequestState, name: TriageActionName) {
  const request = requestIn(state, name !== 'assign');
  const actor = name === 'answer' ? requester : staff(ana);
  return { request, result: applyTriage(request, ACTION[name], actor, 3, now) };
}

// state × action → the resulting state, or the refusal.
const TABLE: Record<RequestState, Record<TriageActionName, string>> = {
  Submitted: { assign: 'Submitted', reassign: 'Submitted', approve: 'Approved', hold: 'OnHold', ask: 'OnHoldPendingRequesterResponse', answer: 'refused noQuestion', cancel: 'Cancelled' },
  Approved: { assign: 'Approved', reassign: 'Approved', approve: 'refused notAllowedInState', hold: 'OnHold', ask: 'OnHoldPendingRequesterResponse', answer: 'refused noQuestion', cancel: 'Cancelled' },
  OnHold: { assign: 'OnHold', reassign: 'OnHold', approve: 'Approved', hold: 'refused notAllowedInState', ask: 'OnHoldPendingRequesterResponse', answer: 'refused noQuestion', cancel: 'Cancelled' },
  OnHoldPendingRequesterResponse: { assign: 'OnHoldPendingRequesterResponse', reassign: 'OnHoldPendingRequesterResponse', approve: 'Approved', hold: 'OnHold', ask: 'refused questionOpen', answer: 'Approved', cancel: 'Cancelled' },
  Cancelled: { assign: 'refused final', reassign: 'refused final', approve: 'refused final', hold: 'refused final', ask: 'refused final', answer: 'refused final', cancel: 'refused final' },
};

describe('triage state machine', () => {
  describe('every state × action pair', () => {
    for (const state of REQUEST_STATES) {
      for (const name of TRIAGE_ACTIONS) {
        const expected = TABLE[state][name];
        it(`${name} in ${state} ${expected.startsWith('refused') ? `is ${expected}` : `leads to ${expected}`}`, () => {
          const { request, result } = attempt(state, name);
          if (expected.startsWith('refused')) {
            assert.deepEqual(result, { ok: false, refusal: expected.slice('refused '.length) });
            return;
          }
          assert.ok(result.ok, `refused: ${!result.ok ? result.refusal : ''}`);
          assert.equal(result.request.state, expected);
          assert.equal(triageVersion(result.request), 4, 'every accepted action raises the version');
          const last = result.request.history.at(-1)!;
          assert.equal(last.event, `triage.${name}`);
          assert.equal(last.by, name === 'answer' ? 'requester' : ana.id);
          assert.equal(last.at, now.toISOString());
          assert.equal(last.state, expected === state ? undefined : expected, 'a state change is recorded with the entry');
          assert.equal(result.request.history.length, request.history.length + 1);
        });
      }
    }
  });

  it('refuses an action from an older copy of the card (a stale version) and changes nothing', () => {
    const request = requestIn('Submitted');
    assert.deepEqual(applyTriage(request, ACTION.approve, staff(ana), 2, now), { ok: false, refusal: 'stale' });
    const first = applyTriage(request, ACTION.approve, staff(ana), 3, now);
    assert.ok(first.ok);
    assert.deepEqual(applyTriage(first.request, ACTION.hold, staff(ana), 3, now), { ok: false, refusal: 'stale' }, 'the card the approval replaced cannot act');
  });

  it('lets only the assignee approve, hold, ask or cancel', () => {
    for (const name of ['approve', 'hold', 'ask', 'cancel'] as const) {
      assert.deepEqual(applyTriage(requestIn('Submitted'), ACTION[name], staff(ben), 3, now), { ok: false, refusal: 'notAssignee' }, name);
      assert.deepEqual(applyTriage(requestIn('Submitted', false), ACTION[name], staff(ana), 3, now), { ok: false, refusal: 'notAssigned' }, name);
    }
  });

  it('assigns to me only once, and only a person of the right role who speaks the language', () => {
    assert.deepEqual(applyTriage(requestIn('Submitted'), ACTION.assign, staff(ben), 3, now), { ok: false, refusal: 'alreadyAssigned' });
    const migration = { ...requestIn('Submitted', false), form: { ...requestIn('Submitted').form!, dataMigration: true } };
    assert.deepEqual(applyTriage(migration, ACTION.assign, staff(ana), 3, now), { ok: false, refusal: 'wrongRole' }, 'only a Specialist takes a migration request');
    assert.equal(applyTriage(migration, ACTION.assign, staff(sam), 3, now).ok, true);
    assert.deepEqual(applyTriage(requestIn('Submitted', false), ACTION.assign, staff(noEnglish), 3, now), { ok: false, refusal: 'wrongLanguage' });
    const taken = applyTriage(requestIn('Submitted', false), ACTION.assign, staff(ben), 3, now);
    assert.ok(taken.ok);
    assert.deepEqual(taken.request.assignee, { personId: 'ben', assignedAt: now.toISOString(), byPersonId: 'ben' });
  });

  it('reassigns to another person of the right role and language, and records to whom', () => {
    const moved = applyTriage(requestIn('Approved'), ACTION.reassign, staff(ana), 3, now);
    assert.ok(moved.ok);
    assert.equal(moved.request.assignee?.personId, 'ben');
    assert.equal(moved.request.history.at(-1)?.to, 'ben');
    assert.deepEqual(applyTriage(requestIn('Approved'), { action: 'reassign', to: ana }, staff(ana), 3, now), { ok: false, refusal: 'samePerson' });
    assert.deepEqual(applyTriage(requestIn('Approved'), { action: 'reassign', to: sam }, staff(ana), 3, now), { ok: false, refusal: 'wrongRole' });
    assert.deepEqual(applyTriage(requestIn('Approved'), { action: 'reassign', to: noEnglish }, staff(ana), 3, now), { ok: false, refusal: 'wrongLanguage' });
  });

  it('keeps a question and its answer, and returns to the state before the question', () => {
    const asked = applyTriage(requestIn('Approved'), { action: 'ask', question: '  How many mailboxes?  ' }, staff(ana), 3, now);
    assert.ok(asked.ok);
    assert.equal(asked.request.state, 'OnHoldPendingRequesterResponse');
    assert.deepEqual(asked.request.triage?.question, { text: 'How many mailboxes?', askedAt: now.toISOString(), by: 'ana', resumeState: 'Approved' });
    const answered = applyTriage(asked.request, ACTION.answer, requester, 4, now);
    assert.ok(answered.ok);
    assert.equal(answered.request.state, 'Approved');
    assert.equal(answered.request.triage?.question?.answer, 'About 400');
    assert.deepEqual(applyTriage(answered.request, ACTION.answer, requester, 5, now), { ok: false, refusal: 'noQuestion' }, 'one answer per question');
  });

  it('takes an answer only from the requester, and questions only from staff', () => {
    assert.deepEqual(applyTriage(requestIn('OnHoldPendingRequesterResponse'), ACTION.answer, { kind: 'requester', aadObjectId: 'someone-else' }, 3, now), { ok: false, refusal: 'notRequester' });
    assert.deepEqual(applyTriage(requestIn('OnHoldPendingRequesterResponse'), ACTION.answer, staff(ana), 3, now), { ok: false, refusal: 'notRequester' });
    assert.deepEqual(applyTriage(requestIn('Submitted'), ACTION.approve, requester, 3, now), { ok: false, refusal: 'staffOnly' });
  });

  it('refuses empty and oversized text, and a cancel for another reason without a note', () => {
    assert.deepEqual(applyTriage(requestIn('Submitted'), { action: 'hold', reason: '   ' }, staff(ana), 3, now), { ok: false, refusal: 'textMissing' });
    assert.deepEqual(applyTriage(requestIn('Submitted'), { action: 'ask', question: 'x'.repeat(1001) }, staff(ana), 3, now), { ok: false, refusal: 'textTooLong' });
    assert.deepEqual(applyTriage(requestIn('Submitted'), { action: 'cancel', reason: 'other' }, staff(ana), 3, now), { ok: false, refusal: 'textMissing' });
    const cancelled = applyTriage(requestIn('Submitted'), { action: 'cancel', reason: 'notEligible', note: 'Trial licences only' }, staff(ana), 3, now);
    assert.ok(cancelled.ok);
    assert.deepEqual(cancelled.request.triage?.cancelled, { reason: 'notEligible', note: 'Trial licences only', at: now.toISOString(), by: 'ana' });
    assert.equal(cancelled.request.stage, 'closed', 'a cancelled request is closed: the tenant may ask again');
  });

  it('offers the assignee more actions than a bystander, and nothing on a cancelled request', () => {
    assert.deepEqual(actionsFor(requestIn('Submitted', false), ben), ['assign']);
    assert.deepEqual(actionsFor(requestIn('Submitted', false), sam), [], 'a Specialist is not offered a non-migration request');
    assert.deepEqual(actionsFor(requestIn('Submitted'), ana), ['reassign', 'approve', 'hold', 'ask', 'cancel']);
    assert.deepEqual(actionsFor(requestIn('Submitted'), ben), []);
    assert.deepEqual(actionsFor(requestIn('OnHoldPendingRequesterResponse'), ana), ['reassign', 'approve', 'hold', 'cancel']);
    assert.deepEqual(actionsFor(requestIn('Cancelled'), ana), []);
  });
});
