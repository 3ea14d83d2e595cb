import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult, type BotFrameworkAuthentication } from 'botframework-connector';

/** The outcome of checking an inbound request's token. */
export type Authentication = { ok: true; result: AuthenticateRequestResult } | { ok: false; status: 401 | 503; error: unknown };

/**
 * The CloudAdapter with its two halves apart: `authenticate` checks the token (so the front door can
 * answer 401/503 itself, instead of CloudAdapter.process's 500 with the library's message and its
 * console.error), and `run` runs a turn for an activity that passed. The checks are botbuilder's own.
 */
export class FrontDoorAdapter extends CloudAdapter {
  constructor(auth: BotFrameworkAuthentication) {
    super(auth);
  }

  async authenticate(activity: Activity, authHeader: string): Promise<Authentication> {
    try {
      const result = await withoutLibraryConsole(() => this.botFrameworkAuthentication.authenticateRequest(activity, authHeader));
      return { ok: true, result };
    } catch (error) {
      return { ok: false, status: authFailureStatus(error), error };
    }
  }

  run(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }
}

/**
 * 503 when the signing keys could not be fetched (the OpenID metadata or its JWKS unreachable or
 * failing); 401 for every token that does not verify (not a JWT, no or a bad signature, wrong
 * issuer/audience/serviceUrl, expired, unknown key).
 */
export function authFailureStatus(error: unknown): 401 | 503 {
  if (error instanceof AuthenticationError) return error.statusCode >= 500 ? 503 : 401;
  // node-fetch's error for an unreachable or non-JSON metadata document.
  if ((error as { name?: unknown } | undefined)?.name === 'FetchError') return 503;
  return 401;
}

// botframework-connector's token check console.error()s a failed verification (with the key) before
// throwing; the front door writes its own single JSON line instead. Only the console calls made by the
// check itself (botframework-connector's jwtTokenExtractor, found on the caller's stack) are dropped;
// every other console call is untouched. (Not an AsyncLocalStorage: once one is used, Node runs a
// promise hook on every promise of the process, every turn paying for what only a forged token needs.)
let consolePatched = false;

function withoutLibraryConsole<T>(work: () => Promise<T>): Promise<T> {
  if (!consolePatched) {
    consolePatched = true;
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method];
      console[method] = function quietTokenCheck(...args: unknown[]) {
        if (!calledByTokenCheck(quietTokenCheck)) original.apply(console, args);
      };
    }
  }
  return work();
}

// lib/…js, or src/…ts when source maps are on (tsx).
const TOKEN_CHECK = /[\\/]botframework-connector[\\/](?:lib|src)[\\/]auth[\\/]jwtTokenExtractor\.[jt]s:/;

/** True when the frame right below `wrapper` (its caller) is in botframework-connector's token check. */
function calledByTokenCheck(wrapper: (...args: unknown[]) => void): boolean {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  try {
    Error.captureStackTrace(holder, wrapper);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return TOKEN_CHECK.test(holder.stack ?? '');
}
