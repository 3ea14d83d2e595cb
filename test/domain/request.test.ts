import assert from 'node:assert/strict';
import { isRequestId, keys, newRequestId } from '../../bot/domain/request';

describe('request ids and keys', () => {
  it('are short, prefixed and unambiguous', () => {
    const id = newRequestId(Uint8Array.from([0, 1, 2, 3, 30, 31, 255, 18]));
    assert.equal(id, 'FT-0123YZZJ');
    assert.ok(isRequestId(id));
  });

  it('reject lookalikes and injection attempts', () => {
    for (const value of ['FT-0123YZZI', 'ft-0123yzzj', 'FT-0123YZZJ/../x', 42, undefined]) assert.equal(isRequestId(value), false);
  });

  it('keep every record of a tenant under its own prefix', () => {
    assert.equal(keys.request('t1', 'FT-1'), 'tenants/t1/requests/FT-1');
    assert.equal(keys.openRequest('t1'), 'tenants/t1/openRequest');
    assert.equal(keys.conversation('t1', 'u1'), 'tenants/t1/conversations/u1');
  });
});
