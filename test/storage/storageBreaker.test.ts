import assert from 'node:assert/strict';
import { errorFields } from '../../bot/dialogs/errors';
import { StorageBreaker, StorageUnavailableError } from '../../bot/storage/storageBreaker';
import { failureClass } from '../../bot/turnErrorHandler';

/** What @azure/storage-blob throws when nothing listens on the port: a RestError without a status. */
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10000 https://acct.blob/c?sig=secret'), { name: 'RestError', code: 'ECONNREFUSED' });
const notFound = () => Object.assign(new Error('The specified blob does not exist.'), { name: 'RestError', statusCode: 404, code: 'BlobNotFound' });

describe('the storage circuit breaker', () => {
  it('names an unreachable storage as StorageUnavailableError, which the user hears as the storage failure', async () => {
    const breaker = new StorageBreaker({ failures: 3, halfOpenAfterMs: 60000 });
    const error = await breaker.execute(async () => {
      throw refused();
    }).catch((e: unknown) => e);
    assert.ok(error instanceof StorageUnavailableError);
    assert.equal(error.code, 'StorageUnreachable');
    assert.equal(failureClass(error), 'storage');
  });

  it('stops calling storage once it failed three times in a row, until the cool-down has passed', async () => {
    const breaker = new StorageBreaker({ failures: 3, halfOpenAfterMs: 300 });
    let calls = 0;
    const down = async (): Promise<never> => {
      calls++;
      throw refused();
    };
    for (let i = 0; i < 3; i++) await assert.rejects(breaker.execute(down), StorageUnavailableError);
    await assert.rejects(breaker.execute(down), (e: unknown) => e instanceof StorageUnavailableError && e.code === 'CircuitOpen');
    assert.equal(calls, 3, 'the open circuit did not call storage');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await breaker.execute(async () => 'back'), 'back', 'half-open: one call tests storage and closes the circuit');
    assert.equal(await breaker.execute(async () => 'again'), 'again');
  });

  it('lets answers that are not outages (404, 412) through unchanged, without opening the circuit', async () => {
    const breaker = new StorageBreaker({ failures: 2, halfOpenAfterMs: 60000 });
    for (let i = 0; i < 5; i++) await assert.rejects(breaker.execute(async () => Promise.reject(notFound())), (e: unknown) => (e as { statusCode?: number }).statusCode === 404);
    assert.equal(await breaker.execute(async () => 'open for business'), 'open for business');
  });

  it('abandons an operation that takes longer than its timeout, and aborts its request', async () => {
    const breaker = new StorageBreaker({ timeoutMs: 100 });
    let aborted = false;
    await assert.rejects(
      // As the storage SDK does: an aborted request rejects with an AbortError.
      breaker.execute((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' })))))),
      (e: unknown) => e instanceof StorageUnavailableError && e.code === 'StorageTimeout',
    );
    assert.ok(aborted);
  });
});

describe('a logged error', () => {
  it('is its class, code and status: never its message, and no code that is free text', () => {
    assert.deepEqual(errorFields(refused()), { class: 'RestError', code: 'ECONNREFUSED' });
    assert.deepEqual(errorFields(notFound()), { class: 'RestError', code: 'BlobNotFound', status: 404 });
    assert.deepEqual(errorFields(Object.assign(new Error('x'), { code: 'megan@contoso.com typed this' })), { class: 'Error' });
    assert.doesNotMatch(JSON.stringify(errorFields(refused())), /sig=|ECONNREFUSED 127/);
  });
});
