/** What the front door answers: a status, an optional JSON body, optional headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The fixed body of every refusal, by status. A refusal never carries a message, a stack or any text
 * of a library: the reason is in the one log line the front door writes, not in the answer.
 */
const ERRORS: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  404: 'notFound',
  405: 'methodNotAllowed',
  406: 'notAcceptable',
  408: 'requestTimeout',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
  500: 'internalError',
  503: 'unavailable',
};

/** The refusal for a 4xx/5xx status: `{ "error": "<code>" }` (anything else is answered as a 500). */
export function refusal(status: number, headers?: Record<string, string>): Reply {
  const code = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
  const error = ERRORS[code] ?? (code >= 500 ? 'internalError' : 'requestRefused');
  return { status: code, body: { error }, ...(headers ? { headers } : {}) };
}
