import type { TurnContext } from 'botbuilder';
import { GraphError } from './graph/tenantDirectory';

/**
 * When a turn started (its activity reached the bot, before it waited for an earlier turn of the
 * conversation), so work inside it can tell how much of the turn budget is left.
 */
const STARTED = Symbol('turnStartedAt');

/** Marks the turn's start once (the first call wins). */
export function markTurnStart(context: Pick<TurnContext, 'turnState'>, now = Date.now()): void {
  if (!context.turnState.has(STARTED)) context.turnState.set(STARTED, now);
}

/** When the turn started (ms since the epoch), if it was marked. */
export function turnStartedAt(context: Pick<TurnContext, 'turnState'>): number | undefined {
  const at: unknown = context.turnState.get(STARTED);
  return typeof at === 'number' ? at : undefined;
}

/** How long work may still take in a turn that gives it `share` of `budgetMs` (from its start; at least `minMs`). */
export function timeLeftInTurn(startedAt: number | undefined, budgetMs: number, share: number, minMs = 250, now = Date.now()): number {
  const window = budgetMs * share - (startedAt === undefined ? 0 : Math.max(0, now - startedAt));
  return Math.max(minMs, window);
}

/*
 * Work the turn handed to the queue (a booking, a tenant check) is retried on one schedule.
 */

/** Seconds until a call still in flight when its turn gave up has ended at the latest (its Graph budget is the turn's). */
export function afterTurnBudgetSeconds(turnBudgetMs: number): number {
  return Math.ceil(turnBudgetMs / 1000) + 1;
}

/** The wait before try `attempt + 1` of queued work: one turn budget, doubling, at most 10 minutes. */
export function backoffSeconds(turnBudgetMs: number, attempt: number): number {
  return Math.min(600, Math.ceil(turnBudgetMs / 1000) * 2 ** Math.max(0, attempt - 1));
}

/** The wait after a failed try: Graph's Retry-After when it said one and that is longer, else the backoff. */
export function retryDelaySeconds(error: unknown, turnBudgetMs: number, attempt: number): number {
  const retryAfter = error instanceof GraphError ? (error.retryAfterSeconds ?? 0) : 0;
  return Math.max(retryAfter, backoffSeconds(turnBudgetMs, attempt));
}
