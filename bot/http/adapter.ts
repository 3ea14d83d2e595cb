import { AsyncLocalStorage } from 'node:async_hooks';
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
// throwing; the front door writes its own single JSON line instead. Only output made inside the
// check's own async context is dropped; every other console call is untouched.
const quiet = new AsyncLocalStorage<true>();
let consolePatched = false;

function withoutLibraryConsole<T>(work: () => Promise<T>): Promise<T> {
  if (!consolePatched) {
    consolePatched = true;
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method];
      console[method] = (...args: unknown[]) => {
        if (!quiet.getStore()) original.apply(console, args);
      };
    }
  }
  return quiet.run(true, work);
}
