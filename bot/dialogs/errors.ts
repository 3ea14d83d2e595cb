/** Codes are logged only when they look like codes (an SDK or service identifier), never free text. */
const CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Loggable facts of an error: its class (name), code and status, never a message or stack that
 * might hold user data, tokens or URLs. Logged as `err: errorFields(error)`.
 */
export function errorFields(error: unknown): { class: string; code?: string; status?: number } {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; status?: unknown; code?: unknown; statusCode?: unknown };
    const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
    const code = typeof e.code === 'string' && CODE.test(e.code) ? e.code : undefined;
    const name = typeof e.name === 'string' && CODE.test(e.name) ? e.name : (error.constructor?.name ?? 'Object');
    return { class: name, ...(code === undefined ? {} : { code }), ...(status === undefined ? {} : { status }) };
  }
  return { class: typeof error };
}
