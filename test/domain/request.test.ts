import assert from 'node:assert/strict';
import { isRequestId, newRequestId, validateRequestForm } from '../../bot/domain/request';

const valid = { contactName: 'Megan Bowen', contactEmail: 'megan@contoso.com', services: 'exchange,teams', preferredLanguage: 'en-US' };

describe('request form validation', () => {
  it('accepts a complete form and splits the chosen services', () => {
    const result = validateRequestForm(valid);
    assert.ok(result.ok);
    assert.deepEqual(result.form.services, ['exchange', 'teams']);
  });

  it('reports every missing answer at once and keeps what was entered', () => {
    const result = validateRequestForm({ contactName: '  Megan ', contactEmail: '' });
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => `${e.field}:${e.code}`), ['contactEmail:required', 'services:required', 'preferredLanguage:required']);
    assert.equal(result.values.contactName, 'Megan');
  });

  for (const email of ['megan', 'megan@', 'megan@contoso', 'me gan@contoso.com', '<script>@x.com']) {
    it(`rejects the email ${JSON.stringify(email)}`, () => {
      const result = validateRequestForm({ ...valid, contactEmail: email });
      assert.ok(!result.ok);
      assert.deepEqual(result.errors, [{ field: 'contactEmail', code: 'email' }]);
    });
  }

  it('rejects services and languages that are not offered', () => {
    const result = validateRequestForm({ ...valid, services: 'exchange,minecraft', preferredLanguage: 'xx-XX' });
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => e.code), ['service', 'language']);
  });

  it('treats non-string and non-object input as empty, without throwing', () => {
    for (const input of [null, 42, 'text', [], { contactName: { $gt: '' } }]) {
      const result = validateRequestForm(input);
      assert.ok(!result.ok);
      assert.ok(result.errors.some((e) => e.field === 'contactName' && e.code === 'required'));
    }
  });

  it('rejects a name longer than 100 characters', () => {
    const result = validateRequestForm({ ...valid, contactName: 'x'.repeat(101) });
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ field: 'contactName', code: 'tooLong' }]);
  });
});

describe('request ids', () => {
  it('are short, prefixed and unambiguous', () => {
    const id = newRequestId(Uint8Array.from([0, 1, 2, 3, 30, 31, 255, 18]));
    assert.equal(id, 'FT-0123YZZJ');
    assert.ok(isRequestId(id));
  });

  it('reject lookalikes and injection attempts', () => {
    for (const value of ['FT-0123YZZI', 'ft-0123yzzj', 'FT-0123YZZJ/../x', 42, undefined]) assert.equal(isRequestId(value), false);
  });
});
