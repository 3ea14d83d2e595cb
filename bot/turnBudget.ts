import type { TurnContext } from 'botbuilder';

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
