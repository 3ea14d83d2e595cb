import assert from 'node:assert/strict';
import { RecentReferences } from '../bot/recentReferences';
import { teamsActivity, MEGAN, NANCY } from './helpers/botHarness';

describe('the recently seen conversation references', () => {
  const message = (extra = {}) => teamsActivity(MEGAN, 'en-US', { type: 'message', text: 'help', ...extra });

  it('spares the storage read for a conversation whose reference this instance saw within the TTL', () => {
    let now = 0;
    const recent = new RecentReferences({ ttlMs: 1000, now: () => now });
    assert.equal(recent.fresh(message()), false);
    recent.remember(message());
    assert.equal(recent.fresh(message({ text: 'status' })), true, 'another message of the same conversation');
    now = 1000;
    assert.equal(recent.fresh(message()), false, 'read again once the TTL is over');
  });

  it('checks the store again when anything a reference is made of changed, or the app was removed', () => {
    const recent = new RecentReferences();
    recent.remember(message());
    assert.equal(recent.fresh(message({ serviceUrl: 'https://smba.example/emea/' })), false);
    assert.equal(recent.fresh(message({ locale: 'de-DE' })), false);
    assert.equal(recent.fresh(teamsActivity(NANCY, 'en-US', { type: 'message' })), false);
    recent.forget(message());
    assert.equal(recent.fresh(message()), false);
  });

  it('keeps at most `max` conversations, forgetting the oldest', () => {
    const recent = new RecentReferences({ max: 1 });
    recent.remember(message());
    recent.remember(teamsActivity(NANCY, 'en-US', { type: 'message' }));
    assert.equal(recent.fresh(message()), false);
    assert.equal(recent.fresh(teamsActivity(NANCY, 'en-US', { type: 'message' })), true);
  });
});
