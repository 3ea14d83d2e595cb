import assert from 'node:assert/strict';
import { GraphError } from '../../bot/graph/tenantDirectory';

/** The GraphError a call fails with (the test fails when it succeeds or fails otherwise). */
export async function failure(promise: Promise<unknown>): Promise<GraphError> {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof GraphError, `expected a GraphError, got ${String(error)}`);
  return error;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
